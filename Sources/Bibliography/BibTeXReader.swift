import Foundation

/// BibTeX: `@type{key, field = {value} | "value" | 123 | macro # …}`, with `@string` macros, `@comment` and
/// `@preamble` skipped. An entry starts with `@` at the beginning of a line.
struct BibTeXParser: FormatParser {
    private let text: DecodedText
    private var position: Int
    var consumed: Int { position }
    private var countedTo: Int
    private var countedLine = 1
    private var macros: [String: String] = [
        "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
        "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
    ]

    init(text: DecodedText) {
        self.text = text
        self.position = text.start
        self.countedTo = text.start
    }

    private struct SyntaxError: Error {
        let message: String
    }

    private mutating func lineNumber(at offset: Int) -> Int {
        let b = text.bytes
        while countedTo < offset {
            if b[countedTo] == 0x0A { countedLine += 1 }
            countedTo += 1
        }
        return countedLine
    }

    /// Moves to the next `@` that begins a line (after optional white space).
    private mutating func seekEntry(from start: Int) -> Int? {
        let b = text.bytes
        var i = start
        var atLineStart = i == text.start || (i > 0 && (b[i - 1] == 0x0A || b[i - 1] == 0x0D))
        while i < text.end {
            let c = b[i]
            if c == 0x40 && atLineStart { return i }
            if c == 0x0A || c == 0x0D {
                atLineStart = true
            } else if !Bytes.isSpace(c) {
                atLineStart = false
            }
            i += 1
        }
        return nil
    }

    mutating func next() -> ParseOutcome? {
        while let at = seekEntry(from: position) {
            let line = lineNumber(at: at)
            position = at + 1
            do {
                if let outcome = try entry(line: line) { return outcome }
            } catch {
                position = seekEntry(from: at + 1) ?? text.end
                return .malformed(line: line, message: error.message)
            }
        }
        position = text.end
        return nil
    }

    private mutating func entry(line: Int) throws(SyntaxError) -> ParseOutcome? {
        let b = text.bytes
        let type = identifier()
        skipSpace()
        guard position < text.end, b[position] == 0x7B || b[position] == 0x28 else {
            if type.isEmpty { return nil }
            throw SyntaxError(message: "@\(type) is not followed by { or (")
        }
        let close: UInt8 = b[position] == 0x7B ? 0x7D : 0x29
        position += 1
        switch type.lowercased() {
        case "comment", "preamble":
            _ = try balanced(close: close)
            return nil
        case "string":
            skipSpace()
            let name = fieldName(close: close)
            skipSpace()
            guard position < text.end, b[position] == 0x3D else { throw SyntaxError(message: "@string has no '='") }
            position += 1
            let value = try value(close: close)
            skipSpace()
            if position < text.end, b[position] == close { position += 1 }
            macros[name.lowercased()] = value
            return nil
        default:
            break
        }
        skipSpace()
        let keyStart = position
        while position < text.end, b[position] != 0x2C, b[position] != close, b[position] != 0x0A, b[position] != 0x0D {
            position += 1
        }
        let key = Bytes.string(b, Bytes.trim(b, keyStart..<position))
        var fields: [RawField] = [RawField("@type", type), RawField("@key", key)]
        while true {
            skipSpace()
            guard position < text.end else {
                throw SyntaxError(message: "@\(type){\(key), …} is not closed before the end of the file")
            }
            let c = b[position]
            if c == close {
                position += 1
                break
            }
            if c == 0x2C {
                position += 1
                continue
            }
            let name = fieldName(close: close)
            guard !name.isEmpty else {
                throw SyntaxError(message: "unexpected \"\(Character(UnicodeScalar(c)))\" in @\(type){\(key), …}")
            }
            skipSpace()
            guard position < text.end, b[position] == 0x3D else {
                throw SyntaxError(message: "field \(name) of @\(type){\(key), …} has no '='")
            }
            position += 1
            fields.append(RawField(name, try value(close: close)))
        }
        return .record(BibTeXMapping.record(fields: fields, line: line))
    }

    private mutating func skipSpace() {
        let b = text.bytes
        while position < text.end, Bytes.isSpace(b[position]) || b[position] == 0x0A || b[position] == 0x0D {
            position += 1
        }
    }

