import Bibliography
import Testing

@Suite("CSV table of the file contract")
struct CSVTableTests {
    @Test func quotedFieldsWithCommasQuotesAndNewlines() throws {
        let table = try CSVTable(parsing: Array("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\r\n3,,\n".utf8))
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows.map(\.values) == [["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", ""]])
        #expect(table.rows.map(\.line) == [2, 3, 5])
        #expect(table.value(table.rows[1], "b") == "two\nlines")
        #expect(table.value(table.rows[1], "zzz") == "")
    }

    @Test func everyFieldKnowsItsLineAndColumn() throws {
        let table = try CSVTable(parsing: Array("\u{FEFF}id,note,x\nmedline:1,\"a\nbc\",é\nü,\"q\"\"q\",z\n".utf8))
        #expect(table.header == ["id", "note", "x"])
        #expect(table.rows[0].cells.map(\.column) == [1, 11, 5])
        #expect(table.rows[0].cells.map(\.line) == [2, 2, 3])
        // Columns count characters, not bytes: "ü," is two characters; a doubled quote is two.
        #expect(table.rows[1].cells.map(\.column) == [1, 3, 10])
    }

    @Test func blankLinesAreSkippedButAQuotedEmptyFieldIsARow() throws {
        let table = try CSVTable(parsing: Array("a\n\n1\n\r\n\"\"\n2".utf8))
        #expect(table.rows.map(\.values) == [["1"], [""], ["2"]])
        #expect(table.rows.map(\.line) == [3, 5, 6])
    }

    @Test func aRowOfTheWrongWidthIsAnErrorUnlessRaggedRowsAreAllowed() throws {
        let bytes = Array("a,b\n1,2\n3\n".utf8)
        #expect(throws: CSVTable.Malformed(line: 3, column: nil, message: "has 1 fields where the header has 2")) {
            try CSVTable(parsing: bytes)
        }
        #expect(try CSVTable(parsing: bytes, rectangular: false).rows.map(\.count) == [2, 1])
    }

    @Test func anUnclosedQuoteNamesWhereItOpens() {
        #expect(throws: CSVTable.Malformed(line: 3, column: 3, message: "a quoted field is never closed")) {
            try CSVTable(parsing: Array("a,b\n1,2\n3,\"open\n".utf8))
        }
    }

    @Test func anEmptyFileHasNoHeader() throws {
        let table = try CSVTable(parsing: [])
        #expect(table.header.isEmpty && table.rows.isEmpty)
    }
}
