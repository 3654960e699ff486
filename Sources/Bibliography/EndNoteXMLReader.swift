import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// EndNote XML (`<xml><records><record>…`), as EndNote, Zotero and Mendeley write it.
/// Text inside `<style>` wrappers is joined; every leaf element becomes a raw field named by its path below
/// `<record>` (`titles/title`, `contributors/authors/author`), and attributes become `path@name` fields.
struct EndNoteXMLParser: FormatParser {
    private var outcomes: [ParseOutcome] = []
    private var index = 0
    private var parsed = false
    private let text: DecodedText

    init(text: DecodedText) {
        self.text = text
    }

    mutating func next() -> ParseOutcome? {
        if !parsed {
            parsed = true
            let b = text.bytes
            let slice = UnsafeRawBufferPointer(rebasing: b[text.start..<text.end])
            let data: Data
            if let cleaned = XMLDeclarations.removed(from: b, start: text.start, end: text.end) {
                data = Data(cleaned)
            } else if let base = slice.baseAddress, slice.count > 0 {
                data = Data(
                    bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: slice.count, deallocator: .none)
            } else {
                data = Data()
            }
            let collector = EndNoteXMLCollector()
            let parser = XMLParser(data: data)
            parser.shouldProcessNamespaces = false
            parser.shouldResolveExternalEntities = false
            collector.parser = parser
            parser.delegate = collector
            // FoundationXML may recover from an error and still return true, so errors are caught by the delegate.
            let ok = parser.parse()
            outcomes = collector.outcomes
            if !ok || collector.errorLine != nil {
                let line = collector.inRecord ? collector.recordLine : max(collector.errorLine ?? parser.lineNumber, 1)
                let code =
                    (collector.error ?? parser.parserError).map { error -> String in
                        let ns = error as NSError
                        return XMLParser.ErrorCode(rawValue: ns.code).map { "\($0)" } ?? "error \(ns.code)"
                    } ?? "invalid XML"
                let place = collector.inRecord ? "in this record" : "after the last complete record"
                outcomes.append(
                    .malformed(
                        line: line,
                        message:
                            "XML syntax error \(place) at line \(collector.errorLine ?? parser.lineNumber) (\(code)); "
                            + "the rest of the file was not read"))
            }
        }
        guard index < outcomes.count else { return nil }
        defer { index += 1 }
        return outcomes[index]
    }
}

/// Removes what XMLParser must not see: processing instructions (the XML declaration among them) and document type
/// declarations. Their line feeds are kept, so line numbers do not move.
///
/// The text is always UTF-8 by now (`DecodedText`), which is what XML assumes without a declaration, so the
/// declaration's `encoding` could only mislead libxml2. FoundationXML on Linux crashes (SIGSEGV, `strlen` of a null
/// pointer) on a processing instruction without data, such as `<?xml-stylesheet?>`, which a DTD's entities can also
/// produce (`<!ENTITY e "&#60;?x?&#62;">`); EndNote, Zotero and Mendeley write neither, and records never need them.
/// Every `<?` goes, even inside comments and CDATA sections: libxml2 reads on after syntax errors (XMLParser turns
/// on its recovery), and where it then sees markup is not worth second-guessing. Removing one can join `<` and `?`
/// across the gap (`<<??>?h?>`), so passes repeat until nothing is left to remove.
enum XMLDeclarations {
    /// The bytes without those declarations, or nil when there are none to remove.
    static func removed(from b: UnsafeRawBufferPointer, start: Int, end: Int) -> [UInt8]? {
        guard var out = pass(b, start: start, end: end) else { return nil }
        while let again = out.withUnsafeBytes({ pass($0, start: 0, end: $0.count) }) { out = again }
        return out
    }

