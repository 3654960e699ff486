import Archive
import ContentHash
import Foundation
import ReviewTestSupport
import Testing

/// A Dataverse stand-in whose answers follow the Dataverse API guide (Native API, guides.dataverse.org/en/latest/api/):
/// - create: "Create a Dataset in a Dataverse Collection", POST /api/dataverses/$PARENT/datasets → 201
///   {"status":"OK","data":{"id":…,"persistentId":"doi:…"}} (native-api.html#create-a-dataset-in-a-dataverse-collection);
/// - add: "Add a File to a Dataset", POST /api/datasets/:persistentId/add?persistentId=$PID, multipart `file` and `jsonData`
///   → {"status":"OK","data":{"files":[{"label":…,"directoryLabel":…,"dataFile":{…,"md5":…,"checksum":{"type":"MD5","value":…}}}]}}
///   (native-api.html#add-a-file-to-a-dataset; the guide's example answer carries the stored file's md5 and checksum);
/// - list: "List Files in a Dataset", GET /api/datasets/:persistentId/versions/:draft/files?persistentId=$PID
///   → {"status":"OK","data":[{"label":…,"directoryLabel":…,"dataFile":{…}}]} (native-api.html#list-files-in-a-dataset);
/// - errors: {"status":"ERROR","message":…}; 401 "Bad API key" for a wrong X-Dataverse-key (auth.html, "API Tokens and
///   Authentication"), 400 for a dataset body the server rejects (native-api.html, error responses).
final class FakeDataverse: @unchecked Sendable {
    static let token = "tok-7f3a9c-not-a-real-token"
    static let persistentId = "doi:10.5072/FK2/TESTPID"
    let lock = NSLock()
    var stored: [String] = []
    var datasetBodies: [[UInt8]] = []
    /// Store this upload (1-based) but drop the connection before answering.
    var storeThenDrop: Int?
    /// Store this upload (1-based) with its last byte lost, and report the checksum of what was stored.
    var damage: Int?
    var adds = 0
    /// The MD5 of each stored file's content, by path.
    var md5: [String: String] = [:]

