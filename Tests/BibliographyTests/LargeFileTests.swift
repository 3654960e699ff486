import Foundation
import Testing

@testable import Bibliography

/// Exports larger than the windows the reader checks and releases at a time (1 MiB for line ends, 4 and 8 MiB for
/// pages), read from a mapped file and from memory.
@Suite("Large exports")
struct LargeFileTests {
    /// `count` RIS records with LF line ends, then `tail` records whose lines end in a lone CR (classic Mac OS).
    private func export(count: Int, loneCRTail tail: Int) -> Data {
        var text = ""
        for n in 1...count {
            text += "TY  - JOUR\nTI  - Title number \(n) about peer workers in co-production\nAU  - Family\(n), Given\nPY  - 2020\nAB  - \(String(repeating: "An abstract sentence. ", count: 8))\nER  - \n\n"
        }
        for n in stride(from: 1, through: tail, by: 1) {
            text += "TY  - JOUR\rTI  - Late title \(n)\rPY  - 2021\rER  - \r\r"
        }
        return Data(text.utf8)
    }

    @Test func aLoneCarriageReturnAfterTheFirstMegabyteStillEndsLines() throws {
        let data = export(count: 12_000, loneCRTail: 3)
        #expect(data.count > 3 << 20)
        let result = try RecordReader.read(data: data, fileName: "big.ris")
        #expect(result.records.count == 12_003)
        #expect(result.records[11_999].title == "Title number 12000 about peer workers in co-production")
        #expect(result.records.suffix(3).map(\.title) == ["Late title 1", "Late title 2", "Late title 3"])
        #expect(result.records.last?.year == 2021)
        #expect(result.issues.isEmpty)
    }

    @Test func aMappedFileReadsLikeTheSameBytesInMemory() throws {
        let data = export(count: 40_000, loneCRTail: 0)
        #expect(data.count > 8 << 20)
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("big.ris")
            try data.write(to: url)
            let mapped = try RecordReader.read(contentsOf: url)
            let inMemory = try RecordReader.read(data: data, fileName: "big.ris")
            #expect(mapped.records.count == 40_000)
            #expect(mapped.records == inMemory.records)
            #expect(mapped.records[39_999].source.line == 7 * 39_999 + 1)
        }
    }
}
