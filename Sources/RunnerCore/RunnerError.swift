import ContentHash
import GitStore
import WorkflowModel

/// A problem in an input file a step reads, at a file, line and field.
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let field { place += ": \(field)" }
        return "\(place): \(message)"
    }
}

/// Everything that can stop the runner; each case knows its exit code (0 ok, 1 failed, 2 bad input).
public enum RunnerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// workflow.json is invalid.
    case workflow(WorkflowError)
    /// A file a step reads is invalid.
    case input(InputError)
    /// Bad usage: an unknown stage or step, an unknown revision.
    case usage(String)
    /// A step ran and failed.
    case stepFailed(step: String, message: String)
    /// Another `review run` holds the lock.
    case locked(String)
    /// The trail could not be read or written.
    case trail(String)
    /// A file could not be read or written.
    case io(path: String, message: String)

    public var exitCode: Int32 {
        switch self {
        case .workflow, .input, .usage: 2
        case .stepFailed, .locked, .trail, .io: 1
        }
    }

    public var description: String {
        switch self {
        case .workflow(let error): error.description
        case .input(let error): error.description
        case .usage(let message): message
        case .stepFailed(let step, let message): "step \(step) failed: \(message)"
        case .locked(let message): message
        case .trail(let message): "trail: \(message)"
        case .io(let path, let message): "\(path): \(message)"
        }
    }

    static func git(_ error: GitError) -> RunnerError { .trail(error.description) }
    static func hash(_ error: ContentHashError) -> RunnerError {
        switch error {
        case .cannotOpen(let path, _), .readFailed(let path, _): .io(path: path, message: error.description)
        }
    }
}
