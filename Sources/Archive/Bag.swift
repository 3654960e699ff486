import ContentHash
import Foundation

/// A BagIt 1.0 bag held in memory: payload and tag files, with its manifests computed from the bytes.
public struct Bag: Sendable {
    public static let profileIdentifier = "urn:x-reviewtrail:bagit-profile:review-archive:0.1"

    /// Every file of the bag (payload and tag files), path relative to the bag's base folder, sorted by path.
    public private(set) var files: [Serialization.Entry]

    /// Builds the bag: `payload` (paths under `data/`), `bagInfo` labels in order (Bag-Size and Payload-Oxum are
    /// added), `tagFiles` such as `metadata/datacite.xml`; manifests and tag manifests in SHA-256 and SHA-512.
    public init(payload: [PayloadFile], bagInfo: [(String, String)], tagFiles: [Serialization.Entry]) {
        let sortedPayload = Self.withDigests(payload).sorted { $0.path < $1.path }
        let digests = sortedPayload.map { $0.digests ?? PayloadDigests(sha256: "", sha512: "") }
        var manifest256 = ""
        var manifest512 = ""
        for (file, digest) in zip(sortedPayload, digests) {
            manifest256 += "\(digest.sha256)  \(Self.encodePath(file.path))\n"
            manifest512 += "\(digest.sha512)  \(Self.encodePath(file.path))\n"
        }
        let octets = sortedPayload.reduce(0) { $0 + $1.bytes.count }
        var info = bagInfo
        info.append(("Bag-Size", Self.humanSize(octets)))
        info.append(("Payload-Oxum", "\(octets).\(sortedPayload.count)"))
        let infoText = info.map { "\($0.0): \($0.1.replacingOccurrences(of: "\n", with: " "))\n" }.joined()
        var tags: [Serialization.Entry] = [
            Serialization.Entry(path: "bagit.txt", bytes: Array("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8)),
            Serialization.Entry(path: "bag-info.txt", bytes: Array(infoText.utf8)),
            Serialization.Entry(path: "manifest-sha256.txt", bytes: Array(manifest256.utf8)),
            Serialization.Entry(path: "manifest-sha512.txt", bytes: Array(manifest512.utf8)),
        ]
        tags += tagFiles
        tags.sort { $0.path < $1.path }
        var tag256 = ""
        var tag512 = ""
        for (entry, digest) in zip(tags, Self.digests(tags.map(\.bytes))) {
            tag256 += "\(digest.sha256)  \(Self.encodePath(entry.path))\n"
            tag512 += "\(digest.sha512)  \(Self.encodePath(entry.path))\n"
        }
        tags.append(Serialization.Entry(path: "tagmanifest-sha256.txt", bytes: Array(tag256.utf8)))
        tags.append(Serialization.Entry(path: "tagmanifest-sha512.txt", bytes: Array(tag512.utf8)))
        files = (tags + sortedPayload.map { Serialization.Entry(path: $0.path, bytes: $0.bytes) }).sorted { $0.path < $1.path }
    }

    /// The files, each with its digests (computed on all cores for those that lack them).
    public static func withDigests(_ files: [PayloadFile]) -> [PayloadFile] {
        var out = files
        let missing = out.indices.filter { out[$0].digests == nil }
        for (index, digest) in zip(missing, digests(missing.map { out[$0].bytes })) {
            out[index].digests = PayloadDigests(sha256: digest.sha256, sha512: digest.sha512)
        }
        return out
    }

    /// SHA-256 and SHA-512 of each buffer, on all cores (the two digests of one buffer on two).
    static func digests(_ buffers: [[UInt8]]) -> [(sha256: String, sha512: String)] {
        let hexes = concurrentMap(buffers.count * 2) { index in
            index % 2 == 0 ? FileHasher.sha256(bytes: buffers[index / 2]) : FileHasher.sha512(bytes: buffers[index / 2])
        }
        return buffers.indices.map { (hexes[2 * $0], hexes[2 * $0 + 1]) }
    }

    /// RFC 8493 §2.1.3: CR, LF and % in a manifest path are percent-encoded.
    static func encodePath(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: "\r", with: "%0D")
    }

    /// Decimal units with one decimal, as bagit.py writes Bag-Size.
    static func humanSize(_ octets: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(octets)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(octets) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// Writes the bag's files under `folder` (which must not exist yet).
    public func write(to folder: URL) throws(ArchiveError) {
        let manager = FileManager.default
        var folders: Set<String> = []
        for entry in files {
            let url = folder.appendingPathComponent(entry.path)
            let parent = url.deletingLastPathComponent()
            if folders.insert(parent.path).inserted {
                do { try manager.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
                    throw .io(path: parent.path, message: "cannot create: \(error.localizedDescription)")
                }
            }
            try Serialization.writeFile(entry.bytes, to: url)
        }
    }
}
