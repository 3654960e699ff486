import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

extension JSONFields {
    /// The members of an object by key, keeping unknown keys (files written by other steps may grow).
    func members(_ node: JSONNode, _ path: String) throws(RunnerError) -> [String: JSONNode] {
        guard case .object(let members) = node.kind else { throw error(node, path, "must be an object, not \(node.value.typeName)") }
        var out: [String: JSONNode] = [:]
        for member in members { out[member.key] = member.node }
        return out
    }
}

/// Reads a whole input file.
func readBytes(_ file: ResolvedFile) throws(RunnerError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: file.location) else { throw .io(path: file.path, message: "cannot read") }
    return Array(data)
}

/// A percentage with one decimal (`12.5`), or `NA` for an empty denominator.
func percentText(_ count: Int, of total: Int) -> String {
    guard total > 0 else { return "NA" }
    return fixed(Double(count) * 100 / Double(total), decimals: 1)
}

/// A number with a fixed count of decimals, rounded half away from zero (the same on every platform).
func fixed(_ value: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale + 0.5 + 1e-9).rounded(.down)
    let negative = value < 0 && scaled > 0
    let whole = Int(scaled) / Int(scale)
    let fraction = Int(scaled) % Int(scale)
    var text = String(whole)
    if decimals > 0 {
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
    return negative ? "-" + text : text
}

/// What identification.json says: per export file, its database, records read and malformed records skipped.
struct Identification {
    struct File {
        var file: String
        var database: String
        var records: Int
        var skipped: Int
    }

    var files: [File]

    /// Records each database returned (read + skipped), in order of first appearance.
    var perDatabase: [(database: String, returned: Int)] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for file in files {
            if counts[file.database] == nil { order.append(file.database) }
            counts[file.database, default: 0] += file.records + file.skipped
        }
        return order.map { ($0, counts[$0] ?? 0) }
    }

    var read: Int { files.reduce(0) { $0 + $1.records } }
    var skipped: Int { files.reduce(0) { $0 + $1.skipped } }

    static func read(_ input: ResolvedFile) throws(RunnerError) -> Identification {
        let reader = JSONFields(file: input.path)
        let root = try reader.parse(try readBytes(input))
        let members = try reader.members(root, "")
        let filesNode = try reader.required(members, "files", parent: root, path: "")
        var files: [File] = []
        for (index, node) in try reader.array(filesNode, "files").enumerated() {
            let path = "files[\(index)]"
            let fields = try reader.members(node, path)
            func field(_ key: String) throws(RunnerError) -> JSONNode { try reader.required(fields, key, parent: node, path: path) }
            files.append(
                File(
                    file: try reader.string(try field("file"), "\(path).file"), database: try reader.string(try field("database"), "\(path).database"),
                    records: try reader.integer(try field("records"), "\(path).records"),
                    skipped: try reader.integer(try field("skipped"), "\(path).skipped")))
        }
        return Identification(files: files)
    }
}

/// The few fields of a canonical record that collating shows: id, database, first author, year, title.
struct RecordSummary: Sendable, Equatable {
    var id: String
    var database: String
    var authors: String
    var year: Int?
    var title: String

    /// `Author, Author et al. (year). Title`
    var citation: String {
        let who = authors.isEmpty ? "" : authors + " "
        let when = year.map { "(\($0)). " } ?? "(n.d.). "
        return who + when + (title.isEmpty ? "[no title]" : title)
    }

