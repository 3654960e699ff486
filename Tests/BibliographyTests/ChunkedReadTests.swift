import Foundation
import Testing

@testable import Bibliography

/// A RIS export read on several threads, cut into chunks at `TY` lines, must give exactly what one thread gives:
/// the same records, ids and lines, the same skipped records and messages, the same first error under `--strict`.
@Suite("RIS read in chunks on several threads")
struct ChunkedReadTests {
    private static let fixtures = ["ebsco", "endnote", "malformed", "ovid", "rayyan", "scopus", "zotero"]

    /// Every RIS fixture, then records that break the rules at every place a chunk may end.
    private func export(crlf: Bool) throws -> Data {
        var text = ""
        for name in Self.fixtures {
            let data = try Fixture.data("ris/\(name).ris")
            var part = String(decoding: data, as: UTF8.self)
            if part.hasPrefix("\u{FEFF}") { part.removeFirst() }
            text += part.replacingOccurrences(of: "\r\n", with: "\n") + "\n"
        }
        for n in 1...60 {
            text += "TY  - JOUR\nTI  - Title \(n)\n  continued  here\nAU  - Family\(n), Given\nPY  - 20\(10 + n % 10)\n"
            switch n % 6 {
            case 0: text += "TY  - JOUR\nTI  - Opened again without ER \(n)\nER  - \n"
            case 1: text += "ER  - \nNL  - after the end \(n)\n\n"
            case 2: text += "ER  - \nNL  - orphan \(n)\nER  - \n"
            case 3: text += "ER  - \n1.\nAB  - an orphan tag \(n)\n"
            case 4: text += "ER  - \n\n\n"
            default: text += "KW  - one\n  two\n\nER  - \n"
            }
        }
        text += "TY  - JOUR\nTI  - Never closed\n"
        if crlf { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
        return Data(text.utf8)
    }

    private func read(_ data: Data, threads: Int, chunkSize: Int, strict: Bool = false) throws -> ReadResult {
        var options = ReadOptions(format: .ris, strict: strict, threads: threads)
        options.chunkSize = chunkSize
        return try RecordReader.read(data: data, fileName: "chunked.ris", options: options)
    }

    @Test(arguments: [false, true])
    func chunksGiveWhatOneThreadGives(crlf: Bool) throws {
        let data = try export(crlf: crlf)
        let one = try read(data, threads: 1, chunkSize: 1 << 20)
        #expect(one.records.count > 60)
        #expect(one.issues.count >= 20)
        #expect(one.issues.last?.message == "the record has no ER line before the end of the file")
        for chunkSize in [1, 64, 300, 1000, 4096] {
            for threads in [2, 3] {
                let many = try read(data, threads: threads, chunkSize: chunkSize)
                #expect(many.records == one.records, "chunk size \(chunkSize), \(threads) threads")
                #expect(many.issues == one.issues, "chunk size \(chunkSize), \(threads) threads")
            }
        }
    }

    @Test func strictStopsAtTheSameRecord() throws {
        let data = try export(crlf: false)
        var first: BibliographyError?
        do {
            _ = try read(data, threads: 1, chunkSize: 1 << 20, strict: true)
        } catch {
            first = error as? BibliographyError
        }
        let expected = try #require(first)
        #expect(throws: expected) { try read(data, threads: 2, chunkSize: 200, strict: true) }
    }

    /// Every record `forEachBatch` hands over, in order, with the reader's issues and what it threw.
    private func readInBatches(_ data: Data, threads: Int, chunkSize: Int, strict: Bool = false) throws -> (
        records: [Record], issues: [ReadIssue], error: BibliographyError?, threadsUsed: Int
    ) {
        var options = ReadOptions(format: .ris, strict: strict, threads: threads)
        options.chunkSize = chunkSize
        var reader = try RecordReader(data: data, fileName: "chunked.ris", options: options)
        var records: [Record] = []
        var threadsUsed: Set<String> = []
        do {
            try reader.forEachBatch { batch in
                (batch, "\(Thread.current)")
            } consume: { (batch: ([Record], String)) throws(BibliographyError) in
                records += batch.0
                threadsUsed.insert(batch.1)
            }
        } catch {
            return (records, reader.issues, error, threadsUsed.count)
        }
        #expect(reader.recordCount == records.count)
        return (records, reader.issues, nil, threadsUsed.count)
    }

    @Test(arguments: [false, true])
    func batchesGiveWhatOneThreadGives(crlf: Bool) throws {
        let data = try export(crlf: crlf)
        let one = try read(data, threads: 1, chunkSize: 1 << 20)
        let sequential = try readInBatches(data, threads: 1, chunkSize: 1 << 20)
        #expect(sequential.records == one.records)
        #expect(sequential.issues == one.issues)
        for chunkSize in [1, 64, 300, 4096] {
            for threads in [2, 3] {
                let many = try readInBatches(data, threads: threads, chunkSize: chunkSize)
                #expect(many.error == nil)
                #expect(many.records == one.records, "chunk size \(chunkSize), \(threads) threads")
                #expect(many.issues == one.issues, "chunk size \(chunkSize), \(threads) threads")
            }
        }
        // Small chunks on three threads: the batches were made on more than the calling thread.
        #expect(try readInBatches(data, threads: 3, chunkSize: 64).threadsUsed > 1)
    }

    @Test func strictBatchesStopAtTheSameRecordAfterHandingOverTheOnesBefore() throws {
        let data = try export(crlf: false)
        let one = try read(data, threads: 1, chunkSize: 1 << 20)
        let firstIssue = try #require(one.issues.first)
        for (threads, chunkSize) in [(1, 1 << 20), (2, 200), (3, 64)] {
            let strict = try readInBatches(data, threads: threads, chunkSize: chunkSize, strict: true)
            #expect(
                strict.error
                    == .malformedRecord(file: "chunked.ris", line: firstIssue.line, message: firstIssue.message))
            // Every record before the malformed one was handed over, and none after it.
            let before = one.records.filter { $0.source.line < firstIssue.line }
            #expect(strict.records == before, "\(threads) threads, chunk size \(chunkSize)")
        }
    }

