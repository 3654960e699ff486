import Bibliography
import Foundation

// bib-bench read FILE...     stream every record in batches, count records and authors where they were parsed
// bib-bench next FILE...     the same one record at a time, in order, on the calling thread (RecordReader.next)
// bib-bench import FILE OUT  stream every record into a JSON Lines file
// Prints one line per file: `<file> <records> <seconds>`.
// BIB_THREADS=n parses a large RIS export on n threads (default: one per core; 1: on the main thread only).
let arguments = Array(CommandLine.arguments.dropFirst())
let options = ReadOptions(threads: ProcessInfo.processInfo.environment["BIB_THREADS"].flatMap { Int($0) })
guard let mode = arguments.first, ["read", "next", "import"].contains(mode), arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: bib-bench read|next FILE... | import FILE [OUT.jsonl]\n".utf8))
    exit(2)
}
do {
    if mode != "import" {
        for path in arguments.dropFirst() {
            let start = Date()
            var reader = try RecordReader(contentsOf: URL(fileURLWithPath: path), options: options)
            var records = 0
            var authors = 0
            if mode == "next" {
                while let record = try reader.next() {
                    records += 1
                    authors += record.authors.count
                }
            } else {
                // Records are counted on the thread that parsed them (RecordReader.forEachBatch).
                try reader.forEachBatch { batch in
                    (batch.count, batch.reduce(0) { $0 + $1.authors.count })
                } consume: { counts in
                    records += counts.0
                    authors += counts.1
                }
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
        // Records are encoded on the thread that parsed them and written in order.
        try reader.forEachBatch { RecordWriter.EncodedJSONLines($0) } consume: { (encoded) throws(BibliographyError) in
            try writer.write(encoded)
        }
        try writer.finish()
        print("\(arguments[1]) \(writer.count) \(String(format: "%.3f", Date().timeIntervalSince(start)))")
    }
} catch {
    FileHandle.standardError.write(Data("bib-bench: \(error)\n".utf8))
    exit(1)
}
