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

/// `transform` of 0..<count on all cores, the results in index order.
func concurrentMap<Value>(_ count: Int, _ transform: @Sendable (Int) -> Value) -> [Value] {
    let results = UnsafeMutableBufferPointer<Value?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    nonisolated(unsafe) let output = results
    DispatchQueue.concurrentPerform(iterations: count) { index in output[index] = transform(index) }
    return results.map { $0! }
}
