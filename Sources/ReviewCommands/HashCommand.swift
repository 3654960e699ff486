import ArgumentParser
import ContentHash
import Foundation

struct Hash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Print the SHA-256 (or SHA-512) of files as sha256sum does, hashing on all cores.")

    @Option(help: "sha256 or sha512.") var algorithm: String = "sha256"
    @Argument(help: "The files to hash.") var files: [String]

    func validate() throws {
        guard HashAlgorithm(rawValue: algorithm) != nil else { throw ValidationError("--algorithm must be sha256 or sha512") }
        guard !files.isEmpty else { throw ValidationError("name at least one file") }
    }

    func run() throws {
        let chosen = HashAlgorithm(rawValue: algorithm) ?? .sha256
        var failed = false
        for (file, result) in zip(files, FileHasher.digests(paths: files, algorithms: [chosen])) {
            switch result {
            case .success(let digests): print("\(digests[chosen] ?? "")  \(file)")
            case .failure(let error):
                Output.error(error.description)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
