import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whitespace clean-up for canonical values.
enum Text {
    /// Collapses every run of whitespace (line breaks included) to one space and trims; nil when nothing is left.
    static func inline(_ s: String) -> String? {
        var s = s
        if s.withUTF8(isClean) { return s }
        return s.withUTF8 { u -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(u.count)
            appendInline(u, 0..<u.count, to: &out)
            return out.isEmpty ? nil : out.withUnsafeBufferPointer { Bytes.validString($0, 0..<$0.count) }
        }
    }

    /// True when the text is non-empty, has no control bytes or Unicode spaces, no space at either end and never
    /// two spaces in a row (so `inline` would return it unchanged).
    static func isClean(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = u.count
        guard n > 0, u[0] != 0x20, u[n - 1] != 0x20, let base = u.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var i = 0
        // Sixteen bytes at a time, each with the one and two bytes after it (loads one and two bytes on), so that a
        // double space or a Unicode space starting in the block is seen whole; the test is exact, so a block that
        // fails it means the text is not clean.
        while i + 18 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            let next = raw.loadUnaligned(fromByteOffset: i + 1, as: SIMD16<UInt8>.self)
            let after = raw.loadUnaligned(fromByteOffset: i + 2, as: SIMD16<UInt8>.self)
            if SIMDLanes.any(UTF8Space.breaksClean(v, next, after)) { return false }
            i += 16
        }
        if n >= 18 {
            // The rest: the sixteen starts that end two bytes before the end (tested as above, with the two bytes
            // after each), then the last two bytes, where only a control byte or a two-byte space can start. With the
            // blocks above, every byte has been tested as the start of something that breaks the text.
            let first = raw.loadUnaligned(fromByteOffset: n - 18, as: SIMD16<UInt8>.self)
            let second = raw.loadUnaligned(fromByteOffset: n - 17, as: SIMD16<UInt8>.self)
            let third = raw.loadUnaligned(fromByteOffset: n - 16, as: SIMD16<UInt8>.self)
            if SIMDLanes.any(UTF8Space.breaksClean(first, second, third)) { return false }
            return !UTF8Space.breaksClean(u, at: n - 2) && !UTF8Space.breaksClean(u, at: n - 1)
        }
        // A short text byte by byte.
        var previousSpace = false
        for i in 0..<n {
            let c = u[i]
            // Printable ASCII other than the space, the usual byte.
            if c &- 0x21 < 0x5E {
                previousSpace = false
                continue
            }
            if c == 0x20 {
                if previousSpace { return false }
                previousSpace = true
                continue
            }
            previousSpace = false
            if UTF8Space.breaksClean(u, at: i) { return false }
        }
        return true
    }

    /// Appends the bytes of a range with white space runs collapsed to one space and the ends trimmed.
    static func appendInline(_ u: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, to out: inout [UInt8]) {
        // The usual line needs no change once its ends are trimmed: copy it whole.
        var lo = r.lowerBound
        var hi = r.upperBound
        while lo < hi, u[lo] <= 0x20 || u[lo] == 0x7F { lo += 1 }
        while hi > lo, u[hi - 1] <= 0x20 || u[hi - 1] == 0x7F { hi -= 1 }
        guard lo < hi else { return }
        let trimmed = UnsafeBufferPointer(rebasing: u[lo..<hi])
        if isClean(trimmed) {
            out.append(contentsOf: trimmed)
            return
        }
        // Runs of text are copied whole; a run ends at white space other than one ASCII space between two other
        // bytes, and the white space up to the next run becomes one space.
        let start = out.count
        var runStart = lo
        var i = lo
        while i < hi {
            let w = UTF8Space.whiteWidth(u, i)
            if w == 0 || (u[i] == 0x20 && i > runStart && i + 1 < hi && UTF8Space.whiteWidth(u, i + 1) == 0) {
                i += 1
                continue
            }
            if i > runStart {
                if out.count > start { out.append(0x20) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i]))
            }
            i += w
            while i < hi {
                let more = UTF8Space.whiteWidth(u, i)
                if more == 0 { break }
                i += more
            }
            runStart = i
        }
        if hi > runStart {
            if out.count > start { out.append(0x20) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<hi]))
        }
    }

    /// Trims each line, keeps at most one blank line between paragraphs and trims the ends; nil when empty.
    static func multiline(_ s: String) -> String? {
        var s = s
        let hasBreak = s.withUTF8 { u in
            Bytes.contains(u, 0x0A) || Bytes.contains(u, 0x0D)
        }
        if !hasBreak { return inline(s) }
        return s.withUTF8 { u -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(u.count)
            var blank = false
            var lineStart = 0
            let n = u.count
            while lineStart <= n {
                let i = nextLineBreak(u, from: lineStart)
                // The separator goes in first and comes out again when the line turns out blank.
                let mark = out.count
                if mark > 0 {
                    out.append(0x0A)
                    if blank { out.append(0x0A) }
                }
                let content = out.count
                appendInline(u, lineStart..<i, to: &out)
                if out.count == content {
                    out.removeSubrange(mark..<content)
                    if mark > 0 { blank = true }
                } else {
                    blank = false
                }
                var after = i
                if after < n, u[after] == 0x0D, after + 1 < n, u[after + 1] == 0x0A { after += 1 }
                lineStart = after + 1
            }
            return out.isEmpty ? nil : out.withUnsafeBufferPointer { Bytes.validString($0, 0..<$0.count) }
        }
    }

    /// The offset of the first LF or CR at or after `from`, or the count.
    private static func nextLineBreak(_ u: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        let n = u.count
        var i = from
        if let base = u.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let lf = w ^ 0x0A0A_0A0A_0A0A_0A0A
                let cr = w ^ 0x0D0D_0D0D_0D0D_0D0D
                let hit =
                    ((lf &- 0x0101_0101_0101_0101) & ~lf | (cr &- 0x0101_0101_0101_0101) & ~cr)
                    & 0x8080_8080_8080_8080
                if hit != 0 { break }
                i += 8
            }
        }
        while i < n, u[i] != 0x0A, u[i] != 0x0D { i += 1 }
        return i
    }

    /// Splits on any of the separators where no bracket ( [ { is open; trims and drops empty parts.
    static func splitTopLevel(_ s: String, separators: Set<Character>) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in s {
            switch ch {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(0, depth - 1)
            default: break
            }
            if depth == 0 && separators.contains(ch) {
                if let part = inline(current) { parts.append(part) }
                current = ""
            } else {
                current.append(ch)
            }
        }
        if let part = inline(current) { parts.append(part) }
        return parts
    }

    /// Splits on a multi-character separator (such as " and "), case-insensitively, outside braces unless
    /// `braces` is false.
    static func split(_ s: String, word: String, braces: Bool = true) -> [String] {
        let lower = Array(s.lowercased().unicodeScalars)
        let scalars = Array(s.unicodeScalars)
        let sep = Array(word.lowercased().unicodeScalars)
        guard lower.count == scalars.count else { return [s] }
        var parts: [String] = []
        var start = 0
        var depth = 0
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if braces {
                if c == "{" { depth += 1 } else if c == "}" { depth = max(0, depth - 1) }
            }
            if depth == 0, i + sep.count <= lower.count, Array(lower[i..<(i + sep.count)]) == sep {
                var part = String.UnicodeScalarView()
                part.append(contentsOf: scalars[start..<i])
                parts.append(String(part))
                i += sep.count
                start = i
                continue
            }
            i += 1
        }
        var last = String.UnicodeScalarView()
        last.append(contentsOf: scalars[start..<scalars.count])
        parts.append(String(last))
        return parts.compactMap { inline($0) }
    }
}

