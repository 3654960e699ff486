import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a large RIS export on several cores: the text is cut just before `TY` lines into chunks, a bounded window
/// of chunks is parsed concurrently, and the outcomes come out in file order with file line numbers.
///
/// A `TY` line always starts a new record whatever came before it, so a chunk parsed on its own yields exactly what
/// the whole export yields for those lines; only line numbers are relative to the chunk (corrected here) and a record
/// left open at a chunk's end is reported as open before the next `TY` (`RISParser.endsBeforeTY`).
struct ChunkedRISParser: FormatParser {
    private let text: DecodedText
    private let chunkSize: Int
    private let window: Int
    /// One serial queue per worker thread; chunks go to them in turn.
    private let queues: [DispatchQueue]
    private var submitted = 0
    /// The chunk being read, and those handed to workers after it, oldest first.
    private var current: RISChunkJob?
    private var pending: [RISChunkJob] = []
    /// Where the next chunk starts.
    private var nextStart: Int
    /// Lines of the chunks already read.
    private var lineBase = 0
    /// The outcomes of the chunk being read and the next to return.
    private var outcomes: [ParseOutcome] = []
    private var index = 0
    private(set) var consumed: Int

    /// - Parameters:
    ///   - chunkSize: about how many bytes one chunk holds (it ends at the first `TY` line after that many).
    ///   - threads: how many chunks are parsed at the same time.
    ///   - window: how many chunks may be parsed or waiting after the one being read; memory is bounded by it.
    init(text: DecodedText, chunkSize: Int, threads: Int, window: Int) {
        self.text = text
        self.chunkSize = max(1, chunkSize)
        self.window = max(1, window)
        self.queues = (0..<max(1, threads)).map {
            DispatchQueue(label: "Bibliography.ChunkedRISParser.\($0)", qos: .userInitiated)
        }
        self.nextStart = text.start
        self.consumed = text.start
    }

    mutating func next() -> ParseOutcome? {
        while index >= outcomes.count {
            guard advance() else { return nil }
        }
        var outcome = outcomes[index]
        outcomes[index] = ParseOutcome(record: nil)
        index += 1
        if outcome.record != nil {
            outcome.record?.source.line += lineBase
        } else {
            outcome.malformedLine += lineBase
        }
        return outcome
    }

    /// Moves to the next chunk: counts the lines of the one read, waits for the next one, keeps the window full.
    private mutating func advance() -> Bool {
        if let current { lineBase += current.lineCount }
        current = nil
        outcomes = []
        index = 0
        while pending.count < window, nextStart < text.end { submit() }
        guard !pending.isEmpty else { return false }
        let job = pending.removeFirst()
        consumed = job.start
        outcomes = job.take()
        current = job
        while pending.count < window, nextStart < text.end { submit() }
        return true
    }

    /// Cuts the next chunk and hands it to a worker.
    private mutating func submit() {
        let start = nextStart
        let end = RISChunks.boundary(in: text.bytes, from: start + chunkSize, end: text.end)
        nextStart = end
        let job = RISChunkJob(start: start)
        let slice = RISChunkText(text: DecodedText(slice: text.buffer, start: start, end: end))
        let endsBeforeTY = end < text.end
        let queue = queues[submitted % queues.count]
        submitted += 1
        queue.async {
            var parser = RISParser(text: slice.text, endsBeforeTY: endsBeforeTY)
            var found: [ParseOutcome] = []
            while let outcome = parser.next() { found.append(outcome) }
            job.finish(found, lineCount: parser.lineCount)
        }
        pending.append(job)
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

/// The decoded text of one chunk, handed to a worker; the bytes are immutable while the reader lives.
private struct RISChunkText: @unchecked Sendable {
    let text: DecodedText
}

/// One chunk being parsed by a worker: its outcomes and line count once done.
private final class RISChunkJob: @unchecked Sendable {
    let start: Int
    private let lock = NSCondition()
    private var finished = false
    private var outcomes: [ParseOutcome] = []
    private var lines = 0

    init(start: Int) { self.start = start }

    func finish(_ found: [ParseOutcome], lineCount: Int) {
        lock.lock()
        outcomes = found
        lines = lineCount
        finished = true
        lock.broadcast()
        lock.unlock()
    }

    /// Waits for the worker, then moves the outcomes out.
    func take() -> [ParseOutcome] {
        lock.lock()
        defer { lock.unlock() }
        while !finished { lock.wait() }
        let taken = outcomes
        outcomes = []
        return taken
    }

    var lineCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
