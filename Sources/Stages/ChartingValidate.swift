import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

/// One variable of `codebook.json`.
public struct CodebookVariable: Sendable, Equatable {
    /// `text`, `integer` or `category`.
    public enum Kind: String, Sendable, CaseIterable {
        case text
        case integer
        case category
    }

    public var name: String
    public var type: Kind
    public var allowed: [String]
    public var multiple: Bool
    public var required: Bool
    public var description: String
}

/// The charting codebook: each variable with its type, allowed values, single or multiple choice, required or not.
public struct Codebook: Sendable, Equatable {
    public var variables: [CodebookVariable]

    /// Parses `codebook.json`; errors name file, line, column and the JSON path.
    public init(file: String, bytes: [UInt8]) throws(RunnerError) {
        let reader = JSONFields(file: file)
        let root = try reader.parse(bytes)
        let top = try reader.object(root, "", keys: ["variables"])
        let list = try reader.array(try reader.required(top, "variables", parent: root, path: ""), "variables")
        variables = []
        for (index, node) in list.enumerated() {
            let path = "variables[\(index)]"
            let fields = try reader.object(node, path, keys: ["name", "type", "allowed", "multiple", "required", "description"])
            let name = try reader.nonEmptyString(fields, "name", parent: node, path: path)
            if variables.contains(where: { $0.name == name }) { throw reader.error(node, path + ".name", "variable \"\(name)\" is defined twice") }
            let typeNode = try reader.required(fields, "type", parent: node, path: path)
            guard let type = CodebookVariable.Kind(rawValue: try reader.string(typeNode, path + ".type")) else {
                throw reader.error(typeNode, path + ".type", "must be one of text, integer, category")
            }
            let allowed = try fields["allowed"].map { node throws(RunnerError) in try reader.stringList(node, path + ".allowed") } ?? []
            if type == .category && allowed.isEmpty { throw reader.error(node, path + ".allowed", "a category variable needs its allowed values") }
            if type != .category && !allowed.isEmpty { throw reader.error(fields["allowed"] ?? node, path + ".allowed", "only a category variable has allowed values") }
            func flag(_ key: String) throws(RunnerError) -> Bool {
                guard let node = fields[key] else { return false }
                guard case .scalar(.bool(let value)) = node.kind else { throw reader.error(node, "\(path).\(key)", "must be true or false") }
                return value
            }
            let description = try fields["description"].map { node throws(RunnerError) in try reader.string(node, path + ".description") } ?? ""
            variables.append(CodebookVariable(name: name, type: type, allowed: allowed, multiple: try flag("multiple"), required: try flag("required"), description: description))
        }
        if variables.isEmpty { throw reader.error(root, "variables", "the codebook defines no variable") }
    }
}

/// Checks a charting table against the codebook and the included records, and gives the charted table.
public enum ChartingValidator {
    /// The charted table: `record_id` then the codebook's variables (other than `record_id`) in codebook order,
    /// one row per included record in included order, several values joined by `;`.
    /// - Throws: `RunnerError.input` (exit 2) naming `charting.csv:line:column` for a bad value, a record that is
    ///   not included or charted twice, and naming the missing record for an included study without a row.
    public static func validate(codebook: Codebook, charting: CSVTableInput, included: [Record]) throws(RunnerError) -> String {
        let table = try InputTable(file: charting.path, text: charting.text)
        let variables = codebook.variables.filter { $0.name != "record_id" }
        let expected = ["record_id"] + variables.map(\.name)
        try table.requireHeader(expected)
        let years = Dictionary(included.map { ($0.id, $0.year) }, uniquingKeysWith: { first, _ in first })
        var rows: [String: [String]] = [:]
        var lines: [String: Int] = [:]
        for row in table.rows {
            let id = row[0].value.trimmingCharacters(in: .whitespaces)
            guard years.keys.contains(id) else { throw table.error(row[0], "record \"\(id)\" is not an included study; chart only the included records") }
            if let previous = lines[id] { throw table.error(row[0], "record \(id) is charted twice (also on line \(previous))") }
            lines[id] = row[0].line
            var values = [id]
            for (variable, field) in zip(variables, row.cells.dropFirst()) {
                values.append(try value(field, of: variable, year: years[id] ?? nil, in: table))
            }
            rows[id] = values
        }
        let missing = included.map(\.id).filter { rows[$0] == nil }
        if !missing.isEmpty {
            throw .input(InputError(file: charting.path, "has no row for \(missing.count) included stud\(missing.count == 1 ? "y" : "ies"): \(missing.prefix(10).joined(separator: ", "))\(missing.count > 10 ? ", …" : "")"))
        }
        return CSVTable.line(expected) + included.compactMap { rows[$0.id].map(CSVTable.line) }.joined()
    }

