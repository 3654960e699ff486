import Foundation

/// The canonical JSON of a record: sorted keys, snake_case, no white space, empty values omitted.
/// Written by hand so the bytes never depend on an encoder's version.
enum CanonicalJSON {
    static func append(_ r: Record, to out: inout [UInt8]) {
        out.append(0x7B)
        var first = true
        func key(_ k: StaticString) {
            if !first { out.append(0x2C) }
            first = false
            out.append(0x22)
            k.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(0x22)
            out.append(0x3A)
        }
        if let v = r.abstract { key("abstract"); string(v, &out) }
        if !r.authors.isEmpty {
            key("authors")
            out.append(0x5B)
            for (i, a) in r.authors.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(contentsOf: "{\"family\":".utf8)
                string(a.family, &out)
                if let g = a.given {
                    out.append(contentsOf: ",\"given\":".utf8)
                    string(g, &out)
                }
                out.append(0x7D)
            }
            out.append(0x5D)
        }
        if let v = r.doi { key("doi"); string(v, &out) }
        if !r.dois.isEmpty { key("dois"); strings(r.dois, &out) }
        key("id")
        string(r.id, &out)
        if !r.isbn.isEmpty { key("isbn"); strings(r.isbn, &out) }
        if !r.issn.isEmpty { key("issn"); strings(r.issn, &out) }
        if let v = r.issue { key("issue"); string(v, &out) }
        if let v = r.journal { key("journal"); string(v, &out) }
        if !r.keywords.isEmpty { key("keywords"); strings(r.keywords, &out) }
        if let v = r.language { key("language"); string(v, &out) }
        if !r.members.isEmpty { key("members"); strings(r.members, &out) }
        if let v = r.notes { key("notes"); string(v, &out) }
        if let p = r.pages, !p.isEmpty {
            key("pages")
            out.append(0x7B)
            if let e = p.end {
                out.append(contentsOf: "\"end\":".utf8)
                string(e, &out)
            }
            if let s = p.start {
                if p.end != nil { out.append(0x2C) }
                out.append(contentsOf: "\"start\":".utf8)
                string(s, &out)
            }
            out.append(0x7D)
        }
        if let v = r.pmid { key("pmid"); string(v, &out) }
        if !r.raw.isEmpty {
            key("raw")
            out.append(0x5B)
            for (i, f) in r.raw.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(0x5B)
                string(f.tag, &out)
                out.append(0x2C)
                string(f.value, &out)
                out.append(0x5D)
            }
            out.append(0x5D)
        }
        key("source")
        out.append(0x7B)
        if let d = r.source.database {
            out.append(contentsOf: "\"database\":".utf8)
            string(d, &out)
            out.append(0x2C)
        }
        out.append(contentsOf: "\"file\":".utf8)
        string(r.source.file, &out)
        out.append(contentsOf: ",\"format\":".utf8)
        string(r.source.format.rawValue, &out)
        out.append(contentsOf: ",\"line\":".utf8)
        out.append(contentsOf: String(r.source.line).utf8)
        out.append(0x7D)
        if let v = r.sourceID { key("source_id"); string(v, &out) }
        if let v = r.title { key("title"); string(v, &out) }
        if let v = r.type { key("type"); string(v, &out) }
        if !r.urls.isEmpty { key("urls"); strings(r.urls, &out) }
        if let v = r.volume { key("volume"); string(v, &out) }
        if let v = r.year {
            key("year")
            out.append(contentsOf: String(v).utf8)
        }
        out.append(0x7D)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func string(_ s: String, _ out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { u in
            // Copy runs that need no escaping in one go; skip sixteen bytes at a time when none of them is a control
            // character, a quote or a backslash.
            var run = 0
            var i = 0
            let n = u.count
            guard let base = u.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            let space = SIMD16<UInt8>(repeating: 0x20)
            let quote = SIMD16<UInt8>(repeating: 0x22)
            let backslash = SIMD16<UInt8>(repeating: 0x5C)
            while i < n {
                if i + 16 <= n {
                    let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                    if !SIMDLanes.any((v .< space) .| (v .== quote) .| (v .== backslash)) {
                        i += 16
                        continue
                    }
                } else if n >= 16 {
                    // The last bytes: the last sixteen at once.
                    let v = raw.loadUnaligned(fromByteOffset: n - 16, as: SIMD16<UInt8>.self)
                    if !SIMDLanes.any((v .< space) .| (v .== quote) .| (v .== backslash)) { break }
                }
                let stop = min(n, i + 16)
                while i < stop {
                    let c = u[i]
                    i += 1
                    guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                    let at = i - 1
                    if run < at { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<at])) }
                    run = i
                    switch c {
                    case 0x22: out.append(0x5C); out.append(0x22)
                    case 0x5C: out.append(0x5C); out.append(0x5C)
                    case 0x0A: out.append(0x5C); out.append(0x6E)
                    case 0x0D: out.append(0x5C); out.append(0x72)
                    case 0x09: out.append(0x5C); out.append(0x74)
                    case 0x08: out.append(0x5C); out.append(0x62)
                    case 0x0C: out.append(0x5C); out.append(0x66)
                    default: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
                    }
                }
            }
            if run < u.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<u.count])) }
        }
        out.append(0x22)
    }

    private static func strings(_ list: [String], _ out: inout [UInt8]) {
        out.append(0x5B)
        for (i, s) in list.enumerated() {
            if i > 0 { out.append(0x2C) }
            string(s, &out)
        }
        out.append(0x5D)
    }
}

