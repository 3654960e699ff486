import Audit
import ContentHash
import Foundation
import GitStore
import ReviewTestSupport
import Testing
import RunnerCore
import Stages
import WorkflowModel

/// The hand-written fixture review of Fixtures/review (invented data that follows the file contract).
struct FixtureReview {
    let root: URL
    var signer: SSHCommitSigner?

    static var fixture: URL { RepositoryPaths.packageRoot.appendingPathComponent("Tests/AuditTests/Fixtures/review") }

    /// Copies the fixture review into `directory/review`.
    init(in directory: URL, signer: SSHCommitSigner? = nil) throws {
        root = directory.appendingPathComponent("review", isDirectory: true)
        try FileManager.default.copyItem(at: Self.fixture, to: root)
        self.signer = signer
    }

    var trailPath: String { root.appendingPathComponent(".review/trail.git").path }

    @discardableResult
    func run() throws -> RunReport {
        let folder = try ReviewFolder.load(at: root, catalog: BuiltinSteps.registry.catalog)
        let path = folder.trailPath
        let branch = folder.workflow.trail.branch
        let signer = self.signer
        return try Runner(
            folder: folder, registry: BuiltinSteps.registry,
            store: { create throws(RunnerError) in try GitSnapshotStore(path: path, branch: branch, create: create, signer: signer) }
        ).run(RunOptions())
    }

    func write(_ text: String, _ path: String) throws { try writeFile(text, to: root.appendingPathComponent(path)) }

    func view() throws -> TrailView { try TrailView(trailPath: trailPath, branch: "trail") }

    func tip() throws -> String {
        try #require(try GitRepository.open(at: trailPath).referenceTarget("refs/heads/trail")).description
    }

    /// Writes a bundle of the trail (HEAD and refs/heads/trail at the tip) to `file`.
    func bundle(to file: URL) throws {
        let repository = try GitRepository.open(at: trailPath)
        let tip = try #require(try repository.referenceTarget("refs/heads/trail"))
        try repository.writeBundle(refs: [("HEAD", tip), ("refs/heads/trail", tip)], to: file)
    }
}

/// Every file under a folder with its SHA-256, to show that a command wrote nothing there.
func fingerprint(_ url: URL) throws -> [String: String] {
    var out: [String: String] = [:]
    let base = url.standardizedFileURL.path
    guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else { return out }
    for case let file as URL in enumerator where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
        let data = try Data(contentsOf: file)
        out[String(file.standardizedFileURL.path.dropFirst(base.count))] = FileHasher.sha256(bytes: data)
    }
    return out
}
