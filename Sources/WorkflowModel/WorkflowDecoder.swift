import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Decodes workflow.json into a `Workflow` and checks everything that can be checked without the file system.
public struct WorkflowDecoder {
    public let catalog: StepCatalog
    public let file: String

    public init(catalog: StepCatalog, file: String = "workflow.json") {
        self.catalog = catalog
        self.file = file
    }

    static let topKeys = ["$schema", "version", "review", "trail", "stages", "archive"]
    static let reviewKeys = [
        "title", "description", "framework", "authors", "contact", "subject", "keywords", "license", "funding", "protocol",
        "publication",
    ]
    static let stageKeys = ["id", "title", "steps"]
    static let stepKeys = ["id", "uses", "run", "with", "inputs", "outputs", "env", "description"]

    /// Decodes and validates the bytes of a workflow.json.
    /// - Throws: `WorkflowError` naming the line, the JSON path and the fix.
    public func decode(_ bytes: [UInt8]) throws(WorkflowError) -> Workflow {
        let root: JSONNode
        do { root = try JSONParser.parse(bytes) } catch {
            throw WorkflowError(
                SourceLocation(file: file, line: error.line, column: error.column, path: ""), "invalid JSON: \(error.message)",
                fix: "correct the JSON syntax")
        }
        let top = try object(root, path: "", keys: Self.topKeys)
        let versionNode = try required(top, "version", in: root, path: "")
        guard case .scalar(.number(let lexeme)) = versionNode.kind, let version = Int(lexeme) else {
            throw error(versionNode, "version", "version must be an integer", fix: "write \"version\": 1")
        }
        guard version <= Workflow.highestSupportedVersion else {
            throw error(
                versionNode, "version", "version \(version) is higher than this runner supports (\(Workflow.highestSupportedVersion))",
                fix: "upgrade review, or write \"version\": \(Workflow.highestSupportedVersion)")
        }
        guard version >= 1 else { throw error(versionNode, "version", "version must be 1 or higher", fix: "write \"version\": 1") }

        var trail = TrailSettings()
        if let node = top["trail"] {
            let members = try object(node, path: "trail", keys: ["repository", "branch"])
            if let repository = members["repository"] { trail.repository = try relativePath(repository, path: "trail.repository", allowFolder: true) }
            if let branch = members["branch"] {
                let name = try string(branch, path: "trail.branch")
                guard Identifier.isBranchName(name) else {
                    throw error(branch, "trail.branch", "\"\(name)\" is not a usable branch name", fix: "use letters, digits, '.', '_' or '-'")
                }
                trail.branch = name
            }
        }
        var archive = ArchiveSettings()
        if let node = top["archive"] {
            let members = try object(node, path: "archive", keys: ["output"])
            if let output = members["output"] { archive.output = try relativePath(output, path: "archive.output", allowFolder: true) }
        }
        let review = try top["review"].map { node throws(WorkflowError) in try decodeReview(node) }

        let stagesNode = try required(top, "stages", in: root, path: "")
        let stageNodes = try array(stagesNode, path: "stages")
        guard !stageNodes.isEmpty else { throw error(stagesNode, "stages", "no stages are declared", fix: "declare at least one stage") }
        var stages: [Stage] = []
        var stageIDs: [String: Int] = [:]
        for (index, node) in stageNodes.enumerated() {
            let stage = try decodeStage(node, path: "stages[\(index)]")
            if let first = stageIDs[stage.id] {
                throw error(
                    node, "stages[\(index)].id", "duplicate stage id \"\(stage.id)\" (also stages[\(first)])",
                    fix: "give every stage its own id")
            }
            stageIDs[stage.id] = index
            stages.append(stage)
        }
        let workflow = Workflow(version: version, review: review, trail: trail, stages: stages, archive: archive, file: file)
        try checkGraph(workflow)
        return workflow
    }

    // MARK: Stages and steps