    private static func pass(_ b: UnsafeRawBufferPointer, start: Int, end: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var kept = start  // b[kept..<i] still has to be copied
        var i = start
        func drop(_ r: Range<Int>) {
            if kept == start { out.reserveCapacity(end - start) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[kept..<r.lowerBound]))
            for k in r where b[k] == 0x0A { out.append(0x0A) }
            kept = r.upperBound
        }
        while i + 1 < end {
            guard b[i] == 0x3C else {  // <
                i += 1
                continue
            }
            if b[i + 1] == 0x3F {  // <? … ?>
                let stop = find(b, "?>", from: i + 2, end: end).map { $0 + 2 } ?? end
                drop(i..<stop)
                i = stop
            } else if starts(b, i, end, "<!DOCTYPE") {
                let stop = doctypeEnd(b, from: i + 9, end: end)
                drop(i..<stop)
                i = stop
            } else {
                i += 1
            }
        }
        if kept == start { return nil }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[kept..<end]))
        return out
    }

    /// Just past the `>` that closes a document type declaration, skipping its quoted strings, comments and
    /// processing instructions and its internal subset in brackets; `end` when it is not closed.
    private static func doctypeEnd(_ b: UnsafeRawBufferPointer, from: Int, end: Int) -> Int {
        var depth = 0
        var i = from
        while i < end {
            let c = b[i]
            switch c {
            case 0x22, 0x27:  // " '
                var k = i + 1
                while k < end && b[k] != c { k += 1 }
                i = k + 1
            case 0x5B:  // [
                depth += 1
                i += 1
            case 0x5D:  // ]
                depth = max(depth - 1, 0)
                i += 1
            case 0x3E where depth == 0: return i + 1  // >
            case 0x3C where starts(b, i, end, "<!--"):
                i = find(b, "-->", from: i + 4, end: end).map { $0 + 3 } ?? end
            case 0x3C where starts(b, i, end, "<?"):
                i = find(b, "?>", from: i + 2, end: end).map { $0 + 2 } ?? end
            default: i += 1
            }
        }
        return end
    }

    private static func starts(_ b: UnsafeRawBufferPointer, _ i: Int, _ end: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard end - i >= n else { return false }
        let p = s.utf8Start
        for k in 0..<n where b[i + k] != p[k] { return false }
        return true
    }

    private static func find(_ b: UnsafeRawBufferPointer, _ s: StaticString, from: Int, end: Int) -> Int? {
        let n = s.utf8CodeUnitCount
        let first = s.utf8Start[0]
        var i = from
        while i + n <= end {
            if b[i] == first && starts(b, i, end, s) { return i }
            i += 1
        }
        return nil
    }
}

private final class EndNoteXMLCollector: NSObject, XMLParserDelegate {
    struct Frame {
        var name: String
        var text = ""
        var hadChild = false
    }

    var outcomes: [ParseOutcome] = []
    var inRecord = false
    var recordLine = 0
    var error: (any Error)?
    var errorLine: Int?
    weak var parser: XMLParser?
    private var stack: [Frame] = []
    private var fields: [RawField] = []

    private var path: String { stack.map(\.name).joined(separator: "/") }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        guard errorLine == nil else { return }
        if !inRecord {
            if elementName == "record" {
                inRecord = true
                recordLine = parser.lineNumber
                stack = []
                fields = []
            }
            return
        }
        if elementName == "style" { return }
        if !stack.isEmpty { stack[stack.count - 1].hadChild = true }
        stack.append(Frame(name: elementName))
        for key in attributes.keys.sorted() {
            if let value = attributes[key] { fields.append(RawField(path + "@" + key, value)) }
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard errorLine == nil else { return }
        error = parseError
        errorLine = parser.lineNumber
        // No `parser.abortParsing()` here: stopping libxml2 (2.9.14) from inside its error callback makes the next
        // `xmlParseChunk` dereference a null input buffer when the document declares an encoding libxml2 converts
        // through iconv (`encoding="UTF-7"` followed by a NUL byte crashes with SIGSEGV). Every other callback
        // ignores what comes after the first error instead.
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard errorLine == nil, inRecord, !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard errorLine == nil, inRecord, !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard errorLine == nil, inRecord else { return }
        if elementName == "style" { return }
        if elementName == "record" && stack.isEmpty {
            outcomes.append(.record(EndNoteXMLMapping.record(fields: fields, line: recordLine)))
            inRecord = false
            return
        }
        guard let frame = stack.last else { return }
        let name = path
        stack.removeLast()
        if !frame.hadChild && !frame.text.isEmpty { fields.append(RawField(name, frame.text)) }
    }
}