    static func value(_ field: CSVTable.Cell, of variable: CodebookVariable, year: Int?, in table: InputTable) throws(RunnerError) -> String {
        let text = field.value.trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            if variable.required { throw table.error(field, "\(variable.name) is required") }
            return ""
        }
        var parts = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count > 1 && !variable.multiple { throw table.error(field, "\(variable.name) takes one value, not \(parts.count) (\"\(text)\")") }
        if parts.contains(where: \.isEmpty) { throw table.error(field, "\(variable.name) has an empty value in \"\(text)\"") }
        if Set(parts).count != parts.count { throw table.error(field, "\(variable.name) repeats a value in \"\(text)\"") }
        for part in parts {
            switch variable.type {
            case .integer:
                guard let number = Int(part) else { throw table.error(field, "\(variable.name) must be an integer, not \"\(part)\"") }
                if variable.name == "year", let year, number != year {
                    throw table.error(field, "year \(number) differs from the included record's year \(year)")
                }
            case .category:
                if !variable.allowed.contains(part) {
                    throw table.error(field, "\(variable.name) \"\(part)\" is not allowed; use one of: \(variable.allowed.joined(separator: ", "))")
                }
            case .text:
                break
            }
        }
        if variable.type == .category { parts.sort { (variable.allowed.firstIndex(of: $0) ?? 0) < (variable.allowed.firstIndex(of: $1) ?? 0) } }
        return parts.joined(separator: ";")
    }
}

/// A CSV file's path (for messages) and its text.
public struct CSVTableInput: Sendable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// `charting/validate`: checks `charting.csv` against `codebook.json` and the included studies; writes `charted.csv`.
public struct ChartingValidateStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "charting/validate", version: "1",
        summary: "Checks the charting table against the codebook (types, allowed values, single or multiple choice, required) and the included studies (each charted once, only they), and writes charted.csv",
        inputs: ["codebook.json", "charting.csv (record_id then the codebook's variables)", "included.jsonl (3-selection/out)"],
        outputs: ["charted.csv (record_id then the codebook's variables, in included order)"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let codebookFile = try context.inputFile(0)
        guard let bytes = FileManager.default.contents(atPath: codebookFile.location) else { throw .io(path: codebookFile.path, message: "cannot read") }
        let codebook = try Codebook(file: codebookFile.path, bytes: Array(bytes))
        let chartingFile = try context.inputFile(1)
        let included = try readRecords(try context.inputFile(2))
        let charted = try ChartingValidator.validate(codebook: codebook, charting: CSVTableInput(path: chartingFile.path, text: try readText(chartingFile)), included: included)
        try context.write(charted, toOutput: 0)
        let variables = codebook.variables.filter { $0.name != "record_id" }.count
        return StepOutcome(
            summary: "\(included.count) studies charted on \(variables) variables", counts: ["charted": included.count, "variables": variables],
            log: "checked \(chartingFile.path) against \(codebookFile.path): \(included.count) included studies, \(variables) variables\n")
    }
}