/// Mask tests that compile to two loads and an OR (the standard library's `any` is not always inlined).
enum SIMDLanes {
    /// Whether any lane of the mask is set.
    @inline(__always) static func any(_ mask: SIMDMask<SIMD16<Int8>>) -> Bool {
        let words = unsafeBitCast(mask, to: (UInt64, UInt64).self)
        return (words.0 | words.1) != 0
    }
}

/// Unicode white space in UTF-8, beyond ASCII.
enum UTF8Space {
    /// The lanes of `v` where a control byte, DEL, two spaces in a row or a Unicode space that `width` knows begins;
    /// `next` and `after` are the sixteen bytes one and two on from `v`.
    @inline(__always) static func breaksClean(
        _ v: SIMD16<UInt8>, _ next: SIMD16<UInt8>, _ after: SIMD16<UInt8>
    ) -> SIMDMask<SIMD16<Int8>> {
        let space = SIMD16<UInt8>(repeating: 0x20), delete = SIMD16<UInt8>(repeating: 0x7F)
        // First a cheap test that lets most blocks of prose through: every byte printable ASCII (one more than the
        // byte, as a signed number, is above 0x20 only for 0x20 to 0x7E) and no two spaces in a row (two bytes
        // whose OR is a space are two spaces, or a space and a NUL, which is a control byte anyway).
        let plus1 = SIMD16<Int8>(truncatingIfNeeded: v &+ SIMD16(repeating: 1))
        let suspicious = (plus1 .< SIMD16<Int8>(repeating: 0x21)) .| ((v | next) .== space)
        guard SIMDLanes.any(suspicious) else { return suspicious }
        let c2 = SIMD16<UInt8>(repeating: 0xC2), e1 = SIMD16<UInt8>(repeating: 0xE1)
        let e2 = SIMD16<UInt8>(repeating: 0xE2), e3 = SIMD16<UInt8>(repeating: 0xE3)
        let ascii = (v .< space) .| (v .== delete) .| ((v .== space) .& (next .== space))
        let isC2 = v .== c2
        // Most blocks with a byte beyond ASCII have no lead byte of a Unicode space at all.
        guard SIMDLanes.any(isC2 .| ((v .>= e1) .& (v .<= e3))) else { return ascii }
        let x80 = SIMD16<UInt8>(repeating: 0x80), x81 = SIMD16<UInt8>(repeating: 0x81)
        let x85 = SIMD16<UInt8>(repeating: 0x85), x8A = SIMD16<UInt8>(repeating: 0x8A)
        let x9A = SIMD16<UInt8>(repeating: 0x9A), x9F = SIMD16<UInt8>(repeating: 0x9F)
        let xA0 = SIMD16<UInt8>(repeating: 0xA0), xA8 = SIMD16<UInt8>(repeating: 0xA8)
        let xA9 = SIMD16<UInt8>(repeating: 0xA9), xAF = SIMD16<UInt8>(repeating: 0xAF)
        let twoByte = isC2 .& ((next .== xA0) .| (next .== x85))
        let ogham = (v .== e1) .& (next .== x9A) .& (after .== x80)
        let isE2 = v .== e2
        let general =
            isE2 .& (next .== x80) .& ((after .<= x8A) .| (after .== xA8) .| (after .== xA9) .| (after .== xAF))
        let mathematical = isE2 .& (next .== x81) .& (after .== x9F)
        let ideographic = (v .== e3) .& (next .== x80) .& (after .== x80)
        return ascii .| twoByte .| ogham .| general .| mathematical .| ideographic
    }

