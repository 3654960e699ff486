import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses a large RIS export on several threads: the text is cut just before `TY` lines into chunks, a bounded window
/// of chunks is parsed concurrently, and what each chunk yields comes out in file order.
///
/// A `TY` line always starts a new record whatever came before it, so a chunk parsed on its own yields exactly what
/// the whole export yields for those lines; only positions and line numbers are relative to the chunk. Each worker
/// waits for the counts of the chunk before its own, then completes its records (ids, file, lines) itself, and
/// `finish` turns them into the payload on the same thread, so records need never cross threads.
struct RISChunkPipeline<Payload> {
    private let text: DecodedText
    private let chunkSize: Int
    private let window: Int
    /// One serial queue per worker thread; chunks go to them in turn.
    private let queues: [DispatchQueue]
    private let completion: RecordCompletion
    private let finish: @Sendable (_ outcomes: inout [ParseOutcome], _ queue: DispatchQueue) -> Payload
    private var submitted = 0
    /// The chunks handed to workers and not yet taken, oldest first.
    private var pending: [RISChunkJob<Payload>] = []
    /// Where the next chunk starts.
    private var nextStart: Int

    /// - Parameters:
    ///   - chunkSize: about how many bytes one chunk holds (it ends at the first `TY` line after that many).
    ///   - threads: how many chunks are parsed at the same time.
    ///   - window: how many chunks may be parsed or waiting; memory is bounded by it.
    ///   - finish: makes a chunk's payload from its completed outcomes, on the worker's `queue`; it may take them apart.
    init(
        text: DecodedText, chunkSize: Int, threads: Int, window: Int, completion: RecordCompletion,
        finish: @escaping @Sendable (_ outcomes: inout [ParseOutcome], _ queue: DispatchQueue) -> Payload
    ) {
        self.text = text
        self.chunkSize = max(1, chunkSize)
        self.window = max(1, window)
        self.queues = (0..<max(1, threads)).map {
            DispatchQueue(label: "Bibliography.RISChunkPipeline.\($0)", qos: .userInitiated)
        }
        self.completion = completion
        self.finish = finish
        self.nextStart = text.start
    }

    /// The payload of the next chunk in file order and where that chunk starts; nil after the last chunk.
    mutating func next() -> (start: Int, payload: Payload)? {
        while pending.count < window, nextStart < text.end { submit() }
        guard !pending.isEmpty else { return nil }
        let job = pending.removeFirst()
        let payload = job.take()
        while pending.count < window, nextStart < text.end { submit() }
        return (job.start, payload)
    }

    /// Cuts the next chunk and hands it to a worker.
    private mutating func submit() {
        let start = nextStart
        let end = RISChunks.boundary(in: text.bytes, from: start + chunkSize, end: text.end)
        nextStart = end
        let job = RISChunkJob<Payload>(start: start, after: pending.last)
        let slice = RISChunkText(text: DecodedText(slice: text.buffer, start: start, end: end))
        let endsBeforeTY = end < text.end
        let queue = queues[submitted % queues.count]
        submitted += 1
        let completion = completion
        let finish = finish
        queue.async {
            var parser = RISParser(text: slice.text, endsBeforeTY: endsBeforeTY)
            var found: [ParseOutcome] = []
            while let outcome = parser.next() { found.append(outcome) }
            let base = job.counted(outcomes: found.count, lines: parser.lineCount)
            for i in found.indices {
                completion.complete(&found[i], position: base.outcomes + i + 1, lineBase: base.lines)
            }
            job.finish(finish(&found, queue))
        }
        pending.append(job)
    }
}

/// `next()` over a RIS export parsed in chunks: the outcomes of one chunk at a time, already completed.
///
/// The caller gets a copy of each record; the chunk's own copies are released on the worker that made them once the
/// reader moves on, so the memory is mostly freed by the thread that allocated it.
struct ChunkedRISParser: FormatParser {
    private var pipeline: RISChunkPipeline<RISChunkOutcomes>
    private var current: RISChunkOutcomes?
    private var index = 0
    private(set) var consumed: Int
    var completesRecords: Bool { true }

    init(text: DecodedText, chunkSize: Int, threads: Int, window: Int, completion: RecordCompletion) {
        pipeline = RISChunkPipeline(
            text: text, chunkSize: chunkSize, threads: threads, window: window, completion: completion
        ) { RISChunkOutcomes(outcomes: $0, queue: $1) }
        consumed = text.start
    }

    mutating func next() -> ParseOutcome? {
        while index >= current?.outcomes.count ?? 0 {
            if let done = current {
                current = nil
                done.queue.async { _ = done }
            }
            guard let (start, chunk) = pipeline.next() else { return nil }
            consumed = start
            current = chunk
            index = 0
        }
        defer { index += 1 }
        return current?.outcomes[index]
    }
}

/// Finding chunk boundaries.
enum RISChunks {
    /// The offset of the first line at or after `from` that is a `TY` tag line (just after a line feed), or `end`.
    static func boundary(in b: UnsafeRawBufferPointer, from: Int, end: Int) -> Int {
        guard let base = b.baseAddress else { return end }
        var i = from - 1
        while i < end - 5, let hit = memchr(base + i, 0x0A, end - 5 - i) {
            let at = base.distance(to: UnsafeRawPointer(hit))
            if b[at + 1] == 0x54 && b[at + 2] == 0x59 && b[at + 3] == 0x20 && b[at + 4] == 0x20 && b[at + 5] == 0x2D {
                return at + 1
            }
            i = at + 1
        }
        return end
    }
}

/// The completed outcomes of one chunk, and the worker queue where they are to be released.
final class RISChunkOutcomes: @unchecked Sendable {
    let outcomes: [ParseOutcome]
    let queue: DispatchQueue

    init(outcomes: [ParseOutcome], queue: DispatchQueue) {
        self.outcomes = outcomes
        self.queue = queue
    }
}

/// The decoded text of one chunk, handed to a worker; the bytes are immutable while the reader lives.
private struct RISChunkText: @unchecked Sendable {
    let text: DecodedText
}

/// One chunk being parsed by a worker: its counts once parsed, its payload once finished.
private final class RISChunkJob<Payload>: @unchecked Sendable {
    let start: Int
    private let lock = NSCondition()
    /// The chunk before this one, until its counts are known.
    private var previous: RISChunkJob?
    /// Outcomes and lines of this chunk and all before it, once parsed.
    private var ends: (outcomes: Int, lines: Int)?
    private var payload: Payload?

    init(start: Int, after previous: RISChunkJob?) {
        self.start = start
        self.previous = previous
    }

    /// Records this chunk's counts; returns the outcomes and lines of the chunks before it (waiting for them).
    func counted(outcomes: Int, lines: Int) -> (outcomes: Int, lines: Int) {
        let base = previous?.waitForEnds() ?? (outcomes: 0, lines: 0)
        lock.lock()
        previous = nil
        ends = (base.outcomes + outcomes, base.lines + lines)
        lock.broadcast()
        lock.unlock()
        return base
    }

    private func waitForEnds() -> (outcomes: Int, lines: Int) {
        lock.lock()
        defer { lock.unlock() }
        while ends == nil { lock.wait() }
        return ends ?? (outcomes: 0, lines: 0)
    }

    func finish(_ made: Payload) {
        lock.lock()
        payload = made
        lock.broadcast()
        lock.unlock()
    }

    /// Waits for the worker, then moves the payload out.
    func take() -> Payload {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let taken = payload.take() { return taken }
            lock.wait()
        }
    }
}