    /// Reads a JSON Lines file of canonical records; a malformed line stops with file:line.
    static func readAll(_ input: ResolvedFile) throws(RunnerError) -> [RecordSummary] {
        var out: [RecordSummary] = []
        var seen: Set<String> = []
        do {
            var reader = try RecordReader(
                contentsOf: URL(fileURLWithPath: input.location), fileName: input.path, options: ReadOptions(format: .jsonLines, strict: true))
            while let record = try reader.next() {
                if !seen.insert(record.id).inserted {
                    throw RunnerError.input(InputError(file: input.path, line: out.count + 1, field: "id", "record id \"\(record.id)\" appears twice"))
                }
                let names = record.authors.map(\.family)
                let authors = names.count > 2 ? names[0] + " et al." : names.joined(separator: " & ")
                out.append(
                    RecordSummary(
                        id: record.id, database: record.source.database ?? RecordReader.stem(of: record.source.file), authors: authors,
                        year: record.year, title: record.title ?? ""))
            }
        } catch let error as BibliographyError {
            throw RecordImport.runnerError(error)
        } catch let error as RunnerError {
            throw error
        } catch {
            throw .io(path: input.path, message: "\(error)")
        }
        return out
    }
}

/// duplicates.csv: the records removed as duplicates (status `removed`).
struct Duplicates {
    var removed: [String]

    static func read(_ input: ResolvedFile) throws(RunnerError) -> Duplicates {
        let table = try InputTable(file: input)
        let columns = try table.require(["cluster", "record_id", "source_id", "status", "match", "score"])
        var removed: [String] = []
        for row in table.rows {
            let status = row.values[columns[3]]
            switch status {
            case "removed": removed.append(row.values[columns[1]])
            case "kept": break
            default: throw table.error(row, columns[3], "status \"\(status)\" is neither kept nor removed")
            }
        }
        return Duplicates(removed: removed)
    }
}

/// A final decision of one selection phase (`final-<phase>.csv`).
struct FlowDecision: Sendable {
    enum Decision: String, Sendable { case include, exclude, notRetrieved = "not-retrieved" }

    var recordID: String
    var decision: Decision
    var reason: String
    var basis: String
    /// `database`, or the kind of other source (reference-list, expert, hand-search…).
    var source: String
    var file: String
    var line: Int

    var fromDatabase: Bool { source == "database" }
}

/// The final decisions of every phase, in the order the workflow declares the phases.
struct SelectionPhases {
    var names: [String]
    var decisions: [[FlowDecision]]

    static let columns = ["record_id", "decision", "reason", "basis", "source"]

    /// Reads one `final-<phase>.csv` per phase in `phases`, found among `files` by name.
    static func read(_ files: [ResolvedFile], phases: [String]) throws(RunnerError) -> SelectionPhases {
        var byPhase: [String: ResolvedFile] = [:]
        for file in files {
            let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
            guard name.hasPrefix("final-"), name.hasSuffix(".csv") else { continue }
            let phase = String(name.dropFirst("final-".count).dropLast(".csv".count))
            guard phases.contains(phase) else {
                throw .input(InputError(file: file.path, "phase \"\(phase)\" is not one of the declared phases (\(phases.joined(separator: ", ")))"))
            }
            byPhase[phase] = file
        }
        var decisions: [[FlowDecision]] = []
        for phase in phases {
            guard let file = byPhase[phase] else {
                throw .usage("no final-\(phase).csv among the inputs; every declared phase (\(phases.joined(separator: ", "))) needs its final decisions")
            }
            decisions.append(try readPhase(file))
        }
        return SelectionPhases(names: phases, decisions: decisions)
    }

    static func readPhase(_ file: ResolvedFile) throws(RunnerError) -> [FlowDecision] {
        let table = try InputTable(file: file)
        let c = try table.require(columns)
        var seen: [String: Int] = [:]
        var out: [FlowDecision] = []
        for row in table.rows {
            let id = row.values[c[0]].trimmingCharacters(in: .whitespaces)
            if id.isEmpty { throw table.error(row, c[0], "record_id is empty") }
            if let first = seen[id] { throw table.error(row, c[0], "record \(id) already has a decision on line \(first)") }
            seen[id] = row.line
            guard let decision = FlowDecision.Decision(rawValue: row.values[c[1]]) else {
                throw table.error(row, c[1], "decision \"\(row.values[c[1]])\" is not include, exclude or not-retrieved")
            }
            let source = row.values[c[4]].trimmingCharacters(in: .whitespaces)
            if source.isEmpty { throw table.error(row, c[4], "source is empty; write database or the kind of other source") }
            out.append(
                FlowDecision(
                    recordID: id, decision: decision, reason: row.values[c[2]].trimmingCharacters(in: .whitespaces), basis: row.values[c[3]],
                    source: source, file: file.path, line: row.line))
        }
        return out
    }
}

