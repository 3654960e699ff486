import ContentHash
import Foundation
import ReviewTestSupport
import Testing

@Suite struct ContentHashTests {
    @Test func knownVectors() {
        #expect(FileHasher.sha256(bytes: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FileHasher.sha256(bytes: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            FileHasher.sha512(bytes: Array("abc".utf8))
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    @Test func streamsFilesLargerThanOneChunk() throws {
        try withTemporaryDirectory { dir in
            var bytes = [UInt8](repeating: 0, count: FileHasher.chunkSize * 3 + 12345)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
            let url = dir.appendingPathComponent("big.bin")
            try Data(bytes).write(to: url)
            let digests = try FileHasher.digests(path: url.path, algorithms: [.sha256, .sha512])
            #expect(digests[.sha256] == FileHasher.sha256(bytes: bytes))
            #expect(digests[.sha512] == FileHasher.sha512(bytes: bytes))
            let cli = try runProgram("sha256sum", [url.path])
            #expect(cli.stdout.hasPrefix(try FileHasher.sha256(path: url.path)))
        }
    }

    @Test func hashesManyFilesInParallelInOrder() throws {
        try withTemporaryDirectory { dir in
            var paths: [String] = []
            for index in 0..<50 {
                let url = dir.appendingPathComponent("f\(index).txt")
                try writeFile(String(repeating: "line \(index)\n", count: index + 1), to: url)
                paths.append(url.path)
            }
            let parallel = try FileHasher.sha256(paths: paths)
            let serial = try paths.map { try FileHasher.sha256(path: $0) }
            #expect(parallel == serial)
            #expect(Set(parallel).count == 50)
        }
    }

    @Test func missingFileNamesThePath() throws {
        #expect(throws: ContentHashError.cannotOpen(path: "/nonexistent/x", errno: ENOENT)) {
            try FileHasher.sha256(path: "/nonexistent/x")
        }
    }

    @Test func statCacheRehashesWhenAFileChanges() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("a.txt")
            try writeFile("one\n", to: url)
            var cache = StatCache()
            let first = try cache.hash(["a.txt", "missing.txt"], root: dir)
            #expect(first["a.txt"]?.sha256 == FileHasher.sha256(bytes: Array("one\n".utf8)))
            #expect(first["missing.txt"] == nil)
            let stamp = try #require(FileStamp.of(path: url.path))
            cache.record("a.txt", stamp: stamp, sha256: "cached-value")
            #expect(try cache.hash(["a.txt"], root: dir)["a.txt"]?.sha256 == "cached-value")
            try writeFile("two, longer\n", to: url)
            #expect(try cache.hash(["a.txt"], root: dir)["a.txt"]?.sha256 == FileHasher.sha256(bytes: Array("two, longer\n".utf8)))
            let cacheURL = dir.appendingPathComponent("cache.json")
            try cache.save(to: cacheURL)
            #expect(StatCache.load(from: cacheURL).entries == cache.entries)
            #expect(StatCache.load(from: dir.appendingPathComponent("none.json")).entries.isEmpty)
        }
    }
}