    /// Whether a control byte, DEL or a Unicode space that `width` knows starts at `i`.
    @inline(__always) static func breaksClean(_ u: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let c = u[i]
        return c < 0x20 || c == 0x7F || (c >= 0xC2 && width(u, i) > 0)
    }

    /// The byte length of the white space starting at `i` as `Text.inline` sees it (an ASCII control byte, space or
    /// DEL, or a Unicode space), or 0.
    @inline(__always) static func whiteWidth(_ u: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = u[i]
        if c <= 0x20 || c == 0x7F { return 1 }
        return c >= 0xC2 ? width(u, i) : 0
    }

    /// The byte length of the white space character starting at `i`, or 0 if there is none.
    @inline(__always) static func width(_ u: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = u[i]
        if c == 0xC2, i + 1 < u.count, u[i + 1] == 0xA0 || u[i + 1] == 0x85 { return 2 }
        guard c >= 0xE1, c <= 0xE3, i + 2 < u.count else { return 0 }
        let d = u[i + 1], e = u[i + 2]
        switch c {
        case 0xE1: return d == 0x9A && e == 0x80 ? 3 : 0
        case 0xE2:
            if d == 0x80 && (e <= 0x8A || e == 0xA8 || e == 0xA9 || e == 0xAF) { return 3 }
            return d == 0x81 && e == 0x9F ? 3 : 0
        default: return d == 0x80 && e == 0x80 ? 3 : 0
        }
    }
}

extension String {
    /// Whether the UTF-8 bytes contain `byte` (memchr on the contiguous storage).
    @inline(__always) func containsByte(_ byte: UInt8) -> Bool {
        var s = self
        return s.withUTF8 { Bytes.contains($0, byte) }
    }
}

