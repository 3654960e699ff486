import ContentHash
import Foundation
import WorkflowModel

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP request of a deposit, as sent (the API token is added by the transport and never stored here).
public struct DepositRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var contentType: String?
    public var body: [UInt8]
    /// What the request is, for `--dry-run` and progress lines.
    public var summary: String
}

/// The HTTP answer: status code and body.
public struct DepositResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
}

/// Sends deposit requests; the URLSession transport adds the `X-Dataverse-key` header.
public protocol DepositTransport {
    func send(_ request: DepositRequest) throws(ArchiveError) -> DepositResponse
}

/// Sends requests with Foundation's URLSession (FoundationNetworking on Linux), one at a time.
public struct URLSessionTransport: DepositTransport {
    let token: String
    let session: URLSession

    public init(token: String, timeout: TimeInterval = 300) {
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    final class Box: @unchecked Sendable {
        var data: Data?
        var response: URLResponse?
        var error: (any Error)?
    }

    public func send(_ request: DepositRequest) throws(ArchiveError) -> DepositResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.setValue(token, forHTTPHeaderField: "X-Dataverse-key")
        if let contentType = request.contentType { urlRequest.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if request.method != "GET" { urlRequest.httpBody = Data(request.body) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: urlRequest) { data, response, error in
            box.data = data
            box.response = response
            box.error = error
            done.signal()
        }
        task.resume()
        done.wait()
        if let error = box.error {
            throw .deposit("\(request.method) \(request.url.absoluteString) failed: \(error.localizedDescription)")
        }
        guard let http = box.response as? HTTPURLResponse else { throw .deposit("\(request.method) \(request.url.absoluteString): no HTTP response") }
        return DepositResponse(status: http.statusCode, body: Array(box.data ?? Data()))
    }
}

/// Deposits an archive in a Dataverse collection through the native API: creates the dataset from
/// `dataverse-dataset.json`, then adds every payload file (with description and directory label) and `bag.tar`.
/// A state file beside the archive records the dataset and each uploaded file, so a re-run resumes.
public struct DepositClient {
    public static let stateFile = "deposit-state.json"

    public let server: URL
    public let collection: String
    public let archive: URL
    let transport: any DepositTransport
    let progress: (String) -> Void

    public init(server: URL, collection: String, archive: URL, transport: any DepositTransport, progress: @escaping (String) -> Void) {
        self.server = server
        self.collection = collection
        self.archive = archive
        self.transport = transport
        self.progress = progress
    }

    /// One file to upload: where it is, its label and folder in the dataset, and its description.
    public struct Upload: Sendable, Equatable {
        public var source: URL
        public var key: String
        public var label: String
        public var directoryLabel: String?
        public var description: String
        public var category: String
    }

    /// The resume state: the dataset created and the files uploaded (key → sha256).
    struct State: Equatable {
        var server: String
        var collection: String
        var commit: String
        var persistentId: String
        var uploaded: [String: String]

        var json: JSONValue {
            .object([
                JSONMember("collection", .string(collection)), JSONMember("commit", .string(commit)), JSONMember("persistent_id", .string(persistentId)),
                JSONMember("server", .string(server)),
                JSONMember("uploaded", .object(uploaded.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) })),
            ])
        }

        init(server: String, collection: String, commit: String, persistentId: String, uploaded: [String: String]) {
            self.server = server
            self.collection = collection
            self.commit = commit
            self.persistentId = persistentId
            self.uploaded = uploaded
        }

