import Foundation
import RunnerCore
import WorkflowModel

/// `protocol/validate`: checks the review protocol (stage 1) and writes it normalised, with the search
/// strategy as verbatim text per database.
public struct ProtocolValidate: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "protocol/validate", version: "1",
        summary: "Checks protocol.json (question, eligibility, databases, search dates, search lines and their combinations) and writes it normalised plus the verbatim search strategy",
        inputs: ["protocol.json (the review protocol)"],
        outputs: ["protocol.json (validated, normalised: sorted keys, combination lines resolved)", "search-strategy.txt (verbatim search lines, per database)"])

    static let keys = [
        "title", "research_question", "framework", "source", "registration", "eligibility", "databases", "search_fields",
        "search_dates", "other_sources", "search_lines",
    ]

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let input = try context.inputFile(0)
        guard let data = FileManager.default.contents(atPath: input.location) else {
            throw .io(path: input.path, message: "cannot read")
        }
        let reader = JSONFields(file: input.path)
        let root = try reader.parse(Array(data))
        let top = try reader.object(root, "", keys: Self.keys)
        _ = try reader.nonEmptyString(top, "title", parent: root, path: "")
        _ = try reader.nonEmptyString(top, "research_question", parent: root, path: "")
        if let framework = top["framework"] { _ = try reader.string(framework, "framework") }
        if let registration = top["registration"] {
            let fields = try reader.object(registration, "registration", keys: ["registry", "date", "protocol_doi"])
            if let date = fields["date"] { try reader.date(date, "registration.date") }
            if let doi = fields["protocol_doi"], let text = try? reader.string(doi, "registration.protocol_doi"), !text.hasPrefix("10.") {
                throw reader.error(doi, "registration.protocol_doi", "\"\(text)\" is not a DOI (it starts with 10.)")
            }
        }
        let eligibilityNode = try reader.required(top, "eligibility", parent: root, path: "")
        let eligibility = try reader.object(eligibilityNode, "eligibility", keys: ["include", "exclude", "languages", "publication_years", "study_types"])
        let include = try reader.stringList(try reader.required(eligibility, "include", parent: eligibilityNode, path: "eligibility"), "eligibility.include")
        if include.isEmpty { throw reader.error(eligibilityNode, "eligibility.include", "no inclusion criteria") }
        _ = try reader.stringList(try reader.required(eligibility, "exclude", parent: eligibilityNode, path: "eligibility"), "eligibility.exclude")
        if let years = eligibility["publication_years"] {
            let fields = try reader.object(years, "eligibility.publication_years", keys: ["from", "to"])
            let from = try fields["from"].map { node throws(RunnerError) in try reader.integer(node, "eligibility.publication_years.from") }
            let to = try fields["to"].map { node throws(RunnerError) in try reader.integer(node, "eligibility.publication_years.to") }
            if let from, let to, from > to { throw reader.error(years, "eligibility.publication_years", "from \(from) is after to \(to)") }
        }
        for key in ["languages", "study_types"] { if let node = eligibility[key] { _ = try reader.stringList(node, "eligibility.\(key)") } }

        let databasesNode = try reader.required(top, "databases", parent: root, path: "")
        var databases: [String] = []
        for (index, node) in try reader.array(databasesNode, "databases").enumerated() {
            let fields = try reader.object(node, "databases[\(index)]", keys: ["name", "platform"])
            let name = try reader.nonEmptyString(fields, "name", parent: node, path: "databases[\(index)]")
            if databases.contains(name) { throw reader.error(node, "databases[\(index)].name", "database \"\(name)\" is listed twice") }
            databases.append(name)
        }
        if databases.isEmpty { throw reader.error(databasesNode, "databases", "no databases are listed") }
        if let fields = top["search_fields"] { _ = try reader.string(fields, "search_fields") }
        if let sources = top["other_sources"] { _ = try reader.stringList(sources, "other_sources") }

        let datesNode = try reader.required(top, "search_dates", parent: root, path: "")
        var dates: [(String, String)] = []
        for (index, node) in try reader.array(datesNode, "search_dates").enumerated() {
            let fields = try reader.object(node, "search_dates[\(index)]", keys: ["date", "label"])
            let dateNode = try reader.required(fields, "date", parent: node, path: "search_dates[\(index)]")
            try reader.date(dateNode, "search_dates[\(index)].date")
            let label = try fields["label"].map { node throws(RunnerError) in try reader.string(node, "search_dates[\(index)].label") } ?? ""
            dates.append((dateNode.value.stringValue ?? "", label))
        }
        if dates.isEmpty { throw reader.error(datesNode, "search_dates", "no search dates are given") }

        let linesNode = try reader.required(top, "search_lines", parent: root, path: "")
        let lineNodes = try reader.array(linesNode, "search_lines")
        if lineNodes.isEmpty { throw reader.error(linesNode, "search_lines", "no search lines are given") }
        var lines: [SearchLine] = []
        for (index, node) in lineNodes.enumerated() {
            let path = "search_lines[\(index)]"
            let fields = try reader.object(node, path, keys: ["n", "category", "query"])
            let numberNode = try reader.required(fields, "n", parent: node, path: path)
            let number = try reader.integer(numberNode, path + ".n")
            if number != index + 1 {
                throw reader.error(numberNode, path + ".n", "line number \(number) where \(index + 1) was expected (lines are numbered 1, 2, 3… in order)")
            }
            let query = try reader.nonEmptyString(fields, "query", parent: node, path: path)
            let category = try fields["category"].map { node throws(RunnerError) in try reader.string(node, path + ".category") }
            let references = SearchLine.references(in: query)
            if let reference = references.filter({ $0 >= number }).max() {
                throw reader.error(fields["query"] ?? node, path + ".query", "line \(number) (\"\(query)\") refers to line \(reference), which \(reference == number ? "is itself" : reference > lineNodes.count ? "does not exist" : "comes after it")")
            }
            for reference in references where reference < 1 {
                throw reader.error(fields["query"] ?? node, path + ".query", "line \(number) refers to line \(reference), which does not exist")
            }
            lines.append(SearchLine(number: number, category: category, query: query, references: references))
        }

        var normalised = root.value
        if case .object(var members) = normalised, let position = members.firstIndex(where: { $0.key == "search_lines" }) {
            members[position].value = .array(lines.map(\.json))
            normalised = .object(members)
        }
        try context.write(CanonicalJSON.pretty(normalised), toOutput: 0)
        try context.write(Self.strategyText(title: top["title"]?.value.stringValue ?? "", fields: top["search_fields"]?.value.stringValue, dates: dates, databases: databases, lines: lines), toOutput: 1)
        let combinations = lines.filter { !$0.references.isEmpty }.count
        return StepOutcome(
            summary: "protocol validated with \(lines.count) search lines (\(combinations) combinations) for \(databases.count) databases",
            counts: ["search_lines": lines.count, "databases": databases.count, "search_dates": dates.count],
            log: "checked \(input.path): \(lines.count) search lines, \(combinations) combination lines, \(databases.count) databases, \(dates.count) search dates\n")
    }

    static func strategyText(title: String, fields: String?, dates: [(String, String)], databases: [String], lines: [SearchLine]) -> String {
        var out = "Search strategy\n\(title)\n\n"
        if let fields { out += "Fields searched: \(fields)\n" }
        out += "Searches run: " + dates.map { $0.1.isEmpty ? $0.0 : "\($0.0) (\($0.1))" }.joined(separator: "; ") + "\n"
        out += "The same \(lines.count) lines were run in each of the \(databases.count) databases below, as the protocol gives them.\n"
        let width = String(lines.count).count
        for database in databases {
            out += "\n== \(database) ==\n"
            for line in lines {
                out += String(repeating: " ", count: width - String(line.number).count) + "\(line.number)  \(line.query)\n"
            }
        }
        return out
    }
}