/// DOI normalisation and extraction.
public enum DOI {
    /// Normalises one DOI: lower case, no `https://doi.org/`, `doi:` or similar prefix, no trailing punctuation.
    /// - Returns: nil when the text holds no DOI.
    public static func normalize(_ text: String) -> String? {
        var text = text
        let clean: Bool = text.withUTF8 { u in
            // The common case: the value is already a bare lower-case DOI.
            let n = u.count
            guard n > 8, u[0] == 0x31, u[1] == 0x30, u[2] == 0x2E else { return false }
            var i = 3
            while i < n, Bytes.isDigit(u[i]) || u[i] == 0x2E { i += 1 }
            guard i - 3 >= 4, i + 1 < n, u[i] == 0x2F else { return false }
            let last = u[n - 1]
            guard Bytes.isDigit(last) || (last >= 0x61 && last <= 0x7A) else { return false }
            for k in i..<n {
                let c = u[k]
                if c <= 0x20 || c >= 0x80 || c == 0x25 || (c >= 0x41 && c <= 0x5A) { return false }
            }
            return true
        }
        if clean { return text }
        let candidate: [UInt8]? = text.withUTF8 { u in
            let n = u.count
            var start = -1
            var i = 0
            while i + 2 < n {
                if u[i] == 0x31 && u[i + 1] == 0x30 && u[i + 2] == 0x2E {
                    if i == 0 {
                        start = 0
                        break
                    }
                    let p = u[i - 1]
                    if p == 0x2F || p == 0x3A || p == 0x20 || p == 0x3D || p == 0x09 || p == 0x0A || p == 0x0D {
                        start = i
                        break
                    }
                }
                i += 1
            }
            guard start >= 0 else { return nil }
            var end = start
            while end < n, u[end] != 0x20, u[end] != 0x09, u[end] != 0x0A, u[end] != 0x0D { end += 1 }
            var bytes = Array(u[start..<end])
            for k in bytes.indices where bytes[k] >= 0x41 && bytes[k] <= 0x5A { bytes[k] |= 0x20 }
            return bytes
        }
        guard var bytes = candidate else { return nil }
        let ascii = !bytes.contains(where: { $0 >= 0x80 })
        if ascii, bytes.contains(0x25), let decoded = percentDecodedPrintableASCII(bytes) {
            // What removingPercentEncoding and lowercased() give for printable ASCII, without Foundation.
            bytes = decoded
            for k in bytes.indices where bytes[k] >= 0x41 && bytes[k] <= 0x5A { bytes[k] |= 0x20 }
            if let space = bytes.firstIndex(of: 0x20) { bytes.removeSubrange(space...) }
        } else if !ascii || bytes.contains(0x25) {
            var t = String(decoding: bytes, as: UTF8.self)
            if bytes.contains(0x25) { t = t.removingPercentEncoding ?? t }
            t = t.lowercased()
            bytes = Array(t.utf8)
            if let space = bytes.firstIndex(where: { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
                bytes.removeSubrange(space...)
            }
        }
        while let last = bytes.last {
            if last == 0x2E || last == 0x2C || last == 0x3B || last == 0x3A || last == 0x22 || last == 0x27 {
                bytes.removeLast()
                continue
            }
            let open: UInt8? = last == 0x29 ? 0x28 : last == 0x5D ? 0x5B : last == 0x3E ? 0x3C : nil
            if let open, bytes.lazy.filter({ $0 == last }).count > bytes.lazy.filter({ $0 == open }).count {
                bytes.removeLast()
                continue
            }
            break
        }
        // 10.<registrant digits>/<suffix>
        var i = 3
        while i < bytes.count, Bytes.isDigit(bytes[i]) || bytes[i] == 0x2E { i += 1 }
        guard i - 3 >= 4, i < bytes.count, bytes[i] == 0x2F, i + 1 < bytes.count else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes with every `%XX` escape decoded, or nil when an escape is malformed or decodes to anything but
    /// printable ASCII (left to Foundation's `removingPercentEncoding`).
    static func percentDecodedPrintableASCII(_ bytes: [UInt8]) -> [UInt8]? {
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x25 else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) else { return nil }
            let decoded = high << 4 | low
            guard decoded >= 0x20, decoded < 0x7F else { return nil }
            out.append(decoded)
            i += 3
        }
        return out
    }

    /// Every distinct DOI in a value that may hold several (separated by white space or semicolons).
    static func all(in text: String) -> [String] {
        if !text.containsByte(0x20) && !text.containsByte(0x0A) && !text.containsByte(0x09) && !text.containsByte(0x0D)
        {
            return normalize(text).map { [$0] } ?? []
        }
        var out: [String] = []
        for part in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
            if let d = normalize(String(part)), !out.contains(d) { out.append(d) }
        }
        if out.isEmpty, let d = normalize(text) { out.append(d) }
        return out
    }

    /// The DOI in a link that clearly carries one: a doi.org address, a `doi:` or `doi=` marker or a `/doi/` path.
    static func fromLink(_ text: String) -> String? {
        var text = text
        let rest: String? = text.withUTF8 { u in
            // Most links carry no DOI: look for "doi" (any case) before copying anything.
            var hasMarker = false
            var i = 0
            while i + 2 < u.count {
                if u[i] | 0x20 == 0x64, u[i + 1] | 0x20 == 0x6F, u[i + 2] | 0x20 == 0x69 {
                    hasMarker = true
                    break
                }
                i += 1
            }
            guard hasMarker else { return nil }
            var lower = Array(u)
            for k in lower.indices where lower[k] >= 0x41 && lower[k] <= 0x5A { lower[k] |= 0x20 }
            for marker in markers {
                if let at = Bytes.find(lower, marker) {
                    var from = at + marker.count
                    if marker == markers[3] {
                        for prefix in pathPrefixes where lower[from...].starts(with: prefix) { from += prefix.count }
                    }
                    // The DOI ends where the next query parameter starts.
                    let end = lower[from...].firstIndex(of: 0x26) ?? lower.count
                    return String(decoding: lower[from..<end], as: UTF8.self)
                }
            }
            return nil
        }
        return rest.flatMap(normalize)
    }

    private static let markers: [[UInt8]] = [
        Array("doi.org/".utf8), Array("doi:".utf8), Array("doi=".utf8), Array("/doi/".utf8),
    ]
    private static let pathPrefixes: [[UInt8]] = ["abs/", "full/", "pdf/", "epdf/", "book/"].map { Array($0.utf8) }
}

