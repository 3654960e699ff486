// libFuzzer entry point for the Bibliography readers.
//
// The reader under test is chosen by the environment variable FUZZ_FORMAT, whose value is a `RecordFormat`
// raw value (ris, medline, wos, wos-tab, csv, endnote-xml, bibtex, jsonl), `auto` (format detection,
// `ReadOptions(format: nil)`) or `ris-chunks` (RIS read in chunks on two threads, compared with the one-thread
// read). It can also be fixed at compile time with `-D FUZZ_FORMAT_<NAME>`
// (for example -D FUZZ_FORMAT_WOS_TAB), which wins over the environment.
//
// Built by Fuzz/run.sh together with every file of Sources/Bibliography (not through SwiftPM, whose `main`
// would win over libFuzzer's):
//   swiftc -sanitize=fuzzer,address -parse-as-library Fuzz/harness.swift Sources/Bibliography/*.swift -o …
//
// Thrown `BibliographyError`s are expected answers to bad input and are ignored; only crashes, hangs and
// sanitizer reports are bugs.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

private enum Target {
    /// The format fixed with `-D FUZZ_FORMAT_<NAME>`: `.some(nil)` for detection, nil when none is given.
    static func fromCompileFlags() -> RecordFormat?? {
        #if FUZZ_FORMAT_RIS
            return .some(.ris)
        #elseif FUZZ_FORMAT_MEDLINE
            return .some(.medline)
        #elseif FUZZ_FORMAT_WOS
            return .some(.wos)
        #elseif FUZZ_FORMAT_WOS_TAB
            return .some(.wosTab)
        #elseif FUZZ_FORMAT_CSV
            return .some(.csv)
        #elseif FUZZ_FORMAT_ENDNOTE_XML
            return .some(.endnoteXML)
        #elseif FUZZ_FORMAT_BIBTEX
            return .some(.bibtex)
        #elseif FUZZ_FORMAT_JSONL
            return .some(.jsonLines)
        #elseif FUZZ_FORMAT_RIS_CHUNKS
            return .some(.ris)
        #elseif FUZZ_FORMAT_AUTO
            return .some(nil)
        #else
            return nil
        #endif
    }

    static let chosen: RecordFormat? = {
        if let fixed = fromCompileFlags() { return fixed }
        let name = ProcessInfo.processInfo.environment["FUZZ_FORMAT"] ?? ""
        if name == "auto" { return nil }
        if name == "ris-chunks" { return .ris }
        guard let format = RecordFormat(rawValue: name) else {
            let names = RecordFormat.allCases.map(\.rawValue).joined(separator: ", ")
            fputs("FUZZ_FORMAT must be one of: \(names), auto, ris-chunks (got \"\(name)\")\n", stderr)
            exit(2)
        }
        return format
    }()

    /// Whether the RIS input is read in chunks on two threads and compared with the one-thread read.
    static let chunked: Bool = {
        #if FUZZ_FORMAT_RIS_CHUNKS
            return true
        #else
            return ProcessInfo.processInfo.environment["FUZZ_FORMAT"] == "ris-chunks"
        #endif
    }()

    /// A file name whose extension matches the format, as a user's export would have.
    static let fileName: String = {
        switch chosen {
        case .ris: return "fuzz.ris"
        case .medline: return "fuzz.nbib"
        case .wos, .wosTab: return "fuzz.txt"
        case .csv: return "fuzz.csv"
        case .endnoteXML: return "fuzz.xml"
        case .bibtex: return "fuzz.bib"
        case .jsonLines: return "fuzz.jsonl"
        case nil: return "fuzz.dat"
        }
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    do {
        var reader = try RecordReader(
            data: bytes, fileName: Target.fileName, options: ReadOptions(format: Target.chosen))
        var count = 0
        while let record = try reader.next() {
            // Touch the record so nothing is optimised away.
            count &+= record.id.utf8.count &+ record.raw.count
        }
        if count < 0 { fputs("unreachable\n", stderr) }
    } catch {
        // BibliographyError: an expected answer to bad input.
    }
    if Target.chunked { compareChunkedRIS(bytes) }
    return 0
}

/// A RIS export read in chunks on two threads must give what one thread gives (records, issues, first error).
private func compareChunkedRIS(_ bytes: Data) {
    func read(threads: Int, chunkSize: Int) -> Result<ReadResult, BibliographyError> {
        var options = ReadOptions(format: .ris, threads: threads)
        options.chunkSize = chunkSize
        return Result { () throws(BibliographyError) in
            try RecordReader.read(data: bytes, fileName: Target.fileName, options: options)
        }
    }
    /// The records `forEachBatch` hands over, made into batches on the threads that parsed them.
    func readInBatches(chunkSize: Int) -> Result<ReadResult, BibliographyError> {
        var options = ReadOptions(format: .ris, threads: 2)
        options.chunkSize = chunkSize
        return Result { () throws(BibliographyError) in
            var reader = try RecordReader(data: bytes, fileName: Target.fileName, options: options)
            var records: [Record] = []
            try reader.forEachBatch { $0 } consume: { (batch: [Record]) throws(BibliographyError) in
                records += batch
            }
            return ReadResult(
                file: reader.file, format: reader.format, records: records, issues: reader.issues,
                warnings: reader.warnings)
        }
    }
    let one = read(threads: 1, chunkSize: 1 << 20)
    let chunkSize = max(1, bytes.count / 7)
    if one != read(threads: 2, chunkSize: chunkSize) {
        fputs("chunked RIS read differs from the single-threaded read\n", stderr)
        abort()
    }
    if one != readInBatches(chunkSize: chunkSize) {
        fputs("RIS read in batches on two threads differs from the single-threaded read\n", stderr)
        abort()
    }
}