/// One variable of codebook.json.
struct CollateVariable: Sendable, Equatable {
    enum Kind: String, Sendable { case text, integer, category }

    var name: String
    var kind: Kind
    var allowed: [String]
    var multiple: Bool
    var description: String
}

/// codebook.json: the charted variables in order (a variable named `record_id` is the key, not a variable).
struct CollateCodebook {
    var variables: [CollateVariable]

    static func read(_ input: ResolvedFile) throws(RunnerError) -> CollateCodebook {
        let reader = JSONFields(file: input.path)
        let root = try reader.parse(try readBytes(input))
        let top = try reader.members(root, "")
        let list = try reader.array(try reader.required(top, "variables", parent: root, path: ""), "variables")
        var variables: [CollateVariable] = []
        for (index, node) in list.enumerated() {
            let path = "variables[\(index)]"
            let fields = try reader.members(node, path)
            let name = try reader.nonEmptyString(fields, "name", parent: node, path: path)
            let typeNode = try reader.required(fields, "type", parent: node, path: path)
            guard let kind = CollateVariable.Kind(rawValue: try reader.string(typeNode, path + ".type")) else {
                throw reader.error(typeNode, path + ".type", "must be text, integer or category")
            }
            let allowed = try fields["allowed"].map { n throws(RunnerError) in try reader.stringList(n, path + ".allowed") } ?? []
            let multiple = fields["multiple"]?.value.boolValue ?? false
            let description = fields["description"]?.value.stringValue ?? ""
            if name == "record_id" { continue }
            if variables.contains(where: { $0.name == name }) { throw reader.error(node, path + ".name", "variable \"\(name)\" is defined twice") }
            variables.append(CollateVariable(name: name, kind: kind, allowed: allowed, multiple: multiple, description: description))
        }
        return CollateCodebook(variables: variables)
    }
}

/// charted.csv: one row per included study, `record_id` then the codebook's variables.
struct ChartedTable {
    /// Per study, in file order: its id and, per variable, its values (a multiple-choice cell split on `;`).
    var studies: [(id: String, values: [String: [String]])]

    static func read(_ input: ResolvedFile, codebook: CollateCodebook) throws(RunnerError) -> ChartedTable {
        let table = try InputTable(file: input)
        let columns = try table.require(["record_id"] + codebook.variables.map(\.name))
        var seen: Set<String> = []
        var studies: [(id: String, values: [String: [String]])] = []
        for row in table.rows {
            let id = row.values[columns[0]]
            if id.isEmpty { throw table.error(row, columns[0], "record_id is empty") }
            if !seen.insert(id).inserted { throw table.error(row, columns[0], "study \(id) is charted twice") }
            var values: [String: [String]] = [:]
            for (offset, variable) in codebook.variables.enumerated() {
                let position = columns[offset + 1]
                let cell = row.values[position]
                let parts = (variable.multiple ? cell.split(separator: ";").map(String.init) : [cell])
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                for part in parts {
                    if variable.kind == .category, !variable.allowed.isEmpty, !variable.allowed.contains(part) {
                        throw table.error(row, position, "\"\(part)\" is not an allowed value of \(variable.name) (\(variable.allowed.joined(separator: ", ")))")
                    }
                    if variable.kind == .integer, Int(part) == nil, part != "not-reported" {
                        throw table.error(row, position, "\"\(part)\" is not an integer")
                    }
                }
                values[variable.name] = parts
            }
            studies.append((id, values))
        }
        return ChartedTable(studies: studies)
    }
}
