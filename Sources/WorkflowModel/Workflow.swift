/// Where something was written in workflow.json: file, line, column and JSON path.
public struct SourceLocation: Sendable, Equatable, Hashable {
    public var file: String
    public var line: Int
    public var column: Int
    /// The JSON path, e.g. `stages[2].steps[0].inputs[1]`.
    public var path: String

    public init(file: String, line: Int, column: Int, path: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }
}

/// A parsed, validated workflow.json (version 1).
public struct Workflow: Sendable {
    /// The highest format version this runner reads.
    public static let highestSupportedVersion = 1

    public var version: Int
    public var review: ReviewMetadata?
    public var trail: TrailSettings
    public var stages: [Stage]
    public var archive: ArchiveSettings
    /// The file it was read from, for messages.
    public var file: String

    /// Every step, in declaration order (which is also the dependency order).
    public var steps: [Step] { stages.flatMap(\.steps) }

    /// The step with a `STAGE/STEP` name.
    public func step(named name: String) -> Step? { steps.first { $0.name == name } }
}

/// The review's bibliographic block: what the archive and the Dataverse deposit describe.
public struct ReviewMetadata: Sendable, Equatable {
    /// One author of the review.
    public struct Author: Sendable, Equatable {
        public var name: String
        public var affiliation: String?
        public var orcid: String?
    }

    /// Who answers questions about the data.
    public struct Contact: Sendable, Equatable {
        public var name: String
        public var email: String
    }

    public var title: String
    public var description: String?
    public var framework: String?
    public var authors: [Author]
    public var contact: Contact?
    public var subject: [String]
    public var keywords: [String]
    public var license: String?
    public var funding: String?
    public var protocolReference: String?
    public var publication: String?
    public var location: SourceLocation
}

/// Where the trail repository lives and which branch it uses.
public struct TrailSettings: Sendable, Equatable {
    public var repository: String
    public var branch: String

    public init(repository: String = ".review/trail.git", branch: String = "trail") {
        self.repository = repository
        self.branch = branch
    }
}

/// Where `review archive` writes.
public struct ArchiveSettings: Sendable, Equatable {
    public var output: String = "archive"
}

/// One of the review's stages: an ordered list of steps whose run is one trail snapshot.
public struct Stage: Sendable {
    public var id: String
    public var title: String?
    public var steps: [Step]
    public var location: SourceLocation
}

/// A declared step: a built-in (`uses`) or a command (`run`), with its inputs and outputs.
public struct Step: Sendable {
    /// What runs.
    public enum Action: Sendable, Equatable {
        case builtin(String)
        case command([String])
    }

    public var id: String
    public var stageID: String
    public var action: Action
    /// `with` parameters (built-in steps only), in written order.
    public var parameters: [JSONMember]
    public var inputs: [String]
    public var outputs: [String]
    /// Names of environment variables passed to a command step.
    public var environment: [String]
    public var description: String?
    public var location: SourceLocation
    /// Locations of `inputs[N]` and `outputs[N]` for messages.
    public var inputLocations: [SourceLocation]
    public var outputLocations: [SourceLocation]

    public init(
        id: String, stageID: String, action: Action, parameters: [JSONMember], inputs: [String], outputs: [String],
        environment: [String], description: String?, location: SourceLocation, inputLocations: [SourceLocation],
        outputLocations: [SourceLocation]
    ) {
        self.id = id
        self.stageID = stageID
        self.action = action
        self.parameters = parameters
        self.inputs = inputs
        self.outputs = outputs
        self.environment = environment
        self.description = description
        self.location = location
        self.inputLocations = inputLocations
        self.outputLocations = outputLocations
    }

    /// `STAGE/STEP`, the name used everywhere.
    public var name: String { "\(stageID)/\(id)" }

    /// The parameter `key`, or nil.
    public func parameter(_ key: String) -> JSONValue? { parameters.first { $0.key == key }?.value }

    /// The canonical definition hashed into the step key: id, action, parameters, declared paths.
    public var canonicalDefinition: String {
        var members = [
            JSONMember("id", .string(name)),
            JSONMember("inputs", .array(inputs.map { .string($0) })),
            JSONMember("outputs", .array(outputs.map { .string($0) })),
        ]
        switch action {
        case .builtin(let kind):
            members.append(JSONMember("uses", .string(kind)))
            members.append(JSONMember("with", .object(parameters)))
        case .command(let argv):
            members.append(JSONMember("run", .array(argv.map { .string($0) })))
            members.append(JSONMember("env", .array(environment.map { .string($0) })))
        }
        return CanonicalJSON.compact(.object(members))
    }
}

/// True when a declared path names a folder (a set of files whose size varies).
public func isFolderPath(_ path: String) -> Bool { path.hasSuffix("/") }

/// True when a declared path is a glob pattern.
public func isGlobPattern(_ path: String) -> Bool { path.contains { $0 == "*" || $0 == "?" || $0 == "[" } }
