/// A file as the trail records it: path, SHA-256 and size.
public struct FileDigest: Codable, Equatable, Hashable, Sendable {
    public var path: String
    public var sha256: String
    public var size: Int64

    public init(path: String, sha256: String, size: Int64) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }
}

/// What the trail knows about one step's latest run.
public struct StepRecord: Codable, Equatable, Sendable {
    /// `STAGE/STEP`.
    public var name: String
    public var stage: String
    /// `builtin` or `command`.
    public var kind: String
    public var uses: String?
    public var run: [String]?
    public var kindVersion: String?
    public var parameters: JSONValue?
    /// SHA-256 of the step's canonical definition.
    public var definitionSHA256: String
    /// The step key: definition, kind version and input hashes.
    public var key: String
    public var inputs: [FileDigest]
    public var outputs: [FileDigest]
    /// Paths of this run's logs in the snapshot tree.
    public var logs: [String]
    public var summary: String
    public var counts: [String: Int]
    /// The snapshot the step last ran in; nil in the snapshot where it ran.
    public var snapshot: String?

    public init(
        name: String, stage: String, kind: String, uses: String?, run: [String]?, kindVersion: String?, parameters: JSONValue?,
        definitionSHA256: String, key: String, inputs: [FileDigest], outputs: [FileDigest], logs: [String], summary: String,
        counts: [String: Int], snapshot: String?
    ) {
        self.name = name
        self.stage = stage
        self.kind = kind
        self.uses = uses
        self.run = run
        self.kindVersion = kindVersion
        self.parameters = parameters
        self.definitionSHA256 = definitionSHA256
        self.key = key
        self.inputs = inputs
        self.outputs = outputs
        self.logs = logs
        self.summary = summary
        self.counts = counts
        self.snapshot = snapshot
    }

    enum CodingKeys: String, CodingKey {
        case name, stage, kind, uses, run, parameters, key, inputs, outputs, logs, summary, counts, snapshot
        case kindVersion = "kind_version"
        case definitionSHA256 = "definition_sha256"
    }
}

/// `.trail/manifest.json`: the state of the whole review after one stage snapshot.
public struct SnapshotManifest: Codable, Equatable, Sendable {
    public static let currentFormat = 1
    public static let path = ".trail/manifest.json"

    public var format: Int
    public var runnerVersion: String
    public var stage: String
    public var summary: String
    public var workflow: FileDigest
    /// The steps run in this snapshot, in order.
    public var ran: [String]
    /// Every step the trail has run so far (its latest run), in workflow order.
    public var steps: [StepRecord]
    /// Every file of the review in the snapshot tree (not `.trail/`), sorted by path.
    public var files: [FileDigest]

    public init(
        runnerVersion: String, stage: String, summary: String, workflow: FileDigest, ran: [String], steps: [StepRecord],
        files: [FileDigest]
    ) {
        format = Self.currentFormat
        self.runnerVersion = runnerVersion
        self.stage = stage
        self.summary = summary
        self.workflow = workflow
        self.ran = ran
        self.steps = steps
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case format, stage, summary, workflow, ran, steps, files
        case runnerVersion = "runner_version"
    }

    /// The record of a step, by `STAGE/STEP` name.
    public func step(_ name: String) -> StepRecord? { steps.first { $0.name == name } }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int.self) {
            self = .number(String(integer))
        } else if let number = try? container.decode(Double.self) {
            self = .number(JSONValue.formatNumber(number))
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            let members = try container.decode([String: JSONValue].self)
            self = .object(members.keys.sorted().map { JSONMember($0, members[$0] ?? .null) })
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let lexeme):
            if let integer = Int(lexeme) { try container.encode(integer) } else { try container.encode(Double(lexeme) ?? 0) }
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let members):
            try container.encode(Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
    }
}