    private mutating func identifier() -> String {
        let b = text.bytes
        let start = position
        while position < text.end {
            let c = b[position]
            guard (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D else { break }
            position += 1
        }
        return Bytes.string(b, start..<position)
    }

    private mutating func fieldName(close: UInt8) -> String {
        let b = text.bytes
        let start = position
        while position < text.end {
            let c = b[position]
            if c == 0x3D || c == 0x2C || c == close || c == 0x7B || c == 0x7D || c == 0x22 || Bytes.isSpace(c)
                || c == 0x0A
                || c == 0x0D
            {
                break
            }
            position += 1
        }
        return Bytes.string(b, start..<position)
    }

    /// Reads up to the matching close delimiter, honouring nested braces; returns the content.
    private mutating func balanced(close: UInt8) throws(SyntaxError) -> String {
        let b = text.bytes
        let start = position
        var depth = 0
        while position < text.end {
            let c = b[position]
            if c == 0x5C {
                position += 2
                continue
            }
            if c == 0x7B {
                depth += 1
            } else if c == 0x7D && depth > 0 {
                depth -= 1
            } else if c == close && depth == 0 {
                let content = Bytes.string(b, start..<position)
                position += 1
                return content
            }
            position += 1
        }
        throw SyntaxError(message: "unbalanced braces before the end of the file")
    }

    /// Reads a value: parts joined by `#`, each a braced or quoted string, a number or a macro.
    private mutating func value(close: UInt8) throws(SyntaxError) -> String {
        let b = text.bytes
        var result = ""
        while true {
            skipSpace()
            guard position < text.end else {
                throw SyntaxError(message: "a field value is cut off by the end of the file")
            }
            let c = b[position]
            if c == 0x7B {
                position += 1
                result += try balanced(close: 0x7D)
            } else if c == 0x22 {
                position += 1
                let start = position
                var depth = 0
                var closed = false
                while position < text.end {
                    let d = b[position]
                    if d == 0x5C {
                        position += 2
                        continue
                    }
                    if d == 0x7B {
                        depth += 1
                    } else if d == 0x7D {
                        depth = max(0, depth - 1)
                    } else if d == 0x22 && depth == 0 {
                        closed = true
                        break
                    }
                    position += 1
                }
                guard closed else {
                    throw SyntaxError(message: "a quoted value is not closed before the end of the file")
                }
                result += Bytes.string(b, start..<position)
                position += 1
            } else {
                let start = position
                while position < text.end {
                    let d = b[position]
                    if d == 0x2C || d == close || d == 0x23 || Bytes.isSpace(d) || d == 0x0A || d == 0x0D || d == 0x7D {
                        break
                    }
                    position += 1
                }
                let word = Bytes.string(b, start..<position)
                guard !word.isEmpty else { throw SyntaxError(message: "a field has no value") }
                if word.allSatisfy(\.isASCIIDigit) {
                    result += word
                } else {
                    result += macros[word.lowercased()] ?? word
                }
            }
            skipSpace()
            if position < text.end, b[position] == 0x23 {
                position += 1
                continue
            }
            return result
        }
    }
}

/// Maps BibTeX fields to the canonical fields.
enum BibTeXMapping {
    static func record(fields: [RawField], line: Int) -> Record {
        var r = draftRecord(line: line, format: .bibtex)
        var entryType = "misc"
        var journal: String?, booktitle: String?, date: String?, number: String?, issue: String?
        var eprint: String?, eprintType: String?
        var dois = DOIList()
        var notes: [String] = []
        for f in fields {
            let v = f.value
            switch f.tag.lowercased() {
            case "@type": entryType = v.lowercased()
            case "@key": r.sourceID = Text.inline(v)
            case "title": if r.title == nil { r.title = Text.inline(LaTeX.decode(v)) }
            case "author":
                if let names = Text.inline(v) {
                    for name in Text.split(names, word: " and ") where name.lowercased() != "others" {
                        if let a = parseName(name) { r.authors.append(a) }
                    }
                }
            case "journal", "journaltitle": if journal == nil { journal = v }
            case "booktitle": if booktitle == nil { booktitle = v }
            case "year": if r.year == nil { r.year = Year.parse(v) }
            case "date": if date == nil { date = v }
            case "volume": if r.volume == nil { r.volume = Text.inline(LaTeX.decode(v)) }
            case "number": if number == nil { number = v }
            case "issue": if issue == nil { issue = v }
            case "pages": if r.pages == nil { r.pages = Pages.parse(LaTeX.decode(v)) }
            case "doi": dois.addAll(in: LaTeX.decode(v))
            case "pmid", "pubmed": if r.pmid == nil, let p = Text.inline(v), RISMapping.isPMID(p) { r.pmid = p }
            case "eprint": eprint = Text.inline(v)
            case "eprinttype": eprintType = Text.inline(v)?.lowercased()
            case "issn":
                for x in StandardNumbers.scan(v).issn where !r.issn.contains(x) { r.issn.append(x) }
            case "isbn":
                for x in StandardNumbers.scan(v).isbn where !r.isbn.contains(x) { r.isbn.append(x) }
            case "abstract": if r.abstract == nil { r.abstract = Text.multiline(LaTeX.decode(v)) }
            case "keywords", "author_keywords", "author-keywords", "mesh", "mesh_terms":
                // Split before decoding, so a braced group such as {water, quality} stays one keyword.
                let separators: Set<Character> = v.contains(";") ? [";"] : [","]
                for part in Text.splitTopLevel(v, separators: separators) {
                    if let k = Text.inline(LaTeX.decode(part)), !r.keywords.contains(k) { r.keywords.append(k) }
                }
            case "language", "langid": if r.language == nil { r.language = Text.inline(LaTeX.decode(v)) }
            case "url":
                for token in v.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
                    guard let u = Text.inline(String(token)) else { continue }
                    if !r.urls.contains(u) { r.urls.append(u) }
                    dois.add(DOI.fromLink(u))
                }
            case "note", "annote", "annotation": notes.append(LaTeX.decode(v))
            case "source": r.source.database = Text.inline(LaTeX.decode(v))
            default: break
            }
        }
        if r.year == nil { r.year = date.flatMap(Year.parse) }
        if r.pmid == nil, eprintType == "pubmed", let eprint, RISMapping.isPMID(eprint) { r.pmid = eprint }
        r.journal = (journal ?? booktitle).flatMap { Text.inline(LaTeX.decode($0)) }
        r.issue = (issue ?? number).flatMap { Text.inline(LaTeX.decode($0)) }
        r.type = ReferenceType.code(for: entryType)
        dois.apply(to: &r)
        r.notes = Text.multiline(notes.joined(separator: "\n"))
        r.raw = fields
        return r
    }