/// One numbered line of a database search; a combination line refers to earlier lines.
struct SearchLine: Equatable {
    var number: Int
    var category: String?
    var query: String
    var references: [Int]

    var json: JSONValue {
        var members = [JSONMember("n", .number(String(number))), JSONMember("query", .string(query))]
        if let category { members.append(JSONMember("category", .string(category))) }
        members.append(JSONMember("kind", .string(references.isEmpty ? "term" : "combination")))
        if !references.isEmpty { members.append(JSONMember("refs", .array(references.map { .number(String($0)) }))) }
        return .object(members)
    }

    /// The line numbers a combination refers to: `or/1–13` (a range), `14 and 25 and 47`, `limit 48 to English`.
    static func references(in query: String) -> [Int] {
        let text = query.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "–", with: "-").replacingOccurrences(of: "—", with: "-")
        let lower = text.lowercased()
        for op in ["or/", "and/"] where lower.hasPrefix(op) {
            var numbers: [Int] = []
            for part in text.dropFirst(op.count).split(separator: ",") {
                let bounds = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
                if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high {
                    numbers += Array(low...high)
                } else if bounds.count == 1, let single = Int(bounds[0]) {
                    numbers.append(single)
                } else {
                    return []
                }
            }
            return numbers
        }
        if lower.hasPrefix("limit ") {
            let words = text.split(separator: " ")
            if words.count >= 2, let number = Int(words[1]) { return [number] }
        }
        let words = lower.split(separator: " ").map(String.init)
        if words.count >= 3, words.count % 2 == 1 {
            var numbers: [Int] = []
            for (index, word) in words.enumerated() {
                if index % 2 == 0 {
                    guard let number = Int(word) else { return [] }
                    numbers.append(number)
                } else if !["and", "or", "not"].contains(word) {
                    return []
                }
            }
            return numbers
        }
        return []
    }
}
