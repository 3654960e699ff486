import Foundation

/// A folder made with `mkdtemp` under the system's temporary folder; the only place audit commands write.
public struct TemporaryFolder: Sendable {
    public let url: URL

    /// Makes a new, empty folder named `review-<purpose>-XXXXXX`.
    public static func make(_ purpose: String) throws(AuditError) -> TemporaryFolder {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("review-\(purpose)-XXXXXX").path
        var template = Array(base.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let address = buffer.baseAddress else { return false }
            return mkdtemp(address) != nil
        }
        guard made else { throw .io(path: base, message: "cannot make a temporary folder: \(String(cString: strerror(errno)))") }
        let path = template.withUnsafeBufferPointer { $0.baseAddress.map { String(cString: $0) } ?? base }
        return TemporaryFolder(url: URL(fileURLWithPath: path, isDirectory: true))
    }

    /// Removes the folder and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
