import Foundation

/// A CSV file of the review's file contract (UTF-8 with or without BOM, LF or CRLF, RFC 4180 quoting, one header
/// row), read whole; every field keeps the line and column where it starts, so that errors can name them.
/// Hand-written: the CSV packages of the mirror do not report positions. Search exports go through `CSVRecordParser`.
public struct CSVTable: Sendable, Equatable {
    /// One field and where it starts: 1-based line and column, the column counted in characters; a quoted field
    /// starts at its opening quote.
    public struct Cell: Sendable, Equatable {
        public var value: String
        public var line: Int
        public var column: Int
    }

    /// One row: its fields with their places, and the line it starts on.
    public struct Row: Sendable, Equatable {
        public let cells: [Cell]
        /// The fields' values, in order.
        public let values: [String]

        public init(cells: [Cell]) {
            self.cells = cells
            self.values = cells.map(\.value)
        }

        /// The 1-based line the row starts on.
        public var line: Int { cells.first?.line ?? 0 }
        /// The number of fields.
        public var count: Int { cells.count }
        public subscript(index: Int) -> Cell { cells[index] }
    }

    /// Why bytes are not a CSV table, and where.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int?
        public var message: String

        public init(line: Int, column: Int?, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }

        public var description: String { "\(line)\(column.map { ":\($0)" } ?? ""): \(message)" }
    }

    /// The header row's cells.
    public let headerCells: [Cell]
    /// The data rows; blank lines are skipped.
    public let rows: [Row]

    /// The column names.
    public var header: [String] { headerCells.map(\.value) }

    /// Parses `bytes`. An empty file gives an empty header and no rows.
    /// - Parameter rectangular: when true, a row whose width differs from the header's is an error.
    /// - Throws: `Malformed` for a quoted field that is never closed, or a row of the wrong width.
    public init(parsing bytes: [UInt8], rectangular: Bool = true) throws(Malformed) {
        var records: [[Cell]] = []
        var row: [Cell] = []
        var field: [UInt8] = []
        var quoted = false
        var inQuotes = false
        var line = 1
        var column = 1
        var start = (line: 1, column: 1)
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func endField() {
            row.append(Cell(value: String(decoding: field, as: UTF8.self), line: start.line, column: start.column))
            field.removeAll(keepingCapacity: true)
        }
        func endRow() {
            let blank = row.isEmpty && field.isEmpty && !quoted
            endField()
            if !blank { records.append(row) }
            row = []
            quoted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte & 0xC0 != 0x80 { column += 1 }
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                        column += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                    if byte == 0x0A {
                        line += 1
                        column = 1
                    }
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty && !quoted {
                inQuotes = true
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                endField()
                quoted = false
                start = (line, column)
            } else if byte == 0x0A || byte == 0x0D {
                if byte == 0x0D, index < bytes.count, bytes[index] == 0x0A { index += 1 }
                endRow()
                line += 1
                column = 1
                start = (line, 1)
            } else {
                field.append(byte)
            }
        }
        if inQuotes { throw Malformed(line: start.line, column: start.column, message: "a quoted field is never closed") }
        if !field.isEmpty || !row.isEmpty || quoted { endRow() }
        headerCells = records.first ?? []
        rows = records.dropFirst().map(Row.init(cells:))
        if rectangular, let wrong = rows.first(where: { $0.count != headerCells.count }) {
            throw Malformed(line: wrong.line, column: nil, message: "has \(wrong.count) fields where the header has \(headerCells.count)")
        }
    }

    /// One CSV line, LF-terminated; a field holding a comma, a quote or a line break is quoted (RFC 4180).
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\n"
    }

    /// The position of column `name`, or nil.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// A row's value in column `name` ("" when the column or the value is missing).
    public func value(_ row: Row, _ name: String) -> String {
        guard let index = column(name), index < row.count else { return "" }
        return row.values[index]
    }
}
