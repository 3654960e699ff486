import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An owned, immutable block of bytes with a stable address, so parsers can index it without copying.
/// A regular file is memory-mapped (read-only, private); anything else is copied into an allocation.
final class ByteBuffer {
    private enum Storage {
        case allocated(UnsafeMutableRawBufferPointer)
        case mapped(UnsafeMutableRawPointer, Int)
    }

    private let storage: Storage
    /// The bytes.
    let bytes: UnsafeRawBufferPointer

    init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        let used = UnsafeMutableRawBufferPointer(rebasing: block[0..<count])
        fill(used)
        storage = .allocated(block)
        bytes = UnsafeRawBufferPointer(used)
    }

    private init(mapping: UnsafeMutableRawPointer, count: Int) {
        storage = .mapped(mapping, count)
        bytes = UnsafeRawBufferPointer(start: mapping, count: count)
    }

    convenience init(data: Data) {
        self.init(count: data.count) { target in
            data.withUnsafeBytes { source in
                if let base = source.baseAddress, source.count > 0, let dst = target.baseAddress {
                    dst.copyMemory(from: base, byteCount: source.count)
                }
            }
        }
    }

    convenience init(_ array: [UInt8]) {
        self.init(count: array.count) { target in
            array.withUnsafeBytes { source in
                if let base = source.baseAddress, source.count > 0, let dst = target.baseAddress {
                    dst.copyMemory(from: base, byteCount: source.count)
                }
            }
        }
    }

    deinit {
        switch storage {
        case let .allocated(block): block.deallocate()
        case let .mapped(address, count): munmap(address, count)
        }
    }

    var count: Int { bytes.count }

    /// Offset up to which mapped pages were handed back to the kernel.
    private var releasedTo = 0

    /// Hands the mapped pages wholly before `offset` back to the kernel, so a long sequential read keeps only
    /// the pages it is working on resident. Safe to read them again: a private mapping that was never
    /// written refills them from the file. Does nothing for allocated storage.
    func release(upTo offset: Int) {
        guard case let .mapped(address, count) = storage else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, count) / page * page
        guard end > releasedTo else { return }
        _ = madvise(address.advanced(by: releasedTo), end - releasedTo, MADV_DONTNEED)
        releasedTo = end
    }

    /// The offset of the first byte from `start` that breaks UTF-8, or nil; reads the buffer in windows and
    /// releases each window it has passed, so validating a large file does not keep it resident. With more than
    /// one thread the windows are checked side by side, and the answer is the same.
    func firstInvalidUTF8(from start: Int, threads: Int = 1, window: Int = 8 << 20) -> Int? {
        let n = bytes.count
        guard threads > 1, n - start > 2 * window else { return firstInvalidUTF8InOrder(from: start, window: window) }
        let b = bytes
        // Window k runs from boundary(k) to boundary(k + 1): a multiple of `window` moved past the continuation
        // bytes there (three at most), so every window starts where a character starts in valid UTF-8. A
        // character cut by a boundary would need a continuation byte where there is none, so each window finds
        // what a check of the whole buffer finds within it, and the first window that finds something is right.
        func boundary(_ k: Int) -> Int {
            var at = min(n, start + k * window)
            var moved = 0
            while k > 0, at < n, moved < 3, b[at] & 0xC0 == 0x80 {
                at += 1
                moved += 1
            }
            return at
        }
        let windows = (n - start + window - 1) / window
        let bounds = (0...windows).map(boundary)
        let found = UnsafeMutableBufferPointer<Int>.allocate(capacity: windows)
        found.initialize(repeating: -1)
        defer { found.deallocate() }
        let shared = UTF8CheckWindows(buffer: self, found: found)
        // Thread t takes windows t, t + threads, ...: all threads move through the file together.
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var k = t
            while k < windows {
                shared.check(k, from: bounds[k], to: bounds[k + 1])
                k += threads
            }
        }
        return found.first { $0 >= 0 }
    }

    private func firstInvalidUTF8InOrder(from start: Int, window: Int) -> Int? {
        let n = bytes.count
        var from = start
        while from < n {
            let windowEnd = min(n, from + window)
            if let bad = utf8ErrorOffset(UnsafeRawBufferPointer(rebasing: bytes[0..<windowEnd]), from: from) {
                // A sequence cut by the window's end is read again from its first byte.
                guard windowEnd < n, bad >= windowEnd - 3 else { return bad }
                from = bad
            } else {
                from = windowEnd
            }
            release(upTo: from)
        }
        releasedTo = 0
        return nil
    }

    /// Hands back the mapped pages wholly inside `lower..<upper`, whatever was released before.
    fileprivate func releasePages(from lower: Int, to upper: Int) {
        guard case let .mapped(address, _) = storage else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (lower + page - 1) / page * page
        let end = upper / page * page
        guard end > first else { return }
        _ = madvise(address.advanced(by: first), end - first, MADV_DONTNEED)
    }

    /// Maps a regular file (or reads it, when it cannot be mapped).
    static func read(path: String, displayName: String) throws(BibliographyError) -> ByteBuffer {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            throw .unreadable(file: displayName, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw .unreadable(file: displayName, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw .unreadable(file: displayName, reason: "it is a folder")
        }
        let size = Int(info.st_size)
        if (info.st_mode & S_IFMT) == S_IFREG && size > 0 {
            if let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED {
                _ = madvise(address, size, MADV_SEQUENTIAL)
                return ByteBuffer(mapping: address, count: size)
            }
        }
        var chunks: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(file: displayName, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            chunks.append(contentsOf: chunk[0..<n])
        }
        return ByteBuffer(chunks)
    }
}

