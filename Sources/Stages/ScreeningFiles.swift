import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

/// A CSV input of a step (the file contract's shape: a header row, every row as wide as it) and the file it came
/// from, so that errors name the file, line, column and field.
struct InputTable {
    let file: String
    let table: CSVTable

    /// Parses `text`; blank lines are skipped.
    /// - Throws: `RunnerError.input` for an empty file, an unbalanced quote or a row whose width differs from the header's.
    init(file: String, text: String) throws(RunnerError) {
        do {
            table = try CSVTable(parsing: Array(text.utf8))
        } catch {
            throw .input(InputError(file: file, line: error.line, column: error.column, error.message))
        }
        guard !table.headerCells.isEmpty else { throw .input(InputError(file: file, line: 1, "is empty: a header row is required")) }
        self.file = file
    }

    /// Reads and parses a file.
    init(file: ResolvedFile) throws(RunnerError) {
        try self.init(file: file.path, text: try readText(file))
    }

    var header: [String] { table.header }
    var rows: [CSVTable.Row] { table.rows }

    /// Checks the header is exactly `names`.
    func requireHeader(_ names: [String]) throws(RunnerError) {
        if header != names {
            throw .input(InputError(file: file, line: 1, "header is \"\(header.joined(separator: ","))\"; it must be \"\(names.joined(separator: ","))\""))
        }
    }

    /// The positions of `columns` in the header; a missing column is an input error at line 1.
    func require(_ columns: [String]) throws(RunnerError) -> [Int] {
        var positions: [Int] = []
        for column in columns {
            guard let position = table.column(column) else {
                throw .input(InputError(file: file, line: 1, "has no column \"\(column)\"; the header must be \(columns.joined(separator: ","))"))
            }
            positions.append(position)
        }
        return positions
    }

    /// An input error at a field's place.
    func error(_ cell: CSVTable.Cell, _ message: String) -> RunnerError {
        .input(InputError(file: file, line: cell.line, column: cell.column, message))
    }

    /// An input error at field `position` of a row, named by its column.
    func error(_ row: CSVTable.Row, _ position: Int, _ message: String) -> RunnerError {
        .input(InputError(file: file, line: row[position].line, column: row[position].column, field: header[position], message))
    }
}

/// Reads a UTF-8 text file a step was given.
func readText(_ file: ResolvedFile) throws(RunnerError) -> String {
    guard let data = FileManager.default.contents(atPath: file.location) else { throw .io(path: file.path, message: "cannot read") }
    guard let text = String(data: data, encoding: .utf8) else { throw .input(InputError(file: file.path, "is not UTF-8 text")) }
    return text
}

/// Reads canonical records (JSON Lines), in file order.
func readRecords(_ file: ResolvedFile) throws(RunnerError) -> [Record] {
    do {
        var reader = try RecordReader(contentsOf: file.url, fileName: file.path, options: ReadOptions(format: .jsonLines, strict: true))
        var records: [Record] = []
        while let record = try reader.next() { records.append(record) }
        return records
    } catch {
        throw RecordImport.runnerError(error)
    }
}

/// A screening decision as a decision file writes it.
public enum ScreeningDecision: String, Sendable, CaseIterable {
    case include
    case exclude
    case maybe
}

/// One row of `decisions/<phase>-<reviewer>.csv`.
public struct DecisionRow: Sendable, Equatable {
    public var recordID: String
    public var decision: ScreeningDecision
    public var reason: String
    public var note: String
    /// The 1-based line of the row in its file.
    public var line: Int
}

/// A reviewer's decision file: `decisions/<phase>-<reviewer>.csv` with `record_id,decision,reason,note`.
public struct DecisionFile: Sendable {
    public static let header = ["record_id", "decision", "reason", "note"]

    public var path: String
    /// From the file name `<phase>-<reviewer>.csv`; nil when the name has another shape.
    public var phase: String?
    public var reviewer: String?
    public var rows: [DecisionRow]

    /// The decisions by record id.
    public var byRecord: [String: ScreeningDecision] { Dictionary(rows.map { ($0.recordID, $0.decision) }, uniquingKeysWith: { first, _ in first }) }

