import Foundation
import Testing

@testable import Bibliography

@Suite("Normalisation of values")
struct NormalizationTests {
    @Test(
        arguments: [
            ("10.1002/JCC.20289", "10.1002/jcc.20289"),
            ("https://doi.org/10.1016/j.psyneuen.2019.104501", "10.1016/j.psyneuen.2019.104501"),
            ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
            ("doi:10.1000/ABC.123.", "10.1000/abc.123"),
            ("DOI 10.1000/xyz", "10.1000/xyz"),
            ("10.1136/neurintsurg-2017-013179 [doi]", "10.1136/neurintsurg-2017-013179"),
            ("10.1892/0891-6640(2007)21[394:GCOARH]2.0.CO;2", "10.1892/0891-6640(2007)21[394:gcoarh]2.0.co;2"),
            ("10.4103%2F2303-9027.138783", "10.4103/2303-9027.138783"),
            ("(10.1000/in.parens)", nil),
        ] as [(String, String?)])
    func doiNormalisation(input: String, expected: String?) {
        #expect(DOI.normalize(input) == expected)
    }

    @Test func textWithoutDOIIsRejected() {
        #expect(DOI.normalize("Article") == nil)
        #expect(DOI.normalize("10.12/short") == nil)
        #expect(DOI.normalize("x10.1000/abc") == nil)
    }