    private func decodeStage(_ node: JSONNode, path: String) throws(WorkflowError) -> Stage {
        let members = try object(node, path: path, keys: Self.stageKeys)
        let idNode = try required(members, "id", in: node, path: path)
        let id = try string(idNode, path: path + ".id")
        guard Identifier.isStageOrStepID(id) else {
            throw error(idNode, path + ".id", "stage id \"\(id)\" is not of the form [a-z0-9-]", fix: "use a stage id like \"2-search\"")
        }
        let title = try members["title"].map { node throws(WorkflowError) in try string(node, path: path + ".title") }
        let stepsNode = try required(members, "steps", in: node, path: path)
        let stepNodes = try array(stepsNode, path: path + ".steps")
        guard !stepNodes.isEmpty else { throw error(stepsNode, path + ".steps", "stage \(id) has no steps", fix: "declare at least one step") }
        var steps: [Step] = []
        var seen: [String: Int] = [:]
        for (index, stepNode) in stepNodes.enumerated() {
            let step = try decodeStep(stepNode, stageID: id, path: "\(path).steps[\(index)]")
            if let first = seen[step.id] {
                throw error(
                    stepNode, "\(path).steps[\(index)].id", "duplicate step id \"\(step.id)\" in stage \(id) (also steps[\(first)])",
                    fix: "give every step of a stage its own id")
            }
            seen[step.id] = index
            steps.append(step)
        }
        return Stage(id: id, title: title, steps: steps, location: location(node, path))
    }

    private func decodeStep(_ node: JSONNode, stageID: String, path: String) throws(WorkflowError) -> Step {
        let members = try object(node, path: path, keys: Self.stepKeys)
        let idNode = try required(members, "id", in: node, path: path)
        let id = try string(idNode, path: path + ".id")
        guard Identifier.isStageOrStepID(id) else {
            throw error(idNode, path + ".id", "step id \"\(id)\" is not of the form [a-z0-9-]", fix: "use a step id like \"import\"")
        }
        let action: Step.Action
        switch (members["uses"], members["run"]) {
        case (.some, .some):
            throw error(node, path, "step \(stageID)/\(id) has both \"uses\" and \"run\"", fix: "keep \"uses\" for a built-in step or \"run\" for a command, not both")
        case (.none, .none):
            throw error(node, path, "step \(stageID)/\(id) has neither \"uses\" nor \"run\"", fix: "add \"uses\": \"<built-in>\" or \"run\": [\"command\", …]")
        case (.some(let uses), .none):
            let kind = try string(uses, path: path + ".uses")
            guard catalog.kind(kind) != nil else {
                let known = catalog.kinds.keys.sorted().joined(separator: ", ")
                throw error(uses, path + ".uses", "unknown built-in step \"\(kind)\"", fix: "use one of: \(known)")
            }
            action = .builtin(kind)
        case (.none, .some(let run)):
            let argv = try stringArray(run, path: path + ".run")
            guard let first = argv.first, !first.isEmpty else {
                throw error(run, path + ".run", "\"run\" is empty", fix: "give the command and its arguments, e.g. [\"Rscript\", \"analysis.R\"]")
            }
            action = .command(argv)
        }
        var parameters: [JSONMember] = []
        if let with = members["with"] {
            guard case .builtin(let kind) = action else {
                throw error(with, path + ".with", "\"with\" parameters are for built-in steps", fix: "pass a command's arguments in \"run\" and its variables in \"env\"")
            }
            parameters = try checkParameters(with, kind: kind, path: path + ".with")
        } else if case .builtin(let kind) = action, let spec = catalog.kind(kind), let missing = spec.parameters.first(where: \.required) {
            throw error(node, path, "built-in step \(kind) needs the parameter \"\(missing.name)\"", fix: "add \"with\": {\"\(missing.name)\": …} (\(missing.description))")
        }
        var environment: [String] = []
        if let env = members["env"] {
            guard case .command = action else {
                throw error(env, path + ".env", "\"env\" is for command steps", fix: "remove \"env\" from a built-in step")
            }
            environment = try stringArray(env, path: path + ".env")
            for (index, name) in environment.enumerated() where !Identifier.isEnvironmentName(name) {
                throw error(env, "\(path).env[\(index)]", "\"\(name)\" is not an environment variable name", fix: "use names like R_LIBS_USER")
            }
        }
        let (inputs, inputLocations) = try paths(members["inputs"], in: node, key: "inputs", path: path, allowGlobs: true)
        let (outputs, outputLocations) = try paths(members["outputs"], in: node, key: "outputs", path: path, allowGlobs: false)
        if outputs.isEmpty {
            throw error(members["outputs"] ?? node, path + ".outputs", "step \(stageID)/\(id) declares no outputs", fix: "declare the files the step writes")
        }
        if case .builtin(let kind) = action, let spec = catalog.kind(kind) {
            if outputs.count != spec.outputs.count {
                throw error(
                    members["outputs"] ?? node, path + ".outputs",
                    "built-in step \(kind) writes \(spec.outputs.count) outputs but \(outputs.count) are declared",
                    fix: "declare, in this order: " + spec.outputs.joined(separator: "; "))
            }
            if inputs.count < spec.inputs.count || (!spec.variadicInputs && inputs.count > spec.inputs.count) {
                throw error(
                    members["inputs"] ?? node, path + ".inputs",
                    "built-in step \(kind) reads \(spec.variadicInputs ? "at least " : "")\(spec.inputs.count) inputs but \(inputs.count) are declared",
                    fix: "declare, in this order: " + spec.inputs.joined(separator: "; "))
            }
        }
        let description = try members["description"].map { node throws(WorkflowError) in try string(node, path: path + ".description") }
        return Step(
            id: id, stageID: stageID, action: action, parameters: parameters, inputs: inputs, outputs: outputs,
            environment: environment, description: description, location: location(node, path),
            inputLocations: inputLocations, outputLocations: outputLocations)
    }

