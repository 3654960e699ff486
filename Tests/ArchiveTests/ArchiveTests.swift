import Archive
import Bibliography
import ContentHash
import Foundation
import ReviewTestSupport
import RunnerCore
import Testing

@Suite struct ArchiveTests {
    @Test func archiveHoldsTheMappedFilesAndTheTrailAndVerifies() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniArchiveReview(root: dir)
            try review.run()
            let result = try review.archive()
            #expect(result.tag == "archive/1")
            let bag = try tree(dir.appendingPathComponent("archive/bag"))
            for path in [
                "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt",
                "metadata/datacite.xml", "data/00_README.txt", "data/ro-crate-metadata.json", "data/workflow/workflow.json",
                "data/records/duplicates.csv", "data/screening/abstract-first.csv", "data/screening/final-abstract.csv",
                "data/charting/codebook.csv", "data/audit/trail.bundle",
            ] {
                #expect(bag[path] != nil, "missing \(path)")
            }
            #expect(bag["data/records/duplicates.csv"] == (try review.bytes("stages/2-search/clusters.csv")))
            let info = String(decoding: bag["bag-info.txt"] ?? [], as: UTF8.self)
            #expect(info.contains("BagIt-Profile-Identifier: urn:x-reviewtrail:bagit-profile:review-archive:0.1\n"))
            #expect(info.contains("Trail-Commit: \(result.commit)\n"))
            let payloadBytes = bag.filter { $0.key.hasPrefix("data/") }.reduce(0) { $0 + $1.value.count }
            #expect(info.contains("Payload-Oxum: \(payloadBytes).\(bag.keys.filter { $0.hasPrefix("data/") }.count)\n"))
            let manifest = String(decoding: bag["manifest-sha512.txt"] ?? [], as: UTF8.self)
            #expect(manifest.contains("\(FileHasher.sha512(bytes: bag["data/records/duplicates.csv"] ?? []))  data/records/duplicates.csv\n"))
            let datacite = String(decoding: bag["metadata/datacite.xml"] ?? [], as: UTF8.self)
            #expect(datacite.contains("<identifier identifierType=\"DOI\">10.5072/FK2/\(result.commit.prefix(8).uppercased())</identifier>"))
            #expect(!datacite.contains("nameIdentifier"), "no ORCID is given, so none may appear")
            let codebook = String(decoding: bag["data/charting/codebook.csv"] ?? [], as: UTF8.self)
            #expect(codebook.contains("screening/abstract-first.csv,decision,category,the screening decision,,exclude;include,none\n"))
            let crate = String(decoding: bag["data/ro-crate-metadata.json"] ?? [], as: UTF8.self)
            #expect(crate.components(separatedBy: "\"CreateAction\"").count - 1 == 2)
            #expect(crate.components(separatedBy: "\"agent\"").count - 1 == 2, "each run names the review's authors as its agent")
            #expect(crate.contains("\"agent\": {\n") && crate.contains("\"@id\": \"#author-1\""))
            #expect(try ArchiveVerifier(directory: dir.appendingPathComponent("archive"), folder: try review.folder()).verify() == [])
            let tagged = try git(["--git-dir", dir.appendingPathComponent(".review/trail.git").path, "rev-parse", "archive/1^{commit}"])
            #expect(tagged.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == result.commit)
        }
    }

    @Test func archivingTwiceIsByteIdentical() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniArchiveReview(root: dir)
            try review.run()
            _ = try review.archive("first")
            let second = try review.archive("second")
            #expect(second.tag == "archive/1", "the tag already on the packed commit is kept")
            for name in ["bag.zip", "bag.tar", "dataverse-dataset.json"] {
                #expect(try review.bytes("first/\(name)") == (try review.bytes("second/\(name)")), "\(name) differs")
            }
            #expect(try tree(dir.appendingPathComponent("first/bag")) == (try tree(dir.appendingPathComponent("second/bag"))))
        }
    }

    @Test func zipAndTarHoldTheBagAsStandardToolsRead() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniArchiveReview(root: dir)
            try review.run()
            _ = try review.archive()
            let bag = try tree(dir.appendingPathComponent("archive/bag"))
            for (tool, arguments) in [("tar", ["-xf", dir.appendingPathComponent("archive/bag.tar").path]), ("python3", ["-m", "zipfile", "-e", dir.appendingPathComponent("archive/bag.zip").path, "."])] {
                let out = dir.appendingPathComponent("x-\(tool)")
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                let result = try runProgram(tool, arguments, in: out)
                #expect(result.status == 0, "\(tool): \(result.stderr)")
                #expect(try tree(out.appendingPathComponent("bag")) == bag, "\(tool) extracts other files")
            }
        }
    }

    @Test func missingRequiredFieldIsNamedAndNothingIsWritten() throws {
        for field in ["license", "contact", "description", "subject", "authors"] {
            try withTemporaryDirectory { dir in
                let review = try MiniArchiveReview(root: dir, without: field)
                try review.run()
                let error = #expect(throws: ArchiveError.self) { _ = try review.archive() }
                guard case .metadata(let file, let line, _, let path, _) = error else {
                    Issue.record("expected a metadata error, got \(String(describing: error))")
                    return
                }
                #expect(path == "review.\(field)" && file == "workflow.json" && line == 3 && error?.exitCode == 2)
                #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("archive").path))
                let tags = try git(["--git-dir", dir.appendingPathComponent(".review/trail.git").path, "tag"])
                #expect(tags.stdout.isEmpty)
            }
        }
    }

    @Test func verifyDetectsTamperingMissingLinesAndAForeignBundle() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniArchiveReview(root: dir)
            try review.run()
            _ = try review.archive()
            let archive = dir.appendingPathComponent("archive")
            let bag = archive.appendingPathComponent("bag")
            let folder = try review.folder()
            func problems() throws -> [ArchiveProblem] { try ArchiveVerifier(directory: archive, folder: folder).verify() }
            let final = bag.appendingPathComponent("data/screening/final-abstract.csv")
            let original = try Data(contentsOf: final)
            try Data("record_id,decision,reason,note\nmedline:1,exclude,,\n".utf8).write(to: final)
            #expect(try problems().contains { $0.path == "data/screening/final-abstract.csv" && $0.message.contains("sha256") })
            try original.write(to: final)
            #expect(try problems() == [])

            let manifestURL = bag.appendingPathComponent("manifest-sha256.txt")
            let manifest = try readFile(manifestURL)
            try writeFile(manifest.split(separator: "\n").filter { !$0.hasSuffix("data/records/duplicates.csv") }.joined(separator: "\n") + "\n", to: manifestURL)
            #expect(try problems().contains { $0.path == "data/records/duplicates.csv" && $0.message.contains("not listed in manifest-sha256.txt") })
            try writeFile(manifest, to: manifestURL)

            // A bundle of another trail, with manifests rewritten to match it: only the bundle check can catch it.
            let other = dir.appendingPathComponent("other")
            let otherReview = try MiniArchiveReview(root: other)
            try writeFile("cluster,record_id,source_id,status,match,score\n", to: other.appendingPathComponent("stages/2-search/clusters.csv"))
            try otherReview.run()
            _ = try otherReview.archive()
            let foreign = try Data(contentsOf: other.appendingPathComponent("archive/bag/data/audit/trail.bundle"))
            try foreign.write(to: bag.appendingPathComponent("data/audit/trail.bundle"))
            try rewriteManifests(bag)
            let found = try problems()
            #expect(found.contains { $0.path == "data/audit/trail.bundle" && $0.message.contains("bag-info.txt names trail commit") })
            #expect(!found.contains { $0.message.contains("changed after packing") })

            // The same foreign pack under a header that names this archive's commit.
            let commit = try #require(try readFile(bag.appendingPathComponent("bag-info.txt")).split(separator: "\n").first { $0.hasPrefix("Trail-Commit: ") }?.dropFirst(14))
            var bytes = Array(foreign)
            let headerEnd = try #require(bytes.firstRange(of: [0x0A, 0x0A]))
            bytes.replaceSubrange(0..<headerEnd.upperBound, with: Array("# v2 git bundle\n\(commit) HEAD\n\(commit) refs/heads/trail\n\n".utf8))
            try Data(bytes).write(to: bag.appendingPathComponent("data/audit/trail.bundle"))
            try rewriteManifests(bag)
            let relabelled = try problems()
            #expect(relabelled.contains { $0.path == "data/audit/trail.bundle" && $0.message.contains("does not match the trail it names") })
            #expect(relabelled.contains { $0.message.contains("does not hold commit") })
            #expect(relabelled.allSatisfy { $0.path == "data/audit/trail.bundle" }, "\(relabelled)")
        }
    }

    @Test func verifyDetectsADamagedPack() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniArchiveReview(root: dir)
            try review.run()
            _ = try review.archive()
            let bag = dir.appendingPathComponent("archive/bag")
            let url = bag.appendingPathComponent("data/audit/trail.bundle")
            var bytes = Array(try Data(contentsOf: url))
            bytes[bytes.count - 30] ^= 0xFF
            try Data(bytes).write(to: url)
            try rewriteManifests(bag)
            let found = try ArchiveVerifier(directory: dir.appendingPathComponent("archive"), folder: try review.folder()).verify()
            #expect(found.map(\.path) == ["data/audit/trail.bundle"])
            #expect(found.first?.message.contains("not a readable git bundle") == true, "\(found)")
        }
    }

    /// Recomputes every manifest after a test changed a payload file (as a forger would).
    func rewriteManifests(_ bag: URL) throws {
        let files = try tree(bag)
        for algorithm in ["sha256", "sha512"] {
            var text = ""
            for path in files.keys.sorted() where path.hasPrefix("data/") {
                let bytes = files[path] ?? []
                text += "\(algorithm == "sha256" ? FileHasher.sha256(bytes: bytes) : FileHasher.sha512(bytes: bytes))  \(path)\n"
            }
            try writeFile(text, to: bag.appendingPathComponent("manifest-\(algorithm).txt"))
        }
        let info = try readFile(bag.appendingPathComponent("bag-info.txt"))
        let octets = files.filter { $0.key.hasPrefix("data/") }.reduce(0) { $0 + $1.value.count }
        let count = files.keys.filter { $0.hasPrefix("data/") }.count
        let fixed = info.split(separator: "\n").map { $0.hasPrefix("Payload-Oxum:") ? "Payload-Oxum: \(octets).\(count)" : String($0) }.joined(separator: "\n") + "\n"
        try writeFile(fixed, to: bag.appendingPathComponent("bag-info.txt"))
        let refreshed = try tree(bag)
        for algorithm in ["sha256", "sha512"] {
            var text = ""
            for path in ["bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt", "metadata/datacite.xml"] {
                let bytes = refreshed[path] ?? []
                text += "\(algorithm == "sha256" ? FileHasher.sha256(bytes: bytes) : FileHasher.sha512(bytes: bytes))  \(path)\n"
            }
            try writeFile(text, to: bag.appendingPathComponent("tagmanifest-\(algorithm).txt"))
        }
    }

    @Test func bagPassesTheExternalValidators() throws {
        guard let checks = checksFolder() else { return }
        try withTemporaryDirectory { dir in
            let review = try MiniArchiveReview(root: dir)
            try review.run()
            _ = try review.archive()
            let archive = dir.appendingPathComponent("archive")
            for (script, arguments) in [
                ("check-bag", [archive.appendingPathComponent("bag").path]),
                ("check-bag", [archive.appendingPathComponent("bag.zip").path]),
                ("check-rocrate", ["--require-sha256", archive.appendingPathComponent("bag").path]),
                ("check-dataverse-json", [archive.appendingPathComponent("dataverse-dataset.json").path]),
                ("check-git-trail", ["--trailer", "Review-Stage", "--hash-trailer", "Output-SHA256", archive.appendingPathComponent("bag/data/audit/trail.bundle").path]),
            ] {
                let result = try runProgram(checks.appendingPathComponent(script).path, arguments)
                #expect(result.status == 0, "\(script) \(arguments.last ?? ""): \(result.stdout)\(result.stderr)")
            }
        }
    }
}