@inline(__always) private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.read(fd, buffer, count)
    #elseif canImport(Musl)
        return Musl.read(fd, buffer, count)
    #else
        return Darwin.read(fd, buffer, count)
    #endif
}

/// The windows of a UTF-8 check on several threads: the bytes are not written while it runs, and each window's
/// slot in `found` is written by the one thread that checks it.
private struct UTF8CheckWindows: @unchecked Sendable {
    let buffer: ByteBuffer
    let found: UnsafeMutableBufferPointer<Int>

    /// Checks window `k` and hands back its pages.
    func check(_ k: Int, from lower: Int, to upper: Int) {
        found[k] = utf8ErrorOffset(UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<upper]), from: lower) ?? -1
        buffer.releasePages(from: lower, to: upper)
    }
}

/// The text of an export as UTF-8 bytes, after BOM removal and, if needed, transcoding.
struct DecodedText {
    let buffer: ByteBuffer
    /// Offset of the first byte after any byte-order mark.
    let start: Int
    /// Offset just past the last byte to read.
    let end: Int
    let warnings: [ReadWarning]

    init(buffer: ByteBuffer, start: Int, warnings: [ReadWarning]) {
        self.buffer = buffer
        self.start = start
        self.end = buffer.count
        self.warnings = warnings
    }

    /// The part `start..<end` of already decoded text.
    init(slice buffer: ByteBuffer, start: Int, end: Int) {
        self.buffer = buffer
        self.start = start
        self.end = end
        self.warnings = []
    }

    var bytes: UnsafeRawBufferPointer { buffer.bytes }

    /// Strips a UTF-8 BOM, transcodes UTF-16 (with BOM) and falls back to Windows-1252 for invalid UTF-8.
    static func decode(_ buffer: ByteBuffer, file: String, threads: Int = 1) -> DecodedText {
        let b = buffer.bytes
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
            return validated(buffer, start: 3, file: file, threads: threads)
        }
        if b.count >= 2, (b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF) {
            let little = b[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(b.count / 2)
            var i = 2
            while i + 1 < b.count {
                units.append(little ? UInt16(b[i]) | UInt16(b[i + 1]) << 8 : UInt16(b[i]) << 8 | UInt16(b[i + 1]))
                i += 2
            }
            let text = String(decoding: units, as: UTF16.self)
            let warning = ReadWarning(file: file, line: nil, message: "UTF-16 text was converted to UTF-8")
            return DecodedText(buffer: ByteBuffer(Array(text.utf8)), start: 0, warnings: [warning])
        }
        return validated(buffer, start: 0, file: file, threads: threads)
    }

    private static func validated(_ buffer: ByteBuffer, start: Int, file: String, threads: Int) -> DecodedText {
        guard let bad = buffer.firstInvalidUTF8(from: start, threads: threads) else {
            return DecodedText(buffer: buffer, start: start, warnings: [])
        }
        let line = lineNumber(of: bad, in: buffer.bytes, from: start)
        let converted = windows1252ToUTF8(buffer.bytes, from: start)
        let warning = ReadWarning(
            file: file, line: line,
            message: "the file is not valid UTF-8 (first bad byte 0x"
                + String(buffer.bytes[bad], radix: 16, uppercase: true)
                + "); it was decoded as Windows-1252, check accented letters"
        )
        return DecodedText(buffer: ByteBuffer(converted), start: 0, warnings: [warning])
    }

