import Foundation
import GitStore
import ReviewTestSupport
import Testing

@Suite struct GitRepositoryTests {
    let fixedAuthor = Signature(name: "Test Runner", email: "test@example.org", time: 1_700_000_000, offsetMinutes: 60)

    func makeCommit(_ repository: GitRepository, files: [String: String], parent: ObjectID?, message: String) throws -> ObjectID {
        var entries: [TreeFile] = []
        for (path, text) in files { entries.append(TreeFile(path: path, blob: try repository.writeBlob(Array(text.utf8)))) }
        let tree = try repository.writeTree(entries)
        return try repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message, author: fixedAuthor)
    }

    @Test func createsBareRepositoryWithHeadOnTrail() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("trail.git").path
            _ = try GitRepository.openOrCreateBare(at: path, initialBranch: "trail")
            let head = try git(["--git-dir", path, "symbolic-ref", "HEAD"])
            #expect(head.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "refs/heads/trail")
            let bare = try git(["--git-dir", path, "rev-parse", "--is-bare-repository"])
            #expect(bare.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "true")
        }
    }

    @Test func commitsNestedTreesThatGitReadsBack() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("trail.git").path
            let repository = try GitRepository.openOrCreateBare(at: path, initialBranch: "trail")
            let message = "2-search: 3 records\n\nReview-Stage: 2-search\nStep-Id: 2-search/import\n"
            let commit = try makeCommit(
                repository, files: ["workflow.json": "{}\n", "stages/2-search/out/records.jsonl": "a\nb\n", "stages/2-search/exports/x.ris": "TY  - JOUR\n"],
                parent: nil, message: message)
            try repository.updateReference("refs/heads/trail", to: commit, expected: nil, logMessage: "test")
            #expect(try git(["--git-dir", path, "fsck", "--full", "--strict"]).status == 0)
            let listing = try git(["--git-dir", path, "ls-tree", "-r", "--name-only", "trail"])
            #expect(listing.stdout == "stages/2-search/exports/x.ris\nstages/2-search/out/records.jsonl\nworkflow.json\n")
            let shown = try git(["--git-dir", path, "show", "trail:stages/2-search/out/records.jsonl"])
            #expect(shown.stdout == "a\nb\n")
            let body = try git(["--git-dir", path, "log", "-1", "--format=%B", "trail"])
            #expect(body.stdout.hasPrefix(message))
            let parsed = try runProgram("sh", ["-c", "git --git-dir '\(path)' log -1 --format=%B trail | git interpret-trailers --parse"])
            #expect(parsed.stdout == "Review-Stage: 2-search\nStep-Id: 2-search/import\n")
            let author = try git(["--git-dir", path, "log", "-1", "--format=%an <%ae> %at %ai", "trail"])
            #expect(author.stdout.trimmingCharacters(in: .newlines) == "Test Runner <test@example.org> 1700000000 2023-11-14 23:13:20 +0100")
            #expect(GitRepository.trailers(of: message).map(\.key) == ["Review-Stage", "Step-Id"])
        }
    }

    @Test func identicalInputsGiveIdenticalCommitIDs() throws {
        try withTemporaryDirectory { dir in
            let first = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("a.git").path, initialBranch: "trail")
            let second = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("b.git").path, initialBranch: "trail")
            let files = ["a/b.txt": "hello\n", "c.txt": "world\n"]
            #expect(try makeCommit(first, files: files, parent: nil, message: "m\n") == makeCommit(second, files: files, parent: nil, message: "m\n"))
        }
    }

    @Test func referenceUpdateIsCompareAndSwap() throws {
        try withTemporaryDirectory { dir in
            let repository = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("t.git").path, initialBranch: "trail")
            let first = try makeCommit(repository, files: ["f": "1"], parent: nil, message: "one\n")
            try repository.updateReference("refs/heads/trail", to: first, expected: nil, logMessage: "first")
            let second = try makeCommit(repository, files: ["f": "2"], parent: first, message: "two\n")
            let rival = try makeCommit(repository, files: ["f": "3"], parent: first, message: "rival\n")
            try repository.updateReference("refs/heads/trail", to: second, expected: first, logMessage: "second")
            let stale = #expect(throws: GitError.self) {
                try repository.updateReference("refs/heads/trail", to: rival, expected: first, logMessage: "rival")
            }
            #expect(stale?.isConcurrentModification == true)
            #expect(throws: GitError.self) {
                try repository.updateReference("refs/heads/trail", to: rival, expected: nil, logMessage: "create over existing")
            }
            #expect(try repository.referenceTarget("refs/heads/trail") == second)
            #expect(try repository.referenceTarget("refs/heads/missing") == nil)
        }
    }

    @Test func readsHistoryTreesAndRevisions() throws {
        try withTemporaryDirectory { dir in
            let repository = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("t.git").path, initialBranch: "trail")
            let first = try makeCommit(repository, files: ["x/y.txt": "1\n"], parent: nil, message: "one\n\nKey: a\n")
            try repository.updateReference("refs/heads/trail", to: first, expected: nil, logMessage: "1")
            let second = try makeCommit(repository, files: ["x/y.txt": "2\n", "z.txt": "z\n"], parent: first, message: "two\n")
            try repository.updateReference("refs/heads/trail", to: second, expected: first, logMessage: "2")
            #expect(try repository.firstParentHistory(from: second).map(\.id) == [second, first])
            #expect(try repository.resolveCommit("trail~1") == first)
            #expect(try repository.resolveCommit(String(second.description.prefix(8))) == second)
            #expect(try repository.resolveCommit("no-such-rev") == nil)
            let files = try repository.files(inTree: try repository.commit(second).tree)
            #expect(files.map(\.path) == ["x/y.txt", "z.txt"])
            let blob = try #require(try repository.blob(at: "x/y.txt", inCommit: first))
            #expect(try repository.blobBytes(blob) == Array("1\n".utf8))
            #expect(try repository.blob(at: "nope", inCommit: first) == nil)
            #expect(try repository.commit(second).summary == "two")
        }
    }

    @Test func writesBundlesThatGitClones() throws {
        try withTemporaryDirectory { dir in
            let repository = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("t.git").path, initialBranch: "trail")
            let first = try makeCommit(repository, files: ["a.txt": "a\n"], parent: nil, message: "one\n")
            let second = try makeCommit(repository, files: ["a.txt": "b\n"], parent: first, message: "two\n")
            try repository.updateReference("refs/heads/trail", to: second, expected: nil, logMessage: "t")
            let bundle = dir.appendingPathComponent("trail.bundle")
            try repository.writeBundle(refs: [("HEAD", second), ("refs/heads/trail", second)], to: bundle)
            let empty = dir.appendingPathComponent("empty")
            #expect(try git(["init", "-q", empty.path]).status == 0)
            let verified = try git(["bundle", "verify", bundle.path], in: empty)
            #expect(verified.status == 0, "\(verified.stderr)")
            let clone = dir.appendingPathComponent("clone")
            #expect(try git(["clone", "-q", bundle.path, clone.path]).status == 0)
            #expect(try git(["-C", clone.path, "fsck", "--full", "--strict"]).status == 0)
            #expect(try git(["-C", clone.path, "rev-list", "--count", "HEAD"]).stdout.trimmingCharacters(in: .newlines) == "2")
        }
    }

    @Test func reachableObjectsAreWhatGitListsAndWhatTheBundlePacks() throws {
        try withTemporaryDirectory { dir in
            let repository = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("t.git").path, initialBranch: "trail")
            let first = try makeCommit(repository, files: ["a.txt": "a\n", "sub/b.txt": "b\n", "sub/deep/c.txt": "c\n"], parent: nil, message: "one\n")
            let second = try makeCommit(repository, files: ["a.txt": "a2\n", "sub/b.txt": "b\n", "other/c.txt": "c\n"], parent: first, message: "two\n")
            try repository.updateReference("refs/heads/trail", to: second, expected: nil, logMessage: "t")
            let reachable = try repository.reachableObjects(from: [second])
            let listed = try git(["--git-dir", dir.appendingPathComponent("t.git").path, "rev-list", "--objects", second.description])
            let expected = Set(listed.stdout.split(separator: "\n").compactMap { ObjectID(hex: String($0.prefix(40))) })
            #expect(reachable == expected)
            #expect(reachable.count == 11, "2 commits; 5 trees (2 roots, 2 of sub, and deep = other, both holding c.txt); 4 blobs (a, a2, b, c)")
            let packed = try BundleContents.read(try repository.bundle(refs: [("HEAD", second), ("refs/heads/trail", second)]))
            #expect(packed.objects == reachable)
            #expect(try repository.reachableObjects(from: [first]).isStrictSubset(of: reachable))
        }
    }

    @Test func skipsRewritingKnownBlobs() throws {
        try withTemporaryDirectory { dir in
            let repository = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("t.git").path, initialBranch: "trail")
            let file = dir.appendingPathComponent("f.txt")
            try writeFile("content\n", to: file)
            let id = try repository.writeBlob(fileAt: file.path)
            #expect(id.description == (try git(["hash-object", file.path]).stdout.trimmingCharacters(in: .newlines)))
            try writeFile("changed\n", to: file)
            #expect(try repository.writeBlob(fileAt: file.path, known: id) == id)
            #expect(repository.contains(id))
        }
    }
}
