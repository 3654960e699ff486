@testable import Bibliography
import Foundation
import Testing

/// Reads every export in the project's shared test data (`../shared/data`, see its SOURCES.md) and compares the
/// result with the counts SOURCES.md lists and with the reference parses (`*.expected.json`).
/// The data is not part of the repository: these tests are skipped when it is absent.
enum SharedData {
    /// `$REVIEWTRAIL_SHARED_DATA`, else `shared/data` beside the repository; nil unless it holds SOURCES.md.
    static let root: URL? = {
        let candidate: URL
        if let path = ProcessInfo.processInfo.environment["REVIEWTRAIL_SHARED_DATA"] {
            candidate = URL(fileURLWithPath: path)
        } else {
            candidate = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("shared/data")
        }
        return FileManager.default.fileExists(atPath: candidate.appendingPathComponent("SOURCES.md").path)
            ? candidate : nil
    }()

    static var available: Bool { root != nil }

    /// Files in the shared data that are not bibliographic exports.
    static let notExports: Set<String> = ["merged_record_ids.csv", "PRISMA.csv", "SOURCES.md"]

    static func exports() throws -> [URL] {
        guard let root else { return [] }
        let all =
            FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return all.filter { url in
            !url.hasDirectoryPath && !url.lastPathComponent.hasSuffix(".json")
                && !notExports.contains(url.lastPathComponent)
        }.sorted { $0.path < $1.path }
    }

    static func relative(_ url: URL) -> String {
        guard let root else { return url.path }
        return String(url.path.dropFirst(root.path.count + 1))
    }

    /// The `records` column of SOURCES.md's table of files.
    static func listedCounts() throws -> [String: Int] {
        guard let root else { return [:] }
        let text = try String(contentsOf: root.appendingPathComponent("SOURCES.md"), encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count == 4, let n = Int(cells[3]), cells[0].contains("/") { counts[cells[0]] = n }
        }
        return counts
    }
}

@Suite("Shared test data", .enabled(if: SharedData.available, "../shared/data is absent; real-export checks skipped"))
struct SharedDataTests {
    @Test func everyExportReadsWithTheListedNumberOfRecords() throws {
        let listed = try SharedData.listedCounts()
        #expect(listed.count > 50)
        var lines: [String] = []
        var total = 0
        for url in try SharedData.exports() {
            let name = SharedData.relative(url)
            let result = try RecordReader.read(contentsOf: url, fileName: name)
            total += result.records.count
            lines.append(
                "\(name)\t\(result.format.rawValue)\t\(result.records.count)\tskipped \(result.skipped)\twarnings \(result.warnings.count)"
            )
            #expect(result.skipped == 0, "\(name): \(result.issues)")
            if let expected = listed[name] {
                #expect(result.records.count == expected, "\(name)")
            }
        }
        print("Shared data: \(lines.count) exports, \(total) records\n" + lines.joined(separator: "\n"))
        #expect(lines.count >= 65)
    }

    /// Every real RIS export read in small chunks on two threads gives what one thread gives.
    @Test func realRISExportsReadInChunksLikeOnOneThread() throws {
        var compared = 0
        for url in try SharedData.exports() {
            let name = SharedData.relative(url)
            let one = try RecordReader.read(contentsOf: url, fileName: name, options: ReadOptions(threads: 1))
            guard one.format == .ris else { continue }
            var options = ReadOptions(format: .ris, threads: 2)
            options.chunkSize = 2048
            let chunked = try RecordReader.read(contentsOf: url, fileName: name, options: options)
            #expect(chunked == one, "\(name)")
            compared += 1
        }
        #expect(compared >= 10)
    }

