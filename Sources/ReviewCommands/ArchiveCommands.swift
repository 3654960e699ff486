import Archive
import ArgumentParser
import Foundation
import RunnerCore

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Pack the trail as it stands into a BagIt + RO-Crate bag (bag/, bag.zip, bag.tar) and dataverse-dataset.json, then tag it archive/<n>.")

    @OptionGroup var options: ReviewOptions
    @Option(help: ArgumentHelp("Where to write (default: workflow.json's archive.output, \"archive\").", valueName: "DIR")) var output: String?

    func run() throws {
        let folder = try options.loadRecoveredFolder()
        let result = try ArchiveFailure.run { () throws(ArchiveError) in try Archiver(folder: folder, runnerVersion: runnerVersion).write(output: output) }
        print("archived trail commit \(result.commit.prefix(8)) as \(result.tag): \(result.payloadFiles) payload files, \(result.payloadBytes) bytes")
        print("bag: \(result.folder.appendingPathComponent("bag").path)")
        print("serialized: bag.zip, bag.tar; Dataverse dataset JSON: dataverse-dataset.json (identifier placeholder \(result.doi))")
    }
}

/// Turns an `ArchiveError` into the command line's error line and exit code.
enum ArchiveFailure {
    static func run<T>(_ body: () throws(ArchiveError) -> T) throws -> T {
        do { return try body() } catch {
            Output.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}