    /// `Last, First`, `von Last, Jr, First`, `First von Last`, or `{Corporate Name}`.
    static func parseName(_ raw: String) -> Author? {
        let parts = Text.splitTopLevel(raw, separators: [","])
        if parts.count >= 2 {
            let family = parts.count == 3 ? parts[0] + " " + parts[1] : parts[0]
            guard let f = Text.inline(LaTeX.decode(family)) else { return nil }
            return Author(family: f, given: Text.inline(LaTeX.decode(parts[parts.count - 1])))
        }
        guard let whole = parts.first else { return nil }
        let tokens = Text.splitTopLevel(whole, separators: [" "])
        if tokens.count <= 1 { return Text.inline(LaTeX.decode(whole)).map { Author(family: $0) } }
        var split = tokens.count - 1
        for k in 1..<(tokens.count - 1) where tokens[k].first?.isLowercase == true {
            split = k
            break
        }
        let family = Text.inline(LaTeX.decode(tokens[split...].joined(separator: " ")))
        let given = Text.inline(LaTeX.decode(tokens[..<split].joined(separator: " ")))
        return family.map { Author(family: $0, given: given) }
    }
}

/// Turns LaTeX markup in BibTeX values into plain Unicode: accents (`{\"o}`, `\'{e}`, `\c{c}`), special letters
/// (`\ss`, `\o`, `\aa`), escaped characters (`\&`), text symbols (`\textless`), dashes and braces.
enum LaTeX {
    private static let accentSymbols: [Unicode.Scalar: Unicode.Scalar] = [
        "\"": "\u{0308}", "'": "\u{0301}", "`": "\u{0300}", "^": "\u{0302}", "~": "\u{0303}", "=": "\u{0304}",
        ".": "\u{0307}",
    ]
    private static let accentWords: [String: Unicode.Scalar] = [
        "u": "\u{0306}", "v": "\u{030C}", "H": "\u{030B}", "c": "\u{0327}", "k": "\u{0328}", "r": "\u{030A}",
        "d": "\u{0323}", "b": "\u{0331}",
    ]
    private static let words: [String: String] = [
        "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø", "ss": "ß", "l": "ł",
        "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
        "textless": "<", "textgreater": ">", "textasciitilde": "~", "textasciicircum": "^", "textbackslash": "\\",
        "textbar": "|", "textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
        "textquotedblleft": "“", "textquotedblright": "”", "textregistered": "®", "texttrademark": "™",
        "textcopyright": "©", "copyright": "©", "textdegree": "°", "degree": "°", "textmu": "µ",
        "textperiodcentered": "·", "textbullet": "•", "textellipsis": "…", "ldots": "…", "dots": "…",
        "textsection": "§", "S": "§", "textparagraph": "¶", "P": "¶", "pounds": "£", "texteuro": "€", "euro": "€",
        "textdollar": "$", "textunderscore": "_", "dag": "†", "ddag": "‡", "times": "×", "pm": "±", "leq": "≤",
        "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "approx": "≈", "infty": "∞", "rightarrow": "→",
        "leftarrow": "←", "to": "→", "circ": "°", "cdot": "·", "sim": "~", "prime": "′", "minus": "−",
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
        "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
        "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ",
        "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
        "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "quad": " ", "qquad": " ",
    ]