    @Test func agreementWithReferenceParses() throws {
        var totals: [String: ReferenceComparison.Tally] = [:]
        var files = 0
        var report: [String] = []
        for url in try SharedData.exports() {
            let expected = URL(fileURLWithPath: url.path + ".expected.json")
            guard FileManager.default.fileExists(atPath: expected.path) else { continue }
            files += 1
            let name = SharedData.relative(url)
            let file = try ReferenceComparison.compare(export: url, expected: expected, displayName: name)
            #expect(file.ourCount == file.expectedCount, "\(name)")
            #expect(file.skipped == 0, "\(name)")
            var line = "\(name) [\(file.parser)] records \(file.ourCount)/\(file.expectedCount)"
            for field in ReferenceComparison.fieldOrder {
                guard let t = file.fields[field] else { continue }
                totals[field, default: .init()].compared += t.compared
                totals[field, default: .init()].agreed += t.agreed
                totals[field, default: .init()].extra += t.extra
                if t.agreed < t.compared { line += " \(field) \(t.agreed)/\(t.compared)" }
            }
            report.append(line)
            report.append(contentsOf: file.examples.map { "    " + $0 })
        }
        #expect(files >= 40)
        var summary = ["field\tagreed/compared\trate\tonly ours"]
        for field in ReferenceComparison.fieldOrder {
            guard let t = totals[field] else { continue }
            summary.append("\(field)\t\(t.agreed)/\(t.compared)\t\(String(format: "%.4f", t.rate))\t\(t.extra)")
            // Where we differ on purpose (abbreviated end pages expanded, first LA kept) stays under one percent.
            #expect(t.rate >= 0.99, "\(field): \(t.agreed)/\(t.compared)")
        }
        print(
            "Agreement with reference parses over \(files) files:\n" + summary.joined(separator: "\n") + "\n"
                + report.joined(separator: "\n"))
    }

    @Test func litstudyScopusRecordOne() throws {
        let root = try #require(SharedData.root)
        let result = try RecordReader.read(contentsOf: root.appendingPathComponent("litstudy/scopus.csv"))
        let r = try #require(result.records.first)
        #expect(r.title == "Scalable molecular dynamics with NAMD")
        #expect(r.authors.count == 10)
        #expect(r.year == 2005)
        #expect(r.rawValues("Cited by") == ["13169"])
        #expect(result.records.count == 58)
    }

    @Test func oneZoteroLibraryFourWays() throws {
        let root = try #require(SharedData.root)
        func read(_ name: String) throws -> [Record] {
            try RecordReader.read(contentsOf: root.appendingPathComponent("asysd-repo/" + name)).records
        }
        let ris = try read("zotero_export.ris")
        let bib = try read("zotero_export.bib")
        let csv = try read("zotero_export.csv")
        let xml = try read("zotero_export.xml")
        let counts: [Int] = [ris.count, bib.count, csv.count, xml.count]
        #expect(counts == [1000, 1000, 1233, 1233])
        let risVsBib = crossFormatAgreement(ris, bib)
        let csvVsXml = crossFormatAgreement(csv, xml)
        print(
            "Cross-format agreement (records matched by normalised title): RIS vs BibTeX \(risVsBib.summary); CSV vs EndNote XML \(csvVsXml.summary)"
        )
        #expect(risVsBib.matched >= 990)
        #expect(csvVsXml.matched >= 1220)
        for (field, rate) in risVsBib.rates.merging(csvVsXml.rates, uniquingKeysWith: min) {
            #expect(rate >= 0.95, "\(field)")
        }
    }

    private struct CrossFormat {
        var matched = 0
        var rates: [String: Double] = [:]
        var summary: String {
            "matched \(matched); "
                + rates.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value))" }
                .joined(separator: ", ")
        }
    }

    private func crossFormatAgreement(_ a: [Record], _ b: [Record]) -> CrossFormat {
        func key(_ r: Record) -> String {
            (r.title ?? "").lowercased().filter { $0.isLetter || $0.isNumber }
        }
        var byTitle: [String: [Record]] = [:]
        for r in b { byTitle[key(r), default: []].append(r) }
        var result = CrossFormat()
        var agreed: [String: Int] = [:]
        for r in a {
            guard var candidates = byTitle[key(r)], !candidates.isEmpty else { continue }
            let other = candidates.removeFirst()
            byTitle[key(r)] = candidates
            result.matched += 1
            let checks: [String: Bool] = [
                "doi": r.doi == other.doi, "year": r.year == other.year, "volume": r.volume == other.volume,
                "pages": r.pages == other.pages, "authors": r.authors.map(\.family) == other.authors.map(\.family),
            ]
            for (field, same) in checks where same { agreed[field, default: 0] += 1 }
            for field in checks.keys where agreed[field] == nil { agreed[field] = 0 }
        }
        for (field, n) in agreed { result.rates[field] = result.matched == 0 ? 0 : Double(n) / Double(result.matched) }
        return result
    }
}
