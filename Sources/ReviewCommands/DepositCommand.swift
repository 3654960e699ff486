import Archive
import ArgumentParser
import Foundation
import RunnerCore

struct DepositCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deposit",
        abstract: "Create a Dataverse dataset from the archive and upload its files through the native API; a re-run resumes.")

    @OptionGroup var options: ReviewOptions
    @Option(help: ArgumentHelp("The Dataverse installation, e.g. https://dataverse.no.", valueName: "URL")) var server: String
    @Option(help: ArgumentHelp("The alias of the collection that receives the dataset.", valueName: "ALIAS")) var collection: String
    @Option(help: ArgumentHelp("A file holding the API token (else the environment variable REVIEW_DATAVERSE_TOKEN).", valueName: "FILE"))
    var tokenFile: String?
    @Option(help: ArgumentHelp("The archive folder (default: workflow.json's archive.output).", valueName: "DIR")) var archive: String?
    @Flag(help: "Print each request without sending it.") var dryRun = false

    func validate() throws {
        guard let url = URL(string: server), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ValidationError("--server must be an http(s) URL, e.g. https://dataverse.no")
        }
        guard !collection.isEmpty, collection.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw ValidationError("--collection must be a collection alias (letters, digits, _ and -)")
        }
    }

    /// The token from --token-file or REVIEW_DATAVERSE_TOKEN; never printed.
    func readToken() throws(ArchiveError) -> String {
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else { throw .usage("--token-file \(tokenFile): cannot read the file") }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw .usage("--token-file \(tokenFile): the file is empty") }
            return token
        }
        if let token = ProcessInfo.processInfo.environment["REVIEW_DATAVERSE_TOKEN"], !token.isEmpty { return token }
        throw .usage("no API token: pass --token-file FILE or set REVIEW_DATAVERSE_TOKEN")
    }

    func run() throws {
        let folder = try options.loadFolder()
        let archiver = Archiver(folder: folder, runnerVersion: runnerVersion)
        let target = archiver.outputFolder(archive)
        guard let serverURL = URL(string: server) else { throw ValidationError("--server must be a URL") }
        if dryRun {
            let client = DepositClient(server: serverURL, collection: collection, archive: target, transport: DryRunTransport(), progress: { Output.progress($0) })
            let requests = try ArchiveFailure.run { () throws(ArchiveError) in try client.dryRun() }
            for request in requests {
                print("\(request.method) \(request.url.absoluteString)")
                print("  X-Dataverse-key: (the API token, not shown)")
                if let contentType = request.contentType { print("  Content-Type: \(contentType)") }
                print("  \(request.summary)")
            }
            print("\(requests.count) requests; nothing was sent (--dry-run)")
            return
        }
        let token = try ArchiveFailure.run { () throws(ArchiveError) in try readToken() }
        let client = DepositClient(
            server: serverURL, collection: collection, archive: target, transport: URLSessionTransport(token: token), progress: { Output.progress($0) })
        let persistentId = try ArchiveFailure.run { () throws(ArchiveError) in try client.deposit() }
        print(persistentId)
    }
}

/// The transport of `--dry-run`: it refuses to send.
struct DryRunTransport: DepositTransport {
    func send(_ request: DepositRequest) throws(ArchiveError) -> DepositResponse {
        throw .usage("--dry-run sends nothing")
    }
}
