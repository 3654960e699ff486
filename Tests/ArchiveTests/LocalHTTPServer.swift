import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One request the test server received.
struct ReceivedRequest: Sendable {
    var method: String
    var target: String
    var headers: [String: String]
    var body: [UInt8]

    var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
    var query: String { target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? "" }
}

/// What the handler answers: a status and a JSON body, or `drop` to close the connection without an answer.
enum ServerAnswer: Sendable {
    case json(Int, String)
    case drop
}

/// A small HTTP/1.1 server on 127.0.0.1 for client tests: one connection at a time, Content-Length bodies,
/// `Expect: 100-continue` answered, every connection closed after its answer.
final class LocalHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32
    private let handler: @Sendable (ReceivedRequest) -> ServerAnswer
    private let lock = NSLock()
    private var received: [ReceivedRequest] = []
    private var thread: Thread?
    private var addCount = 0
    private let dropAddNumber: Int?
    /// The upload requests the server dropped in the middle.
    private(set) var dropped: [ReceivedRequest] = []

    /// `dropAddNumber`: the n-th file upload (1-based) is cut off in the middle.
    init(dropAddNumber: Int? = nil, handler: @escaping @Sendable (ReceivedRequest) -> ServerAnswer) throws {
        self.handler = handler
        self.dropAddNumber = dropAddNumber
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        socketFD = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in self.serve() }
        self.thread = thread
        thread.start()
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    var requests: [ReceivedRequest] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    func stop() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }

    private func serve() {
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 { return }
            handle(client)
            close(client)
        }
    }

    private func readSome(_ client: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
        if count <= 0 { return false }
        buffer += chunk[0..<count]
        return true
    }

    private func write(_ client: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }

    private func handle(_ client: Int32) {
        var buffer: [UInt8] = []
        var headerEnd: Range<Int>?
        while headerEnd == nil {
            guard readSome(client, into: &buffer) else { return }
            headerEnd = buffer.firstRange(of: Array("\r\n\r\n".utf8))
        }
        guard let headerEnd else { return }
        let lines = String(decoding: buffer[..<headerEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[headerEnd.upperBound...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var request = ReceivedRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: [])
        if request.target.contains("/add") {
            lock.lock()
            addCount += 1
            let drop = addCount == dropAddNumber
            if drop { dropped.append(request) }
            lock.unlock()
            if drop {
                // Take part of the upload, then close the connection: a failure in the middle of an upload.
                _ = readSome(client, into: &body)
                return
            }
        }
        if headers["expect"]?.lowercased() == "100-continue" { write(client, "HTTP/1.1 100 Continue\r\n\r\n") }
        while body.count < length {
            guard readSome(client, into: &body) else { return }
        }
        request.body = body
        lock.lock()
        received.append(request)
        lock.unlock()
        switch handler(request) {
        case .drop:
            return
        case .json(let status, let text):
            let reason = [200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"][status] ?? "Status"
            write(client, "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n\(text)")
        }
    }
}