    private func checkParameters(_ node: JSONNode, kind: String, path: String) throws(WorkflowError) -> [JSONMember] {
        guard let spec = catalog.kind(kind) else { return [] }
        guard case .object(let members) = node.kind else {
            throw error(node, path, "\"with\" must be an object", fix: "write \"with\": { \"parameter\": value }")
        }
        for member in members {
            guard let parameter = spec.parameters.first(where: { $0.name == member.key }) else {
                let known = spec.parameters.map(\.name)
                throw error(
                    member.node, "\(path).\(member.key)", "built-in step \(kind) does not accept the parameter \"\(member.key)\"",
                    fix: known.isEmpty ? "remove \"with\": \(kind) takes no parameters" : "use one of: \(known.joined(separator: ", "))")
            }
            let value = member.node.value
            guard parameter.type.accepts(value) else {
                throw error(member.node, "\(path).\(member.key)", "\"\(member.key)\" must be \(parameter.type.rawValue), not \(value.typeName)", fix: parameter.description)
            }
            if let allowed = parameter.allowed, let text = value.stringValue, !allowed.contains(text) {
                throw error(member.node, "\(path).\(member.key)", "\"\(text)\" is not an allowed value of \"\(member.key)\"", fix: "use one of: \(allowed.joined(separator: ", "))")
            }
            if let number = value.doubleValue {
                if let minimum = parameter.minimum, number < minimum {
                    throw error(member.node, "\(path).\(member.key)", "\(member.key) is below \(JSONValue.formatNumber(minimum))", fix: parameter.description)
                }
                if let maximum = parameter.maximum, number > maximum {
                    throw error(member.node, "\(path).\(member.key)", "\(member.key) is above \(JSONValue.formatNumber(maximum))", fix: parameter.description)
                }
            }
        }
        for parameter in spec.parameters where parameter.required && !members.contains(where: { $0.key == parameter.name }) {
            throw error(node, path, "built-in step \(kind) needs the parameter \"\(parameter.name)\"", fix: parameter.description)
        }
        return members.map { JSONMember($0.key, $0.node.value) }
    }

