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

/// What the codebook and the ReadMe need of a CSV file, gathered in one pass over its bytes without keeping its
/// cells: the header, the number of rows, and per column the counts and distinct values that decide its type.
/// It reads the bytes exactly as `CSVTable(parsing:)` does.
public struct CSVProfile: Sendable, Equatable {
    public private(set) var header: [String] = []
    public private(set) var rowCount = 0
    public private(set) var columns: [Column] = []

    /// One column's summary; a cell holding several values joined by `;` counts each value (an atom).
    public struct Column: Sendable, Equatable {
        /// Empty cells, rows too short to have this column included.
        public internal(set) var empty = 0
        /// Non-empty values, counted while `distinct` is kept.
        public internal(set) var atoms = 0
        public internal(set) var allIntegers = true
        public internal(set) var allNumbers = true
        /// The distinct values while there are at most `distinctLimit` of them; nil past it.
        public internal(set) var distinct: Set<String>? = []

        /// Beyond this many distinct values no column is a category, so they are no longer kept.
        public static let distinctLimit = 40

        mutating func add(_ cell: UnsafeBufferPointer<UInt8>) {
            if cell.isEmpty {
                empty += 1
                return
            }
            guard allIntegers || allNumbers || distinct != nil else { return }
            if cell.allSatisfy({ $0 < 0x80 }) {
                var start = 0
                for index in 0...cell.count where index == cell.count || cell[index] == UInt8(ascii: ";") {
                    if index > start { addAtom(String(decoding: UnsafeBufferPointer(rebasing: cell[start..<index]), as: UTF8.self)) }
                    start = index + 1
                }
            } else {
                for atom in String(decoding: cell, as: UTF8.self).split(separator: ";") { addAtom(String(atom)) }
            }
        }

        mutating func addAtom(_ atom: String) {
            atoms += 1
            if allIntegers && Int(atom) == nil { allIntegers = false }
            if allNumbers && Double(atom) == nil { allNumbers = false }
            if var values = distinct {
                distinct = nil
                values.insert(atom)
                if values.count <= Self.distinctLimit { distinct = values }
            }
        }
    }

    /// Profiles UTF-8 CSV bytes; the first row is the header.
    public init(parsing bytes: [UInt8]) {
        var field: [UInt8] = []
        field.reserveCapacity(4096)
        var headerFields: [String] = []
        var inHeader = true
        var fieldIndex = 0
        var quoted = false
        var fieldStarted = false
        func endField() {
            if inHeader {
                headerFields.append(String(decoding: field, as: UTF8.self))
            } else if fieldIndex < columns.count {
                field.withUnsafeBufferPointer { columns[fieldIndex].add($0) }
            }
            fieldIndex += 1
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        func endRecord() {
            if inHeader {
                header = headerFields
                columns = Array(repeating: Column(), count: headerFields.count)
                inHeader = false
            } else {
                rowCount += 1
                if fieldIndex < columns.count {
                    for index in fieldIndex..<columns.count { columns[index].empty += 1 }
                }
            }
            fieldIndex = 0
        }
        bytes.withUnsafeBufferPointer { bytes in
            var index = 0
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
                    endRecord()
                } else {
                    field.append(byte)
                    fieldStarted = true
                }
                index += 1
            }
        }
        if fieldStarted || !field.isEmpty || fieldIndex > 0 {
            endField()
            endRecord()
        }
    }
}
