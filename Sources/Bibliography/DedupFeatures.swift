import Foundation

/// The normalised fields of one record that the deduplicator compares: computed once per record.
struct DedupFeatures: Sendable {
    /// Title folded to lower-case ASCII letters and digits, words separated by one space.
    var title: [UInt8]
    /// The numbers written in the title, in order (`part 2`, `2009 update`).
    var titleNumbers: [UInt64]
    /// Per author (at most `maxAuthors`), hashes of the name's words: family-name words and spelled-out given
    /// names, not initials (so `Lopez, Rubio M.` and `Rubio, M. L.` share `rubio`).
    var authors: NameWords
    /// Hash of the first author's family name, letters only (a blocking key); 0 without one.
    var firstAuthor: UInt64
    var year: Int?
    /// The journal, folded like the title (words separated by one space).
    var journal: [UInt8]
    /// Leading digits of the volume.
    var volume: UInt64?
    /// Leading digits of the issue.
    var issue: UInt64?
    /// First page: letters and digits, lower case, leading zeros dropped.
    var page: [UInt8]
    /// Last page, the same way.
    var lastPage: [UInt8]
    /// Hashes of every DOI of the record (lower case), so a million records hold no DOI strings.
    var dois: [UInt64]
    var pmid: String?
    /// True for a notice about another publication (an erratum, correction, retraction, reply or comment), told by a
    /// leading `Erratum:` / `Correction to` … or a trailing citation of the corrected article (`(vol 360, pg 542, 2009)`).
    var notice: Bool

    static let maxAuthors = 12

    init(_ r: Record) {
        let cleaned = r.title.map(DedupText.cleanTitle)
        let (plain, isNotice) = cleaned.map(DedupText.withoutNoticeMarks) ?? ("", false)
        title = DedupText.fold(plain)
        notice = isNotice
        titleNumbers = DedupText.numbers(title)
        authors = NameWords(r.authors.prefix(Self.maxAuthors).map(DedupText.nameWords).filter { !$0.isEmpty })
        let family = r.authors.first.map { DedupText.letters($0.family) } ?? []
        firstAuthor = family.isEmpty ? 0 : DedupText.hash(0, family)
        year = r.year
        journal = r.journal.map { DedupText.fold($0) } ?? []
        volume = r.volume.flatMap { DedupText.leadingNumber(DedupText.fold($0)) }
        issue = r.issue.flatMap { DedupText.leadingNumber(DedupText.fold($0)) }
        page = r.pages?.start.map { DedupText.pageKey($0) } ?? []
        lastPage = r.pages?.end.map { DedupText.pageKey($0) } ?? []
        if DedupText.hasMonth(page) || DedupText.hasMonth(lastPage) {
            // `11-Sep`, `Nov-19`: a range a spreadsheet took for a date; its pages cannot be read back.
            page = []
            lastPage = []
        } else if r.pages?.end == nil, let start = r.pages?.start, let (first, last) = DedupText.firstRange(start) {
            // `532, 534-536, 538-540`: the pages of the first range.
            page = first
            lastPage = last
        }
        var all: [UInt64] = []
        for d in [r.doi].compactMap({ $0 }) + r.dois {
            let h = DedupText.hash(1, d.lowercased().utf8)
            if !all.contains(h) { all.append(h) }
        }
        dois = all
        pmid = r.pmid.flatMap { p in p.isEmpty ? nil : p }
    }
}

/// The name words of a list of authors, flat: one array of word hashes and the end of each author's words.
struct NameWords: Sendable, Equatable {
    private(set) var words: [UInt64] = []
    private(set) var ends: [UInt16] = []

    init(_ lists: [[UInt64]]) {
        for list in lists {
            words.append(contentsOf: list)
            ends.append(UInt16(truncatingIfNeeded: words.count))
        }
    }

    var count: Int { ends.count }
    var isEmpty: Bool { ends.isEmpty }

    /// The words of author `i`.
    subscript(i: Int) -> ArraySlice<UInt64> {
        words[(i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])]
    }
}