    @Test func recordsEncodedInBatchesWriteWhatOneAtATimeWrites() throws {
        let data = try export(crlf: false)
        let records = try read(data, threads: 1, chunkSize: 1 << 20).records
        let encoded = RecordWriter.EncodedJSONLines(records)
        #expect(encoded.count == records.count)
        try withTemporaryDirectory { dir in
            let batched = try RecordWriter.jsonLines(to: dir.appendingPathComponent("batched.jsonl"))
            try batched.write(RecordWriter.EncodedJSONLines(Array(records.prefix(7))))
            try batched.write(RecordWriter.EncodedJSONLines(Array(records.dropFirst(7))))
            try batched.finish()
            let single = try RecordWriter.jsonLines(to: dir.appendingPathComponent("single.jsonl"))
            for record in records { try single.write(record) }
            try single.finish()
            #expect(batched.count == records.count)
            let written = try Data(contentsOf: dir.appendingPathComponent("batched.jsonl"))
            #expect(written == (try Data(contentsOf: dir.appendingPathComponent("single.jsonl"))))
            #expect(written == RecordWriter.jsonLines(records))
            let ris = try RecordWriter.ris(to: dir.appendingPathComponent("out.ris"))
            #expect(throws: BibliographyError.self) { try ris.write(encoded) }
        }
    }

    @Test func aMappedFileReadsInChunksLikeInMemory() throws {
        var text = ""
        for n in 1...5_000 {
            text += "TY  - JOUR\nTI  - Title \(n)\nAU  - Family\(n), G.\nPY  - 2020\nER  - \n\n"
        }
        let data = Data(text.utf8)
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("many.ris")
            try data.write(to: url)
            var options = ReadOptions(threads: 2)
            options.chunkSize = 16 << 10
            let mapped = try RecordReader.read(contentsOf: url, options: options)
            let single = try RecordReader.read(data: data, fileName: "many.ris", options: ReadOptions(threads: 1))
            #expect(mapped.records.count == 5_000)
            #expect(mapped.records == single.records)
            #expect(mapped.records[4_999].id == "many:5000")
            #expect(mapped.records[4_999].source.line == 6 * 4_999 + 1)
        }
    }
}
