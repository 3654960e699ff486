import Foundation

/// A CSV file read whole (RFC 4180: quoted fields, doubled quotes, LF or CRLF), and the writer for the archive's CSVs.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// Parses UTF-8 CSV bytes; the first row is the header.
    public init(parsing bytes: [UInt8]) {
        var records: [[String]] = []
        var field: [UInt8] = []
        var record: [String] = []
        var quoted = false
        var index = 0
        var fieldStarted = false
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
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
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
                fieldStarted = true
            } else if byte == UInt8(ascii: ",") {
                endField()
                fieldStarted = true
            } else if byte == 0x0A || byte == 0x0D {
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                endField()
                records.append(record)
                record = []
            } else {
                field.append(byte)
                fieldStarted = true
            }
            index += 1
        }
        if fieldStarted || !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
        }
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    /// The values of one column (empty strings where a row is short).
    public func column(_ index: Int) -> [String] { rows.map { index < $0.count ? $0[index] : "" } }

    /// RFC 4180 text with LF line ends; fields with a comma, quote or line break are quoted.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        for row in [header] + rows {
            for (position, value) in row.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                Self.append(value, to: &out)
            }
            out.append(0x0A)
        }
        return out
    }

    static func append(_ value: String, to out: inout [UInt8]) {
        if value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") { out.append(byte) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(contentsOf: value.utf8)
        }
    }
}