/// Collects DOIs in order: the first becomes `doi`, the rest `dois`.
struct DOIList {
    private(set) var first: String?
    private(set) var rest: [String] = []

    var values: [String] { first.map { [$0] + rest } ?? [] }

    mutating func add(_ doi: String?) {
        guard let doi else { return }
        guard let first else {
            self.first = doi
            return
        }
        if doi != first && !rest.contains(doi) { rest.append(doi) }
    }

    mutating func add(contentsOf other: DOIList) {
        add(other.first)
        for d in other.rest { add(d) }
    }

    mutating func addAll(in text: String) {
        if !text.containsByte(0x20) && !text.containsByte(0x0A) && !text.containsByte(0x09) && !text.containsByte(0x0D)
        {
            add(DOI.normalize(text))
            return
        }
        for d in DOI.all(in: text) { add(d) }
    }

    func apply(to record: inout Record) {
        record.doi = first
        record.dois = rest
    }
}

/// ISSN and ISBN recognition.
enum StandardNumbers {
    /// Splits a value into ISSNs (`NNNN-NNNC`) and ISBNs (10 or 13 characters, digits and X).
    /// Appends the ISSNs and ISBNs of a value to the lists, skipping ones already there.
    static func scan(_ text: String, issn: inout [String], isbn: inout [String]) {
        // The usual value is one hyphenated ISSN: `1234-567X`.
        let u = text.utf8
        if u.count == 9 {
            var k = 0
            var simple = true
            for c in u {
                if k == 4 ? c != 0x2D : !(Bytes.isDigit(c) || (k == 8 && (c == 0x58 || c == 0x78))) {
                    simple = false
                    break
                }
                k += 1
            }
            if simple {
                let value = u.last == 0x78 ? text.uppercased() : text
                if !issn.contains(value) { issn.append(value) }
                return
            }
        }
        let found = scan(text)
        for x in found.issn where !issn.contains(x) { issn.append(x) }
        for x in found.isbn where !isbn.contains(x) { isbn.append(x) }
    }

    static func scan(_ text: String) -> (issn: [String], isbn: [String]) {
        var issn: [String] = []
        var isbn: [String] = []
        var text = text
        text.withUTF8 { u in
            // The digits (and X) of the current run; a run longer than an ISBN-13 is no standard number.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 14) { digits in
                var count = 0
                var runLength = 0
                var hyphenAt4 = false
                func flush() {
                    defer {
                        count = 0
                        runLength = 0
                        hyphenAt4 = false
                    }
                    guard count > 0, count <= 13, !digits[0..<(count - 1)].contains(where: { !Bytes.isDigit($0) })
                    else { return }
                    if digits[count - 1] == 0x78 { digits[count - 1] = 0x58 }
                    if count == 8 {
                        guard hyphenAt4 || issnChecksumOK(UnsafeBufferPointer(rebasing: digits[0..<8])) else { return }
                        // NNNN-NNNC, made in place: the four digits after the hyphen move one on.
                        for k in (4..<8).reversed() { digits[k + 1] = digits[k] }
                        digits[4] = 0x2D
                        let value = Bytes.validString(UnsafeBufferPointer(digits), 0..<9)
                        if !issn.contains(value) { issn.append(value) }
                    } else if count == 10 || (count == 13 && digits[12] != 0x58) {
                        let value = Bytes.validString(UnsafeBufferPointer(digits), 0..<count)
                        if !isbn.contains(value) { isbn.append(value) }
                    }
                }
                for c in u {
                    if Bytes.isDigit(c) || c == 0x58 || c == 0x78 {
                        if count < 14 { digits[count] = c }
                        count += 1
                        runLength += 1
                    } else if c == 0x2D {
                        if runLength == 4 && count == 4 { hyphenAt4 = true }
                        runLength += 1
                    } else {
                        flush()
                    }
                }
                flush()
            }
        }
        return (issn, isbn)
    }

    private static func issnChecksumOK(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        var sum = 0
        for (k, d) in digits.prefix(7).enumerated() { sum += Int(d - 0x30) * (8 - k) }
        let check = (11 - sum % 11) % 11
        let last = digits[7]
        if check == 10 { return last == 0x58 || last == 0x78 }
        return Bytes.isDigit(last) && Int(last - 0x30) == check
    }
}

