import Foundation

/// Recognises MEDLINE tag lines (`PMID- `, `TI  - `, `FAU - `) on raw bytes.
enum MedlineScanner {
    /// The tag's length (1–4) when the line is `TAG` padded to four characters followed by `-`.
    @inline(__always) static func tagLength(_ b: UnsafeRawBufferPointer, _ line: Range<Int>) -> Int? {
        let s = line.lowerBound
        guard line.count >= 5, b[s + 4] == 0x2D, Bytes.isUpper(b[s]) else { return nil }
        if line.count > 5 && b[s + 5] != 0x20 { return nil }
        var k = 1
        while k < 4, Bytes.isUpper(b[s + k]) || Bytes.isDigit(b[s + k]) { k += 1 }
        for j in k..<4 where b[s + j] != 0x20 { return nil }
        return k
    }
}

/// MEDLINE/PubMed (`.nbib`): records separated by blank lines, each starting with `PMID-`;
/// lines indented by spaces continue the previous tag (joined with a space, as PubMed wraps text).
struct MedlineParser: FormatParser {
    private let text: DecodedText
    private var cursor: LineCursor
    var consumed: Int { cursor.position }

    init(text: DecodedText) {
        self.text = text
        self.cursor = LineCursor(bytes: text.bytes, start: text.start, end: text.end)
    }

    mutating func next() -> ParseOutcome? {
        let b = text.bytes
        var fields: [RawField] = []
        var startLine = 0
        while let line = cursor.nextLine() {
            let t = Bytes.trim(b, line)
            if t.isEmpty {
                if !fields.isEmpty { break }
                continue
            }
            if t.lowerBound == line.lowerBound, let k = MedlineScanner.tagLength(b, line) {
                let s = line.lowerBound
                if k == 4, !fields.isEmpty, Bytes.string(b, s..<(s + 4)) == "PMID" {
                    // A new record without a blank line before it.
                    cursor.pushBack(line)
                    break
                }
                if fields.isEmpty { startLine = cursor.lineNumber }
                let tag = Bytes.string(b, s..<(s + k))
                let value = line.count > 5 ? Bytes.string(b, Bytes.trim(b, (s + 5)..<line.upperBound)) : ""
                fields.append(RawField(tag, value))
            } else if !fields.isEmpty {
                let last = fields.count - 1
                if !fields[last].value.isEmpty { fields[last].value += " " }
                fields[last].value += Bytes.string(b, t)
            } else {
                if startLine == 0 { startLine = cursor.lineNumber }
                fields.append(RawField("", Bytes.string(b, t)))
            }
        }
        guard !fields.isEmpty else { return nil }
        guard fields[0].tag == "PMID" else {
            return .malformed(line: startLine, message: "the record does not start with a PMID line")
        }
        return .record(MedlineMapping.record(fields: fields, line: startLine))
    }
}

/// Maps MEDLINE tags to the canonical fields.
enum MedlineMapping {
    static func record(fields: [RawField], line: Int) -> Record {
        var r = draftRecord(line: line, format: .medline, database: "PubMed")
        var jt: String?, ta: String?, bti: String?, dp: String?
        var abstracts: [String] = [], otherTerms: [String] = [], mesh: [String] = [], notes: [String] = []
        var dois = DOIList()
        var previous = ""
        for f in fields {
            let v = f.value
            switch f.tag {
            case "PMID":
                r.sourceID = Text.inline(v)
                if let id = r.sourceID, RISMapping.isPMID(id) { r.pmid = id }
            case "TI": if r.title == nil { r.title = Text.inline(v) }
            case "BTI": if bti == nil { bti = v }
            case "FAU": if let a = Names.parse(v) { r.authors.append(a) }
            case "AU": if previous != "FAU", let a = Names.parse(v) { r.authors.append(a) }
            case "CN": if let name = Text.inline(v) { r.authors.append(Author(family: name)) }
            case "DP": if dp == nil { dp = v }
            case "JT": if jt == nil { jt = v }
            case "TA": if ta == nil { ta = v }
            case "VI": if r.volume == nil { r.volume = Text.inline(v) }
            case "IP": if r.issue == nil { r.issue = Text.inline(v) }
            case "PG": if r.pages == nil { r.pages = Pages.parse(v) }
            case "LID", "AID":
                if v.hasSuffix("[doi]") { dois.add(DOI.normalize(String(v.dropLast(5)))) }
            case "IS":
                for x in StandardNumbers.scan(v).issn where !r.issn.contains(x) { r.issn.append(x) }
            case "ISBN":
                for x in StandardNumbers.scan(v).isbn where !r.isbn.contains(x) { r.isbn.append(x) }
            case "AB": abstracts.append(v)
            case "OT": if let k = Text.inline(v) { otherTerms.append(k) }
            case "MH": if let k = Text.inline(v) { mesh.append(k) }
            case "LA": if r.language == nil { r.language = Text.inline(v) }
            case "GN": notes.append(v)
            default: break
            }
            previous = f.tag
        }
        if r.title == nil { r.title = bti.flatMap(Text.inline) }
        r.journal = (jt ?? ta).flatMap(Text.inline)
        if r.journal == nil, bti != nil, r.title != bti.flatMap(Text.inline) { r.journal = bti.flatMap(Text.inline) }
        r.year = dp.flatMap(Year.parse)
        if jt != nil || ta != nil {
            r.type = "JOUR"
        } else if bti != nil {
            r.type = r.journal != nil ? "CHAP" : "BOOK"
        } else {
            r.type = "JOUR"
        }
        dois.apply(to: &r)
        r.abstract = Text.multiline(abstracts.joined(separator: "\n"))
        r.keywords = otherTerms + mesh
        r.notes = Text.multiline(notes.joined(separator: "\n"))
        r.raw = fields
        return r
    }
}
