/// Errors of the Bibliography module; each names the file (and line) and says what would fix it.
public enum BibliographyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The content matches none of the supported export formats.
    case unknownFormat(file: String)
    /// A record is malformed (thrown only when reading with `strict`; otherwise it becomes a `ReadIssue`).
    case malformedRecord(file: String, line: Int, message: String)
    /// The file cannot be read past this point (an XML syntax error, for instance).
    case malformedFile(file: String, line: Int, message: String)
    /// A column map names a column the CSV header does not have.
    case missingColumn(file: String, column: String, field: String)
    /// A column map entry is not `field=Column` or names an unknown field.
    case invalidColumnMap(entry: String, reason: String)
    /// Writing an output file failed.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the file (\(reason)); check the path and its permissions"
        case let .unknownFormat(file):
            return "\(file): not a recognised export (RIS, MEDLINE/nbib, Web of Science, CSV/TSV, EndNote XML, "
                + "BibTeX or JSON Lines); name the format explicitly if the content is one of these"
        case let .malformedRecord(file, line, message):
            return
                "\(file):\(line): malformed record: \(message); fix the record or read without strict mode to skip it"
        case let .malformedFile(file, line, message):
            return "\(file):\(line): \(message); the rest of the file cannot be read until this is fixed"
        case let .missingColumn(file, column, field):
            return "\(file): the column map sends column \"\(column)\" to \(field), but the header has no such column; "
                + "use one of the header's column names"
        case let .invalidColumnMap(entry, reason):
            return "column map entry \"\(entry)\": \(reason); write it as field=Column, with field one of "
                + RecordField.allCases.map(\.rawValue).joined(separator: ", ")
        case let .writeFailed(file, reason):
            return "\(file): cannot write (\(reason)); check that the folder exists and is writable"
        }
    }
}

/// A malformed record that was skipped while reading (under `strict` it is thrown instead).
public struct ReadIssue: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    /// Creates an issue.
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Something the reader did that the user should know about, without any record being lost
/// (for instance decoding a file that is not UTF-8 as Windows-1252).
public struct ReadWarning: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    /// Creates a warning.
    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