/// Page ranges.
enum Pages {
    /// Parses `335-339`, `221-8` (expanded), `1645--1654`, `pp. 78-81`, `(36-45)`, `e1234`.
    static func parse(_ text: String) -> PageRange? {
        guard var t = Text.inline(text) else { return nil }
        return t.withUTF8 { u -> PageRange? in
            var lo = 0
            var hi = u.count
            for prefix in prefixes where hi - lo > prefix.count {
                var matches = true
                for (k, p) in prefix.enumerated() where (u[lo + k] | 0x20) != p {
                    matches = false
                    break
                }
                guard matches else { continue }
                let next = u[lo + prefix.count]
                if next == 0x20 || Bytes.isDigit(next) || prefix.last == 0x2E {
                    lo += prefix.count
                    while lo < hi, u[lo] == 0x20 { lo += 1 }
                    break
                }
            }
            if hi - lo >= 2, u[lo] == 0x28, u[hi - 1] == 0x29 {
                lo += 1
                hi -= 1
            }
            guard lo < hi else { return nil }
            var i = lo
            while i < hi {
                let c = u[i]
                var sepEnd = -1
                if c == 0x2D {
                    sepEnd = i + 1
                    while sepEnd < hi, u[sepEnd] == 0x2D { sepEnd += 1 }
                } else if c == 0xE2, i + 2 < hi, u[i + 1] == 0x80, u[i + 2] == 0x93 || u[i + 2] == 0x94 {
                    sepEnd = i + 3
                }
                if sepEnd > 0 {
                    var a = i
                    while a > lo, u[a - 1] == 0x20 { a -= 1 }
                    var b = sepEnd
                    while b < hi, u[b] == 0x20 { b += 1 }
                    if a == lo || b == hi { break }
                    let start = Bytes.string(u, lo..<a)
                    let end = Bytes.string(u, b..<hi)
                    if start.containsByte(0x20) || start.containsByte(0x2C) || end.containsByte(0x20)
                        || end.containsByte(0x2C)
                    {
                        // Several ranges (`i-iv, 1-74`): keep the text whole rather than guess.
                        return PageRange(start: Bytes.string(u, lo..<hi))
                    }
                    return make(start: start, end: end)
                }
                i += 1
            }
            return PageRange(start: Bytes.string(u, lo..<hi))
        }
    }

    private static let prefixes: [[UInt8]] = ["pages", "page", "pp.", "pp", "p."].map { Array($0.utf8) }

