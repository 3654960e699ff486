import Foundation
import WorkflowModel

/// A file a step reads: its path relative to the review and where to read it now (it may be staged).
public struct ResolvedFile: Sendable, Equatable {
    public var path: String
    /// The absolute path to read.
    public var location: String
    /// True when the file is a staged output of a step that ran in this stage (not yet in place).
    public var staged: Bool

    public init(path: String, location: String, staged: Bool = false) {
        self.path = path
        self.location = location
        self.staged = staged
    }

    public var url: URL { URL(fileURLWithPath: location) }
}

/// What a built-in step is given: the step, its resolved inputs per declared position, and where to write.
public struct StepContext: Sendable {
    public let step: Step
    public let root: URL
    /// For each declared input, the files it resolved to (sorted).
    public let inputs: [[ResolvedFile]]
    /// For each declared output, the staged location to write (a folder for a folder output).
    public let outputs: [URL]
    /// Progress messages for long work (shown on stderr).
    public let progress: @Sendable (String) -> Void

    public init(step: Step, root: URL, inputs: [[ResolvedFile]], outputs: [URL], progress: @escaping @Sendable (String) -> Void) {
        self.step = step
        self.root = root
        self.inputs = inputs
        self.outputs = outputs
        self.progress = progress
    }

    /// The single file of input position `index`.
    public func inputFile(_ index: Int) throws(RunnerError) -> ResolvedFile {
        guard index < inputs.count, let file = inputs[index].first else {
            throw .usage("step \(step.name): input \(index) resolved to no file")
        }
        return file
    }

    /// A string parameter, or `fallback`.
    public func string(_ key: String, default fallback: String) -> String { step.parameter(key)?.stringValue ?? fallback }

    /// Writes `text` to output position `index` (staged; renamed into place by the runner).
    public func write(_ text: String, toOutput index: Int) throws(RunnerError) {
        try AtomicFile.write(Array(text.utf8), to: outputs[index])
    }
}

/// What a step reports: one phrase for the stage's summary line, counts for the manifest, a log.
public struct StepOutcome: Sendable, Equatable {
    public var summary: String
    public var counts: [String: Int]
    public var log: String

    public init(summary: String, counts: [String: Int] = [:], log: String = "") {
        self.summary = summary
        self.counts = counts
        self.log = log
    }
}

/// A built-in step kind: what `uses` names in workflow.json.
public protocol BuiltinStep: Sendable {
    /// Its name, version, parameters and input/output positions.
    var spec: StepKindSpec { get }
    /// Reads the inputs and writes every output position.
    /// - Throws: `RunnerError.input` for bad input (exit 2), other cases for failures.
    func run(_ context: StepContext) throws(RunnerError) -> StepOutcome
}

/// The built-in steps a runner knows, by name.
public struct StepRegistry: Sendable {
    public let steps: [String: any BuiltinStep]

    public init(_ steps: [any BuiltinStep]) {
        self.steps = Dictionary(steps.map { ($0.spec.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The catalog the workflow validator and the JSON Schema use.
    public var catalog: StepCatalog { StepCatalog(steps.values.map(\.spec)) }
}

/// Writes files by a temporary file in the same folder and a rename.
public enum AtomicFile {
    /// Writes `bytes` to `url` atomically, creating the folder when needed.
    public static func write(_ bytes: [UInt8], to url: URL) throws(RunnerError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw .io(path: url.path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to url: URL) throws(RunnerError) { try write(Array(text.utf8), to: url) }
}
