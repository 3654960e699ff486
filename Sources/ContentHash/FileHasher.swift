import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A hash algorithm the archive and the trail use.
public enum HashAlgorithm: String, Sendable, CaseIterable {
    case sha256
    case sha512
}

/// An error reading a file to hash it, naming the file.
public enum ContentHashError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, errno: Int32)
    case readFailed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code): "\(path): cannot open for hashing: \(String(cString: strerror(code)))"
        case .readFailed(let path, let code): "\(path): read failed while hashing: \(String(cString: strerror(code)))"
        }
    }
}

/// Streams files through SHA-256 / SHA-512 (swift-crypto) in 1 MiB chunks.
public enum FileHasher {
    /// The read size: 1 MiB chunks are as fast as larger ones and keep memory flat.
    public static let chunkSize = 1 << 20

    /// The lowercase hex SHA-256 of the file at `path`.
    public static func sha256(path: String) throws(ContentHashError) -> String {
        try digests(path: path, algorithms: [.sha256])[.sha256] ?? ""
    }

    /// The lowercase hex digests of the file at `path` for each algorithm, read once.
    public static func digests(path: String, algorithms: Set<HashAlgorithm>) throws(ContentHashError) -> [HashAlgorithm: String] {
        try digests(path: path, algorithms: algorithms, keepContentBelow: 0).digests
    }

    /// The digests of a file and, when it has fewer than `keepContentBelow` bytes, its content (read once,
    /// so that a caller that also stores the file need not read it again).
    public static func digests(
        path: String, algorithms: Set<HashAlgorithm>, keepContentBelow: Int
    ) throws(ContentHashError) -> (digests: [HashAlgorithm: String], content: [UInt8]?) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        defer { close(descriptor) }
        var sha256 = algorithms.contains(.sha256) ? SHA256() : nil
        var sha512 = algorithms.contains(.sha512) ? SHA512() : nil
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var content: [UInt8]? = keepContentBelow > 0 ? [] : nil
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, errno: errno)
            }
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            sha256?.update(bufferPointer: chunk)
            sha512?.update(bufferPointer: chunk)
            if content != nil {
                if (content?.count ?? 0) + count < keepContentBelow { content?.append(contentsOf: chunk) } else { content = nil }
            }
        }
        var out: [HashAlgorithm: String] = [:]
        if let sha256 { out[.sha256] = hex(sha256.finalize()) }
        if let sha512 { out[.sha512] = hex(sha512.finalize()) }
        return (out, content)
    }

    /// The lowercase hex SHA-256 of bytes in memory.
    public static func sha256<Bytes: DataProtocol>(bytes: Bytes) -> String { hex(SHA256.hash(data: bytes)) }

    /// The lowercase hex SHA-512 of bytes in memory.
    public static func sha512<Bytes: DataProtocol>(bytes: Bytes) -> String { hex(SHA512.hash(data: bytes)) }

    /// The lowercase hex digest of bytes for a checksum type as repositories name it (`MD5`, `SHA-1`, `SHA-256`,
    /// `SHA-512`, case and hyphen ignored), to compare with the checksum a server reports; nil for another type.
    public static func checksum<Bytes: DataProtocol>(bytes: Bytes, type: String) -> String? {
        switch type.uppercased().replacingOccurrences(of: "-", with: "") {
        case "MD5": hex(Insecure.MD5.hash(data: bytes))
        case "SHA1": hex(Insecure.SHA1.hash(data: bytes))
        case "SHA256": sha256(bytes: bytes)
        case "SHA512": sha512(bytes: bytes)
        default: nil
        }
    }

    /// Hashes many files on all cores; the result is in the order of `paths`.
    public static func sha256(paths: [String]) throws(ContentHashError) -> [String] {
        let results = digests(paths: paths, algorithms: [.sha256])
        var out: [String] = []
        out.reserveCapacity(paths.count)
        for result in results { out.append(try result.get()[.sha256] ?? "") }
        return out
    }

    /// Hashes many files on all cores with every requested algorithm; one result per path, in order.
    public static func digests(paths: [String], algorithms: Set<HashAlgorithm>) -> [Result<[HashAlgorithm: String], ContentHashError>] {
        digests(paths: paths, algorithms: algorithms, keepContentBelow: 0).map { $0.map(\.digests) }
    }

    /// Hashes many files on all cores, keeping the content of those smaller than `keepContentBelow` bytes.
    public static func digests(
        paths: [String], algorithms: Set<HashAlgorithm>, keepContentBelow: Int
    ) -> [Result<(digests: [HashAlgorithm: String], content: [UInt8]?), ContentHashError>] {
        let box = ResultBox(count: paths.count)
        let one: @Sendable (Int) -> Void = { index in
            box.set(index, Result { () throws(ContentHashError) in try digests(path: paths[index], algorithms: algorithms, keepContentBelow: keepContentBelow) })
        }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, paths.count))
        if workers <= 1 || paths.count < 4 {
            for index in paths.indices { one(index) }
        } else {
            let next = Counter()
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let index = next.take(below: paths.count) { one(index) }
            }
        }
        return box.results
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Hands out indexes to worker threads.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// Collects results written by worker threads, each index written once.
private final class ResultBox: @unchecked Sendable {
    typealias Item = Result<(digests: [HashAlgorithm: String], content: [UInt8]?), ContentHashError>
    private var storage: [Item]
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: .success(([:], nil)), count: count) }

    func set(_ index: Int, _ result: Item) {
        lock.lock()
        storage[index] = result
        lock.unlock()
    }

    var results: [Item] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