    /// Parses a decision file.
    /// - Parameters:
    ///   - reasons: the closed list of reasons, or nil to accept any.
    ///   - reasonRequired: an exclusion without a reason is an error.
    /// - Throws: `RunnerError.input` (exit 2) naming file:line for a bad header, an unknown decision, a duplicate row,
    ///   a reason not in the list, a missing reason or a reason on an inclusion.
    public init(path: String, text: String, reasons: [String]? = nil, reasonRequired: Bool = false) throws(RunnerError) {
        self.path = path
        let parts = Self.nameParts(path)
        phase = parts?.phase
        reviewer = parts?.reviewer
        let table = try InputTable(file: path, text: text)
        try table.requireHeader(Self.header)
        var seen: [String: Int] = [:]
        rows = []
        for row in table.rows {
            let id = row[0].value.trimmingCharacters(in: .whitespaces)
            if id.isEmpty { throw table.error(row[0], "record_id is empty") }
            if let previous = seen[id] { throw table.error(row[0], "record \(id) is decided twice (also on line \(previous))") }
            seen[id] = row[0].line
            guard let decision = ScreeningDecision(rawValue: row[1].value.trimmingCharacters(in: .whitespaces)) else {
                throw table.error(row[1], "decision \"\(row[1].value)\" for \(id) is not include, exclude or maybe")
            }
            let reason = row[2].value.trimmingCharacters(in: .whitespaces)
            if !reason.isEmpty, let reasons, !reasons.contains(reason) {
                throw table.error(row[2], "reason \"\(reason)\" for \(id) is not in the workflow's list: \(reasons.joined(separator: ", "))")
            }
            if decision == .include && !reason.isEmpty { throw table.error(row[2], "record \(id) is included but has the reason \"\(reason)\"") }
            if decision == .exclude && reason.isEmpty && reasonRequired {
                throw table.error(row[2], "record \(id) is excluded without a reason; this phase requires one from the workflow's list")
            }
            rows.append(DecisionRow(recordID: id, decision: decision, reason: reason, note: row[3].value, line: row[0].line))
        }
    }

    /// `<phase>-<reviewer>` from a path ending in `<phase>-<reviewer>.csv`, both `[a-z0-9]+`.
    public static func nameParts(_ path: String) -> (phase: String, reviewer: String)? {
        let name = (path as NSString).lastPathComponent
        guard name.hasSuffix(".csv") else { return nil }
        let parts = name.dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) } }) else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}

/// The `with` parameters a screening step reads, with errors that name the step.
struct StepParameters {
    let context: StepContext

    func strings(_ key: String) throws(RunnerError) -> [String]? {
        guard let value = context.step.parameter(key) else { return nil }
        guard case .array(let items) = value else { throw .usage("step \(context.step.name): with.\(key) must be an array of strings") }
        var out: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw .usage("step \(context.step.name): with.\(key) must be an array of strings") }
            out.append(text)
        }
        return out
    }

    func string(_ key: String) -> String? { context.step.parameter(key)?.stringValue }

    func requiredString(_ key: String) throws(RunnerError) -> String {
        guard let text = string(key), !text.isEmpty else { throw .usage("step \(context.step.name): with.\(key) is required") }
        return text
    }

    func bool(_ key: String) -> Bool? { context.step.parameter(key)?.boolValue }

    func number(_ key: String) -> Double? {
        if case .number(let lexeme) = context.step.parameter(key) { return Double(lexeme) }
        return nil
    }

    /// An `[a-z0-9]+` id list (phases, reviewers).
    func ids(_ key: String) throws(RunnerError) -> [String]? {
        guard let list = try strings(key) else { return nil }
        for id in list where id.isEmpty || !id.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) }) {
            throw .usage("step \(context.step.name): with.\(key): \"\(id)\" is not an id of [a-z0-9]+")
        }
        if Set(list).count != list.count { throw .usage("step \(context.step.name): with.\(key) names an id twice") }
        return list
    }
}

/// A fixed-format decimal (`digits` places, `-0` written as `0`).
func fixed(_ value: Double, _ digits: Int = 4) -> String {
    let text = String(format: "%.\(digits)f", value)
    return Double(text) == 0 ? String(format: "%.\(digits)f", 0.0) : text
}
