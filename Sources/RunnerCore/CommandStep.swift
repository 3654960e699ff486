import Foundation
import WorkflowModel

#if canImport(Glibc)
    import Glibc
#endif

/// The pid of the command step running now, so that a signal to the runner stops it too.
nonisolated(unsafe) var runningChild: pid_t = 0

/// Makes SIGINT and SIGTERM (unblocked, whatever the parent blocked) stop the running command step before the runner exits. What was staged is
/// left for the next run to clear; outputs and the trail are untouched (or recovered through the journal).
public func installInterruptHandlers() {
    let handler: @convention(c) (Int32) -> Void = { signal in
        let child = runningChild
        if child > 0 {
            kill(-child, SIGKILL)
            kill(child, SIGKILL)
        }
        _exit(128 + signal)
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
}

/// Runs a command step: argv with placeholders, a cleared environment, logs kept, outputs staged.
struct CommandStep {
    static let path = "/usr/local/bin:/usr/bin:/bin"

    let step: Step
    let root: URL
    let argv: [String]

    /// Replaces `{inputs[N]}` / `{outputs[N]}`: an argument that is exactly a placeholder becomes every file of
    /// that input; inside a longer argument a placeholder must name a single file.
    static func expand(_ argv: [String], inputs: [[String]], outputs: [String], step: Step) throws(RunnerError) -> [String] {
        var out: [String] = []
        for argument in argv {
            if let (kind, index) = placeholder(argument) {
                let values = try lookup(kind, index, inputs: inputs, outputs: outputs, step: step)
                out.append(contentsOf: values)
                continue
            }
            var text = ""
            var rest = Substring(argument)
            while let open = rest.firstIndex(of: "{") {
                text += rest[..<open]
                guard let close = rest[open...].firstIndex(of: "}"), let (kind, index) = placeholder(String(rest[open...close])) else {
                    text.append("{")
                    rest = rest[rest.index(after: open)...]
                    continue
                }
                let values = try lookup(kind, index, inputs: inputs, outputs: outputs, step: step)
                guard values.count == 1 else {
                    throw .usage("step \(step.name): \(rest[open...close]) stands inside the argument \"\(argument)\" but names \(values.count) files; give it an argument of its own")
                }
                text += values[0]
                rest = rest[rest.index(after: close)...]
            }
            out.append(text + rest)
        }
        return out
    }

    private static func placeholder(_ text: String) -> (String, Int)? {
        for kind in ["inputs", "outputs"] where text.hasPrefix("{\(kind)[") && text.hasSuffix("]}") {
            if let index = Int(text.dropFirst(kind.count + 2).dropLast(2)) { return (kind, index) }
        }
        return nil
    }

    private static func lookup(_ kind: String, _ index: Int, inputs: [[String]], outputs: [String], step: Step) throws(RunnerError) -> [String] {
        if kind == "inputs" {
            guard index < inputs.count else { throw .usage("step \(step.name): {inputs[\(index)]} but only \(inputs.count) inputs are declared") }
            return inputs[index]
        }
        guard index < outputs.count else { throw .usage("step \(step.name): {outputs[\(index)]} but only \(outputs.count) outputs are declared") }
        return [outputs[index]]
    }

    /// The executable for argv[0]: a path (relative to the review) or a name looked up in the cleared PATH.
    func executable() throws(RunnerError) -> URL {
        let name = argv[0]
        if name.contains("/") { return name.hasPrefix("/") ? URL(fileURLWithPath: name) : root.appendingPathComponent(name) }
        for directory in Self.path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return URL(fileURLWithPath: candidate) }
        }
        throw .stepFailed(step: step.name, message: "command \"\(name)\" not found in \(Self.path)")
    }

    /// Runs the command (posix_spawn, its own process group, default signal handling, stdin from
    /// /dev/null); stdout and stderr go to the given files. Waits with waitpid, so the step ends as soon as
    /// the command does.
    func run(stdout: URL, stderr: URL, extraEnvironment: [String: String]) throws(RunnerError) {
        let executable = try executable().path
        let inherited = ProcessInfo.processInfo.environment
        var environment = ["PATH": Self.path, "LANG": "C.UTF-8", "HOME": inherited["HOME"] ?? "/"]
        for name in step.environment { if let value = inherited[name] { environment[name] = value } }
        environment.merge(extraEnvironment) { _, new in new }
        let environmentStrings = environment.keys.sorted().map { "\($0)=\(environment[$0] ?? "")" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // The command runs in the review's root; if that cannot be arranged it must not run somewhere else.
        let chdirCode = posix_spawn_file_actions_addchdir_np(&actions, root.path)
        guard chdirCode == 0 else {
            throw .stepFailed(
                step: step.name, message: "cannot run \(argv[0]) in \(root.path): \(String(cString: strerror(chdirCode)))")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var pid: pid_t = 0
        let code = withCStrings([executable] + Array(argv.dropFirst())) { arguments in
            withCStrings(environmentStrings) { variables in
                posix_spawn(&pid, executable, &actions, &attributes, arguments, variables)
            }
        }
        guard code == 0 else {
            throw .stepFailed(step: step.name, message: "cannot start \(argv[0]): \(String(cString: strerror(code)))")
        }
        runningChild = pid
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        runningChild = 0
        let exited = (status & 0x7f) == 0
        let exitCode = (status >> 8) & 0xff
        guard exited, exitCode == 0 else {
            let tail = Self.lastLines(of: stderr, count: 10)
            let how = exited ? "exited with \(exitCode)" : "was killed by signal \(status & 0x7f)"
            throw .stepFailed(step: step.name, message: "\(argv[0]) \(how)" + (tail.isEmpty ? "" : "; last lines of stderr:\n" + tail))
        }
    }

    static func lastLines(of url: URL, count: Int) -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else { return "" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map { "  " + $0 }.joined(separator: "\n")
    }
}

/// Calls `body` with a NULL-terminated C array of the strings, valid for the call only.
func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    // The array always holds at least the terminating nil, so its base address exists.
    return pointers.withUnsafeBufferPointer { body($0.baseAddress.unsafelyUnwrapped) }
}

/// glibc (2.29 and later) has it, but Swift's Glibc module does not import it.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
func posix_spawn_file_actions_addchdir_np(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32