        init?(_ value: JSONValue) {
            guard let server = value["server"]?.stringValue, let collection = value["collection"]?.stringValue, let commit = value["commit"]?.stringValue,
                let persistentId = value["persistent_id"]?.stringValue
            else { return nil }
            var uploaded: [String: String] = [:]
            for member in value["uploaded"]?.objectValue ?? [] { uploaded[member.key] = member.value.stringValue }
            self.init(server: server, collection: collection, commit: commit, persistentId: persistentId, uploaded: uploaded)
        }
    }

    var stateURL: URL { archive.appendingPathComponent(Self.stateFile) }
    var bag: URL { archive.appendingPathComponent("bag", isDirectory: true) }

    func readFile(_ url: URL) throws(ArchiveError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .io(path: url.path, message: "cannot read; run 'review archive' first")
        }
        return Array(data)
    }

    /// The trail commit the archive packs (bag-info.txt's Trail-Commit).
    func packedCommit() throws(ArchiveError) -> String {
        let info = ArchiveVerifier.bagInfo(String(decoding: try readFile(bag.appendingPathComponent("bag-info.txt")), as: UTF8.self))
        guard let commit = info.first(where: { $0.0 == "Trail-Commit" })?.1 else {
            throw .io(path: bag.appendingPathComponent("bag-info.txt").path, message: "no Trail-Commit label; run 'review archive' again")
        }
        return commit
    }

    /// The files to upload, in order: each payload file, then bag.tar (Dataverse unpacks .zip uploads, not .tar).
    public func uploads() throws(ArchiveError) -> [Upload] {
        let crate = try readFile(bag.appendingPathComponent("data/ro-crate-metadata.json"))
        var descriptions: [String: String] = [:]
        if let graph = (try? JSONParser.parse(crate))?.value["@graph"]?.arrayValue {
            for entity in graph {
                if let id = entity["@id"]?.stringValue, let description = entity["description"]?.stringValue { descriptions[id] = description }
            }
        }
        let manifest = String(decoding: try readFile(bag.appendingPathComponent("manifest-sha256.txt")), as: UTF8.self)
        var out: [Upload] = []
        for line in manifest.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let relative = String(parts[1].dropFirst("data/".count))
            let folder = (relative as NSString).deletingLastPathComponent
            let label = (relative as NSString).lastPathComponent
            let description =
                descriptions[relative] ?? (relative == "ro-crate-metadata.json" ? "RO-Crate metadata of this dataset" : "file \(relative) of the review archive")
            let category = relative.hasSuffix(".csv") || relative.hasPrefix("records/") || relative.hasPrefix("screening/") ? "Data" : "Documentation"
            out.append(
                Upload(
                    source: bag.appendingPathComponent(parts[1]), key: parts[1], label: label, directoryLabel: folder.isEmpty ? nil : folder,
                    description: description, category: category))
        }
        out.append(
            Upload(
                source: archive.appendingPathComponent("bag.tar"), key: "bag.tar", label: "bag.tar", directoryLabel: nil,
                description: "the whole BagIt bag as one ustar file, for validation with bagit.py", category: "Documentation"))
        return out
    }

    func endpoint(_ path: String, query: [(String, String)] = []) -> URL {
        var components = URLComponents(url: server, resolvingAgainstBaseURL: false) ?? URLComponents()
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + path
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        return components.url ?? server
    }

    /// The request that creates the dataset in the collection.
    public func createRequest() throws(ArchiveError) -> DepositRequest {
        let body = try readFile(archive.appendingPathComponent("dataverse-dataset.json"))
        return DepositRequest(
            method: "POST", url: endpoint("/api/dataverses/\(collection)/datasets"), contentType: "application/json", body: body,
            summary: "create the dataset in collection \(collection) from dataverse-dataset.json (\(body.count) bytes)")
    }

    /// The multipart request that adds one file to the dataset.
    public func addRequest(_ upload: Upload, persistentId: String) throws(ArchiveError) -> DepositRequest {
        let bytes = try readFile(upload.source)
        var json: [JSONMember] = [
            JSONMember("description", .string(upload.description)), JSONMember("categories", .array([.string(upload.category)])),
            JSONMember("restrict", .string("false")), JSONMember("tabIngest", .string("false")),
        ]
        if let directoryLabel = upload.directoryLabel { json.append(JSONMember("directoryLabel", .string(directoryLabel))) }
        let boundary = "reviewtrail-\(FileHasher.sha256(bytes: bytes).prefix(24))"
        var body: [UInt8] = []
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"jsonData\"\r\n\r\n".utf8)
        body += Array(CanonicalJSON.compact(.object(json)).utf8)
        body += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(upload.label)\"\r\n".utf8)
        body += Array("Content-Type: application/octet-stream\r\n\r\n".utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return DepositRequest(
            method: "POST", url: endpoint("/api/datasets/:persistentId/add", query: [("persistentId", persistentId)]),
            contentType: "multipart/form-data; boundary=\(boundary)", body: body,
            summary: "add \(upload.key) (\(bytes.count) bytes) as \(upload.directoryLabel.map { "\($0)/" } ?? "")\(upload.label)")
    }

    /// The request that lists the draft's files (used when resuming, to skip files the server already holds).
    public func listRequest(persistentId: String) -> DepositRequest {
        DepositRequest(
            method: "GET", url: endpoint("/api/datasets/:persistentId/versions/:draft/files", query: [("persistentId", persistentId)]), contentType: nil,
            body: [], summary: "list the files of the draft \(persistentId)")
    }

    /// The requests a deposit would send, without sending them (the dataset's persistent id is not known yet).
    public func dryRun() throws(ArchiveError) -> [DepositRequest] {
        var requests = [try createRequest()]
        for upload in try uploads() { requests.append(try addRequest(upload, persistentId: "PERSISTENT_ID")) }
        return requests
    }

    static func answer(_ response: DepositResponse, to request: DepositRequest) throws(ArchiveError) -> JSONValue {
        let parsed = try? JSONParser.parse(response.body).value
        guard (200..<300).contains(response.status), parsed?["status"]?.stringValue == "OK" else {
            let message = parsed?["message"]?.stringValue ?? String(decoding: response.body.prefix(300), as: UTF8.self)
            throw .deposit("\(request.method) \(request.url.path) answered \(response.status): \(message)")
        }
        return parsed?["data"] ?? .null
    }

    func save(_ state: State) throws(ArchiveError) {
        let temporary = stateURL.appendingPathExtension("partial")
        do {
            try Data(CanonicalJSON.pretty(state.json).utf8).write(to: temporary)
        } catch { throw .io(path: temporary.path, message: "cannot write: \(error.localizedDescription)") }
        if rename(temporary.path, stateURL.path) != 0 { throw .io(path: stateURL.path, message: String(cString: strerror(errno))) }
    }

    /// The checksum a file entry of the native API carries: `dataFile.checksum` {type, value}, else `dataFile.md5`
    /// (Native API guide, "Add a File to a Dataset" and "List Files in a Dataset").
    static func checksum(of file: JSONValue) -> (type: String, value: String)? {
        let dataFile = file["dataFile"]
        if let type = dataFile?["checksum"]?["type"]?.stringValue, let value = dataFile?["checksum"]?["value"]?.stringValue { return (type, value) }
        if let md5 = dataFile?["md5"]?.stringValue { return ("MD5", md5) }
        return nil
    }

    /// Fails when the server's checksum of an uploaded file differs from the local file's (the copy it keeps is damaged).
    func compare(_ checksum: (type: String, value: String), with bytes: [UInt8], of upload: Upload, in request: DepositRequest) throws(ArchiveError) {
        guard let local = FileHasher.checksum(bytes: bytes, type: checksum.type) else {
            progress("warning: the server's checksum of \(upload.key) is of type \(checksum.type), which cannot be compared")
            return
        }
        if local != checksum.value.lowercased() {
            throw .deposit(
                "\(request.method) \(request.url.path): the server's \(checksum.type) of \(upload.key) is \(checksum.value), the local file's is \(local): the copy in dataset \(persistentIdOrUnknown(request)) is damaged; delete it from the draft and deposit again")
        }
    }

    func persistentIdOrUnknown(_ request: DepositRequest) -> String {
        URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "persistentId" }?.value ?? "?"
    }

    /// Creates the dataset (or resumes the one the state file names) and uploads the files not uploaded yet.
    /// - Returns: the dataset's persistent identifier.
    public func deposit() throws(ArchiveError) -> String {
        let commit = try packedCommit()
        let uploads = try uploads()
        var state: State
        if let data = FileManager.default.contents(atPath: stateURL.path), let value = try? JSONParser.parse(Array(data)).value, let saved = State(value),
            saved.server == server.absoluteString, saved.collection == collection, saved.commit == commit
        {
            state = saved
            progress("resuming the deposit of \(state.persistentId): \(state.uploaded.count) of \(uploads.count) files uploaded before")
            let list = listRequest(persistentId: state.persistentId)
            let onServer = try Self.answer(try transport.send(list), to: list)
            var present: Set<String> = []
            var checksums: [String: (type: String, value: String)] = [:]
            for file in onServer.arrayValue ?? [] {
                guard let label = file["label"]?.stringValue else { continue }
                let folder = file["directoryLabel"]?.stringValue
                let name = (folder.map { "\($0)/" } ?? "") + label
                present.insert(name)
                checksums[name] = Self.checksum(of: file)
            }
            for upload in uploads where state.uploaded[upload.key] == nil {
                let name = (upload.directoryLabel.map { "\($0)/" } ?? "") + upload.label
                if present.contains(name), let bytes = FileManager.default.contents(atPath: upload.source.path) {
                    if let checksum = checksums[name] { try compare(checksum, with: Array(bytes), of: upload, in: list) }
                    state.uploaded[upload.key] = FileHasher.sha256(bytes: bytes)
                    progress("\(upload.key) is already on the server; not uploaded again")
                }
            }
            try save(state)
        } else {
            let create = try createRequest()
            progress(create.summary)
            let data = try Self.answer(try transport.send(create), to: create)
            guard let persistentId = data["persistentId"]?.stringValue else {
                throw .deposit("POST \(create.url.path) answered without data.persistentId")
            }
            state = State(server: server.absoluteString, collection: collection, commit: commit, persistentId: persistentId, uploaded: [:])
            try save(state)
        }
        for upload in uploads {
            let bytes = try readFile(upload.source)
            let sha = FileHasher.sha256(bytes: bytes)
            if state.uploaded[upload.key] == sha { continue }
            let request = try addRequest(upload, persistentId: state.persistentId)
            progress(request.summary)
            let data = try Self.answer(try transport.send(request), to: request)
            let stored = data["files"]?.arrayValue?.first
            if let label = stored?["label"]?.stringValue, label != upload.label {
                progress("warning: the server stored \(upload.key) as \(label)")
            }
            if let stored, let checksum = Self.checksum(of: stored) {
                try compare(checksum, with: bytes, of: upload, in: request)
            } else {
                progress("warning: the server reported no checksum for \(upload.key); its copy was not compared with the local file")
            }
            state.uploaded[upload.key] = sha
            try save(state)
        }
        return state.persistentId
    }
}
