import Foundation

/// Signs trail commits with an SSH key through `ssh-keygen -Y sign -n git`, as `git commit -S` does with
/// `gpg.format=ssh`; the key is named by `REVIEW_SIGNING_KEY` (a private key file, or a public key an agent holds).
public struct SSHCommitSigner: Sendable, Equatable {
    /// The environment variable that turns signing on.
    public static let environmentVariable = "REVIEW_SIGNING_KEY"

    public var keyPath: String

    public init(keyPath: String) { self.keyPath = keyPath }

    /// The signer the environment asks for, or nil when signing is off.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SSHCommitSigner? {
        guard let key = environment[environmentVariable], !key.isEmpty else { return nil }
        return SSHCommitSigner(keyPath: key)
    }

    /// The armored SSH signature (namespace `git`) of `bytes`.
    /// - Throws: `RunnerError.trail` when ssh-keygen fails, with its message.
    public func sign(_ bytes: [UInt8]) throws(RunnerError) -> String {
        let result = try SSHKeygen.run(["-Y", "sign", "-n", "git", "-f", keyPath], input: bytes)
        guard result.status == 0, result.stdout.contains("BEGIN SSH SIGNATURE") else {
            throw .trail("cannot sign the snapshot with \(keyPath) (ssh-keygen -Y sign): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.stdout
    }
}

/// Runs `ssh-keygen` with data on its standard input.
public enum SSHKeygen {
    /// What ssh-keygen printed and its exit status.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `ssh-keygen arguments…` with `input` on stdin.
    public static func run(_ arguments: [String], input: [UInt8]) throws(RunnerError) -> Result {
        let process = Process()
        let candidates = ["/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen", "/bin/ssh-keygen"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw .trail("ssh-keygen is not installed (needed to sign or verify SSH signatures)")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { throw .trail("cannot run ssh-keygen: \(error.localizedDescription)") }
        // ssh-keygen may exit before reading all of its input (a bad key): a write must then fail, not kill us.
        signal(SIGPIPE, SIG_IGN)
        let writer = stdin.fileHandleForWriting
        let data = Data(input)
        let errorBox = PipeDrain(stderr.fileHandleForReading)
        Thread.detachNewThread {
            writer.write(data)
            try? writer.close()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = errorBox.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

/// Reads a pipe to its end on another thread.
final class PipeDrain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