    private func paths(
        _ node: JSONNode?, in parent: JSONNode, key: String, path: String, allowGlobs: Bool
    ) throws(WorkflowError) -> ([String], [SourceLocation]) {
        guard let node else {
            if key == "inputs" { return ([], []) }
            throw error(parent, path, "missing required field \"\(key)\"", fix: "add \"\(key)\": [\"path\", …]")
        }
        let items = try array(node, path: "\(path).\(key)")
        var out: [String] = []
        var locations: [SourceLocation] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path).\(key)[\(index)]"
            let value = try relativePath(item, path: itemPath, allowFolder: true)
            if !allowGlobs, isGlobPattern(value) {
                throw error(item, itemPath, "an output may not be a glob pattern", fix: "name the file, or a folder ending in '/'")
            }
            if out.contains(value) {
                throw error(item, itemPath, "\"\(value)\" is declared twice", fix: "declare each path once")
            }
            out.append(value)
            locations.append(location(item, itemPath))
        }
        return (out, locations)
    }

    // MARK: Graph checks

    private func checkGraph(_ workflow: Workflow) throws(WorkflowError) {
        let steps = workflow.steps
        var owner: [(path: String, step: Int, location: SourceLocation)] = []
        for (index, step) in steps.enumerated() {
            for (output, location) in zip(step.outputs, step.outputLocations) {
                if output == "workflow.json" || output.hasPrefix(".review/") || output.hasPrefix(".trail/") || output.hasPrefix(".git/") {
                    throw WorkflowError(location, "\"\(output)\" is reserved for the runner", fix: "write outputs under the stage's out/ folder")
                }
                if let other = owner.first(where: { pathsOverlap($0.path, output) }) {
                    throw WorkflowError(
                        location, "output \"\(output)\" is also declared by \(steps[other.step].name) (\(other.location.path))",
                        fix: "let exactly one step write each file")
                }
                owner.append((output, index, location))
            }
        }
        for (index, step) in steps.enumerated() {
            for (input, location) in zip(step.inputs, step.inputLocations) {
                for entry in owner where entry.step >= index && Self.reads(input, entry.path) {
                    let what = entry.step == index ? "its own output" : "the output of a later step, \(steps[entry.step].name)"
                    throw WorkflowError(
                        location, "step \(step.name) reads \"\(input)\", \(what) (a cycle)",
                        fix: "declare the steps in the order they run and never read a later step's output")
                }
            }
        }
    }

    /// True when an input pattern reads (part of) a declared output.
    public static func reads(_ input: String, _ output: String) -> Bool {
        if isFolderPath(output) {
            if input.hasPrefix(output) { return true }
            if isGlobPattern(input) { return globMatches(input, output + "x") || globPrefix(input).hasPrefix(output) }
            return false
        }
        if isFolderPath(input) { return output.hasPrefix(input) }
        if isGlobPattern(input) { return globMatches(input, output) }
        return input == output
    }

    /// The part of a glob before its first wildcard.
    public static func globPrefix(_ pattern: String) -> String {
        String(pattern.prefix { $0 != "*" && $0 != "?" && $0 != "[" })
    }

    /// Shell-style matching with `/` matched only literally (`fnmatch` with `FNM_PATHNAME`).
    public static func globMatches(_ pattern: String, _ path: String) -> Bool {
        fnmatch(pattern, path, FNM_PATHNAME | FNM_PERIOD) == 0
    }

    private func pathsOverlap(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if isFolderPath(a), b.hasPrefix(a) { return true }
        if isFolderPath(b), a.hasPrefix(b) { return true }
        return false
    }

    // MARK: Review metadata

    private func decodeReview(_ node: JSONNode) throws(WorkflowError) -> ReviewMetadata {
        let members = try object(node, path: "review", keys: Self.reviewKeys)
        func text(_ key: String) throws(WorkflowError) -> String? {
            try members[key].map { node throws(WorkflowError) in try string(node, path: "review.\(key)") }
        }
        let titleNode = try required(members, "title", in: node, path: "review")
        var authors: [ReviewMetadata.Author] = []
        if let list = members["authors"] {
            for (index, item) in try array(list, path: "review.authors").enumerated() {
                let path = "review.authors[\(index)]"
                let fields = try object(item, path: path, keys: ["name", "affiliation", "orcid"])
                let name = try string(try required(fields, "name", in: item, path: path), path: path + ".name")
                let affiliation = try fields["affiliation"].map { node throws(WorkflowError) in try string(node, path: path + ".affiliation") }
                let orcid = try fields["orcid"].map { node throws(WorkflowError) in try string(node, path: path + ".orcid") }
                if let orcid, let orcidNode = fields["orcid"],
                    !Identifier.isORCID(orcid)
                {
                    throw error(orcidNode, path + ".orcid", "\"\(orcid)\" is not an ORCID iD", fix: "write it as 0000-0002-1825-0097, or leave it out")
                }
                authors.append(ReviewMetadata.Author(name: name, affiliation: affiliation, orcid: orcid))
            }
        }
        var contact: ReviewMetadata.Contact?
        if let node = members["contact"] {
            let fields = try object(node, path: "review.contact", keys: ["name", "email"])
            contact = ReviewMetadata.Contact(
                name: try string(try required(fields, "name", in: node, path: "review.contact"), path: "review.contact.name"),
                email: try string(try required(fields, "email", in: node, path: "review.contact"), path: "review.contact.email"))
        }
        return ReviewMetadata(
            title: try string(titleNode, path: "review.title"), description: try text("description"), framework: try text("framework"),
            authors: authors, contact: contact,
            subject: try members["subject"].map { node throws(WorkflowError) in try stringArray(node, path: "review.subject") } ?? [],
            keywords: try members["keywords"].map { node throws(WorkflowError) in try stringArray(node, path: "review.keywords") } ?? [],
            license: try text("license"), funding: try text("funding"), protocolReference: try text("protocol"),
            publication: try text("publication"), location: location(node, "review"))
    }

    // MARK: Typed access with paths

    private func location(_ node: JSONNode, _ path: String) -> SourceLocation {
        SourceLocation(file: file, line: node.line, column: node.column, path: path)
    }

    private func error(_ node: JSONNode, _ path: String, _ message: String, fix: String) -> WorkflowError {
        WorkflowError(location(node, path), message, fix: fix)
    }

    private func object(_ node: JSONNode, path: String, keys: [String]) throws(WorkflowError) -> [String: JSONNode] {
        guard case .object(let members) = node.kind else {
            throw error(node, path, "\(path.isEmpty ? "the document" : path) must be an object, not \(node.value.typeName)", fix: "write { … }")
        }
        var out: [String: JSONNode] = [:]
        for member in members {
            let memberPath = path.isEmpty ? member.key : "\(path).\(member.key)"
            guard keys.contains(member.key) else {
                throw error(
                    member.node, memberPath, "unknown key \"\(member.key)\"",
                    fix: "remove it or use one of: \(keys.joined(separator: ", "))")
            }
            out[member.key] = member.node
        }
        return out
    }

    private func required(_ members: [String: JSONNode], _ key: String, in node: JSONNode, path: String) throws(WorkflowError) -> JSONNode {
        guard let value = members[key] else {
            throw error(node, path, "missing required field \"\(key)\"", fix: "add \"\(key)\"")
        }
        return value
    }

    private func string(_ node: JSONNode, path: String) throws(WorkflowError) -> String {
        guard case .scalar(.string(let text)) = node.kind else {
            throw error(node, path, "\(path) must be a string, not \(node.value.typeName)", fix: "write it in double quotes")
        }
        return text
    }

    private func array(_ node: JSONNode, path: String) throws(WorkflowError) -> [JSONNode] {
        guard case .array(let items) = node.kind else {
            throw error(node, path, "\(path) must be an array, not \(node.value.typeName)", fix: "write [ … ]")
        }
        return items
    }

    private func stringArray(_ node: JSONNode, path: String) throws(WorkflowError) -> [String] {
        var out: [String] = []
        for (index, item) in try array(node, path: path).enumerated() { out.append(try string(item, path: "\(path)[\(index)]")) }
        return out
    }

    private func relativePath(_ node: JSONNode, path: String, allowFolder: Bool) throws(WorkflowError) -> String {
        let value = try string(node, path: path)
        if value.isEmpty { throw error(node, path, "the path is empty", fix: "name a file relative to the review folder") }
        if value.hasPrefix("/") || value.hasPrefix("~") {
            throw error(node, path, "\"\(value)\" is absolute and escapes the review folder", fix: "write the path relative to the folder that holds workflow.json")
        }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") {
            throw error(node, path, "\"\(value)\" escapes the review folder through '..'", fix: "keep every file inside the review folder")
        }
        if parts.dropLast().contains("") || parts.contains(".") || value.contains("\\") {
            throw error(node, path, "\"\(value)\" is not a clean relative path", fix: "write it like stages/2-search/out/records.jsonl")
        }
        if !allowFolder, value.hasSuffix("/") { throw error(node, path, "\"\(value)\" must be a file", fix: "remove the trailing '/'") }
        return value
    }
}
