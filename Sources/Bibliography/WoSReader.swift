import Foundation

/// Web of Science plain text: `FN`/`VR` header, records from `PT` to `ER`, two-letter tags followed by a space,
/// continuation lines indented by three spaces, `EF` at the end.
struct WoSParser: FormatParser {
    private let text: DecodedText
    private var cursor: LineCursor
    var consumed: Int { cursor.position }

    init(text: DecodedText) {
        self.text = text
        self.cursor = LineCursor(bytes: text.bytes, start: text.start, end: text.end)
    }

    /// A tag line: two characters (a capital, then a capital or digit) followed by a space or the end of the line.
    @inline(__always) static func tagCode(_ b: UnsafeRawBufferPointer, _ line: Range<Int>) -> UInt16? {
        let s = line.lowerBound
        guard line.count >= 2, Bytes.isUpper(b[s]), Bytes.isUpper(b[s + 1]) || Bytes.isDigit(b[s + 1]) else {
            return nil
        }
        guard line.count == 2 || b[s + 2] == 0x20 else { return nil }
        return UInt16(b[s]) << 8 | UInt16(b[s + 1])
    }

    private static let PT: UInt16 = 0x5054, ER: UInt16 = 0x4552, EF: UInt16 = 0x4546, FN: UInt16 = 0x464E
    private static let VR: UInt16 = 0x5652

    mutating func next() -> ParseOutcome? {
        let b = text.bytes
        var fields: [RawField] = []
        var inRecord = false
        var startLine = 0
        var orphanLine = 0
        while let line = cursor.nextLine() {
            if let code = WoSParser.tagCode(b, line) {
                let s = line.lowerBound
                if code == WoSParser.PT {
                    if inRecord || orphanLine > 0 {
                        let ptLine = cursor.lineNumber
                        cursor.pushBack(line)
                        if inRecord {
                            return .malformed(
                                line: startLine,
                                message: "the record has no ER line before the next PT (line \(ptLine))")
                        }
                        return .malformed(
                            line: orphanLine, message: "tagged lines before line \(ptLine) have no PT line")
                    }
                    inRecord = true
                    startLine = cursor.lineNumber
                } else if code == WoSParser.ER {
                    if inRecord { return .record(WoSMapping.record(fields: fields, line: startLine, format: .wos)) }
                    if orphanLine > 0 {
                        return .malformed(
                            line: orphanLine,
                            message: "a record ending with ER at line \(cursor.lineNumber) has no PT line")
                    }
                    continue
                } else if !inRecord {
                    if code == WoSParser.FN || code == WoSParser.VR || code == WoSParser.EF { continue }
                    if orphanLine == 0 { orphanLine = cursor.lineNumber }
                    continue
                }
                let tag = Bytes.string(b, s..<(s + 2))
                let value = line.count > 3 ? Bytes.string(b, Bytes.trim(b, (s + 3)..<line.upperBound)) : ""
                fields.append(RawField(tag, value))
            } else if inRecord {
                let t = Bytes.trim(b, line)
                guard !t.isEmpty, !fields.isEmpty else { continue }
                let last = fields.count - 1
                if !fields[last].value.isEmpty { fields[last].value += "\n" }
                fields[last].value += Bytes.string(b, t)
            }
        }
        if inRecord {
            return .malformed(line: startLine, message: "the record has no ER line before the end of the file")
        }
        if orphanLine > 0 {
            return .malformed(line: orphanLine, message: "tagged lines at the end of the file have no PT line")
        }
        return nil
    }
}

/// Maps Web of Science tags (plain text or tab-delimited) to the canonical fields.
/// Values of list tags (`AU`, `AF`…) hold one item per line.
enum WoSMapping {
    static let listTags: Set<String> = ["AU", "AF", "BA", "BF", "BE", "CA", "GP", "CR"]

