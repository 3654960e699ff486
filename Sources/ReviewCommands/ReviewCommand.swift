import ArgumentParser
import Foundation
import RunnerCore
import Stages
import WorkflowModel

/// The `review` command: runs a scoping review declared in workflow.json and reads its audit trail.
public struct ReviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Run a scoping review as declared steps and keep every stage in a git audit trail.",
        version: runnerVersion,
        subcommands: [
            Run.self, Status.self, Log.self, Show.self, Verify.self, Reproduce.self, Trace.self, Diff.self, ArchiveCommand.self,
            DepositCommand.self, Records.self, Screening.self, Schema.self, Hash.self,
        ])

    public init() {}

    /// Parses the arguments, runs the command, and exits 0 (ok), 1 (failed or a check failed) or 2 (bad usage or input).
    public static func runAndExit(arguments: [String]? = nil) -> Never {
        installInterruptHandlers()
        let code: Int32
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            code = 0
        } catch let error as RunnerError {
            Output.error(error.description)
            code = error.exitCode
        } catch let exit as ExitCode {
            code = exit.rawValue
        } catch {
            let exitCode = Self.exitCode(for: error)
            if exitCode.rawValue == 0 {
                print(Self.fullMessage(for: error))
                code = 0
            } else {
                Output.error(Self.message(for: error))
                code = 2
            }
        }
        Foundation.exit(code)
    }
}

/// Options every review command takes.
struct ReviewOptions: ParsableArguments {
    @Option(name: .customShort("C"), help: ArgumentHelp("Run as if started in DIR (the folder that holds workflow.json).", valueName: "DIR"))
    var directory: String?

    var root: URL {
        URL(fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
    }

    func loadFolder() throws(RunnerError) -> ReviewFolder {
        try ReviewFolder.load(at: root, catalog: BuiltinSteps.registry.catalog)
    }

    /// Loads the review and first repairs a stage a crash left half in place, for the read commands.
    func loadRecoveredFolder() throws(RunnerError) -> ReviewFolder {
        let folder = try loadFolder()
        _ = try Runner(folder: folder, registry: BuiltinSteps.registry, progress: { Output.progress($0) }).recoverInterruptedStage()
        return folder
    }
}

/// Where command output goes: results on stdout, progress and errors on stderr.
enum Output {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("review: error: \(message)\n".utf8))
    }

    static func progress(_ message: String) {
        FileHandle.standardError.write(Data("review: \(message)\n".utf8))
    }

    /// Moves a finished temporary file over `url` (a rename in the same folder).
    static func replace(_ url: URL, with temporary: URL) throws(RunnerError) {
        if rename(temporary.path, url.path) != 0 {
            throw .io(path: url.path, message: "cannot write: \(String(cString: strerror(errno)))")
        }
    }

    static func json(_ value: JSONValue) {
        print(CanonicalJSON.pretty(value), terminator: "")
    }
}
