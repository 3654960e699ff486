import ContentHash
import Foundation
import WorkflowModel

/// Why a step would run.
public enum StaleReason: Equatable, Sendable, CustomStringConvertible {
    case neverRun
    case definitionChanged
    case stepVersionChanged
    case inputChanged(String)
    case inputAdded(String)
    case inputRemoved(String)
    case outputMissing(String)
    case outputEdited(String)
    case forced

    public var description: String {
        switch self {
        case .neverRun: "never run"
        case .definitionChanged: "definition changed"
        case .stepVersionChanged: "built-in step version changed"
        case .inputChanged(let path): "input changed: \(path)"
        case .inputAdded(let path): "input added: \(path)"
        case .inputRemoved(let path): "input removed: \(path)"
        case .outputMissing(let path): "output missing: \(path)"
        case .outputEdited(let path): "output edited since the last snapshot: \(path)"
        case .forced: "forced"
        }
    }

    /// A stable identifier for `--json`.
    public var kind: String {
        switch self {
        case .neverRun: "never-run"
        case .definitionChanged: "definition-changed"
        case .stepVersionChanged: "step-version-changed"
        case .inputChanged: "input-changed"
        case .inputAdded: "input-added"
        case .inputRemoved: "input-removed"
        case .outputMissing: "output-missing"
        case .outputEdited: "output-edited"
        case .forced: "forced"
        }
    }

    /// The path the reason names, if any.
    public var path: String? {
        switch self {
        case .inputChanged(let p), .inputAdded(let p), .inputRemoved(let p), .outputMissing(let p), .outputEdited(let p): p
        default: nil
        }
    }
}

/// A step's state against the trail: its key, current inputs, and why it is stale (empty: up to date).
struct StepEvaluation {
    var step: Step
    var definitionSHA256: String
    var key: String
    var inputs: [[ResolvedFile]]
    var inputDigests: [FileDigest]
    var reasons: [StaleReason]
    /// An upstream step this one waits for (its inputs do not exist yet).
    var waitingFor: String?
}

/// Decides, per step, whether it is up to date, from content hashes (never from timestamps alone).
struct Planner {
    let folder: ReviewFolder
    let registry: StepRegistry

    func kindVersion(_ step: Step) -> String {
        switch step.action {
        case .builtin(let kind): registry.steps[kind]?.spec.version ?? "unknown"
        case .command: "command"
        }
    }

    static func definitionHash(_ step: Step) -> String { FileHasher.sha256(bytes: Array(step.canonicalDefinition.utf8)) }

    /// The step key: SHA-256 of the canonical definition, the step kind's version and the sorted (path, sha256) of the inputs.
    static func key(definition: String, version: String, inputs: [FileDigest]) -> String {
        var text = "reviewtrail-step-key 1\n" + definition + "\n" + version + "\n"
        for input in inputs.sorted(by: { $0.path < $1.path }) { text += input.sha256 + " " + input.path + "\n" }
        return FileHasher.sha256(bytes: Array(text.utf8))
    }

    func evaluate(_ step: Step, recorded: StepRecord?, workspace: Workspace) throws(RunnerError) -> StepEvaluation {
        let definition = Self.definitionHash(step)
        let inputs = step.inputs.map { workspace.resolve($0) }
        var seen: Set<String> = []
        let unique = inputs.joined().filter { seen.insert($0.path).inserted }
        let digests = try workspace.digests(unique)
        let key = Self.key(definition: step.canonicalDefinition, version: kindVersion(step), inputs: digests)
        var evaluation = StepEvaluation(step: step, definitionSHA256: definition, key: key, inputs: inputs, inputDigests: digests, reasons: [])
        for (index, files) in inputs.enumerated() where files.isEmpty {
            let producer = folder.workflow.steps.first { $0.outputs.contains { WorkflowDecoder.reads(step.inputs[index], $0) } }
            evaluation.waitingFor = producer?.name
        }
        guard let recorded else {
            evaluation.reasons = [.neverRun]
            return evaluation
        }
        if recorded.definitionSHA256 != definition { evaluation.reasons.append(.definitionChanged) }
        let before = Dictionary(recorded.inputs.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(digests.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        for digest in digests {
            if let old = before[digest.path] {
                if old != digest.sha256 { evaluation.reasons.append(.inputChanged(digest.path)) }
            } else {
                evaluation.reasons.append(.inputAdded(digest.path))
            }
        }
        for old in recorded.inputs where now[old.path] == nil { evaluation.reasons.append(.inputRemoved(old.path)) }
        let outputsNow = try workspace.outputDigests(step)
        let outputsByPath = Dictionary(outputsNow.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        for output in recorded.outputs {
            guard let sha = outputsByPath[output.path] else {
                evaluation.reasons.append(.outputMissing(output.path))
                continue
            }
            if sha != output.sha256 { evaluation.reasons.append(.outputEdited(output.path)) }
        }
        let recordedOutputs = Set(recorded.outputs.map(\.path))
        for output in outputsNow where !recordedOutputs.contains(output.path) { evaluation.reasons.append(.outputEdited(output.path)) }
        for output in step.outputs where !isFolderPath(output) && !recordedOutputs.contains(output) && outputsByPath[output] == nil {
            evaluation.reasons.append(.outputMissing(output))
        }
        if evaluation.reasons.isEmpty, recorded.key != key { evaluation.reasons.append(.stepVersionChanged) }
        return evaluation
    }
}
