import Foundation
import Testing

@testable import Bibliography

/// The UTF-8 check of a large export runs on several threads in windows; it must find the same first bad byte as a
/// check of the whole buffer, wherever a window boundary falls in a character or next to a bad byte.
@Suite("UTF-8 check in windows on several threads")
struct UTF8CheckTests {
    /// ASCII and two-, three- and four-byte characters in a row, so every window size cuts some character.
    private static let valid: [UInt8] = Array(("ab\u{E9}c\u{20AC}d\u{1F600}\u{E9}\u{E9}xyz\u{4E2D}\u{1F600}\u{1F600}q" + String(repeating: "\u{E9}\u{20AC}a", count: 6)).utf8)

    /// Every way to break the text at one offset: a byte that never occurs, a stray continuation byte, a lead byte
    /// whose character is cut short, and an overlong or surrogate sequence.
    private static func broken(at offset: Int) -> [[UInt8]] {
        var replaced = valid
        replaced[offset] = 0xFF
        var stray = valid
        stray.insert(0x80, at: offset)
        var cut = valid
        cut.insert(0xE2, at: offset)
        var overlong = valid
        overlong.insert(contentsOf: [0xC0, 0xAF], at: offset)
        var surrogate = valid
        surrogate.insert(contentsOf: [0xED, 0xA0, 0x80], at: offset)
        return [replaced, stray, cut, overlong, surrogate]
    }

    private func firstBad(_ bytes: [UInt8], start: Int = 0, threads: Int, window: Int) -> Int? {
        ByteBuffer(bytes).firstInvalidUTF8(from: start, threads: threads, window: window)
    }

    @Test func windowsOnSeveralThreadsFindWhatOneCheckFinds() {
        #expect(firstBad(Self.valid, threads: 1, window: 1 << 20) == nil)
        var compared = 0
        for offset in Self.valid.indices {
            for bytes in Self.broken(at: offset) {
                let whole = firstBad(bytes, threads: 1, window: 1 << 20)
                // A stray byte inside a character may complete it and leave its own last bytes stray, up to three on.
                #expect(whole != nil && whole! <= offset + 3)
                #expect(whole == utf8ErrorOffset(bytes.withUnsafeBytes { $0 }, from: 0))
                for window in [1, 2, 3, 4, 5, 7, 16] {
                    for threads in [2, 3] {
                        #expect(firstBad(bytes, threads: threads, window: window) == whole, "offset \(offset), window \(window)")
                        compared += 1
                    }
                }
            }
        }
        for window in [1, 2, 3, 5] {
            #expect(firstBad(Self.valid, threads: 2, window: window) == nil)
            #expect(firstBad([0xEF, 0xBB, 0xBF] + Self.valid, start: 3, threads: 2, window: window) == nil)
        }
        #expect(compared > 1_000)
    }

    @Test func twoBadBytesGiveTheFirst() {
        var bytes = Self.valid
        bytes[40] = 0xFE
        bytes[9] = 0x80
        for window in [2, 4, 8] {
            #expect(firstBad(bytes, threads: 3, window: window) == utf8ErrorOffset(bytes.withUnsafeBytes { $0 }, from: 0))
        }
    }
}
