import Foundation

/// Recognises RIS tag lines on raw bytes.
enum RISScanner {
    /// `XX  -` at the start of the line: a capital, a capital or digit, two spaces and a hyphen.
    @inline(__always) static func isTagLine(_ b: UnsafeRawBufferPointer, _ line: Range<Int>) -> Bool {
        let s = line.lowerBound
        guard line.count >= 5 else { return false }
        return Bytes.isUpper(b[s]) && (Bytes.isUpper(b[s + 1]) || Bytes.isDigit(b[s + 1])) && b[s + 2] == 0x20
            && b[s + 3] == 0x20 && b[s + 4] == 0x2D
    }

    @inline(__always) static func code(_ b: UnsafeRawBufferPointer, _ s: Int) -> UInt16 {
        UInt16(b[s]) << 8 | UInt16(b[s + 1])
    }
}

/// The strings of two-character tags, made once per tag (a capital, then a capital or digit: 26 × 36 slots).
struct TagNames {
    private var names = [String?](repeating: nil, count: 26 * 36)

    @inline(__always) mutating func name(_ b: UnsafeRawBufferPointer, _ s: Int) -> String {
        let first = Int(b[s]) - 0x41
        let c = b[s + 1]
        let second = Bytes.isDigit(c) ? Int(c) - 0x30 + 26 : Int(c) - 0x41
        let slot = first * 36 + second
        guard first >= 0, first < 26, second >= 0, second < 36 else { return Bytes.validString(b, s..<(s + 2)) }
        if let known = names[slot] { return known }
        let made = Bytes.validString(b, s..<(s + 2))
        names[slot] = made
        return made
    }
}

/// Two-letter RIS tags as 16-bit codes, so the hot loop compares integers.
enum RISTag {
    static let TY: UInt16 = 0x5459, ER: UInt16 = 0x4552, ID: UInt16 = 0x4944, AN: UInt16 = 0x414E
    static let TI: UInt16 = 0x5449, T1: UInt16 = 0x5431, CT: UInt16 = 0x4354, BT: UInt16 = 0x4254
    static let AU: UInt16 = 0x4155, A1: UInt16 = 0x4131, PY: UInt16 = 0x5059, Y1: UInt16 = 0x5931
    static let DA: UInt16 = 0x4441, Y2: UInt16 = 0x5932, JF: UInt16 = 0x4A46, T2: UInt16 = 0x5432
    static let JO: UInt16 = 0x4A4F, JA: UInt16 = 0x4A41, J2: UInt16 = 0x4A32, J1: UInt16 = 0x4A31
    static let VL: UInt16 = 0x564C, IS: UInt16 = 0x4953, SP: UInt16 = 0x5350
    static let EP: UInt16 = 0x4550, DO: UInt16 = 0x444F, L3: UInt16 = 0x4C33, M3: UInt16 = 0x4D33
    static let L2: UInt16 = 0x4C32, UR: UInt16 = 0x5552, LK: UInt16 = 0x4C4B, SN: UInt16 = 0x534E
    static let AB: UInt16 = 0x4142, N2: UInt16 = 0x4E32, KW: UInt16 = 0x4B57, LA: UInt16 = 0x4C41
    static let N1: UInt16 = 0x4E31, DB: UInt16 = 0x4442, DP: UInt16 = 0x4450, C2: UInt16 = 0x4332
}

/// RIS: `TY` opens a record and `ER` closes it; untagged lines continue the previous tag
/// (a new item for list tags such as `KW` and `AU`, a new line of text otherwise).
/// Record numbers (`1.`) and other untagged lines between records are ignored.
struct RISParser: FormatParser {
    private let text: DecodedText
    private var cursor: LineCursor
    var consumed: Int { cursor.position }
    private var tags = TagNames()
    /// The tag codes of the record being read, parallel to its raw fields (reused from record to record).
    private var codes: [UInt16] = []
    /// The bytes of the last field's value while continuation lines are added to it (reused from value to value):
    /// the value becomes one string when the next tag line comes, not a string grown line by line.
    private var continued: [UInt8] = []
    /// True when the text is a chunk of a larger export that ends just before a `TY` line, so a record still
    /// open at the end is reported as it would be when the whole export is read.
    private let endsBeforeTY: Bool
    /// How many lines were read so far (all of them, once `next()` has returned nil).
    var lineCount: Int { cursor.lineNumber }

