/// A CSV file of the file contract (UTF-8, LF or CRLF, one header row, RFC 4180 quoting), read whole.
/// Hand-written: the contract's files are small and need only this; Bibliography's tokenizer is internal.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    /// Data rows with their 1-based line numbers in the file.
    public var rows: [(line: Int, values: [String])]

    public static func == (a: CSVTable, b: CSVTable) -> Bool {
        a.header == b.header && a.rows.count == b.rows.count && zip(a.rows, b.rows).allSatisfy { $0.line == $1.line && $0.values == $1.values }
    }

    /// Parses `bytes`.
    /// - Throws: `AuditError.input` naming `path` and the line of an unterminated quoted field.
    public init(_ bytes: [UInt8], path: String) throws(AuditError) {
        var records: [(Int, [String])] = []
        var field: [UInt8] = []
        var fields: [String] = []
        var line = 1
        var recordLine = 1
        var quoted = false
        var index = 0
        var fieldStarted = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
                fieldStarted = true
            } else if byte == UInt8(ascii: ",") {
                endField()
                fieldStarted = true
            } else if byte == 0x0A {
                if fieldStarted || !field.isEmpty || !fields.isEmpty { endField() }
                if !fields.isEmpty { records.append((recordLine, fields)) }
                fields = []
                line += 1
                recordLine = line
            } else if byte != 0x0D {
                field.append(byte)
                fieldStarted = true
            }
            index += 1
        }
        if quoted { throw .input(path: path, line: recordLine, message: "a quoted field is not closed") }
        if fieldStarted || !field.isEmpty || !fields.isEmpty {
            endField()
            records.append((recordLine, fields))
        }
        header = records.first?.1 ?? []
        rows = records.dropFirst().map { (line: $0.0, values: $0.1) }
    }

    /// The column index of `name`, or nil.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// A row's value in column `name` ("" when missing).
    public func value(_ row: [String], _ name: String) -> String {
        guard let index = column(name), index < row.count else { return "" }
        return row[index]
    }
}