/// Reads ReviewTrail's JSON Lines back: one record per line, blank lines ignored.
struct JSONLinesParser: FormatParser {
    private let text: DecodedText
    private var cursor: LineCursor
    var consumed: Int { cursor.position }

    init(text: DecodedText) {
        self.text = text
        self.cursor = LineCursor(bytes: text.bytes, start: text.start, end: text.end)
    }

    mutating func next() -> ParseOutcome? {
        let b = text.bytes
        while let line = cursor.nextLine() {
            let t = Bytes.trim(b, line)
            if t.isEmpty { continue }
            var decoder = RecordJSONDecoder(bytes: b, range: t)
            do {
                return .record(try decoder.record())
            } catch {
                return .malformed(
                    line: cursor.lineNumber, message: "\(error.message) (column \(error.offset - t.lowerBound + 1))")
            }
        }
        return nil
    }
}

/// A JSON reader for exactly the shape `CanonicalJSON` writes (keys in any order, white space allowed, unknown
/// keys skipped), working on the bytes: several times faster than `JSONDecoder` on large files.
struct RecordJSONDecoder {
    struct Failure: Error {
        let message: String
        let offset: Int
    }

    private let b: UnsafeRawBufferPointer
    private var i: Int
    private let end: Int

    init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.b = bytes
        self.i = range.lowerBound
        self.end = range.upperBound
    }

    mutating func record() throws(Failure) -> Record {
        var r = Record(id: "", source: RecordSource(file: "", line: 0, format: .ris))
        var hasID = false
        var hasSource = false
        try object { (d: inout RecordJSONDecoder, key: String) throws(Failure) in
            switch key {
            case "id": r.id = try d.string(); hasID = true
            case "source": r.source = try d.source(); hasSource = true
            case "source_id": r.sourceID = try d.optionalString()
            case "type": r.type = try d.optionalString()
            case "title": r.title = try d.optionalString()
            case "authors": r.authors = try d.authors()
            case "year": r.year = try d.optionalInt()
            case "journal": r.journal = try d.optionalString()
            case "volume": r.volume = try d.optionalString()
            case "issue": r.issue = try d.optionalString()
            case "pages": r.pages = try d.pages()
            case "doi": r.doi = try d.optionalString()
            case "dois": r.dois = try d.strings()
            case "pmid": r.pmid = try d.optionalString()
            case "issn": r.issn = try d.strings()
            case "isbn": r.isbn = try d.strings()
            case "abstract": r.abstract = try d.optionalString()
            case "keywords": r.keywords = try d.strings()
            case "language": r.language = try d.optionalString()
            case "urls": r.urls = try d.strings()
            case "members": r.members = try d.strings()
            case "notes": r.notes = try d.optionalString()
            case "raw": r.raw = try d.rawFields()
            default: try d.skipValue()
            }
        }
        skipSpace()
        guard i == end else { throw Failure(message: "text after the record", offset: i) }
        guard hasID else { throw Failure(message: "the record has no \"id\"", offset: i) }
        guard hasSource else { throw Failure(message: "the record has no \"source\"", offset: i) }
        return r
    }

    // MARK: - Values of the record's fields

    private mutating func source() throws(Failure) -> RecordSource {
        var source = RecordSource(file: "", line: 0, format: .ris)
        var hasFile = false
        var hasFormat = false
        try object { (d: inout RecordJSONDecoder, key: String) throws(Failure) in
            switch key {
            case "file": source.file = try d.string(); hasFile = true
            case "line": source.line = try d.int()
            case "database": source.database = try d.optionalString()
            case "format":
                let at = d.i
                let name = try d.string()
                guard let format = RecordFormat(rawValue: name) else {
                    throw Failure(message: "\"\(name)\" is not a record format", offset: at)
                }
                source.format = format
                hasFormat = true
            default: try d.skipValue()
            }
        }
        guard hasFile, hasFormat else { throw Failure(message: "the source needs a file and a format", offset: i) }
        return source
    }

    private mutating func authors() throws(Failure) -> [Author] {
        var list: [Author] = []
        try array { (d: inout RecordJSONDecoder) throws(Failure) in
            var family: String?
            var given: String?
            try d.object { (d: inout RecordJSONDecoder, key: String) throws(Failure) in
                switch key {
                case "family": family = try d.string()
                case "given": given = try d.optionalString()
                default: try d.skipValue()
                }
            }
            guard let family else { throw Failure(message: "an author has no family name", offset: d.i) }
            list.append(Author(family: family, given: given))
        }
        return list
    }

    private mutating func pages() throws(Failure) -> PageRange? {
        if takeNull() { return nil }
        var start: String?
        var end: String?
        try object { (d: inout RecordJSONDecoder, key: String) throws(Failure) in
            switch key {
            case "start": start = try d.optionalString()
            case "end": end = try d.optionalString()
            default: try d.skipValue()
            }
        }
        let range = PageRange(start: start, end: end)
        return range.isEmpty ? nil : range
    }

    private mutating func rawFields() throws(Failure) -> [RawField] {
        var list: [RawField] = []
        try array { (d: inout RecordJSONDecoder) throws(Failure) in
            try d.expect(0x5B, "a raw field is a [tag, value] pair")
            let tag = try d.string()
            try d.expect(0x2C, "a raw field is a [tag, value] pair")
            let value = try d.string()
            try d.expect(0x5D, "a raw field is a [tag, value] pair")
            list.append(RawField(tag, value))
        }
        return list
    }

    private mutating func strings() throws(Failure) -> [String] {
        if takeNull() { return [] }
        var list: [String] = []
        try array { (d: inout RecordJSONDecoder) throws(Failure) in list.append(try d.string()) }
        return list
    }

    // MARK: - JSON syntax

    private mutating func skipSpace() {
        while i < end {
            let c = b[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws(Failure) {
        skipSpace()
        guard i < end, b[i] == byte else { throw Failure(message: message, offset: i) }
        i += 1
    }

    private mutating func takeNull() -> Bool {
        skipSpace()
        guard i + 4 <= end, b[i] == 0x6E, b[i + 1] == 0x75, b[i + 2] == 0x6C, b[i + 3] == 0x6C else { return false }
        i += 4
        return true
    }

    /// Calls `member` for every key of an object; the reader stands at the key's value.
    private mutating func object(_ member: (inout RecordJSONDecoder, String) throws(Failure) -> Void) throws(Failure) {
        try expect(0x7B, "expected an object")
        skipSpace()
        if i < end, b[i] == 0x7D {
            i += 1
            return
        }
        while true {
            let key = try string()
            try expect(0x3A, "expected ':' after the key \"\(key)\"")
            do {
                try member(&self, key)
            } catch {
                throw Failure(message: "\"\(key)\": \(error.message)", offset: error.offset)
            }
            skipSpace()
            guard i < end else { throw Failure(message: "the object is not closed", offset: i) }
            if b[i] == 0x2C {
                i += 1
                continue
            }
            guard b[i] == 0x7D else { throw Failure(message: "expected ',' or '}'", offset: i) }
            i += 1
            return
        }
    }

    private mutating func array(_ element: (inout RecordJSONDecoder) throws(Failure) -> Void) throws(Failure) {
        try expect(0x5B, "expected an array")
        skipSpace()
        if i < end, b[i] == 0x5D {
            i += 1
            return
        }
        while true {
            try element(&self)
            skipSpace()
            guard i < end else { throw Failure(message: "the array is not closed", offset: i) }
            if b[i] == 0x2C {
                i += 1
                continue
            }
            guard b[i] == 0x5D else { throw Failure(message: "expected ',' or ']'", offset: i) }
            i += 1
            return
        }
    }

    private mutating func optionalString() throws(Failure) -> String? {
        takeNull() ? nil : try string()
    }

    private mutating func string() throws(Failure) -> String {
        skipSpace()
        guard i < end, b[i] == 0x22 else { throw Failure(message: "expected a string", offset: i) }
        i += 1
        let start = i
        while i < end {
            let c = b[i]
            if c == 0x22 {
                let s = Bytes.string(b, start..<i)
                i += 1
                return s
            }
            if c == 0x5C { break }
            i += 1
        }
        // With escapes: build the bytes.
        var out = Array(UnsafeRawBufferPointer(rebasing: b[start..<i]))
        while i < end {
            let c = b[i]
            if c == 0x22 {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard c == 0x5C else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < end else { break }
            let e = b[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 1 < end, b[i] == 0x5C, b[i + 1] == 0x75 else {
                        throw Failure(message: "a lone UTF-16 surrogate", offset: i)
                    }
                    i += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else {
                        throw Failure(message: "a lone UTF-16 surrogate", offset: i)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw Failure(message: "an invalid \\u escape", offset: i) }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw Failure(message: "an invalid escape", offset: i - 1)
            }
        }
        throw Failure(message: "the string is not closed", offset: start)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= end else { throw Failure(message: "a short \\u escape", offset: i) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: throw Failure(message: "a bad \\u escape", offset: i)
            }
            v = v << 4 | digit
            i += 1
        }
        return v
    }

    private mutating func optionalInt() throws(Failure) -> Int? {
        takeNull() ? nil : try int()
    }

    private mutating func int() throws(Failure) -> Int {
        skipSpace()
        var negative = false
        if i < end, b[i] == 0x2D {
            negative = true
            i += 1
        }
        let start = i
        var v = 0
        while i < end, Bytes.isDigit(b[i]), i - start < 18 {
            v = v * 10 + Int(b[i] - 0x30)
            i += 1
        }
        guard i > start else { throw Failure(message: "expected a whole number", offset: start) }
        if i < end, b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 || Bytes.isDigit(b[i]) {
            throw Failure(message: "expected a whole number", offset: start)
        }
        return negative ? -v : v
    }

    /// Skips any JSON value (for keys a newer writer may add).
    private mutating func skipValue() throws(Failure) {
        skipSpace()
        guard i < end else { throw Failure(message: "expected a value", offset: i) }
        switch b[i] {
        case 0x22: _ = try string()
        case 0x7B: try object { (d: inout RecordJSONDecoder, _: String) throws(Failure) in try d.skipValue() }
        case 0x5B: try array { (d: inout RecordJSONDecoder) throws(Failure) in try d.skipValue() }
        default:
            let start = i
            while i < end, b[i] != 0x2C, b[i] != 0x7D, b[i] != 0x5D, b[i] != 0x20 { i += 1 }
            let word = Bytes.string(b, start..<i)
            guard word == "true" || word == "false" || word == "null" || Double(word) != nil else {
                throw Failure(message: "expected a value", offset: start)
            }
        }
    }
}