    func answer(_ request: ReceivedRequest) -> ServerAnswer {
        lock.lock()
        defer { lock.unlock() }
        guard request.headers["x-dataverse-key"] == Self.token else { return .json(401, #"{"status":"ERROR","message":"Bad API key"}"#) }
        if request.method == "POST", request.path == "/api/dataverses/reviews/datasets" {
            datasetBodies.append(request.body)
            guard (try? JSONSerialization.jsonObject(with: Data(request.body))) != nil else {
                return .json(400, #"{"status":"ERROR","message":"Error parsing Json: Invalid token=EOF at (line no=1, column no=1, offset=0)."}"#)
            }
            return .json(201, #"{"status":"OK","data":{"id":42,"persistentId":"\#(Self.persistentId)"}}"#)
        }
        if request.method == "POST", request.path == "/api/dataverses/strict/datasets" {
            return .json(400, #"{"status":"ERROR","message":"Validation Failed: Title is required. (Invalid value:edu.harvard.iq.dataverse.DatasetField[ id=null ])."}"#)
        }
        if request.method == "POST", request.path == "/api/datasets/:persistentId/add", request.query == "persistentId=\(Self.persistentId)" {
            guard let (name, folder) = Self.multipartFile(request.body), var content = Self.multipartContent(request.body) else {
                return .json(400, #"{"status":"ERROR","message":"No file uploaded"}"#)
            }
            adds += 1
            if adds == damage, !content.isEmpty { content.removeLast() }
            let path = folder.map { "\($0)/\(name)" } ?? name
            stored.append(path)
            let md5 = FileHasher.checksum(bytes: content, type: "MD5") ?? ""
            self.md5[path] = md5
            if adds == storeThenDrop { return .drop }
            let directory = folder.map { #","directoryLabel":"\#($0)""# } ?? ""
            return .json(
                200,
                #"{"status":"OK","data":{"files":[{"description":"","label":"\#(name)","restricted":false\#(directory),"version":1,"datasetVersionId":1,"dataFile":{"id":\#(100 + adds),"filename":"\#(name)","contentType":"application/octet-stream","filesize":\#(content.count),"md5":"\#(md5)","checksum":{"type":"MD5","value":"\#(md5)"}}}]}}"#)
        }
        if request.method == "GET", request.path == "/api/datasets/:persistentId/versions/:draft/files" {
            let entries = stored.map { path -> String in
                let name = (path as NSString).lastPathComponent
                let folder = (path as NSString).deletingLastPathComponent
                let checksum = md5[path].map { #","md5":"\#($0)","checksum":{"type":"MD5","value":"\#($0)"}"# } ?? ""
                return #"{"label":"\#(name)","restricted":false\#(folder.isEmpty ? "" : #","directoryLabel":"\#(folder)""#),"dataFile":{"filename":"\#(name)"\#(checksum)}}"#
            }
            return .json(200, #"{"status":"OK","data":[\#(entries.joined(separator: ","))]}"#)
        }
        return .json(404, #"{"status":"ERROR","message":"API endpoint does not exist on this server."}"#)
    }

    /// The content of the `file` part of a multipart add body (between its headers and the closing boundary).
    static func multipartContent(_ body: [UInt8]) -> [UInt8]? {
        let data = Data(body)
        guard let part = data.range(of: Data("name=\"file\"".utf8)), let start = data.range(of: Data("\r\n\r\n".utf8), in: part.upperBound..<data.endIndex),
            let end = data.range(of: Data("\r\n--".utf8), options: .backwards)
        else { return nil }
        return Array(data[start.upperBound..<end.lowerBound])
    }

    /// The file name and the jsonData directoryLabel of a multipart add body.
    static func multipartFile(_ body: [UInt8]) -> (String, String?)? {
        let text = String(decoding: body, as: UTF8.self)
        guard let nameRange = text.range(of: "filename=\""), let end = text[nameRange.upperBound...].firstIndex(of: "\"") else { return nil }
        let name = String(text[nameRange.upperBound..<end])
        guard let jsonStart = text.range(of: "name=\"jsonData\"\r\n\r\n"), let jsonEnd = text[jsonStart.upperBound...].range(of: "\r\n--") else { return (name, nil) }
        let json = try? JSONSerialization.jsonObject(with: Data(text[jsonStart.upperBound..<jsonEnd.lowerBound].utf8)) as? [String: Any]
        return (name, json?["directoryLabel"] as? String)
    }
}

@Suite(.serialized) struct DepositTests {
    func archivedReview(_ dir: URL) throws -> URL {
        let review = try MiniArchiveReview(root: dir)
        try review.run()
        return try review.archive().folder
    }

    func client(_ server: LocalHTTPServer, archive: URL, collection: String = "reviews", token: String = FakeDataverse.token, log: UncheckedSendable<NSMutableArray>) -> DepositClient {
        DepositClient(
            server: server.url, collection: collection, archive: archive, transport: URLSessionTransport(token: token, timeout: 20),
            progress: { log.value.add($0) })
    }

    /// check-dataverse-json on each dataset body the client sent (skipped with a message when ../shared is absent).
    func validateBodies(_ bodies: [[UInt8]], in dir: URL) throws {
        guard let checks = checksFolder() else { return }
        for (index, body) in bodies.enumerated() {
            let url = dir.appendingPathComponent("sent-\(index).json")
            try Data(body).write(to: url)
            let result = try runProgram(checks.appendingPathComponent("check-dataverse-json").path, [url.path])
            #expect(result.status == 0, "check-dataverse-json: \(result.stdout)")
        }
    }

    @Test func depositCreatesTheDatasetAndUploadsEveryFileOnce() throws {
        try withTemporaryDirectory { dir in
            let archive = try archivedReview(dir)
            let fake = FakeDataverse()
            let server = try LocalHTTPServer { fake.answer($0) }
            defer { server.stop() }
            let log = UncheckedSendable(NSMutableArray())
            let deposit = client(server, archive: archive, log: log)
            let expected = try deposit.uploads()
            #expect(try deposit.deposit() == FakeDataverse.persistentId)
            #expect(fake.stored.sorted() == expected.map { ($0.directoryLabel.map { "\($0)/" } ?? "") + $0.label }.sorted())
            #expect(fake.stored.contains("audit/trail.bundle") && fake.stored.contains("bag.tar"))
            let state = try readFile(archive.appendingPathComponent(DepositClient.stateFile))
            #expect(!state.contains(FakeDataverse.token))
            #expect(!(log.value.compactMap { $0 as? String }.joined().contains(FakeDataverse.token)))
            try validateBodies(fake.datasetBodies, in: dir)
            let again = server.requests.count
            #expect(try deposit.deposit() == FakeDataverse.persistentId, "a finished deposit resumes to nothing")
            #expect(server.requests.count == again + 1, "only the listing is sent again")
        }
    }

    @Test func aFailureInTheMiddleOfAnUploadResumesWithoutUploadingTwice() throws {
        try withTemporaryDirectory { dir in
            let archive = try archivedReview(dir)
            let fake = FakeDataverse()
            let server = try LocalHTTPServer(dropAddNumber: 3) { fake.answer($0) }
            defer { server.stop() }
            let log = UncheckedSendable(NSMutableArray())
            #expect(throws: ArchiveError.self) { try client(server, archive: archive, log: log).deposit() }
            #expect(server.dropped.count == 1)
            #expect(fake.stored.count == 2)
            let resumed = try client(server, archive: archive, log: log).deposit()
            #expect(resumed == FakeDataverse.persistentId)
            #expect(fake.datasetBodies.count == 1, "the dataset is created once")
            #expect(Set(fake.stored).count == fake.stored.count, "no file is uploaded twice")
            #expect(fake.stored.count == (try client(server, archive: archive, log: log).uploads().count))
            try validateBodies(fake.datasetBodies, in: dir)
        }
    }

    @Test func anUploadTheServerKeptButNeverAnsweredIsNotSentAgain() throws {
        try withTemporaryDirectory { dir in
            let archive = try archivedReview(dir)
            let fake = FakeDataverse()
            fake.storeThenDrop = 2
            let server = try LocalHTTPServer { fake.answer($0) }
            defer { server.stop() }
            let log = UncheckedSendable(NSMutableArray())
            #expect(throws: ArchiveError.self) { try client(server, archive: archive, log: log).deposit() }
            _ = try client(server, archive: archive, log: log).deposit()
            #expect(Set(fake.stored).count == fake.stored.count, "no file is uploaded twice")
            #expect(log.value.compactMap { $0 as? String }.contains { $0.contains("already on the server") })
        }
    }

    @Test func aFileTheServerStoredDamagedIsReportedByItsChecksum() throws {
        try withTemporaryDirectory { dir in
            let archive = try archivedReview(dir)
            let fake = FakeDataverse()
            fake.damage = 2
            let server = try LocalHTTPServer { fake.answer($0) }
            defer { server.stop() }
            let log = UncheckedSendable(NSMutableArray())
            let uploads = try client(server, archive: archive, log: log).uploads()
            let error = #expect(throws: ArchiveError.self) { try client(server, archive: archive, log: log).deposit() }
            #expect("\(error.map { "\($0)" } ?? "")".contains("MD5 of \(uploads[1].key)"), "\(String(describing: error))")
            #expect(fake.stored.count == 2, "the deposit stops at the damaged file")
            let state = try readFile(archive.appendingPathComponent(DepositClient.stateFile))
            #expect(!state.contains(uploads[1].key), "a damaged upload is not recorded as uploaded")
            let again = #expect(throws: ArchiveError.self) { try client(server, archive: archive, log: log).deposit() }
            #expect("\(again.map { "\($0)" } ?? "")".contains("MD5 of \(uploads[1].key)"), "resuming does not take the damaged copy")
            #expect(fake.stored.count == 2, "nothing is uploaded after the damaged file")
        }
    }

    @Test func a401And400AreReportedWithTheServersMessage() throws {
        try withTemporaryDirectory { dir in
            let archive = try archivedReview(dir)
            let fake = FakeDataverse()
            let server = try LocalHTTPServer { fake.answer($0) }
            defer { server.stop() }
            let log = UncheckedSendable(NSMutableArray())
            let unauthorized = #expect(throws: ArchiveError.self) { try client(server, archive: archive, token: "wrong-token-value", log: log).deposit() }
            let text = unauthorized?.description ?? ""
            #expect(text.contains("answered 401: Bad API key") && !text.contains("wrong-token-value"), "\(text)")
            let rejected = #expect(throws: ArchiveError.self) { try client(server, archive: archive, collection: "strict", log: log).deposit() }
            #expect(rejected?.description.contains("answered 400: Validation Failed: Title is required.") == true, "\(String(describing: rejected))")
            #expect(fake.stored.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: archive.appendingPathComponent(DepositClient.stateFile).path))
        }
    }

    @Test func dryRunListsEveryRequestAndSendsNothing() throws {
        try withTemporaryDirectory { dir in
            let archive = try archivedReview(dir)
            let fake = FakeDataverse()
            let server = try LocalHTTPServer { fake.answer($0) }
            defer { server.stop() }
            let log = UncheckedSendable(NSMutableArray())
            let deposit = client(server, archive: archive, log: log)
            let requests = try deposit.dryRun()
            #expect(requests.count == (try deposit.uploads().count) + 1)
            #expect(requests[0].url.path == "/api/dataverses/reviews/datasets")
            #expect(requests.dropFirst().allSatisfy { $0.url.path == "/api/datasets/:persistentId/add" && $0.contentType?.hasPrefix("multipart/form-data") == true })
            #expect(server.requests.isEmpty)
        }
    }
}
