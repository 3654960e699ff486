import Foundation

/// A fresh temporary folder named after the test, removed when the test's closure returns.
public func withTemporaryDirectory<T>(_ name: String = #function, _ body: (URL) throws -> T) throws -> T {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("reviewtrail-\(safe)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// The result of running a program.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program and waits for it; the git configuration is isolated from the user's.
@discardableResult
public func runProgram(
    _ executable: String, _ arguments: [String], in directory: URL? = nil, environment extra: [String: String] = [:], stdin: String? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let directory { process.currentDirectoryURL = directory }
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
    environment["GIT_CONFIG_SYSTEM"] = "/dev/null"
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment.merge(extra) { _, new in new }
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    let outData = ReadAll(out.fileHandleForReading)
    let errData = ReadAll(err.fileHandleForReading)
    outData.start()
    errData.start()
    if let stdin {
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    }
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: outData.wait(), stderr: errData.wait())
}

/// Reads a pipe to its end on a background thread (so a full pipe never blocks the child).
final class ReadAll: @unchecked Sendable {
    private let handle: FileHandle
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) { self.handle = handle }

    func start() {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Runs the git CLI (to check what libgit2 wrote) with an isolated configuration.
@discardableResult
public func git(_ arguments: [String], in directory: URL? = nil) throws -> ProcessResult {
    try runProgram("git", arguments, in: directory)
}

/// Paths of this repository and of `../shared`, found from this source file.
public enum RepositoryPaths {
    /// The package root (the folder with Package.swift).
    public static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// `../shared` beside the checkout, when it exists (tests that need it skip otherwise).
    public static var shared: URL? {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("checks").path) ? url : nil
    }

    /// The `review` binary the end-to-end tests run: `REVIEW_BIN`, or the release build.
    public static var reviewBinary: String {
        ProcessInfo.processInfo.environment["REVIEW_BIN"] ?? packageRoot.appendingPathComponent(".build/release/review").path
    }
}

/// Copies the example review (workflow.json and stages/ without generated out/ folders) into `directory`.
public func copyExampleReview(to directory: URL) throws {
    let root = RepositoryPaths.packageRoot
    let fileManager = FileManager.default
    try fileManager.copyItem(at: root.appendingPathComponent("workflow.json"), to: directory.appendingPathComponent("workflow.json"))
    try fileManager.copyItem(at: root.appendingPathComponent("stages"), to: directory.appendingPathComponent("stages"))
    for stage in try fileManager.contentsOfDirectory(atPath: directory.appendingPathComponent("stages").path) {
        try? fileManager.removeItem(at: directory.appendingPathComponent("stages/\(stage)/out"))
    }
}

/// Writes text to a file, creating its folder.
public func writeFile(_ text: String, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

/// Reads a text file.
public func readFile(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

/// Carries a non-Sendable value into another thread in a test that keeps it confined there.
public final class UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