    /// Builds a range, expanding an abbreviated numeric end page (`221`, `8` → `228`).
    static func make(start: String?, end: String?) -> PageRange? {
        let s = start.flatMap { Text.inline($0) }
        var e = end.flatMap { Text.inline($0) }
        if let s, let ee = e, ee.utf8.count < s.utf8.count, s.utf8.allSatisfy(Bytes.isDigit),
            ee.utf8.allSatisfy(Bytes.isDigit)
        {
            let expanded = String(s.prefix(s.utf8.count - ee.utf8.count)) + ee
            if let a = Int(s), let b = Int(expanded), b >= a { e = expanded }
        }
        let range = PageRange(start: s, end: e)
        return range.isEmpty ? nil : range
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Publication years.
enum Year {
    /// The first four-digit number between 1000 and 2999 that is not part of a longer number.
    static func parse(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { u -> Int? in
            var i = 0
            while i < u.count {
                if Bytes.isDigit(u[i]) {
                    var j = i
                    var v = 0
                    while j < u.count, Bytes.isDigit(u[j]) {
                        if j - i < 5 { v = v * 10 + Int(u[j] - 0x30) }
                        j += 1
                    }
                    if j - i == 4 && v >= 1000 && v <= 2999 { return v }
                    i = j
                } else {
                    i += 1
                }
            }
            return nil
        }
    }
}

/// Person and corporate names.
enum Names {
    /// Parses one name as written: `Family, Given`, `Family Initials` (`Liu R.`), `Initials Family` (`P. Kogge`),
    /// or a literal (corporate) name kept whole as the family name.
    static func parse(_ text: String) -> Author? {
        guard var t = Text.inline(text) else { return nil }
        return t.withUTF8 { u -> Author? in
            var hi = u.count
            // A trailing e-mail (Zoological Record) or author id (Scopus full names) in parentheses.
            if u[hi - 1] == 0x29, let open = u[0..<hi].lastIndex(of: 0x28), open > 0 {
                let inside = u[(open + 1)..<(hi - 1)]
                if inside.contains(0x40) || (!inside.isEmpty && inside.allSatisfy(Bytes.isDigit)) {
                    hi = open
                    while hi > 0, u[hi - 1] == 0x20 { hi -= 1 }
                }
            }
            guard hi > 0 else { return nil }
            if let comma = u[0..<hi].firstIndex(of: 0x2C) {
                var fa = comma
                while fa > 0, u[fa - 1] == 0x20 { fa -= 1 }
                var gb = comma + 1
                while gb < hi, u[gb] == 0x20 { gb += 1 }
                let given = Bytes.validString(u, gb..<hi)
                // A leading comma (a name wrapped onto the next line): read what follows as the name.
                if fa == 0 { return given.isEmpty ? nil : parse(given) }
                return Author(family: Bytes.validString(u, 0..<fa), given: given)
            }
            if let lastSpace = u[0..<hi].lastIndex(of: 0x20) {
                if isInitials(u, (lastSpace + 1)..<hi) {
                    // Take every trailing initial (`Lewis G. F.`), leaving at least one word for the family name.
                    var split = lastSpace
                    while let previous = u[0..<split].lastIndex(of: 0x20), isInitials(u, (previous + 1)..<split) {
                        split = previous
                    }
                    return Author(family: Bytes.validString(u, 0..<split), given: Bytes.validString(u, (split + 1)..<hi))
                }
                // Leading initials with dots: `P. Kogge`, `D. R. C. Hill`.
                var tokenStart = 0
                var givenEnd = 0
                while tokenStart < lastSpace {
                    let space = u[tokenStart..<hi].firstIndex(of: 0x20) ?? hi
                    let token = tokenStart..<space
                    guard isInitials(u, token), u[token].contains(0x2E) else { break }
                    givenEnd = space
                    tokenStart = space + 1
                }
                if givenEnd > 0 {
                    return Author(family: Bytes.validString(u, tokenStart..<hi), given: Bytes.validString(u, 0..<givenEnd))
                }
            }
            return Author(family: Bytes.validString(u, 0..<hi))
        }
    }

    /// `R.`, `D.G.`, `JP`, `J.-C.`: capitals with dots or hyphens, or up to three bare capitals.
    static func isInitials(_ token: String) -> Bool {
        var token = token
        return token.withUTF8 { isInitials($0, 0..<$0.count) }
    }

    static func isInitials(_ u: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        if u[r].contains(where: { $0 >= 0x80 }) {
            let token = Bytes.string(u, r)
            guard token.count <= 8 else { return false }
            var letters = 0
            var dots = false
            for ch in token {
                if ch == "." { dots = true; continue }
                if ch == "-" { continue }
                guard ch.isLetter, ch.isUppercase else { return false }
                letters += 1
            }
            return letters > 0 && (dots || letters <= 3)
        }
        guard r.count <= 8 else { return false }
        var letters = 0
        var dots = false
        for i in r {
            let c = u[i]
            if c == 0x2E { dots = true; continue }
            if c == 0x2D { continue }
            guard Bytes.isUpper(c) else { return false }
            letters += 1
        }
        return letters > 0 && (dots || letters <= 3)
    }

    /// Names run together without a separator, as some EndNote CSV exports write them (`Adeli K.Lewis G. F.`):
    /// split before a word that follows an initial's dot, when the pieces read `Family Initials`.
    static func splitRunTogether(_ t: String) -> [String]? {
        let chars = Array(t)
        var pieces: [String] = []
        var start = 0
        var i = 1
        while i + 2 < chars.count {
            if chars[i] == ".", chars[i - 1].isUppercase, chars[i + 1].isLetter, chars[i + 2].isLowercase {
                pieces.append(String(chars[start...i]))
                start = i + 1
            }
            i += 1
        }
        guard !pieces.isEmpty else { return nil }
        pieces.append(String(chars[start...]))
        // Every piece but the last (which may be a group name) must read `Family Initials`.
        let people = pieces.dropLast().allSatisfy { piece in
            let tokens = piece.split(separator: " ")
            return tokens.count >= 2 && isInitials(String(tokens[tokens.count - 1]))
        }
        return people ? pieces : nil
    }

    /// Splits a list of names written in one field, guessing the separator: `;`, ` and `, or commas
    /// (`Liu R., Adler D.G.` or `Phillips, J.C., Braun, R.`).
    static func parseList(_ text: String) -> [Author] {
        guard let t = Text.multiline(text) else { return [] }
        if t.contains("\n") {
            return t.split(separator: "\n").flatMap { parseList(String($0)) }
        }
        // Brackets are not respected here: one stray "(" or "{" in a name must not swallow the names after it.
        if t.contains(";") {
            return t.split(separator: ";").compactMap { parse(String($0)) }
        }
        if t.range(of: " and ", options: .caseInsensitive) != nil {
            return Text.split(t, word: " and ", braces: false).compactMap(parse)
        }
        guard t.contains(",") else {
            if let pieces = splitRunTogether(t) { return pieces.compactMap(parse) }
            return parse(t).map { [$0] } ?? []
        }
        let pieces = t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if pieces.count > 1,
            pieces.allSatisfy({ $0.contains(" ") && isInitials(String($0.split(separator: " ").last ?? "")) })
        {
            return pieces.compactMap(parse)
        }
        if pieces.count == 2 {
            // "Family, Given" – one author; two authors would be written "Family I, Family I" (handled above).
            return [Author(family: pieces[0], given: pieces[1])]
        }
        if pieces.count % 2 == 0 {
            var paired: [Author] = []
            for k in stride(from: 0, to: pieces.count, by: 2) {
                let given = pieces[k + 1].split(separator: " ")
                guard given.allSatisfy({ isInitials(String($0)) || $0.first?.isUppercase == true }) else { break }
                paired.append(Author(family: pieces[k], given: pieces[k + 1]))
            }
            if paired.count * 2 == pieces.count { return paired }
        }
        return pieces.compactMap(parse)
    }
}

/// Reference types as RIS codes.
enum ReferenceType {
    static let risCodes: Set<String> = [
        "ABST", "ADVS", "AGGR", "ANCIENT", "ART", "BILL", "BLOG", "BOOK", "CASE", "CHAP", "CHART", "CLSWK", "COMP",
        "CONF", "CPAPER", "CTLG", "DATA", "DBASE", "DICT", "EBOOK", "ECHAP", "EDBOOK", "EJOUR", "ELEC", "ENCYC",
        "EQUA", "FIGURE", "GEN", "GOVDOC", "GRANT", "HEAR", "ICOMM", "INPR", "JFULL", "JOUR", "LEGAL", "MANSCPT",
        "MAP", "MGZN", "MPCT", "MULTI", "MUSIC", "NEWS", "PAMP", "PAT", "PCOMM", "RPRT", "SER", "SLIDE", "SOUND",
        "STAND", "STAT", "THES", "UNBILL", "UNPB", "VIDEO", "WEB",
    ]

    private static let names: [String: String] = [
        "journal article": "JOUR", "journalarticle": "JOUR", "article": "JOUR", "review": "JOUR",
        "letter": "JOUR", "editorial": "JOUR", "editorial material": "JOUR", "note": "JOUR", "erratum": "JOUR",
        "short survey": "JOUR", "article in press": "JOUR", "comment": "JOUR", "survey": "JOUR", "journal": "JOUR",
        "journals": "JOUR", "research article": "JOUR", "meeting abstract": "ABST", "abstract": "ABST",
        "book": "BOOK", "whole book": "BOOK", "edited book": "EDBOOK", "book chapter": "CHAP", "book section": "CHAP",
        "booksection": "CHAP", "chapter": "CHAP", "inbook": "CHAP", "incollection": "CHAP",
        "conference paper": "CONF", "conferencepaper": "CONF", "proceedings paper": "CONF", "inproceedings": "CONF",
        "conference proceedings": "CONF", "conference": "CONF", "conference review": "CONF", "proceedings": "CONF",
        "thesis": "THES", "dissertation": "THES", "phdthesis": "THES", "mastersthesis": "THES",
        "report": "RPRT", "techreport": "RPRT", "web page": "ELEC", "webpage": "ELEC", "online": "ELEC",
        "electronic article": "EJOUR", "magazine article": "MGZN", "magazinearticle": "MGZN",
        "newspaper article": "NEWS", "newspaperarticle": "NEWS", "patent": "PAT", "dataset": "DATA",
        "generic": "GEN", "misc": "GEN", "unpublished": "UNPB", "manuscript": "UNPB", "preprint": "UNPB",
        "j": "JOUR", "b": "BOOK", "s": "JOUR", "p": "PAT",
    ]

    /// Maps a type name of any export (`Journal Article`, `bookSection`, `Conference Paper`, `JOUR`) to a RIS code.
    static func code(for name: String) -> String? {
        guard let t = Text.inline(name) else { return nil }
        let upper = t.uppercased()
        if risCodes.contains(upper) { return upper }
        let lower = t.lowercased()
        if let code = names[lower] { return code }
        if let first = lower.split(whereSeparator: { $0 == ";" || $0 == "," }).first,
            let code = names[first.trimmingCharacters(in: .whitespaces)]
        {
            return code
        }
        return "GEN"
    }
}