/// Byte-level folding for comparison keys.
enum DedupText {
    /// A title without the notes databases add at its end (`[Spanish]`, `[Review]`, `[16 refs]`) and without the
    /// brackets MEDLINE puts around a translated title (`[Title in English].`).
    static func cleanTitle(_ s: String) -> String {
        guard s.utf8.contains(0x5B) else { return s }
        var t = Substring(s)
        // MEDLINE's notes on related items (`.[Erratum appears in …]`, `[Comment in: …]`), cut where they begin:
        // exports often truncate them, so their closing bracket may be missing.
        let lowered = s.lowercased()
        for mark in relatedNotes {
            if let r = lowered.range(of: mark), r.lowerBound != lowered.startIndex {
                let offset = lowered.distance(from: lowered.startIndex, to: r.lowerBound)
                let cut = s.index(s.startIndex, offsetBy: offset)
                if cut < t.endIndex { t = t[..<cut] }
            }
        }
        while true {
            while let last = t.last, last == " " || last == "." { t = t.dropLast() }
            guard t.last == "]", let open = t.lastIndex(of: "[") else { break }
            let inner = t[t.index(after: open)..<t.index(before: t.endIndex)]
            let lower = inner.lowercased()
            let note = !inner.isEmpty
                && (inner.allSatisfy(\.isLetter) || inner.allSatisfy(\.isNumber) || lower.hasSuffix(" refs")
                    || lower == "see comments")
            if note && open != t.startIndex {
                t = t[..<open]
            } else if open == t.startIndex {
                t = inner
                break
            } else {
                break
            }
        }
        return String(t)
    }

    /// Notes MEDLINE appends to a title about related items.
    private static let relatedNotes = ["[erratum", "[published erratum", "[comment", "[retraction", "[retracted", "[corrected", "[update"]

    /// Leading words that make a record a notice about another publication, with what must follow them: any
    /// non-letter (`Erratum:`, `Erratum to`, `Corrigendum -`), or one of the given words.
    private static let noticeStarts: [(String, [String])] = [
        ("erratum", []), ("errata", []), ("corrigendum", []), ("corrigenda", []), ("author reply", []), ("authors reply", []),
        ("correction", [":", " to "]), ("retraction", [":", " of ", " note"]), ("reply", [":", " to "]), ("comment", [":", " on "]),
    ]
    /// Trailing words (after ` - ` or `: `) that make a record a reply.
    private static let noticeEnds = ["reply", "author reply", "authors reply"]

    /// The title without a notice's marks, and whether there were any: a leading `Erratum:` (or `Correction to`,
    /// `Reply to` …), a trailing ` - Reply`, or a trailing citation of the corrected article in parentheses
    /// (`(vol 360, pg 542, 2009)`, `(New England Journal of Medicine (2009) 360 (542-544))`).
    static func withoutNoticeMarks(_ s: String) -> (String, Bool) {
        var t = Substring(s)
        var found = false
        while let last = t.last, last == " " || last == "." { t = t.dropLast() }
        if t.last == ")", let open = openingParenthesis(t), open != t.startIndex {
            let inner = t[t.index(after: open)..<t.index(before: t.endIndex)]
            let digitRuns = inner.split(whereSeparator: { !$0.isASCIIDigit }).filter { !$0.isEmpty }
            let hasYear = digitRuns.contains { $0.count == 4 && ($0.hasPrefix("19") || $0.hasPrefix("20")) }
            let lowerInner = inner.lowercased()
            // `vol 360, pg 542, 2009` (Web of Science) or `Journal (2009) 360 (542-544)` (Embase), not `(2005-2010)`.
            let citation = (lowerInner.hasPrefix("vol ") && lowerInner.contains(" pg ")) || (inner.contains("(") && digitRuns.count >= 3)
            if hasYear && citation {
                t = t[..<open]
                found = true
            }
        }
        let lower = t.lowercased()
        for (start, follows) in noticeStarts where lower.hasPrefix(start) {
            let rest = lower.dropFirst(start.count)
            guard let next = rest.first, !next.isLetter else { continue }
            if !follows.isEmpty && !follows.contains(where: { rest.hasPrefix($0) }) { continue }
            var cut = t.dropFirst(start.count)
            while let c = cut.first, !c.isLetter && !c.isNumber { cut = cut.dropFirst() }
            for word in ["to ", "on ", "of "] where cut.lowercased().hasPrefix(word) { cut = cut.dropFirst(word.count) }
            if !cut.isEmpty {
                t = cut
                found = true
            }
            break
        }
        for end in noticeEnds {
            for separator in [" - ", ": ", " -- "] where t.lowercased().hasSuffix(separator + end) {
                t = t.dropLast(separator.count + end.count)
                found = true
            }
        }
        return (String(t), found)
    }

    /// The index of the `(` that opens the parenthesis closing `t`, or nil when unbalanced.
    private static func openingParenthesis(_ t: Substring) -> Substring.Index? {
        var depth = 0
        var i = t.endIndex
        while i > t.startIndex {
            i = t.index(before: i)
            if t[i] == ")" { depth += 1 }
            if t[i] == "(" {
                depth -= 1
                if depth == 0 { return i }
            }
        }
        return nil
    }

