import Bibliography
import Foundation

/// Field-by-field comparison of our parse of an export with a reference parse (`<file>.expected.json`,
/// written by rispy 0.10.0 for RIS and Web of Science, nbib 0.3.2 for MEDLINE).
struct ReferenceComparison {
    struct Tally: Equatable {
        /// Records where the reference parser has a value.
        var compared = 0
        var agreed = 0
        /// Records where only we have a value (the reference parser left it out).
        var extra = 0

        var rate: Double { compared == 0 ? 1 : Double(agreed) / Double(compared) }
    }

    struct FileReport {
        var file: String
        var parser: String
        var expectedCount: Int
        var ourCount: Int
        var skipped: Int
        var fields: [String: Tally] = [:]
        var examples: [String] = []
    }

    static let fieldOrder = [
        "title", "authors", "year", "journal", "volume", "issue", "start_page", "end_page", "doi", "pmid", "abstract",
        "keywords", "issn", "urls", "language", "source_id",
    ]

    /// Compares one export with its reference parse, record by record in file order.
    static func compare(export: URL, expected: URL, displayName: String) throws -> FileReport {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: expected)) as? [String: Any] ?? [:]
        let generator = (json["generator"] as? [String: Any])?["parser"] as? String ?? "?"
        let detected = json["source_format_detected"] as? String ?? "ris"
        let expectedRecords = json["records"] as? [[String: Any]] ?? []
        let ours = try RecordReader.read(contentsOf: export, fileName: displayName)
        var report = FileReport(
            file: displayName, parser: generator, expectedCount: expectedRecords.count, ourCount: ours.records.count,
            skipped: ours.skipped)
        for (e, r) in zip(expectedRecords, ours.records) {
            let pairs: [(String, Any?, Any?)]
            switch detected {
            case "medline": pairs = medlinePairs(e, r)
            case "wok": pairs = wokPairs(e, r)
            default: pairs = risPairs(e, r)
            }
            for (field, expectedValue, ourValue) in pairs {
                if present(expectedValue) == nil {
                    if present(ourValue) != nil { report.fields[field, default: Tally()].extra += 1 }
                    continue
                }
                guard let outcome = agree(field, expectedValue, ourValue, parser: detected) else { continue }
                report.fields[field, default: Tally()].compared += 1
                if outcome {
                    report.fields[field, default: Tally()].agreed += 1
                } else if report.examples.count < 12 {
                    report.examples.append(
                        "\(r.id) \(field): reference \(describe(expectedValue)) | ours \(describe(ourValue))")
                }
            }
        }
        return report
    }

    // MARK: - Field pairs per reference parser

    private static func risPairs(_ e: [String: Any], _ r: Record) -> [(String, Any?, Any?)] {
        let authors = (e["authors"] as? [String] ?? []) + (e["first_authors"] as? [String] ?? [])
        let journals = ["alternate_title3", "secondary_title", "journal_name", "alternate_title2", "alternate_title1"]
            .compactMap { e[$0] as? String }
        return [
            ("title", e["title"] ?? e["primary_title"], r.title),
            ("authors", authors.isEmpty ? nil : authors, r.authors.isEmpty ? nil : r.authors.map(\.displayName)),
            ("year", year(e["year"] ?? e["publication_year"]), r.year),
            ("journal", journals.isEmpty ? nil : journals, r.journal),
            ("volume", e["volume"], r.volume),
            ("issue", e["number"], r.issue),
            ("start_page", e["start_page"], pageStart(e["start_page"], r)),
            (
                "end_page",
                (e["start_page"] as? String)?.contains("-") == true && e["end_page"] == nil ? nil : e["end_page"],
                r.pages?.end
            ),
            ("doi", e["doi"], r.doi),
            ("abstract", e["abstract"] ?? e["notes_abstract"], r.abstract),
            ("keywords", e["keywords"], r.keywords.isEmpty ? nil : r.keywords),
            ("issn", e["issn"], r.issn + r.isbn),
            ("urls", e["urls"], r.urls.isEmpty ? nil : r.urls),
            ("language", e["language"], r.language),
            ("source_id", e["id"] ?? e["accession_number"], r.sourceID),
        ]
    }

    private static func medlinePairs(_ e: [String: Any], _ r: Record) -> [(String, Any?, Any?)] {
        let people = (e["authors"] as? [[String: Any]] ?? []).compactMap {
            ($0["author"] ?? $0["author_abbreviated"]) as? String
        }
        let corporate = Set(
            (e["corporate_author"] as? [String]) ?? ((e["corporate_author"] as? String).map { [$0] } ?? []))
        let ourPeople = r.authors.filter { !($0.given == nil && corporate.contains($0.family)) }.map(\.displayName)
        let issns = ["electronic_issn", "print_issn", "linking_issn"].compactMap { e[$0] as? String }
        let pages = (e["pages"] as? String).map { String($0.split(separator: "-").first ?? "") }
        return [
            ("title", e["title"], r.title),
            ("authors", people.isEmpty ? nil : people, ourPeople.isEmpty ? nil : ourPeople),
            ("year", year(e["publication_date"]), r.year),
            ("journal", e["journal"], r.journal),
            ("volume", e["journal_volume"], r.volume),
            ("issue", e["journal_issue"], r.issue),
            ("start_page", pages, r.pages?.start),
            ("doi", e["doi"], r.doi),
            ("pmid", (e["pubmed_id"] as? Int).map(String.init) ?? e["pubmed_id"], r.pmid),
            ("abstract", e["abstract"], r.abstract),
            ("keywords", e["keywords"], r.keywords.isEmpty ? nil : r.keywords),
            ("issn", issns.isEmpty ? nil : issns.joined(separator: " "), r.issn + r.isbn),
            ("language", e["language"], r.language),
            ("source_id", (e["pubmed_id"] as? Int).map(String.init), r.sourceID),
        ]
    }

    private static func wokPairs(_ e: [String: Any], _ r: Record) -> [(String, Any?, Any?)] {
        let authors = (e["author_full_name"] as? [String]) ?? (e["authors"] as? [String])
        let keywords = [e["author_keywords"], e["keywords_plus"]].compactMap { $0 as? String }.flatMap(
            splitOutsideBrackets)
        let issns = ["issn", "eissn"].compactMap { e[$0] as? String }
        return [
            ("title", e["document_title"], r.title),
            ("authors", authors, r.authors.isEmpty ? nil : r.authors.map(\.displayName)),
            ("year", year(e["publication_year"]), r.year),
            ("journal", e["publication_name"], r.journal),
            ("volume", e["volume"], r.volume),
            ("issue", e["issue"], r.issue),
            ("start_page", e["beginning_page"], r.pages?.start),
            ("end_page", e["ending_page"], r.pages?.end),
            ("doi", e["doi"], r.doi),
            ("pmid", e["pubmed_id"], r.pmid),
            ("abstract", e["abstract"], r.abstract),
            ("keywords", keywords.isEmpty ? nil : keywords, r.keywords.isEmpty ? nil : r.keywords),
            ("issn", issns.isEmpty ? nil : issns.joined(separator: " "), r.issn + r.isbn),
            ("language", e["language"], r.language),
            ("source_id", e["accession_number"], r.sourceID),
        ]
    }

    // MARK: - Agreement rules

    /// nil when neither side has a value (nothing to compare).
    static func agree(_ field: String, _ expected: Any?, _ ours: Any?, parser: String = "ris") -> Bool? {
        let e = present(expected)
        let o = present(ours)
        if e == nil && o == nil { return nil }
        guard let e, let o else { return false }
        switch field {
        case "authors":
            let a = (e as? [String] ?? []).map(nameKey)
            let b = (o as? [String] ?? []).map(nameKey)
            return a == b
        case "journal":
            let candidates = (e as? [String]) ?? [String(describing: e)]
            return candidates.map(norm).contains(norm(String(describing: o)))
        case "doi":
            return doiKey(String(describing: e)) == doiKey(String(describing: o))
        case "year":
            return "\(e)" == "\(o)"
        case "keywords" where parser == "medline":
            // nbib's keywords are the OT terms; ours add the MeSH headings after them.
            let reference = (e as? [String] ?? []).map(norm)
            return Set(reference).isSubset(of: Set((o as? [String] ?? []).map(norm)))
        case "keywords", "urls":
            // rispy joins untagged continuation lines into one value; we keep one item per line and drop repeats.
            if joined(e) == joined(o) { return true }
            let a = Set(((e as? [String]) ?? []).map(norm))
            let b = Set(((o as? [String]) ?? []).map(norm))
            return !a.isEmpty && a == b
        case "issn":
            let reference = joined(e)
            let mine = joined(o)
            let issn = Set(issnTokens(reference))
            let isbn = Set(isbnTokens(reference))
            guard !issn.isEmpty || !isbn.isEmpty else { return false }
            return issn.isSubset(of: Set(issnTokens(mine))) && isbn.isSubset(of: Set(isbnTokens(mine)))
        case "start_page":
            let a = String(describing: e)
            let b = String(describing: o)
            return a == b || expandRange(a) == expandRange(b)
        default:
            return norm(String(describing: e)) == norm(String(describing: o))
        }
    }

    static func present(_ v: Any?) -> Any? {
        switch v {
        case nil: return nil
        case let s as String: return norm(s).isEmpty ? nil : s
        case let a as [Any]: return a.isEmpty ? nil : a
        case is NSNull: return nil
        default: return v
        }
    }

    static func norm(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func joined(_ v: Any) -> String {
        if let list = v as? [String] { return norm(list.joined(separator: " ")) }
        if let list = v as? [Any] { return norm(list.map { "\($0)" }.joined(separator: " ")) }
        return norm("\(v)")
    }

    /// Name tokens in any order, without punctuation or a parenthesised e-mail: `G. Kalbe` matches `Kalbe, G.`.
    private static func nameKey(_ s: String) -> String {
        var t = s
        if let open = t.lastIndex(of: "("), t[open...].contains("@") { t = String(t[..<open]) }
        let tokens = t.replacingOccurrences(of: ",", with: " ").replacingOccurrences(of: ".", with: " ")
            .lowercased().split(separator: " ").map(String.init)
        return tokens.sorted().joined(separator: " ")
    }

    /// `349-69` → `349-369`, as we expand abbreviated end pages.
    static func expandRange(_ s: String) -> String {
        let parts = s.split(separator: "-", omittingEmptySubsequences: true).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 2 else { return norm(s) }
        let (a, b) = (parts[0], parts[1])
        if b.count < a.count, a.allSatisfy(\.isNumber), b.allSatisfy(\.isNumber) {
            let expanded = String(a.prefix(a.count - b.count)) + b
            if let x = Int(a), let y = Int(expanded), y >= x { return "\(a)-\(expanded)" }
        }
        return "\(a)-\(b)"
    }

    /// Splits on `;` outside brackets, as Zoological Record nests `;` inside `[…]`.
    private static func splitOutsideBrackets(_ s: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in s {
            if ch == "[" || ch == "(" { depth += 1 }
            if ch == "]" || ch == ")" { depth = max(0, depth - 1) }
            if ch == ";" && depth == 0 {
                parts.append(norm(current))
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(norm(current))
        return parts.filter { !$0.isEmpty }
    }

    private static func isbnTokens(_ s: String) -> [String] {
        var out: [String] = []
        var run = ""
        for ch in s.uppercased() + " " {
            if ch.isNumber || ch == "X" || ch == "-" {
                run.append(ch)
            } else {
                let digits = run.filter { $0 != "-" }
                if digits.count == 10 || digits.count == 13 { out.append(digits) }
                run = ""
            }
        }
        return out
    }

    private static func doiKey(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespaces).lowercased()
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
        where t.hasPrefix(prefix) {
            t.removeFirst(prefix.count)
        }
        return t.trimmingCharacters(in: .whitespaces)
    }

    private static func issnTokens(_ s: String) -> [String] {
        var out: [String] = []
        var run = ""
        for ch in s.uppercased() + " " {
            if ch.isNumber || ch == "X" || ch == "-" {
                run.append(ch)
            } else {
                let digits = run.filter { $0 != "-" }
                if digits.count == 8 { out.append(String(digits.prefix(4)) + "-" + String(digits.suffix(4))) }
                run = ""
            }
        }
        return out
    }

    private static func year(_ v: Any?) -> Int? {
        guard let v else { return nil }
        let s = "\(v)"
        var digits = ""
        for ch in s {
            if ch.isASCII && ch.isNumber {
                digits.append(ch)
                if digits.count == 4, let y = Int(digits), y >= 1000, y < 3000 { return y }
            } else {
                digits = ""
            }
        }
        return nil
    }

    /// rispy keeps `SP  - 1-5` whole; compare our start and end joined the same way then.
    private static func pageStart(_ expected: Any?, _ r: Record) -> String? {
        if let e = expected as? String, e.contains("-"), r.pages?.start != e { return r.pages?.displayString }
        return r.pages?.start
    }

    private static func describe(_ v: Any?) -> String {
        guard let v else { return "nil" }
        let s = "\(v)"
        return s.count > 90 ? String(s.prefix(90)) + "…" : s
    }
}