    static let databasesByPrefix: [(String, String)] = [
        ("WOS:", "Web of Science"), ("ZOOREC:", "Zoological Record"), ("MEDLINE:", "MEDLINE"),
        ("BCI:", "BIOSIS Citation Index"), ("BIOSIS:", "BIOSIS Previews"), ("CCC:", "Current Contents Connect"),
        ("CABI:", "CAB Abstracts"), ("INSPEC:", "Inspec"), ("SCIELO:", "SciELO Citation Index"),
        ("KJD:", "KCI-Korean Journal Database"), ("RSCI:", "Russian Science Citation Index"),
        ("DIIDW:", "Derwent Innovations Index"), ("DRCI:", "Data Citation Index"), ("FSTA:", "FSTA"),
        ("GRANTS:", "Grants Index"), ("PQDT:", "ProQuest Dissertations & Theses Citation Index"),
    ]

    static func record(fields: [RawField], line: Int, format: RecordFormat) -> Record {
        var r = draftRecord(line: line, format: format)
        var af: [Author] = [], au: [Author] = []
        var pt: String?, dt: String?, py: String?, pd: String?, ea: String?, bp: String?, ep: String?, ps: String?
        var dois = DOIList()
        for f in fields {
            let v = f.value
            switch f.tag {
            case "PT": if pt == nil { pt = Text.inline(v) }
            case "DT": if dt == nil { dt = Text.inline(v) }
            case "UT": if r.sourceID == nil { r.sourceID = Text.inline(v) }
            case "TI": if r.title == nil { r.title = Text.inline(v) }
            case "AF": RISMapping.forEachLine(v) { if let a = Names.parse($0) { af.append(a) } }
            case "AU": RISMapping.forEachLine(v) { if let a = Names.parse($0) { au.append(a) } }
            case "PY": if py == nil { py = v }
            case "PD": if pd == nil { pd = v }
            case "EA", "EY": if ea == nil { ea = v }
            case "SO": if r.journal == nil { r.journal = Text.inline(v) }
            case "VL": if r.volume == nil { r.volume = Text.inline(v) }
            case "IS": if r.issue == nil { r.issue = Text.inline(v) }
            case "BP": if bp == nil { bp = v }
            case "EP": if ep == nil { ep = v }
            case "PS": if ps == nil { ps = v }
            case "DI", "D2": dois.addAll(in: v)
            case "PM": if r.pmid == nil, let p = Text.inline(v), RISMapping.isPMID(p) { r.pmid = p }
            case "SN", "EI":
                for x in StandardNumbers.scan(v).issn where !r.issn.contains(x) { r.issn.append(x) }
            case "BN":
                for x in StandardNumbers.scan(v).isbn where !r.isbn.contains(x) { r.isbn.append(x) }
            case "AB": if r.abstract == nil { r.abstract = Text.inline(v) }
            case "DE", "ID":
                if let joined = Text.inline(v) {
                    for k in Text.splitTopLevel(joined, separators: [";"]) where !r.keywords.contains(k) {
                        r.keywords.append(k)
                    }
                }
            case "LA": if r.language == nil { r.language = Text.inline(v) }
            default: break
            }
        }
        r.authors = af.isEmpty ? au : af
        r.year = py.flatMap(Year.parse) ?? pd.flatMap(Year.parse) ?? ea.flatMap(Year.parse)
        if bp != nil || ep != nil {
            r.pages = Pages.make(start: bp, end: ep)
        } else if let ps {
            r.pages = Pages.parse(ps)
        }
        dois.apply(to: &r)
        let docType = (dt ?? "").lowercased()
        switch pt?.uppercased() {
        case "B": r.type = docType.contains("chapter") ? "CHAP" : "BOOK"
        case "P": r.type = "PAT"
        default:
            if docType.contains("proceedings paper") {
                r.type = "CONF"
            } else if docType.contains("book chapter") {
                r.type = "CHAP"
            } else {
                r.type = "JOUR"
            }
        }
        r.source.database = "Web of Science"
        if let ut = r.sourceID?.uppercased() {
            for (prefix, name) in databasesByPrefix where ut.hasPrefix(prefix) {
                r.source.database = name
                break
            }
        }
        r.raw = fields
        return r
    }
}
