import Foundation

/// Deterministic ZIP (stored entries) and ustar writers: fixed entry order, one fixed time, no host metadata.
/// Hand-written because the bag must come out byte-identical on every run (no per-file host times, owners or
/// extra fields), and no mirrored package writes ustar.
public enum Serialization {
    /// One file of an archive: its path (with the base folder) and bytes.
    public struct Entry: Sendable {
        public var path: String
        public var bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    static let crcTable: [UInt32] = (0..<256).map { index -> UInt32 in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// CRC-32 (ISO 3309, as ZIP uses it).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        bytes.withUnsafeBufferPointer { buffer in
            crcTable.withUnsafeBufferPointer { table in
                for byte in buffer { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func le16(_ value: Int, _ out: inout [UInt8]) {
        out.append(UInt8(value & 0xFF))
        out.append(UInt8((value >> 8) & 0xFF))
    }

    static func le32(_ value: UInt32, _ out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    /// The MS-DOS date and time of a Unix time (UTC).
    static func dosTime(_ seconds: Int64) -> (date: Int, time: Int) {
        var time = time_t(max(seconds, 315_532_800))
        var parts = tm()
        gmtime_r(&time, &parts)
        let date = (Int(parts.tm_year) + 1900 - 1980) << 9 | (Int(parts.tm_mon) + 1) << 5 | Int(parts.tm_mday)
        return (date, Int(parts.tm_hour) << 11 | Int(parts.tm_min) << 5 | Int(parts.tm_sec) / 2)
    }

    /// A ZIP archive of the entries, in the given order, stored (no compression), every entry dated `time`.
    public static func zip(_ entries: [Entry], time: Int64) throws(ArchiveError) -> [UInt8] {
        let (dosDate, dosClock) = dosTime(time)
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            guard entry.bytes.count < Int(UInt32.max), out.count < Int(UInt32.max) else {
                throw .io(path: entry.path, message: "too large for a ZIP archive without ZIP64 (4 GiB)")
            }
            let name = Array(entry.path.utf8)
            let crc = crc32(entry.bytes)
            let offset = UInt32(out.count)
            le32(0x0403_4B50, &out)
            le16(20, &out)
            le16(0x0800, &out)
            le16(0, &out)
            le16(dosClock, &out)
            le16(dosDate, &out)
            le32(crc, &out)
            le32(UInt32(entry.bytes.count), &out)
            le32(UInt32(entry.bytes.count), &out)
            le16(name.count, &out)
            le16(0, &out)
            out += name
            out += entry.bytes
            le32(0x0201_4B50, &central)
            le16(3 << 8 | 20, &central)
            le16(20, &central)
            le16(0x0800, &central)
            le16(0, &central)
            le16(dosClock, &central)
            le16(dosDate, &central)
            le32(crc, &central)
            le32(UInt32(entry.bytes.count), &central)
            le32(UInt32(entry.bytes.count), &central)
            le16(name.count, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le32(UInt32(0o100644) << 16, &central)
            le32(offset, &central)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        le32(0x0605_4B50, &out)
        le16(0, &out)
        le16(0, &out)
        le16(entries.count, &out)
        le16(entries.count, &out)
        le32(UInt32(central.count), &out)
        le32(centralOffset, &out)
        le16(0, &out)
        return out
    }

    static func field(_ text: String, _ length: Int, into block: inout [UInt8], at offset: Int) {
        for (index, byte) in text.utf8.prefix(length).enumerated() { block[offset + index] = byte }
    }

    static func octal(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
    }

    static func tarHeader(path: String, size: Int, directory: Bool, time: Int64) throws(ArchiveError) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        var name = path
        var prefix = ""
        if name.utf8.count > 100 {
            guard let slash = path.utf8.indices.filter({ path.utf8[$0] == UInt8(ascii: "/") }).last(where: {
                path.utf8.distance(from: path.utf8.startIndex, to: $0) <= 155 && path.utf8.distance(from: $0, to: path.utf8.endIndex) - 1 <= 100
            }) else { throw .io(path: path, message: "path too long for a ustar archive") }
            prefix = String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        }
        field(name, 100, into: &block, at: 0)
        field(octal(directory ? 0o755 : 0o644, width: 8), 7, into: &block, at: 100)
        field(octal(0, width: 8), 7, into: &block, at: 108)
        field(octal(0, width: 8), 7, into: &block, at: 116)
        field(octal(size, width: 12), 11, into: &block, at: 124)
        field(octal(Int(time), width: 12), 11, into: &block, at: 136)
        field("        ", 8, into: &block, at: 148)
        block[156] = directory ? UInt8(ascii: "5") : UInt8(ascii: "0")
        field("ustar", 6, into: &block, at: 257)
        field("00", 2, into: &block, at: 263)
        field(prefix, 155, into: &block, at: 345)
        let sum = block.reduce(0) { $0 + Int($1) }
        field(octal(sum, width: 7) + "\0 ", 8, into: &block, at: 148)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return block
    }

    /// A ustar archive: each folder once (before its files), then the entries in the given order, all dated `time`.
    public static func tar(_ entries: [Entry], time: Int64) throws(ArchiveError) -> [UInt8] {
        var out: [UInt8] = []
        var folders: Set<String> = []
        for entry in entries {
            var components = entry.path.split(separator: "/").dropLast().map(String.init)
            var missing: [String] = []
            while !components.isEmpty {
                let folder = components.joined(separator: "/") + "/"
                if folders.contains(folder) { break }
                missing.insert(folder, at: 0)
                components.removeLast()
            }
            for folder in missing {
                folders.insert(folder)
                out += try tarHeader(path: folder, size: 0, directory: true, time: time)
            }
            out += try tarHeader(path: entry.path, size: entry.bytes.count, directory: false, time: time)
            out += entry.bytes
            let padding = (512 - entry.bytes.count % 512) % 512
            out += [UInt8](repeating: 0, count: padding)
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }
}