    @Test func doiInLinks() {
        #expect(DOI.fromLink("https://onlinelibrary.wiley.com/doi/full/10.1111/jvim.16404") == "10.1111/jvim.16404")
        #expect(
            DOI.fromLink("http://sfx.example/?sid=EMBASE&id=doi:10.4103%2F2303-9027.138783&atitle=x")
                == "10.4103/2303-9027.138783")
        #expect(
            DOI.fromLink("https://www.scopus.com/record.uri?eid=2&doi=10.1080%2f20964129.2020.1&p=4")
                == "10.1080/20964129.2020.1")
        #expect(DOI.fromLink("https://example.org/record/1") == nil)
    }

    @Test(
        arguments: [
            ("335-339", "335", "339"), ("221-8", "221", "228"), ("1645--1654", "1645", "1654"),
            ("pp. 78-81", "78", "81"),
            ("(36-45)", "36", "45"), ("e1234", "e1234", nil), ("S21-S28", "S21", "S28"), ("12–19", "12", "19"),
            ("1100-9", "1100", "1109"), ("99-100", "99", "100"), ("i-iv, 1-74", "i-iv, 1-74", nil),
        ] as [(String, String?, String?)])
    func pageParsing(text: String, start: String?, end: String?) {
        let pages = Pages.parse(text)
        #expect(pages?.start == start)
        #expect(pages?.end == end)
    }

    @Test func years() {
        #expect(Year.parse("2019//") == 2019)
        #expect(Year.parse("2016/09//") == 2016)
        #expect(Year.parse("Mar 1 2018") == 2018)
        #expect(Year.parse("10 15") == nil)
        #expect(Year.parse("123456") == nil)
        #expect(Year.parse("in press") == nil)
    }

    @Test(
        arguments: [
            ("Trindade, Ines A", "Trindade", "Ines A"), ("Liu R.", "Liu", "R."), ("Brinjikji W", "Brinjikji", "W"),
            ("Adler D.G.", "Adler", "D.G."), ("Van Tyne J.", "Van Tyne", "J."), ("P. Kogge", "Kogge", "P."),
            ("D. R. C. Hill", "Hill", "D. R. C."), ("World Health Organization", "World Health Organization", nil),
            ("Stillman, Andrew N. (a.s@example.edu)", "Stillman", "Andrew N."),
            ("Hao, Jie (57221302630)", "Hao", "Jie"),
            ("Kalé L.", "Kalé", "L."), ("Øvergaard, Per-Ivar", "Øvergaard", "Per-Ivar"),
            ("Wang Y. P.", "Wang", "Y. P."),
            ("LI J", "LI", "J"),
        ] as [(String, String, String?)])
    func names(text: String, family: String, given: String?) {
        let author = Names.parse(text)
        #expect(author?.family == family)
        #expect(author?.given == given)
    }

    @Test func nameLists() {
        #expect(Names.parseList("Liu R., Adler D.G.").map(\.family) == ["Liu", "Adler"])
        #expect(Names.parseList("Phillips, J.C., Braun, R.").map(\.displayName) == ["Phillips, J.C.", "Braun, R."])
        #expect(Names.parseList("Smith, John and Jones, Alexandra").map(\.family) == ["Smith", "Jones"])
        #expect(Names.parseList("Rotter, Carina; Whittaker, Danielle").count == 2)
        #expect(Names.parseList("Haddaway, Neal R.").map(\.displayName) == ["Haddaway, Neal R."])
        #expect(Names.parseList("Adeli K.Lewis G. F.").map(\.displayName) == ["Adeli, K.", "Lewis, G. F."])
        #expect(Names.parseList("Smith (Jr, John; Lee, K").map(\.family) == ["Smith (Jr", "Lee"])
        #expect(Names.parseList("Nørgaard, ⽋").map(\.displayName) == ["Nørgaard, ⽋"])
        #expect(Names.parse(", Rodney B.") == Author(family: "Rodney", given: "B."))
    }

    @Test func standardNumbers() {
        let found = StandardNumbers.scan("1759-8486 (Electronic) 01678809; 978-0-306-40615-7, 0-87417-368-X, 12345678")
        #expect(found.issn == ["1759-8486", "0167-8809"])
        #expect(found.isbn == ["9780306406157", "087417368X"])
        var issn: [String] = ["1234-5679"]
        var isbn: [String] = []
        StandardNumbers.scan("1234-5679", issn: &issn, isbn: &isbn)
        StandardNumbers.scan("2049-369x", issn: &issn, isbn: &isbn)
        #expect(issn == ["1234-5679", "2049-369X"])
    }

    @Test func whiteSpace() {
        #expect(Text.inline("  a \t b\n c  ") == "a b c")
        #expect(Text.inline("no\u{00A0}break") == "no break")
        #expect(Text.inline("   ") == nil)
        let clean = "Already clean text"
        #expect(Text.inline(clean) == clean)
        #expect(Text.multiline(" one \r\n\r\n\r\n two  \n three ") == "one\n\ntwo\nthree")
        #expect(Text.splitTopLevel("a (b, c), d", separators: [","]) == ["a (b, c)", "d"])
        #expect(Text.split("A and B AND {C and D}", word: " and ") == ["A", "B", "{C and D}"])
    }

    /// `Text.inline` and `Text.isClean` agree with a character-by-character reading of what they promise, on texts
    /// of every length up to 80 made from the bytes they treat specially (control bytes, DEL, spaces, every Unicode
    /// space they know and characters that share a lead byte with one), so the sixteen-byte blocks are tested at
    /// every alignment.
    @Test func whiteSpaceAgreesWithAReferenceReading() {
        let pieces = [
            "a", "Z", "1", ".", " ", "  ", "\t", "\n", "\u{01}", "\u{7F}", "\u{A0}", "\u{85}", "\u{B1}", "é",
            "\u{1680}", "\u{1681}", "\u{2000}", "\u{2009}", "\u{200A}", "\u{200B}", "\u{2013}", "\u{2019}",
            "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{2060}", "\u{3000}", "\u{3001}", "中",
        ]
        let plain = ["a", "Z", "1", ".", "é", "\u{B1}", "\u{2013}", "中"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<20_000 {
            let length = random(80)
            // Mostly plain text, so that long clean runs (the blocks' fast path) are common.
            let text = (0..<length).map { _ in random(4) == 0 ? pieces[random(pieces.count)] : plain[random(plain.count)] }
                .joined()
            var words: [String] = []
            var word = ""
            for scalar in text.unicodeScalars {
                let isWhite = scalar.value <= 0x20 || scalar.value == 0x7F || scalar.value == 0x85 || scalar.value == 0xA0
                    || scalar.value == 0x1680 || (0x2000...0x200A).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029 || scalar.value == 0x202F || scalar.value == 0x205F
                    || scalar.value == 0x3000
                if isWhite {
                    if !word.isEmpty { words.append(word) }
                    word = ""
                } else {
                    word.unicodeScalars.append(scalar)
                }
            }
            if !word.isEmpty { words.append(word) }
            let expected = words.isEmpty ? nil : words.joined(separator: " ")
            #expect(Text.inline(text) == expected, "\(Array(text.utf8))")
            var copy = text
            #expect(copy.withUTF8(Text.isClean) == (expected == text), "\(Array(text.utf8))")
        }
    }

    @Test(arguments: [
        (#"M{\"u}ller"#, "Müller"), (#"Garc\'{i}a"#, "García"), (#"Garc\'{\i}a"#, "García"),
        (#"{\c{C}}ukurova"#, "Çukurova"),
        (#"Stra\ss{}e"#, "Straße"), (#"{\AA}sa"#, "Åsa"), (#"\v{S}koda"#, "Škoda"), (#"50\% \& more"#, "50% & more"),
        (#"pages 1--2 --- done"#, "pages 1–2 — done"), (#"a $\alpha$-test"#, "a α-test"), (#"\textless{}5"#, "<5"),
        (#"\emph{emphasised}"#, "emphasised"), ("plain", "plain"),
    ])
    func latex(input: String, expected: String) {
        #expect(LaTeX.decode(input) == expected)
    }

    @Test func referenceTypes() {
        #expect(ReferenceType.code(for: "Journal Article") == "JOUR")
        #expect(ReferenceType.code(for: "bookSection") == "CHAP")
        #expect(ReferenceType.code(for: "Conference Paper") == "CONF")
        #expect(ReferenceType.code(for: "phdthesis") == "THES")
        #expect(ReferenceType.code(for: "ELEC") == "ELEC")
        #expect(ReferenceType.code(for: "Something else") == "GEN")
    }
}
