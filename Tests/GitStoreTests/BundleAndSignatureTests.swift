import Foundation
import GitStore
import ReviewTestSupport
import Testing

@Suite struct BundleAndSignatureTests {
    let author = Signature(name: "Test Runner", email: "test@example.org", time: 1_700_000_000, offsetMinutes: 0)

    private func chain(_ repository: GitRepository, count: Int) throws -> ObjectID {
        var parent: ObjectID?
        for index in 1...count {
            let tree = try repository.writeTree([TreeFile(path: "stages/f\(index).txt", blob: try repository.writeBlob(Array("file \(index)\n".utf8)))])
            parent = try repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: "snapshot \(index)\n", author: author)
        }
        let tip = try #require(parent)
        try repository.updateReference("refs/heads/trail", to: tip, expected: nil, logMessage: "test")
        return tip
    }

    @Test func aBundleFromTheGitCLIIsIndexedWithLibgit2() throws {
        try withTemporaryDirectory { dir in
            let source = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("source.git").path, initialBranch: "trail")
            let tip = try chain(source, count: 3)
            let bundle = dir.appendingPathComponent("cli.bundle")
            #expect(try git(["--git-dir", source.path, "bundle", "create", bundle.path, "HEAD", "trail"]).status == 0)
            let (copy, refs) = try GitRepository.importBundle(at: bundle.path, into: dir.appendingPathComponent("copy.git").path, initialBranch: "trail")
            #expect(refs.contains(BundleReference(name: "refs/heads/trail", target: tip)))
            #expect(try copy.referenceTarget("refs/heads/trail") == tip)
            #expect(try copy.firstParentHistory(from: tip).count == 3)
            #expect(try git(["--git-dir", copy.path, "fsck", "--full", "--strict"]).status == 0)
            #expect(try git(["--git-dir", copy.path, "show", "trail~2:stages/f1.txt"]).stdout == "file 1\n")
            #expect(try copy.isAncestor(try #require(try copy.resolveCommit("trail~2")), of: tip))
            #expect(try !copy.isAncestor(tip, of: try #require(try copy.resolveCommit("trail~1"))))
        }
    }

    @Test func aBundleNeedingPrerequisitesIsRefusedWithItsLine() throws {
        try withTemporaryDirectory { dir in
            let source = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("source.git").path, initialBranch: "trail")
            _ = try chain(source, count: 2)
            let bundle = dir.appendingPathComponent("thin.bundle")
            #expect(try git(["--git-dir", source.path, "bundle", "create", bundle.path, "trail~1..trail"]).status == 0)
            let error = #expect(throws: GitError.self) {
                try GitRepository.importBundle(at: bundle.path, into: dir.appendingPathComponent("copy.git").path, initialBranch: "trail")
            }
            #expect(error?.message.contains("thin.bundle:2: the bundle needs prerequisite commits") == true)
        }
    }

    @Test func aSignedCommitCarriesItsSignatureOverTheExactBytes() throws {
        try withTemporaryDirectory { dir in
            let repository = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("t.git").path, initialBranch: "trail")
            let tree = try repository.writeTree([TreeFile(path: "a.txt", blob: try repository.writeBlob(Array("a\n".utf8)))])
            let armored = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"
            var signed: [UInt8] = []
            let commit = try repository.createSignedCommit(tree: tree, parents: [], message: "signed\n", author: author) { bytes in
                signed = bytes
                return armored
            }
            let signature = try #require(try repository.commitSignature(commit))
            #expect(signature.signature == armored)
            #expect(signature.signedData == signed)
            #expect(String(decoding: signed, as: UTF8.self).hasSuffix("\n\nsigned\n"))
            let raw = try git(["--git-dir", repository.path, "cat-file", "commit", commit.description]).stdout
            #expect(raw.contains("gpgsig -----BEGIN SSH SIGNATURE-----"))
            let unsigned = try repository.createCommit(tree: tree, parents: [], message: "plain\n", author: author)
            #expect(try repository.commitSignature(unsigned) == nil)
        }
    }
}
