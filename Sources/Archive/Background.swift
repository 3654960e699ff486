import Foundation

/// A computation started on its own thread whose value is awaited later (the archive's bundle is packed while the
/// rest of the payload is built; the verifier indexes the bundle while it hashes the files).
final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Value?

    /// Starts `work` at once on a new thread.
    init(_ work: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            result = work()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the value (once).
    func value() -> Value {
        done.wait()
        done.signal()
        guard let result else { preconditionFailure("the background work ended without a value") }
        return result
    }
}
