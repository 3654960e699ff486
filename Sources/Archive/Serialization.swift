import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Slicing-by-8 tables for CRC-32 (ISO 3309, reflected polynomial 0xEDB88320): table k holds the CRC of a byte
    /// followed by k zero bytes.
    static let crcTables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            tables[index] = value
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// CRC-32 (ISO 3309, as ZIP uses it).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { crc32($0) }
    }

    /// CRC-32 of a buffer, eight bytes a step.
    static func crc32(_ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        crcTables.withUnsafeBufferPointer { table in
            var index = 0
            let count = buffer.count
            while index + 8 <= count {
                let low = (UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2]) << 16 | UInt32(buffer[index + 3]) << 24) ^ crc
                let high = UInt32(buffer[index + 4]) | UInt32(buffer[index + 5]) << 8 | UInt32(buffer[index + 6]) << 16 | UInt32(buffer[index + 7]) << 24
                crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)] ^ table[5 * 256 + Int((low >> 16) & 0xFF)]
                    ^ table[4 * 256 + Int(low >> 24)] ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(buffer[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
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
        var sink = MemorySink()
        try zip(entries, time: time, into: &sink)
        return sink.bytes
    }

    /// Writes the ZIP archive of the entries to `url` (through a temporary file renamed into place).
    public static func writeZip(_ entries: [Entry], time: Int64, to url: URL) throws(ArchiveError) {
        var sink = try FileSink(replacing: url)
        try zip(entries, time: time, into: &sink)
        try sink.commit()
    }

    static func zip<Sink: ByteSink>(_ entries: [Entry], time: Int64, into out: inout Sink) throws(ArchiveError) {
        let (dosDate, dosClock) = dosTime(time)
        var central: [UInt8] = []
        for entry in entries {
            guard entry.bytes.count < Int(UInt32.max), out.count < Int(UInt32.max) else {
                throw .io(path: entry.path, message: "too large for a ZIP archive without ZIP64 (4 GiB)")
            }
            let name = Array(entry.path.utf8)
            let crc = crc32(entry.bytes)
            let offset = UInt32(out.count)
            var local: [UInt8] = []
            le32(0x0403_4B50, &local)
            le16(20, &local)
            le16(0x0800, &local)
            le16(0, &local)
            le16(dosClock, &local)
            le16(dosDate, &local)
            le32(crc, &local)
            le32(UInt32(entry.bytes.count), &local)
            le32(UInt32(entry.bytes.count), &local)
            le16(name.count, &local)
            le16(0, &local)
            local += name
            try out.append(local)
            try out.append(entry.bytes)
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
        var end = central
        le32(0x0605_4B50, &end)
        le16(0, &end)
        le16(0, &end)
        le16(entries.count, &end)
        le16(entries.count, &end)
        le32(UInt32(central.count), &end)
        le32(centralOffset, &end)
        le16(0, &end)
        try out.append(end)
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
        var sink = MemorySink()
        try tar(entries, time: time, into: &sink)
        return sink.bytes
    }

    /// Writes the ustar archive of the entries to `url` (through a temporary file renamed into place).
    public static func writeTar(_ entries: [Entry], time: Int64, to url: URL) throws(ArchiveError) {
        var sink = try FileSink(replacing: url)
        try tar(entries, time: time, into: &sink)
        try sink.commit()
    }

    static func tar<Sink: ByteSink>(_ entries: [Entry], time: Int64, into out: inout Sink) throws(ArchiveError) {
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
                try out.append(try tarHeader(path: folder, size: 0, directory: true, time: time))
            }
            try out.append(try tarHeader(path: entry.path, size: entry.bytes.count, directory: false, time: time))
            try out.append(entry.bytes)
            let padding = (512 - entry.bytes.count % 512) % 512
            if padding > 0 { try out.append([UInt8](repeating: 0, count: padding)) }
        }
        try out.append([UInt8](repeating: 0, count: 1024))
    }

    /// Writes `bytes` to a new file at `url` (the folder must exist) with plain writes, without copying them first.
    static func writeFile(_ bytes: [UInt8], to url: URL) throws(ArchiveError) {
        var sink = try FileSink(creating: url)
        try sink.append(bytes)
        try sink.close()
    }
}

/// Where an archive's bytes go, in order.
protocol ByteSink {
    /// Bytes appended so far.
    var count: Int { get }
    mutating func append(_ bytes: [UInt8]) throws(ArchiveError)
}

/// Collects the bytes in memory.
struct MemorySink: ByteSink {
    var bytes: [UInt8] = []
    var count: Int { bytes.count }
    mutating func append(_ bytes: [UInt8]) throws(ArchiveError) { self.bytes += bytes }
}

/// Writes the bytes to a file: small pieces gathered in a buffer, large ones written straight from their array.
struct FileSink: ByteSink {
    let url: URL
    /// The file written: `url` itself, or a temporary file beside it that `commit()` renames to `url`.
    let written: URL
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private(set) var count = 0
    static let bufferSize = 1 << 20

    /// A new file at `url`, which must not exist.
    init(creating url: URL) throws(ArchiveError) {
        self.url = url
        written = url
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: url.path, message: "cannot create: \(String(cString: strerror(errno)))") }
    }

    /// A temporary file beside `url` that replaces it on `commit()`.
    init(replacing url: URL) throws(ArchiveError) {
        self.url = url
        written = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
        unlink(written.path)
        descriptor = open(written.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: written.path, message: "cannot create: \(String(cString: strerror(errno)))") }
    }

    mutating func append(_ bytes: [UInt8]) throws(ArchiveError) {
        count += bytes.count
        if buffer.count + bytes.count <= Self.bufferSize {
            buffer += bytes
            return
        }
        try flush()
        if bytes.count < Self.bufferSize {
            buffer += bytes
        } else {
            try bytes.withUnsafeBufferPointer { pointer throws(ArchiveError) in try writeAll(UnsafeRawBufferPointer(pointer)) }
        }
    }

    private mutating func flush() throws(ArchiveError) {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { pointer throws(ArchiveError) in try writeAll(UnsafeRawBufferPointer(pointer)) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(path: self.written.path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Flushes and closes the file.
    mutating func close() throws(ArchiveError) {
        defer {
            Glibc.close(descriptor)
            descriptor = -1
        }
        try flush()
    }

    /// Flushes, closes and renames the temporary file to `url`.
    mutating func commit() throws(ArchiveError) {
        do { try close() } catch {
            unlink(written.path)
            throw error
        }
        if rename(written.path, url.path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(written.path)
            throw .io(path: url.path, message: "cannot move into place: \(message)")
        }
    }
}
