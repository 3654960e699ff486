import Foundation

/// The export formats ReviewTrail reads; the raw value is what `source.format` records.
public enum RecordFormat: String, Sendable, Codable, CaseIterable, Hashable {
    /// RIS (EndNote, Zotero, Mendeley, Ovid, EBSCO, ProQuest, Scopus, Embase, Rayyan…).
    case ris
    /// MEDLINE/PubMed tagged text (`.nbib`, `.txt`).
    case medline
    /// Web of Science plain text (`FN`/`VR` header, two-letter tags, `ER` per record).
    case wos
    /// Web of Science tab-delimited (a header row of tags, one record per row).
    case wosTab = "wos-tab"
    /// Comma-, semicolon- or tab-separated values with a header row (Scopus, Embase, Rayyan, Zotero, generic).
    case csv
    /// EndNote XML (also written by Zotero and Mendeley).
    case endnoteXML = "endnote-xml"
    /// BibTeX.
    case bibtex
    /// ReviewTrail's own JSON Lines records.
    case jsonLines = "jsonl"

    /// Guesses the format of an export from its first bytes (after any byte-order mark).
    /// - Returns: nil when the content matches no supported format.
    public static func detect(data: Data) -> RecordFormat? {
        let buffer = ByteBuffer(data: data.prefix(1 << 16))
        let text = DecodedText.decode(buffer, file: "")
        return detect(text.bytes, start: text.start, end: text.end)
    }

    static func detect(_ b: UnsafeRawBufferPointer, start: Int, end: Int) -> RecordFormat? {
        let limit = min(end, start + (1 << 16))
        var cursor = LineCursor(bytes: b, start: start, end: limit)
        var sawFirst = false
        var risLines = 0
        var medlineLines = 0
        while let line = cursor.nextLine(), cursor.lineNumber <= 2000 {
            let t = Bytes.trim(b, line)
            if t.isEmpty { continue }
            let c0 = b[t.lowerBound]
            let indented = t.lowerBound != line.lowerBound
            if !sawFirst {
                sawFirst = true
                if c0 == 0x3C { return .endnoteXML }  // <
                if c0 == 0x7B { return .jsonLines }  // {
                if c0 == 0x40 { return .bibtex }  // @
                if starts(b, t, "FN ") || starts(b, t, "PT ") { return .wos }
                if isWoSTabHeader(b, t) { return .wosTab }
                let tagged = RISScanner.isTagLine(b, line) || MedlineScanner.tagLength(b, line) != nil
                if !tagged && !isRecordNumber(b, t) {
                    var separators = 0
                    for i in t where b[i] == 0x2C || b[i] == 0x09 || b[i] == 0x3B { separators += 1 }
                    // A header row, unless tagged records follow a line of prose (`Provider: …, Inc.`).
                    if separators >= 1 { return taggedFormat(b, from: cursor) ?? .csv }
                }
            }
            if c0 == 0x25 { continue }  // BibTeX comment line before the first entry
            if c0 == 0x40, !indented { return .bibtex }
            if !indented, RISScanner.isTagLine(b, line) {
                risLines += 1
                if starts(b, line, "TY  -") { return .ris }
            }
            if !indented, MedlineScanner.tagLength(b, line) != nil {
                medlineLines += 1
                if starts(b, line, "PMID-") { return .medline }
            }
        }
        if risLines > 0 && risLines >= medlineLines { return .ris }
        if medlineLines > 0 { return .medline }
        return nil
    }

    /// RIS or MEDLINE when a `TY  -` or `PMID-` line starts a line further on.
    private static func taggedFormat(_ b: UnsafeRawBufferPointer, from cursor: LineCursor) -> RecordFormat? {
        var cursor = cursor
        while let line = cursor.nextLine(), cursor.lineNumber <= 200 {
            if starts(b, line, "TY  -") { return .ris }
            if starts(b, line, "PMID-") { return .medline }
        }
        return nil
    }

    private static func starts(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard r.count >= p.count else { return false }
        for (k, c) in p.enumerated() where b[r.lowerBound + k] != c { return false }
        return true
    }

    /// `1.` or `12` alone on a line, as Ovid writes before each record.
    private static func isRecordNumber(_ b: UnsafeRawBufferPointer, _ t: Range<Int>) -> Bool {
        for i in t where !(Bytes.isDigit(b[i]) || b[i] == 0x2E) { return false }
        return true
    }

    private static func isWoSTabHeader(_ b: UnsafeRawBufferPointer, _ t: Range<Int>) -> Bool {
        guard t.count >= 6 else { return false }
        let head = Bytes.string(b, t.lowerBound..<min(t.upperBound, t.lowerBound + 200))
        return head.hasPrefix("PT\t") || head.hasPrefix("PT\tAU") || (head.hasPrefix("AU\t") && head.contains("\tTI\t"))
    }
}