    /// Decodes LaTeX markup; plain text passes through unchanged.
    static func decode(_ s: String) -> String {
        let u = s.utf8
        if !u.contains(0x5C) && !u.contains(0x7B) && !u.contains(0x7D) && !u.contains(0x7E) && !u.contains(0x24)
            && !u.contains(0x60) && !s.contains("--") && !s.contains("''")
        {
            return s
        }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var math = false
        decode(scalars, &i, scalars.count, &out, &math)
        return String(out).precomposedStringWithCanonicalMapping
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    private static func decode(
        _ s: [Unicode.Scalar], _ i: inout Int, _ end: Int, _ out: inout String.UnicodeScalarView, _ math: inout Bool
    ) {
        while i < end {
            let c = s[i]
            switch c {
            case "\\":
                command(s, &i, end, &out, &math)
            case "{", "}":
                i += 1
            case "$":
                math.toggle()
                i += 1
            case "~":
                out.append(" ")
                i += 1
            case "^" where math, "_" where math:
                i += 1
            case "-":
                if i + 2 < end, s[i + 1] == "-", s[i + 2] == "-" {
                    out.append("\u{2014}")
                    i += 3
                } else if i + 1 < end, s[i + 1] == "-" {
                    out.append("\u{2013}")
                    i += 2
                } else {
                    out.append(c)
                    i += 1
                }
            case "`" where i + 1 < end && s[i + 1] == "`":
                out.append("\u{201C}")
                i += 2
            case "'" where i + 1 < end && s[i + 1] == "'":
                out.append("\u{201D}")
                i += 2
            default:
                out.append(c)
                i += 1
            }
        }
    }

    private static func command(
        _ s: [Unicode.Scalar], _ i: inout Int, _ end: Int, _ out: inout String.UnicodeScalarView, _ math: inout Bool
    ) {
        i += 1
        guard i < end else { return }
        let c = s[i]
        if let mark = accentSymbols[c] {
            i += 1
            accent(mark, s, &i, end, &out, &math)
            return
        }
        if !isLetter(c) {
            i += 1
            switch c {
            case "\\": out.append(" ")
            case " ", ",", ";", ":": out.append(" ")
            case "-", "/", "!": break
            default: out.append(c)
            }
            return
        }
        var name = ""
        while i < end, isLetter(s[i]) {
            name.unicodeScalars.append(s[i])
            i += 1
        }
        if let mark = accentWords[name] {
            while i < end, s[i] == " " { i += 1 }
            accent(mark, s, &i, end, &out, &math)
            return
        }
        if let replacement = words[name] {
            out.append(contentsOf: replacement.unicodeScalars)
            if i < end, s[i] == "{", i + 1 < end, s[i + 1] == "}" { i += 2 }
            while i < end, s[i] == " ", !name.isEmpty, replacement.unicodeScalars.count == 1,
                replacement.unicodeScalars.first.map({ CharacterSet.letters.contains($0) }) == true
            {
                i += 1
            }
            return
        }
        // Formatting commands (\emph, \textit, \mathrm…) and unknown ones: drop the name, keep the argument.
        while i < end, s[i] == " " { i += 1 }
    }

    private static func accent(
        _ mark: Unicode.Scalar, _ s: [Unicode.Scalar], _ i: inout Int, _ end: Int,
        _ out: inout String.UnicodeScalarView,
        _ math: inout Bool
    ) {
        var argument = String.UnicodeScalarView()
        if i < end, s[i] == "{" {
            var depth = 0
            let start = i
            var j = i
            while j < end {
                if s[j] == "{" {
                    depth += 1
                } else if s[j] == "}" {
                    depth -= 1
                    if depth == 0 { break }
                }
                j += 1
            }
            var k = start + 1
            var innerMath = math
            decode(s, &k, min(j, end), &argument, &innerMath)
            i = min(j + 1, end)
        } else if i < end, s[i] == "\\" {
            var k = i
            var innerMath = math
            command(s, &k, end, &argument, &innerMath)
            i = k
        } else if i < end {
            argument.append(s[i])
            i += 1
        }
        guard var first = argument.first else {
            out.append(mark)
            return
        }
        if first == "ı" { first = "i" }
        if first == "ȷ" { first = "j" }
        out.append(first)
        out.append(mark)
        out.append(contentsOf: argument.dropFirst())
    }
}