    init(text: DecodedText, endsBeforeTY: Bool = false) {
        self.text = text
        self.cursor = LineCursor(bytes: text.bytes, start: text.start, end: text.end)
        self.endsBeforeTY = endsBeforeTY
    }

    /// An outcome found while looking past a record's ER, returned by the next call.
    private var queued: ParseOutcome?

    mutating func next() -> ParseOutcome? {
        if let queued {
            self.queued = nil
            return queued
        }
        let b = text.bytes
        var inRecord = false
        var closed = false
        var startLine = 0
        var orphanLine = 0
        codes.removeAll(keepingCapacity: true)
        var fields: [RawField] = []
        fields.reserveCapacity(32)
        var pendingBlank = false
        continued.removeAll(keepingCapacity: true)
        var continuing = false
        // Tags after ER and before the next TY (Ovid writes `NL` there) belong to the record just closed,
        // unless they end with an ER of their own: then they are a record without TY.
        var after: [(code: UInt16, field: RawField)] = []
        var afterLine = 0
        while let line = cursor.nextLine() {
            if RISScanner.isTagLine(b, line) {
                let s = line.lowerBound
                let code = RISScanner.code(b, s)
                pendingBlank = false
                if continuing {
                    fields[fields.count - 1].value = continued.withUnsafeBufferPointer { Bytes.validString($0, 0..<$0.count) }
                    continued.removeAll(keepingCapacity: true)
                    continuing = false
                }
                if code == RISTag.TY {
                    if closed {
                        cursor.pushBack(line)
                        for (c, f) in after {
                            codes.append(c)
                            fields.append(f)
                        }
                        return .record(RISMapping.record(codes: codes, fields: fields, line: startLine))
                    }
                    if inRecord || orphanLine > 0 {
                        cursor.pushBack(line)
                        if inRecord {
                            return .malformed(line: startLine, message: "the record has no ER line before the next TY")
                        }
                        return .malformed(line: orphanLine, message: "tagged lines have no TY line before them")
                    }
                    inRecord = true
                    startLine = cursor.lineNumber
                } else if code == RISTag.ER {
                    if closed {
                        if after.isEmpty { continue }
                        queued = .malformed(line: afterLine, message: "a record ending with ER has no TY line")
                        return .record(RISMapping.record(codes: codes, fields: fields, line: startLine))
                    }
                    if inRecord {
                        inRecord = false
                        closed = true
                        continue
                    }
                    if orphanLine > 0 {
                        return .malformed(line: orphanLine, message: "a record ending with ER has no TY line")
                    }
                    continue
                } else if closed {
                    if after.isEmpty { afterLine = cursor.lineNumber }
                    let value = line.count > 5 ? Bytes.validString(b, Bytes.trim(b, (s + 5)..<line.upperBound)) : ""
                    after.append((code, RawField(tags.name(b, s), value)))
                    continue
                } else if !inRecord {
                    if orphanLine == 0 { orphanLine = cursor.lineNumber }
                    continue
                }
                let tag = tags.name(b, s)
                let value = line.count > 5 ? Bytes.validString(b, Bytes.trim(b, (s + 5)..<line.upperBound)) : ""
                codes.append(code)
                fields.append(RawField(tag, value))
            } else if inRecord || (closed && !after.isEmpty) {
                let t = Bytes.trim(b, line)
                if t.isEmpty {
                    pendingBlank = true
                    continue
                }
                if closed {
                    let last = after.count - 1
                    after[last].field.value += after[last].field.value.isEmpty ? "" : (pendingBlank ? "\n\n" : "\n")
                    after[last].field.value += Bytes.validString(b, t)
                    pendingBlank = false
                    continue
                }
                guard !fields.isEmpty else { continue }
                if !continuing {
                    continued.append(contentsOf: fields[fields.count - 1].value.utf8)
                    continuing = true
                }
                if !continued.isEmpty {
                    continued.append(0x0A)
                    if pendingBlank { continued.append(0x0A) }
                }
                continued.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[t]))
                pendingBlank = false
            }
        }
        if closed {
            for (c, f) in after {
                codes.append(c)
                fields.append(f)
            }
            return .record(RISMapping.record(codes: codes, fields: fields, line: startLine))
        }
        if inRecord {
            if endsBeforeTY {
                return .malformed(line: startLine, message: "the record has no ER line before the next TY")
            }
            return .malformed(line: startLine, message: "the record has no ER line before the end of the file")
        }
        if orphanLine > 0 { return .malformed(line: orphanLine, message: "tagged lines have no TY line before them") }
        return nil
    }
}