    private static let months: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { Array($0.utf8) }

    /// True when a page key is, or holds, a month name (`sep`, `nov19`).
    static func hasMonth(_ key: [UInt8]) -> Bool {
        let letters = key.filter { $0 >= 0x61 && $0 <= 0x7A }
        return letters.count == 3 && months.contains(letters)
    }

    /// The first range of a list of page ranges (`532, 534-536` → `532`, `""`; `12-14, 18` → `12`, `14`), or nil
    /// when the text is not a list.
    static func firstRange(_ s: String) -> ([UInt8], [UInt8])? {
        guard let comma = s.firstIndex(where: { $0 == "," || $0 == ";" }) else { return nil }
        let head = s[..<comma]
        let parts = head.split(whereSeparator: { $0 == "-" || $0 == "\u{2013}" }).map { pageKey(String($0)) }.filter { !$0.isEmpty }
        guard let first = parts.first else { return nil }
        return (first, parts.count > 1 ? parts[parts.count - 1] : [])
    }

    /// Lower-case ASCII letters and digits, words separated by one space; accents removed, markup tags dropped.
    static func fold(_ s: String) -> [UInt8] {
        var source = s
        let ascii = source.withUTF8 { u in !u.contains(where: { $0 >= 0x80 }) }
        if !ascii {
            source = s.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
                .replacingOccurrences(of: "ß", with: "ss").replacingOccurrences(of: "\u{2019}", with: "")
                .replacingOccurrences(of: "\u{2013}", with: " ").replacingOccurrences(of: "\u{2014}", with: " ")
        }
        var out: [UInt8] = []
        out.reserveCapacity(source.utf8.count)
        var pendingSpace = false
        var inTag = false
        for c in source.utf8 {
            if inTag {
                if c == 0x3E { inTag = false }
                continue
            }
            if c == 0x3C {
                inTag = true
                pendingSpace = true
                continue
            }
            let lower: UInt8 = (c >= 0x41 && c <= 0x5A) ? c + 0x20 : c
            if (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) {
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(lower)
            } else if c == 0x27 {
                continue
            } else if c >= 0x80 {
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(c)
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// Letters only, lower case (a family name: `O'Connell` → `oconnell`, `Müller` → `muller`).
    static func letters(_ s: String) -> [UInt8] {
        fold(s).filter { $0 >= 0x61 && $0 <= 0x7A }
    }

    /// Hashes of the words of a name that are not initials (two letters or more in the family name, three or
    /// more in the given names).
    static func nameWords(_ a: Author) -> [UInt64] {
        var out: [UInt64] = []
        for (text, minimum) in [(a.family, 2), (a.given ?? "", 3)] {
            for word in fold(text).split(separator: 0x20) where word.count >= minimum && !word.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                out.append(hash(0, word))
            }
        }
        return out
    }

    /// The first run of digits, as a number.
    static func leadingNumber(_ b: [UInt8]) -> UInt64? {
        var v: UInt64 = 0
        var seen = false
        for c in b {
            if c >= 0x30 && c <= 0x39 {
                if v < 1_000_000_000_000 { v = v * 10 + UInt64(c - 0x30) }
                seen = true
            } else if seen {
                break
            }
        }
        return seen ? v : nil
    }

    /// Every run of digits in folded text, as numbers.
    static func numbers(_ b: [UInt8]) -> [UInt64] {
        var out: [UInt64] = []
        var v: UInt64 = 0
        var inNumber = false
        for c in b {
            if c >= 0x30 && c <= 0x39 {
                if v < 1_000_000_000_000 { v = v * 10 + UInt64(c - 0x30) }
                inNumber = true
            } else if inNumber {
                out.append(v)
                v = 0
                inNumber = false
            }
        }
        if inNumber { out.append(v) }
        return out
    }

    /// The digits of a key (`c37` → `37`).
    static func digits(_ b: [UInt8]) -> [UInt8] { b.filter { $0 >= 0x30 && $0 <= 0x39 } }

    /// A first page as a key: letters and digits, lower case, leading zeros of the number dropped (`e0123` → `e123`).
    static func pageKey(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        for c in fold(s) where c != 0x20 {
            if c == 0x30, out.isEmpty || !(out[out.count - 1] >= 0x30 && out[out.count - 1] <= 0x39) { continue }
            out.append(c)
        }
        return out
    }

    /// 64-bit FNV-1a of a key (the blocking keys are compared by hash).
    static func hash(_ tag: UInt8, _ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        h = (h ^ UInt64(tag)) &* 0x0000_0100_0000_01B3
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}

/// Similarity measures on folded text.
enum DedupSimilarity {
    /// 1 − Levenshtein distance / longer length, or 0 when the distance is certainly above `1 − minimum` of the length.
    static func ratio(_ a: [UInt8], _ b: [UInt8], minimum: Double) -> Double {
        if a == b { return 1 }
        let n = a.count, m = b.count
        let longer = max(n, m)
        if longer == 0 { return 1 }
        if n == 0 || m == 0 { return 0 }
        let limit = Int((1 - minimum) * Double(longer))
        if abs(n - m) > limit { return 0 }
        // Each edit changes at most one letter count up and one down: the letter counts bound the distance below.
        let bound = withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { counts -> Int in
            counts.initialize(repeating: 0)
            for c in a { counts[Int(c & 63)] += 1 }
            for c in b { counts[Int(c & 63)] -= 1 }
            var surplus = 0, deficit = 0
            for v in counts { if v > 0 { surplus += Int(v) } else { deficit -= Int(v) } }
            return max(surplus, deficit)
        }
        if bound > limit { return 0 }
        // Banded dynamic programme: only cells within `limit` of the diagonal can stay under the limit.
        let big = longer + 1
        var previous = [Int](repeating: big, count: m + 1)
        var current = [Int](repeating: big, count: m + 1)
        for j in 0...min(m, limit) { previous[j] = j }
        for i in 1...n {
            let lo = max(1, i - limit), hi = min(m, i + limit)
            if lo > hi { return 0 }
            current[lo - 1] = lo - 1 == 0 ? i : big
            var rowMin = current[lo - 1]
            let ai = a[i - 1]
            for j in lo...hi {
                let cost = ai == b[j - 1] ? 0 : 1
                var v = previous[j - 1] + cost
                let up = previous[j] + 1
                if up < v { v = up }
                let left = current[j - 1] + 1
                if left < v { v = left }
                current[j] = v
                if v < rowMin { rowMin = v }
            }
            if hi < m { current[hi + 1] = big }
            if rowMin > limit { return 0 }
            swap(&previous, &current)
        }
        let d = previous[m]
        if d > limit { return 0 }
        return 1 - Double(d) / Double(longer)
    }

    /// Journal agreement: 1 when equal, 0.9 when one is an abbreviation of the other (each word a prefix of the
    /// matching word, in order), else the share of words in common.
    static func journal(_ a: [UInt8], _ b: [UInt8]) -> Double {
        if a == b { return 1 }
        let x = a.split(separator: 0x20).map(Array.init).filter { !stop.contains($0) }
        let y = b.split(separator: 0x20).map(Array.init).filter { !stop.contains($0) }
        if x.isEmpty || y.isEmpty { return 0 }
        if x == y { return 1 }
        if abbreviates(x, y) || abbreviates(y, x) { return 0.9 }
        let sx = Set(x), sy = Set(y)
        if sx.isSubset(of: sy) || sy.isSubset(of: sx) { return 0.85 }
        return Double(sx.intersection(sy).count) / Double(max(sx.count, sy.count))
    }

    private static let stop: Set<[UInt8]> = [Array("the".utf8), Array("of".utf8), Array("and".utf8), Array("in".utf8), Array("for".utf8)]

    /// True when `short` has as many words as `long` and each is a prefix of the matching word.
    private static func abbreviates(_ short: [[UInt8]], _ long: [[UInt8]]) -> Bool {
        guard short.count == long.count else { return false }
        for (s, l) in zip(short, long) where !(s.count <= l.count && l.starts(with: s)) { return false }
        return true
    }

    /// Author agreement: half for the same first author, half for the share of the shorter list's authors that
    /// share a name word with someone in the other list.
    static func authors(_ a: NameWords, _ b: NameWords) -> Double {
        let firstB = b[0]
        let first: Double = a[0].contains(where: firstB.contains) ? 1 : 0
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        let words = Set(long.words)
        var shared = 0
        for i in 0..<short.count where short[i].contains(where: words.contains) { shared += 1 }
        return 0.5 * first + 0.5 * Double(shared) / Double(short.count)
    }

    /// Title agreement: the Levenshtein ratio (0 below `minimum`), or 0.95 when the shorter title (25 characters or more) begins or
    /// ends the longer one (an added subtitle, a translation note, `[Erratum appears in …]`, a section heading).
    static func title(_ a: [UInt8], _ b: [UInt8], minimum: Double) -> Double {
        if a == b { return 1 }
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        if short.count >= 25, long.starts(with: short) || long.reversed().starts(with: short.reversed()) { return 0.95 }
        return ratio(a, b, minimum: minimum)
    }
}