/// Maps EndNote XML paths to the canonical fields.
enum EndNoteXMLMapping {
    private static let typeNumbers: [String: String] = [
        "17": "JOUR", "6": "BOOK", "5": "CHAP", "10": "CONF", "47": "CPAPER", "32": "THES", "27": "RPRT", "13": "GEN",
        "12": "ELEC", "43": "EJOUR", "19": "MGZN", "23": "NEWS", "25": "PAT", "59": "DATA", "34": "UNPB",
        "28": "EDBOOK",
    ]

    static func record(fields: [RawField], line: Int) -> Record {
        var r = draftRecord(line: line, format: .endnoteXML)
        var typeName: String?, typeNumber: String?, fullTitle: String?, secondaryTitle: String?, altTitle: String?
        var abbr: String?, number: String?, issue: String?, pubDate: String?, accession: String?
        var remoteName: String?, remoteProvider: String?
        var dois = DOIList()
        var notes: [String] = []
        for f in fields {
            let v = f.value
            switch f.tag {
            case "rec-number": if r.sourceID == nil { r.sourceID = Text.inline(v) }
            case "ref-type@name": typeName = v
            case "ref-type": typeNumber = Text.inline(v)
            case "contributors/authors/author":
                RISMapping.forEachLine(v) { if let a = Names.parse($0) { r.authors.append(a) } }
            case "titles/title": if r.title == nil { r.title = Text.inline(v) }
            case "titles/secondary-title": if secondaryTitle == nil { secondaryTitle = v }
            case "periodical/full-title": if fullTitle == nil { fullTitle = v }
            case "alt-periodical/full-title": if altTitle == nil { altTitle = v }
            case "periodical/abbr-1", "alt-periodical/abbr-1", "titles/alt-title": if abbr == nil { abbr = v }
            case "pages": if r.pages == nil { r.pages = Pages.parse(v) }
            case "volume": if r.volume == nil { r.volume = Text.inline(v) }
            case "number": if number == nil { number = v }
            case "issue": if issue == nil { issue = v }
            case "dates/year": if r.year == nil { r.year = Year.parse(v) }
            case "dates/pub-dates/date": if pubDate == nil { pubDate = v }
            case "isbn":
                StandardNumbers.scan(v, issn: &r.issn, isbn: &r.isbn)
            case "electronic-resource-num": dois.addAll(in: v)
            case "accession-num": if accession == nil { accession = Text.inline(v) }
            case "remote-database-name": if remoteName == nil { remoteName = Text.inline(v) }
            case "remote-database-provider": if remoteProvider == nil { remoteProvider = Text.inline(v) }
            case "abstract": if r.abstract == nil { r.abstract = Text.multiline(v) }
            case "notes": notes.append(v)
            case "keywords/keyword": RISMapping.forEachLine(v) { if let k = Text.inline($0) { r.keywords.append(k) } }
            case "language": if r.language == nil { r.language = Text.inline(v) }
            case "urls/related-urls/url", "urls/web-urls/url":
                for token in v.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
                    guard let u = Text.inline(String(token)) else { continue }
                    if !r.urls.contains(u) { r.urls.append(u) }
                    dois.add(DOI.fromLink(u))
                }
            default: break
            }
        }
        if r.year == nil { r.year = pubDate.flatMap(Year.parse) }
        r.type = typeName.flatMap(ReferenceType.code) ?? typeNumber.flatMap { typeNumbers[$0] } ?? "GEN"
        r.journal = (fullTitle ?? secondaryTitle ?? altTitle ?? abbr).flatMap(Text.inline)
        r.issue = (issue ?? number).flatMap(Text.inline)
        dois.apply(to: &r)
        let provider = [remoteName, remoteProvider].compactMap { $0 }.joined(separator: " ")
        if let accession, RISMapping.isPMID(accession), provider.isEmpty || RISMapping.mentionsPubMed(provider) {
            r.pmid = accession
        }
        r.notes = Text.multiline(notes.joined(separator: "\n"))
        r.source.database = remoteName ?? remoteProvider
        r.raw = fields
        return r
    }
}
