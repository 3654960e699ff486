import Bibliography
import Foundation
import Testing

/// Inputs found by the libFuzzer harness in Fuzz/ that crashed a reader; each must now read normally.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// Reads every record, so a crash anywhere in the parse fails the test run.
    static func readAll(_ bytes: [UInt8], format: RecordFormat? = .endnoteXML) throws -> ReadResult {
        try RecordReader.read(data: Data(bytes), fileName: "fuzz.xml", options: ReadOptions(format: format))
    }

    /// The minimised crash: an XML declaration naming UTF-7 (which libxml2 converts through iconv) followed by a
    /// NUL byte. Aborting libxml2 from inside its error callback then crashed the process with SIGSEGV.
    @Test(arguments: [RecordFormat.endnoteXML, nil])
    func endNoteXMLWithUTF7DeclarationAndNULByte(format: RecordFormat?) throws {
        let result = try Self.readAll(Array(#"<?xml version="1.0" encoding="UTF7""#.utf8) + [0], format: format)
        #expect(result.format == .endnoteXML)
        #expect(result.records.isEmpty)
    }

    @Test func endNoteXMLWithUTF7DeclarationAndNULByteInsideARecord() throws {
        let text =
            #"<?xml version="1.0" encoding="UTF-7"?><xml><records><record><titles><title>A</title></titles>"#
            + "</record><record><titles><title>\u{0}</title></titles></record></records></xml>"
        let result = try Self.readAll(Array(text.utf8))
        #expect(result.records.map(\.title) == ["A"])
        #expect(result.skipped == 1)
    }

    /// A processing instruction without data (`<?xml?>`, `<?x?>`) made FoundationXML call `strlen` on a null
    /// pointer (SIGSEGV), also when a DTD entity expands to one.
    @Test(arguments: [
        "<?l?>",  // the minimised fuzzer input
        "<?xml?>\n<!-- c -->xml><record<s>r>\n",  // the fuzzer's input before minimising
        "<?xml version=\"1.0\"?><?xml-stylesheet?><xml><records><record><titles><title>A<?x?>B</title></titles>"
            + "</record></records></xml>",
        "<!DOCTYPE xml [<!ENTITY e \"&#60;?x?&#62;\">]>\n<xml><records><record><titles><title>&e;</title>"
            + "</titles></record></records></xml>",
    ])
    func endNoteXMLWithProcessingInstructionWithoutData(text: String) throws {
        let result = try Self.readAll(Array(text.utf8))
        #expect(result.records.count + result.skipped <= 1)
    }

    /// Removing one processing instruction must not join `<` and `?` into a new one without data.
    @Test(arguments: [
        "<<??>?h?>",  // the minimised fuzzer input (a first removal of `<?…?>` made `<?h?>`)
        "<xml><records><record><<?x?>?y?></record></records></xml>",
        "<!DOC<?x?>TYPE xml [<!ENTITY e \"&#60;?x?&#62;\">]>"
            + "<xml><records><record><title>&e;</title></record></records></xml>",
    ])
    func endNoteXMLProcessingInstructionsJoinedByARemoval(text: String) throws {
        let result = try Self.readAll(Array(text.utf8))
        #expect(result.records.count + result.skipped <= 1)
    }

    @Test func processingInstructionsAreIgnoredInsideText() throws {
        let text =
            "<?xml version=\"1.0\"?>\n<?xml-stylesheet?>\n<xml><records>\n<record><titles><title>A<?x?>B</title>"
            + "</titles></record></records></xml>"
        let result = try Self.readAll(Array(text.utf8))
        #expect(result.records.map(\.title) == ["AB"])
        #expect(result.records.first?.source.line == 4)
    }

    /// The text reaches XMLParser as UTF-8 (after any Windows-1252 fallback), so a declared encoding is not applied
    /// a second time.
    @Test func endNoteXMLDeclaredLatin1IsNotDecodedTwice() throws {
        let bytes =
            Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><xml><records><record><titles><title>caf"#.utf8)
            + [0xE9] + Array("</title></titles></record></records></xml>".utf8)
        let result = try Self.readAll(bytes)
        #expect(result.records.map(\.title) == ["café"])
    }
}
