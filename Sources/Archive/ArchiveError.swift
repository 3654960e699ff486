import Foundation
import RunnerCore

/// Everything that stops `review archive`, `review deposit` or `review verify --archive`; each case knows its exit code.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required field of workflow.json's `review` block is missing or unusable (file:line:column: path: message).
    case metadata(file: String, line: Int, column: Int, field: String, message: String)
    /// The review or its trail could not be read.
    case runner(RunnerError)
    /// A file could not be read or written.
    case io(path: String, message: String)
    /// The trail holds nothing to pack, or a snapshot is unreadable.
    case trail(String)
    /// The Dataverse server refused a request or could not be reached.
    case deposit(String)
    /// Bad usage (options, token source).
    case usage(String)

    public var exitCode: Int32 {
        switch self {
        case .metadata, .usage: 2
        case .runner(let error): error.exitCode
        case .io, .trail, .deposit: 1
        }
    }

    public var description: String {
        switch self {
        case .metadata(let file, let line, let column, let field, let message): "\(file):\(line):\(column): \(field): \(message)"
        case .runner(let error): error.description
        case .io(let path, let message): "\(path): \(message)"
        case .trail(let message): "trail: \(message)"
        case .deposit(let message): "deposit: \(message)"
        case .usage(let message): message
        }
    }
}