extension SnapshotManifest {
    /// The manifest as the trail stores it: sorted keys, two-space indentation, LF. Written by hand rather
    /// than by `JSONEncoder`, which takes tens of milliseconds for a stage of 10,000 files.
    public func encoded() -> [UInt8] {
        func digest(_ file: FileDigest) -> JSONValue {
            .object([JSONMember("path", .string(file.path)), JSONMember("sha256", .string(file.sha256)), JSONMember("size", .number(String(file.size)))])
        }
        func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
        func optional(_ text: String?) -> JSONValue? { text.map { .string($0) } }
        let steps: [JSONValue] = steps.map { step in
            var members = [
                JSONMember("counts", .object(step.counts.map { JSONMember($0.key, .number(String($0.value))) })),
                JSONMember("definition_sha256", .string(step.definitionSHA256)),
                JSONMember("inputs", .array(step.inputs.map(digest))),
                JSONMember("key", .string(step.key)),
                JSONMember("kind", .string(step.kind)),
                JSONMember("logs", strings(step.logs)),
                JSONMember("name", .string(step.name)),
                JSONMember("outputs", .array(step.outputs.map(digest))),
                JSONMember("stage", .string(step.stage)),
                JSONMember("summary", .string(step.summary)),
            ]
            if let value = optional(step.kindVersion) { members.append(JSONMember("kind_version", value)) }
            if let parameters = step.parameters { members.append(JSONMember("parameters", parameters)) }
            if let run = step.run { members.append(JSONMember("run", strings(run))) }
            if let value = optional(step.snapshot) { members.append(JSONMember("snapshot", value)) }
            if let value = optional(step.uses) { members.append(JSONMember("uses", value)) }
            return .object(members)
        }
        let value = JSONValue.object([
            JSONMember("files", .array(files.map(digest))),
            JSONMember("format", .number(String(format))),
            JSONMember("ran", strings(ran)),
            JSONMember("runner_version", .string(runnerVersion)),
            JSONMember("stage", .string(stage)),
            JSONMember("steps", .array(steps)),
            JSONMember("summary", .string(summary)),
            JSONMember("workflow", digest(workflow)),
        ])
        return Array(CanonicalJSON.pretty(value).utf8)
    }
}

/// A manifest that cannot be read, with what was wrong.
public struct ManifestError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension SnapshotManifest {
    /// Reads a manifest written by `encoded()` (or any JSON of the same shape) without `JSONDecoder`, which
    /// would cost every `status` milliseconds at start-up.
    public static func decode(_ bytes: [UInt8]) throws(ManifestError) -> SnapshotManifest {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes).value } catch { throw ManifestError(message: "line \(error.line): \(error.message)") }
        func string(_ value: JSONValue?, _ key: String) throws(ManifestError) -> String {
            guard let text = value?[key]?.stringValue else { throw ManifestError(message: "missing or non-string \"\(key)\"") }
            return text
        }
        func optionalString(_ value: JSONValue?, _ key: String) -> String? { value?[key]?.stringValue }
        func strings(_ value: JSONValue?, _ key: String) -> [String] { value?[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func digests(_ value: JSONValue?, _ key: String) throws(ManifestError) -> [FileDigest] {
            var out: [FileDigest] = []
            for item in value?[key]?.arrayValue ?? [] {
                out.append(FileDigest(path: try string(item, "path"), sha256: try string(item, "sha256"), size: Int64(item["size"]?.intValue ?? 0)))
            }
            return out
        }
        guard let workflowValue = root["workflow"] else { throw ManifestError(message: "missing \"workflow\"") }
        var steps: [StepRecord] = []
        for item in root["steps"]?.arrayValue ?? [] {
            var counts: [String: Int] = [:]
            for member in item["counts"]?.objectValue ?? [] { counts[member.key] = member.value.intValue ?? 0 }
            steps.append(
                StepRecord(
                    name: try string(item, "name"), stage: try string(item, "stage"), kind: try string(item, "kind"),
                    uses: optionalString(item, "uses"), run: item["run"].map { _ in strings(item, "run") },
                    kindVersion: optionalString(item, "kind_version"), parameters: item["parameters"],
                    definitionSHA256: try string(item, "definition_sha256"), key: try string(item, "key"),
                    inputs: try digests(item, "inputs"), outputs: try digests(item, "outputs"), logs: strings(item, "logs"),
                    summary: try string(item, "summary"), counts: counts, snapshot: optionalString(item, "snapshot")))
        }
        var manifest = SnapshotManifest(
            runnerVersion: try string(root, "runner_version"), stage: try string(root, "stage"), summary: try string(root, "summary"),
            workflow: FileDigest(
                path: try string(workflowValue, "path"), sha256: try string(workflowValue, "sha256"), size: Int64(workflowValue["size"]?.intValue ?? 0)),
            ran: strings(root, "ran"), steps: steps, files: try digests(root, "files"))
        manifest.format = root["format"]?.intValue ?? currentFormat
        return manifest
    }
}
