import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on `.review/lock` (flock: released by the kernel when the process dies, even by SIGKILL).
final class RunLock {
    private let descriptor: Int32

    init(state: URL) throws(RunnerError) {
        try? FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let path = state.appendingPathComponent("lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, message: "cannot open the run lock") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, 32, 0)
            close(fd)
            let pid = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .locked("another `review run` is working on this review\(pid.isEmpty ? "" : " (pid \(pid))"); wait for it to finish")
        }
        descriptor = fd
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
