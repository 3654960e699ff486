import Bibliography
import Foundation

/// What the codebook and the ReadMe need of a CSV file, gathered in one pass over its bytes without keeping its
/// cells: the header, the number of rows, and per column the counts and distinct values that decide its type.
/// It reads the bytes as Bibliography's `CSVTable(parsing:rectangular: false)` does (BOM dropped, blank lines skipped).
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

    /// An empty profile (no header, no rows).
    init() {}

    /// Profiles UTF-8 CSV bytes; the first row is the header.
    public init(parsing bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { Self.profile($0) }
    }

    /// The state of one pass: the header, the columns, and the cell being read.
    struct Builder {
        var profile = CSVProfile()
        var headerFields: [String] = []
        var inHeader = true
        var fieldIndex = 0

        mutating func endField(_ cell: UnsafeBufferPointer<UInt8>) {
            if inHeader {
                headerFields.append(String(decoding: cell, as: UTF8.self))
            } else if fieldIndex < profile.columns.count {
                profile.columns[fieldIndex].add(cell)
            }
            fieldIndex += 1
        }

        mutating func endRecord() {
            if inHeader {
                profile.header = headerFields
                profile.columns = Array(repeating: Column(), count: headerFields.count)
                inHeader = false
            } else {
                profile.rowCount += 1
                if fieldIndex < profile.columns.count {
                    for index in fieldIndex..<profile.columns.count { profile.columns[index].empty += 1 }
                }
            }
            fieldIndex = 0
        }
    }

    /// The state machine of `CSVTable(parsing:)`; an unquoted cell is read in place, a quoted one is copied
    /// (without its quotes) into a scratch buffer.
    static func profile(_ bytes: UnsafeBufferPointer<UInt8>) -> CSVProfile {
        var builder = Builder()
        var scratch: [UInt8] = []
        scratch.reserveCapacity(4096)
        var inScratch = false
        var fieldStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var quoted = false
        var fieldStarted = false
        let count = bytes.count
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        func fieldIsEmpty(_ index: Int) -> Bool { inScratch ? scratch.isEmpty : index == fieldStart }
        var index = fieldStart
        while index < count {
            let byte = bytes[index]
            if quoted {
                if byte == quote {
                    if index + 1 < count, bytes[index + 1] == quote {
                        scratch.append(quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    var end = index + 1
                    while end < count, bytes[end] != quote { end += 1 }
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                    index = end
                    continue
                }
            } else if byte == quote && fieldIsEmpty(index) {
                quoted = true
                fieldStarted = true
                if !inScratch {
                    inScratch = true
                    scratch.removeAll(keepingCapacity: true)
                }
            } else if (byte == 0x0A || byte == 0x0D) && !fieldStarted && builder.fieldIndex == 0 && fieldIsEmpty(index) {
                if byte == 0x0D, index + 1 < count, bytes[index + 1] == 0x0A { index += 1 }
                fieldStart = index + 1
            } else if byte == comma || byte == 0x0A || byte == 0x0D {
                if inScratch {
                    scratch.withUnsafeBufferPointer { builder.endField($0) }
                } else {
                    builder.endField(UnsafeBufferPointer(rebasing: bytes[fieldStart..<index]))
                }
                inScratch = false
                if byte == comma {
                    fieldStarted = true
                } else {
                    fieldStarted = false
                    if byte == 0x0D, index + 1 < count, bytes[index + 1] == 0x0A { index += 1 }
                    builder.endRecord()
                }
                fieldStart = index + 1
            } else {
                if inScratch { scratch.append(byte) }
                fieldStarted = true
            }
            index += 1
        }
        if fieldStarted || !fieldIsEmpty(count) || builder.fieldIndex > 0 {
            if inScratch {
                scratch.withUnsafeBufferPointer { builder.endField($0) }
            } else {
                builder.endField(UnsafeBufferPointer(rebasing: bytes[fieldStart..<count]))
            }
            builder.endRecord()
        }
        return builder.profile
    }
}