    static func lineNumber(of offset: Int, in b: UnsafeRawBufferPointer, from start: Int) -> Int {
        var line = 1
        var i = start
        while i < offset {
            if b[i] == 0x0A { line += 1 }
            i += 1
        }
        return line
    }
}

/// The offset of the first byte that breaks UTF-8, or nil if the range is valid.
func utf8ErrorOffset(_ b: UnsafeRawBufferPointer, from start: Int) -> Int? {
    let n = b.count
    var i = start
    while i < n {
        // Fast path: 32, then eight ASCII bytes at a time.
        while i + 32 <= n {
            let a =
                b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                | b.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            let c =
                b.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
                | b.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
            if (a | c) & 0x8080_8080_8080_8080 != 0 { break }
            i += 32
        }
        if i >= n { break }
        if i + 8 <= n {
            let word = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
        }
        let c = b[i]
        if c < 0x80 {
            i += 1
            continue
        }
        var need = 0
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; upper = 0x9F
        case 0xF0: need = 3; lower = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; upper = 0x8F
        default: return i
        }
        if i + need >= n { return i }
        let second = b[i + 1]
        if second < lower || second > upper { return i }
        var k = 2
        while k <= need {
            let cont = b[i + k]
            if cont < 0x80 || cont > 0xBF { return i }
            k += 1
        }
        i += need + 1
    }
    return nil
}

private let cp1252High: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D,
    0x8F,
    0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E,
    0x0178,
]

/// Transcodes Windows-1252 bytes to UTF-8 (the five bytes 1252 leaves undefined become C1 controls).
func windows1252ToUTF8(_ b: UnsafeRawBufferPointer, from start: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(b.count - start + (b.count - start) / 8)
    var i = start
    while i < b.count {
        let c = b[i]
        i += 1
        if c < 0x80 {
            out.append(c)
            continue
        }
        let scalar = c < 0xA0 ? cp1252High[Int(c - 0x80)] : UInt32(c)
        if scalar < 0x800 {
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
    return out
}

/// Walks a byte range line by line; a line ends at LF, CRLF or a lone CR.
struct LineCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int
    /// 1-based number of the line most recently returned (0 before the first).
    private(set) var lineNumber: Int = 0
    /// False once a lone CR was seen: from then on lines are found byte by byte.
    private var lineFeedsOnly = true
    /// The bytes before this offset are known to hold no lone CR, so lines there can be found with memchr.
    /// Checked a megabyte ahead as the cursor goes, so a large file is never read twice up front.
    private var checkedTo: Int

    init(bytes: UnsafeRawBufferPointer, start: Int, end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
        self.checkedTo = start
    }

    /// Extends the checked region to `limit`; false (and the byte-by-byte mode) on a lone CR before it.
    private mutating func checkNoLoneCR(through limit: Int) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var i = checkedTo
        while i < limit, let hit = memchr(base + i, 0x0D, limit - i) {
            let at = base.distance(to: UnsafeRawPointer(hit))
            if at + 1 >= end || bytes[at + 1] != 0x0A {
                lineFeedsOnly = false
                return false
            }
            i = at + 2
        }
        checkedTo = max(limit, i)
        return true
    }

    var isAtEnd: Bool { position >= end }

    /// Returns the next line's content range, without its terminator.
    mutating func nextLine() -> Range<Int>? {
        guard position < end else { return nil }
        let start = position
        lineNumber += 1
        if lineFeedsOnly, let line = lineEndingInLineFeed(from: start) { return line }
        var i = position
        while i < end {
            let c = bytes[i]
            if c == 0x0A || c == 0x0D { break }
            i += 1
        }
        let lineEnd = i
        if i < end {
            if bytes[i] == 0x0D, i + 1 < end, bytes[i + 1] == 0x0A { i += 2 } else { i += 1 }
        }
        position = i
        return start..<lineEnd
    }

    /// The line from `start` found with memchr, or nil when a lone CR turned up (the caller reads it byte by byte).
    private mutating func lineEndingInLineFeed(from start: Int) -> Range<Int>? {
        guard let base = bytes.baseAddress else { return nil }
        if checkedTo <= start, !checkNoLoneCR(through: min(end, start + (1 << 20))) { return nil }
        var at = end
        // Short lines are the rule: look sixteen bytes at a time before calling memchr.
        var i = start
        var found = false
        let lineFeed = SIMD16<UInt8>(repeating: 0x0A)
        while i + 16 <= end && i - start < 256 {
            let hits = unsafeBitCast(
                base.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self) .== lineFeed, to: (UInt64, UInt64).self)
            if hits.0 != 0 || hits.1 != 0 {
                at = i + (hits.0 != 0 ? hits.0.trailingZeroBitCount / 8 : 8 + hits.1.trailingZeroBitCount / 8)
                found = true
                break
            }
            i += 16
        }
        if !found, let hit = memchr(base + i, 0x0A, end - i) { at = base.distance(to: UnsafeRawPointer(hit)) }
        let next = min(end, at + 1)
        if next > checkedTo, !checkNoLoneCR(through: max(next, min(end, start + (1 << 20)))) { return nil }
        position = next
        return start..<(at > start && bytes[at - 1] == 0x0D ? at - 1 : at)
    }

    /// Steps back to the start of the line just returned, so it is returned again.
    mutating func pushBack(_ line: Range<Int>) {
        position = line.lowerBound
        lineNumber -= 1
    }
}

