import GitStore
import RunnerCore

/// What stops an audit command; each case knows its exit code (1 a check failed or the work failed, 2 bad usage or input).
public enum AuditError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The source to reproduce or compare against is not a trail, bundle or archive bag.
    case source(String)
    /// The trail holds command steps and `--allow-commands` was not given: (step, argv) each.
    case commandStepsRefused([CommandStepListing])
    /// Bad usage: an unknown revision, record id or stage.
    case usage(String)
    /// A file of the trail could not be read, at a path and line.
    case input(path: String, line: Int?, message: String)
    /// The runner failed.
    case runner(RunnerError)
    /// libgit2 failed.
    case git(GitError)
    /// A file outside the trail could not be read or written.
    case io(path: String, message: String)

    public var exitCode: Int32 {
        switch self {
        case .source, .commandStepsRefused, .usage, .input: 2
        case .runner(let error): error.exitCode
        case .git, .io: 1
        }
    }

    public var description: String {
        switch self {
        case .source(let message): message
        case .commandStepsRefused(let steps):
            "the trail runs \(steps.count) command step\(steps.count == 1 ? "" : "s"), which could run anything on this machine; "
                + "read them, then pass --allow-commands to run them:\n"
                + steps.map { "  \($0.step): \($0.argv.joined(separator: " "))" }.joined(separator: "\n")
        case .usage(let message): message
        case .input(let path, let line, let message): line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
        case .runner(let error): error.description
        case .git(let error): "trail: \(error.description)"
        case .io(let path, let message): "\(path): \(message)"
        }
    }
}

/// A command step of a workflow, as `reproduce` lists it before refusing to run it.
public struct CommandStepListing: Sendable, Equatable {
    public var step: String
    public var argv: [String]

    public init(step: String, argv: [String]) {
        self.step = step
        self.argv = argv
    }
}
