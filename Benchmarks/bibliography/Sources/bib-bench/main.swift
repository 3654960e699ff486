import Bibliography
import Foundation

// bib-bench read FILE...     stream every record, count records and authors
// bib-bench import FILE OUT  stream every record into a JSON Lines file
// Prints one line per file: `<file> <records> <seconds>`.
// BIB_THREADS=n parses a large RIS export on n threads (default: one per core; 1: on the main thread only).
let arguments = Array(CommandLine.arguments.dropFirst())
let options = ReadOptions(threads: ProcessInfo.processInfo.environment["BIB_THREADS"].flatMap { Int($0) })
guard let mode = arguments.first, ["read", "import"].contains(mode), arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: bib-bench read FILE... | import FILE [OUT.jsonl]\n".utf8))
    exit(2)
}
do {
    if mode == "read" {
        for path in arguments.dropFirst() {
            let start = Date()
            var reader = try RecordReader(contentsOf: URL(fileURLWithPath: path), options: options)
            var records = 0
            var authors = 0
            while let record = try reader.next() {
                records += 1
                authors += record.authors.count
            }
            let seconds = Date().timeIntervalSince(start)
            print(
                "\(path) \(records) \(String(format: "%.3f", seconds)) authors=\(authors) skipped=\(reader.issues.count)"
            )
        }
    } else {
        let start = Date()
        var reader = try RecordReader(contentsOf: URL(fileURLWithPath: arguments[1]), options: options)
        let writer: RecordWriter
        if arguments.count > 2 {
            writer = try RecordWriter.jsonLines(to: URL(fileURLWithPath: arguments[2]))
        } else if let null = FileHandle(forWritingAtPath: "/dev/null") {
            writer = RecordWriter.jsonLines(to: null)
        } else {
            throw BibliographyError.writeFailed(file: "/dev/null", reason: "cannot open")
        }
        while let record = try reader.next() { try writer.write(record) }
        try writer.finish()
        print("\(arguments[1]) \(writer.count) \(String(format: "%.3f", Date().timeIntervalSince(start)))")
    }
} catch {
    FileHandle.standardError.write(Data("bib-bench: \(error)\n".utf8))
    exit(1)
}