/// Byte helpers shared by the parsers.
enum Bytes {
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// The range without leading and trailing spaces and tabs.
    @inline(__always) static func trim(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Range<Int> {
        var lo = r.lowerBound
        var hi = r.upperBound
        while lo < hi, isSpace(b[lo]) { lo += 1 }
        while hi > lo, isSpace(b[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    @inline(__always) static func isBlank(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        trim(b, r).isEmpty
    }

    @inline(__always) static func string(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        guard let base = b.baseAddress, !r.isEmpty else { return "" }
        let typed = UnsafeBufferPointer(
            start: (base + r.lowerBound).assumingMemoryBound(to: UInt8.self), count: r.count)
        return String(decoding: typed, as: UTF8.self)
    }

    @inline(__always) static func string(_ u: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: u[r]), as: UTF8.self)
    }

    /// The string of bytes that are known to be valid UTF-8: a range of a decoded text (checked or transcoded when it
    /// was read) or of a string, whose ends are next to ASCII bytes (a line break, a tag, a space, a separator) or
    /// at the ends of the text, so no character is cut. It is copied without being checked again, which the usual
    /// `String(decoding:as:)` does for every value; only whether it is ASCII is found out, as the string records that
    /// (comparing and hashing strings not known to be ASCII takes a slower path).
    @inline(__always) static func validString(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        guard let base = b.baseAddress, !r.isEmpty else { return "" }
        return validString(
            UnsafeBufferPointer(start: (base + r.lowerBound).assumingMemoryBound(to: UInt8.self), count: r.count))
    }

    /// `validString` of a range of a string's or a decoded text's bytes (see there).
    @inline(__always) static func validString(_ u: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        validString(UnsafeBufferPointer(rebasing: u[r]))
    }

    @inline(__always) private static func validString(_ u: UnsafeBufferPointer<UInt8>) -> String {
        assert(String(validating: u, as: UTF8.self) != nil, "validString was given bytes that are not UTF-8")
        var span = unsafe UTF8Span(unchecked: u.span, isKnownASCII: false)
        // A string of up to fifteen bytes is stored inline and finds out for itself whether it is ASCII.
        if u.count > 15 { _ = span.checkForASCII() }
        return String(copying: span)
    }

    /// The first offset of `pattern` in `bytes`.
    static func find(_ bytes: [UInt8], _ pattern: [UInt8]) -> Int? {
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var i = 0
        let last = bytes.count - pattern.count
        while i <= last {
            if bytes[i] == first {
                var k = 1
                while k < pattern.count, bytes[i + k] == pattern[k] { k += 1 }
                if k == pattern.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// memchr over a buffer.
    @inline(__always) static func contains(_ u: UnsafeBufferPointer<UInt8>, _ byte: UInt8) -> Bool {
        guard let base = u.baseAddress, u.count > 0 else { return false }
        return memchr(base, Int32(byte), u.count) != nil
    }
}
