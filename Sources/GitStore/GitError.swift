import CLibgit2

/// An error from libgit2, with the function that failed and libgit2's own message.
public struct GitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libgit2 return code (negative), e.g. `GIT_EMODIFIED`.
    public let code: Int32
    /// The libgit2 function that failed.
    public let function: String
    /// `git_error_last()`'s message at the time of failure.
    public let message: String

    public init(code: Int32, function: String, message: String) {
        self.code = code
        self.function = function
        self.message = message
    }

    /// True when a compare-and-swap ref update lost the race (the ref moved since it was read).
    public var isConcurrentModification: Bool {
        code == GIT_EMODIFIED.rawValue || code == GIT_EEXISTS.rawValue || code == GIT_ELOCKED.rawValue
    }

    public var description: String { "\(function) failed (\(code)): \(message)" }
}

/// The single checkpoint every libgit2 return code goes through.
@inline(__always)
func check(_ code: Int32, _ function: @autoclosure () -> String) throws(GitError) {
    guard code < 0 else { return }
    throw lastError(code, function())
}

func lastError(_ code: Int32, _ function: String) -> GitError {
    var message = "unknown error"
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    }
    return GitError(code: code, function: function, message: message)
}

/// Initialises libgit2 once per process; never shut down (tests run in parallel in one process).
/// Strict object creation is off: every tree entry GitStore writes names a blob it has just written or
/// found, and checking each again costs a file-system lookup per entry (10,000 for a large stage).
let libgit2Bootstrap: Int32 = {
    let code = git_libgit2_init()
    _ = reviewtrail_git_set_fsync(0)
    _ = reviewtrail_git_disable_strict_object_creation()
    return code
}()