/// Maps RIS tags to the canonical fields.
enum RISMapping {
    static func record(codes: [UInt16], fields: [RawField], line: Int) -> Record {
        // The values are gathered in locals and the record is made once at the end: a record changed inside the
        // closures below would be copied in and out of them.
        var type: String?
        var authors: [Author] = [], keywords: [String] = [], urls: [String] = [], issn: [String] = []
        var isbn: [String] = []
        // Indices of the first field of each single-valued tag; values are read once at the end.
        var iID = -1, iAN = -1, iTI = -1, iT1 = -1, iCT = -1, iBT = -1, iPY = -1, iY1 = -1, iDA = -1, iY2 = -1
        var iJF = -1, iT2 = -1, iJO = -1, iJA = -1, iJ2 = -1, iJ1 = -1, iIS = -1, iSP = -1, iEP = -1, iAB = -1
        var iN2 = -1, iDB = -1, iDP = -1, iC2 = -1, iVL = -1, iLA = -1
        var notes: String?
        var dois = DOIList()
        var secondaryDOIs = DOIList()
        var linkDOIs = DOIList()
        // One allocation for the authors and keywords of the usual record (one name or keyword per line).
        var authorLines = 0, keywordLines = 0
        for code in codes {
            if code == RISTag.AU || code == RISTag.A1 { authorLines += 1 } else if code == RISTag.KW { keywordLines += 1 }
        }
        authors.reserveCapacity(authorLines)
        keywords.reserveCapacity(keywordLines)
        fields.withUnsafeBufferPointer { f in
            for i in 0..<f.count {
                switch codes[i] {
                case RISTag.TY:
                    // A known code as it is; a type name some tools write (`Journal Article`) mapped; else GEN.
                    let written = Text.inline(f[i].value) ?? "GEN"
                    type = ReferenceType.risCodes.contains(written) ? written : ReferenceType.code(for: written)
                case RISTag.ID: if iID < 0 { iID = i }
                case RISTag.AN: if iAN < 0 { iAN = i }
                case RISTag.TI: if iTI < 0 { iTI = i }
                case RISTag.T1: if iT1 < 0 { iT1 = i }
                case RISTag.CT: if iCT < 0 { iCT = i }
                case RISTag.BT: if iBT < 0 { iBT = i }
                case RISTag.AU, RISTag.A1:
                    forEachLine(f[i].value) { if let a = Names.parse($0) { authors.append(a) } }
                case RISTag.PY: if iPY < 0 { iPY = i }
                case RISTag.Y1: if iY1 < 0 { iY1 = i }
                case RISTag.DA: if iDA < 0 { iDA = i }
                case RISTag.Y2: if iY2 < 0 { iY2 = i }
                case RISTag.JF: if iJF < 0 { iJF = i }
                case RISTag.T2: if iT2 < 0 { iT2 = i }
                case RISTag.JO: if iJO < 0 { iJO = i }
                case RISTag.JA: if iJA < 0 { iJA = i }
                case RISTag.J2: if iJ2 < 0 { iJ2 = i }
                case RISTag.J1: if iJ1 < 0 { iJ1 = i }
                case RISTag.VL: if iVL < 0 { iVL = i }
                case RISTag.IS: if iIS < 0 { iIS = i }
                case RISTag.SP: if iSP < 0 { iSP = i }
                case RISTag.EP: if iEP < 0 { iEP = i }
                case RISTag.DO: dois.addAll(in: f[i].value)
                case RISTag.L3, RISTag.M3: secondaryDOIs.add(DOI.normalize(f[i].value))
                case RISTag.L2, RISTag.LK: forEachLine(f[i].value) { linkDOIs.add(DOI.fromLink($0)) }
                case RISTag.UR:
                    forEachLine(f[i].value) {
                        if let u = Text.inline($0) {
                            urls.append(u)
                            linkDOIs.add(DOI.fromLink(u))
                        }
                    }
                case RISTag.SN:
                    StandardNumbers.scan(f[i].value, issn: &issn, isbn: &isbn)
                case RISTag.AB: if iAB < 0 { iAB = i }
                case RISTag.N2: if iN2 < 0 { iN2 = i }
                case RISTag.KW: forEachLine(f[i].value) { if let k = Text.inline($0) { keywords.append(k) } }
                case RISTag.LA: if iLA < 0 { iLA = i }
                case RISTag.N1: notes = notes.map { $0 + "\n" + f[i].value } ?? f[i].value
                case RISTag.DB: if iDB < 0 { iDB = i }
                case RISTag.DP: if iDP < 0 { iDP = i }
                case RISTag.C2: if iC2 < 0 { iC2 = i }
                default: break
                }
            }
        }
        func value(_ i: Int) -> String? { i < 0 ? nil : fields[i].value }
        func or(_ a: Int, _ b: Int) -> Int { a >= 0 ? a : b }
        let isChapter = type == "CHAP"
        let pages: PageRange?
        if let sp = value(iSP), iEP < 0 {
            pages = Pages.parse(sp)
        } else {
            pages = Pages.make(start: value(iSP), end: value(iEP))
        }
        let db = value(iDB).flatMap(Text.inline)
        let dp = value(iDP).flatMap(Text.inline)
        var pmid: String?
        if let c2 = value(iC2).flatMap(Text.inline), isPMID(c2) {
            pmid = c2
        } else if let an = value(iAN).flatMap(Text.inline), isPMID(an), mentionsPubMed((db ?? "") + " " + (dp ?? "")) {
            pmid = an
        }
        var r = Record(
            id: "", source: RecordSource(file: "", line: line, database: db ?? dp, format: .ris),
            sourceID: value(iID).flatMap(Text.inline) ?? value(iAN).flatMap(Text.inline), type: type,
            title: value(or(iTI, or(iT1, or(iCT, isChapter ? -1 : iBT)))).flatMap(Text.inline), authors: authors,
            year: value(iPY).flatMap(Year.parse) ?? value(iY1).flatMap(Year.parse) ?? value(iDA).flatMap(Year.parse)
                ?? value(iY2).flatMap(Year.parse),
            journal: value(or(iJF, or(iT2, or(iJO, or(iJA, or(iJ2, or(iJ1, isChapter ? iBT : -1)))))))
                .flatMap(Text.inline),
            volume: value(iVL).flatMap(Text.inline), issue: value(iIS).flatMap(Text.inline), pages: pages,
            pmid: pmid, issn: issn, isbn: isbn,
            // Only the first abstract: EBSCO adds its copyright notice and PsycInfo a translation as further ABs.
            abstract: value(or(iAB, iN2)).flatMap(Text.multiline), keywords: keywords,
            language: value(iLA).flatMap(Text.inline), urls: urls, notes: notes.flatMap(Text.multiline), raw: fields)
        dois.add(contentsOf: secondaryDOIs)
        dois.add(contentsOf: linkDOIs)
        dois.apply(to: &r)
        return r
    }

    /// Calls `body` with each line of a value (the value itself when it has one line).
    @inline(__always) static func forEachLine(_ v: String, _ body: (String) -> Void) {
        if v.containsByte(0x0A) {
            var v = v
            v.withUTF8 { u in
                var start = 0
                for i in 0..<u.count where u[i] == 0x0A {
                    if i > start { body(Bytes.validString(u, start..<i)) }
                    start = i + 1
                }
                if start < u.count { body(Bytes.validString(u, start..<u.count)) }
            }
        } else {
            body(v)
        }
    }

    /// Whether a database name or provider is PubMed's (`NLM`, `PubMed`, `MEDLINE`).
    static func mentionsPubMed(_ s: String) -> Bool {
        let lower = s.lowercased()
        return lower.contains("nlm") || lower.contains("pubmed") || lower.contains("medline")
    }

    /// One to nine digits: the shape of a PubMed id.
    static func isPMID(_ s: String) -> Bool {
        let u = s.utf8
        return !u.isEmpty && u.count <= 9 && u.allSatisfy(Bytes.isDigit)
    }
}