@Suite struct ArchivePartsTests {
    @Test func crc32MatchesTheCheckValue() {
        #expect(Serialization.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func crc32ReadsEightBytesAStepAsOneByteAStepWould() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            }
            #expect(Serialization.crc32(bytes) == crc ^ 0xFFFF_FFFF, "length \(count)")
        }
    }

    @Test func csvProfileReadsAsTheTableDoes() throws {
        let texts = [
            "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n",
            "id,n\r\n1,2\r\n\r\n3\r\n4,5,6",
            "\u{FEFF}h,i\n\n1,\n\r\n\"\"\n",
            "",
            "only,header",
            "x,y\n\"\"q,1\n",
        ]
        for text in texts {
            let table = try CSVTable(parsing: Array(text.utf8), rectangular: false)
            let profile = CSVProfile(parsing: Array(text.utf8))
            #expect(profile.header == table.header, "\(text.debugDescription)")
            #expect(profile.rowCount == table.rows.count, "\(text.debugDescription)")
            for index in table.header.indices {
                #expect(profile.columns[index].empty == table.rows.filter { index >= $0.count || $0.values[index].isEmpty }.count, "\(text.debugDescription) column \(index)")
            }
        }
    }

    @Test func codebookTypesFromTheProfile() throws {
        var rows: [[String]] = []
        for n in 0..<60 {
            rows.append([
                "\(n)", "\(Double(n) / 8)", n % 2 == 0 ? "yes" : "no", "free text number \(n)", n % 3 == 0 ? "a;b" : "b",
                n % 2 == 0 ? "e\u{301};x" : "é", n < 50 ? "" : "late",
            ])
        }
        let header = ["count", "share", "flag", "note", "tags", "accents", "sparse"]
        let csv = Array(([header] + rows).map(CSVTable.line).joined().utf8)
        let profile = CSVProfile(parsing: csv)
        let codebook = try CSVTable(parsing: Codebook.build(tables: [("data/t.csv", profile)], chartingCodebook: nil))
        let byName = Dictionary(uniqueKeysWithValues: codebook.rows.map { ($0.values[1], $0.values) })
        #expect(byName["count"]?[2] == "integer")
        #expect(byName["share"]?[2] == "number")
        #expect(byName["flag"]?[2] == "category" && byName["flag"]?[5] == "no;yes")
        #expect(byName["note"]?[2] == "text", "60 distinct values")
        #expect(byName["tags"]?[2] == "category" && byName["tags"]?[5] == "a;b")
        #expect(byName["accents"]?[2] == "category" && byName["accents"]?[5] == "x;é", "e + U+0301 equals é, as Swift strings compare")
        #expect(byName["sparse"]?[6] == "empty cell (50 of 60 rows)" && byName["count"]?[6] == "none")
    }

    @Test func zipAndTarWrittenToAFileEqualThoseBuiltInMemory() throws {
        try withTemporaryDirectory { dir in
            let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let entries = [
                Serialization.Entry(path: "bag/bagit.txt", bytes: Array("BagIt-Version: 1.0\n".utf8)),
                Serialization.Entry(path: "bag/data/big.bin", bytes: big),
                Serialization.Entry(path: "bag/data/empty.txt", bytes: []),
            ]
            try Serialization.writeZip(entries, time: 1_700_000_000, to: dir.appendingPathComponent("b.zip"))
            try Serialization.writeTar(entries, time: 1_700_000_000, to: dir.appendingPathComponent("b.tar"))
            #expect(Array(try Data(contentsOf: dir.appendingPathComponent("b.zip"))) == (try Serialization.zip(entries, time: 1_700_000_000)))
            #expect(Array(try Data(contentsOf: dir.appendingPathComponent("b.tar"))) == (try Serialization.tar(entries, time: 1_700_000_000)))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["b.tar", "b.zip"], "no temporary file is left")
        }
    }

    @Test func orcidCheckDigit() {
        #expect(ArchiveMetadata.isORCID("0000-0002-1825-0097"))
        #expect(ArchiveMetadata.isORCID("https://orcid.org/0000-0001-5109-3700"))
        #expect(!ArchiveMetadata.isORCID("0000-0002-1825-0098"))
        #expect(!ArchiveMetadata.isORCID("0000-0002-1825"))
    }

    @Test func csvRoundTripKeepsQuotesCommasAndLineBreaks() throws {
        let text = "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n"
        let table = try CSVTable(parsing: Array(text.utf8))
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows.map(\.values) == [["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""]])
        #expect(([table.header] + table.rows.map(\.values)).map(CSVTable.line).joined() == text)
    }

    @Test func tarHeadersCarryNameSizeAndChecksum() throws {
        let tar = try Serialization.tar([Serialization.Entry(path: "bag/data/a.txt", bytes: Array("hello\n".utf8))], time: 1_700_000_000)
        #expect(tar.count == 512 * 3 + 512 + 1024, "two folder headers, one file header, one data block, the end")
        #expect(String(decoding: tar[0..<4], as: UTF8.self) == "bag/" && tar[156] == UInt8(ascii: "5"))
        let header = Array(tar[1024..<1536])
        #expect(String(decoding: header[0..<14], as: UTF8.self) == "bag/data/a.txt")
        #expect(String(decoding: header[124..<135], as: UTF8.self) == "00000000006")
        var copy = header
        for index in 148..<156 { copy[index] = 0x20 }
        let sum = copy.reduce(0) { $0 + Int($1) }
        #expect(String(decoding: header[148..<154], as: UTF8.self) == String(format: "%06o", sum))
    }
}
