import Foundation
import WorkflowModel

/// `data/ro-crate-metadata.json`: RO-Crate 1.1 with Process Run Crate 0.5 provenance, one CreateAction per step run.
public enum ROCrate {
    public static let processRunCrate = "https://w3id.org/ro/wfrun/process/0.5"

    static func ref(_ id: String) -> JSONValue { .object([JSONMember("@id", .string(id))]) }

    static func entity(_ members: [(String, JSONValue)]) -> JSONValue { .object(members.map { JSONMember($0.0, $0.1) }) }

    /// One value as itself, several as an array (RO-Crate 1.1 recommends no singleton arrays).
    static func single(_ values: [JSONValue]) -> JSONValue { values.count == 1 ? values[0] : .array(values) }

    /// A tool id from a name: ASCII letters, digits and dashes.
    static func slug(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }

    /// The crate; `files` are the payload files it describes (every payload file but the crate itself).
    public static func value(_ context: ArchiveContext, files: [PayloadFile]) -> JSONValue {
        let m = context.metadata
        var graph: [JSONValue] = []
        graph.append(
            entity([
                ("@id", .string("ro-crate-metadata.json")), ("@type", .string("CreativeWork")),
                ("conformsTo", ref("https://w3id.org/ro/crate/1.1")), ("about", ref("./")),
            ]))
        var authorRefs: [JSONValue] = []
        var people: [JSONValue] = []
        var organizations: [String: String] = [:]
        let publisherID = "#org-\(slug(context.organization).lowercased())"
        organizations[publisherID] = context.organization
        for (index, author) in m.authors.enumerated() {
            let id = author.orcid.map(ArchiveMetadata.orcidURI) ?? "#author-\(index + 1)"
            authorRefs.append(ref(id))
            var members: [(String, JSONValue)] = [("@id", .string(id)), ("@type", .string("Person")), ("name", .string(author.name))]
            if let affiliation = author.affiliation {
                let orgID = "#org-\(slug(affiliation).lowercased())"
                organizations[orgID] = affiliation
                members.append(("affiliation", ref(orgID)))
            }
            people.append(entity(members))
        }
        let localPaths = Dictionary(files.map { (String($0.path.dropFirst("data/".count)), $0) }, uniquingKeysWith: { a, _ in a })
        let byTrail = Dictionary(
            files.compactMap { file in file.verbatim ? file.trailPath.map { ($0 + "@" + file.sha256, String(file.path.dropFirst("data/".count))) } : nil },
            uniquingKeysWith: { a, _ in a })
        var trailEntities: [String: JSONValue] = [:]
        func fileRef(_ digest: FileDigest) -> JSONValue {
            if let local = byTrail[digest.path + "@" + digest.sha256] { return ref(local) }
            let id = "#trail:\(digest.path)@\(digest.sha256.prefix(12))"
            trailEntities[id] = entity([
                ("@id", .string(id)), ("@type", .string("CreativeWork")), ("name", .string(digest.path)),
                ("description", .string("committed in the trail at \(digest.path); recoverable from audit/trail.bundle")),
                ("sha256", .string(digest.sha256)), ("contentSize", .string(String(digest.size))),
            ])
            return ref(id)
        }
        var actions: [JSONValue] = []
        var tools: [String: JSONValue] = [:]
        for run in context.runs {
            let record = run.record
            let toolID = "#tool-\(slug(record.name))-\(record.definitionSHA256.prefix(8))"
            let toolName = record.uses.map { "ReviewTrail built-in step \($0)" } ?? "command step \(record.name)"
            var toolMembers: [(String, JSONValue)] = [
                ("@id", .string(toolID)), ("@type", .string("SoftwareApplication")), ("name", .string(toolName)),
                ("softwareVersion", .string(record.kindVersion ?? context.runnerVersion)),
                ("identifier", .string("sha256:\(record.definitionSHA256)")),
            ]
            if let argv = record.run { toolMembers.append(("description", .string("runs: " + argv.joined(separator: " ")))) }
            tools[toolID] = entity(toolMembers)
            let step = context.workflow.step(named: record.name)
            var description = step?.description ?? record.uses.map { "built-in step \($0)" } ?? "command step"
            if !record.summary.isEmpty { description += " Result: \(record.summary)" }
            actions.append(
                entity([
                    ("@id", .string("#run-\(run.commit.id.prefix(8))-\(slug(record.name))")), ("@type", .string("CreateAction")),
                    ("name", .string("Run of \(record.name) in snapshot \(run.commit.id.prefix(8))")),
                    ("description", .string(description)),
                    ("endTime", .string(ArchiveContext.iso(run.commit.time))),
                    ("instrument", ref(toolID)), ("agent", single(authorRefs)),
                    ("object", single(record.inputs.map(fileRef))),
                    ("result", single(record.outputs.map(fileRef))),
                    ("actionStatus", .string("http://schema.org/CompletedActionStatus")),
                    ("identifier", .string("step key \(record.key)")),
                ]))
        }
        var root: [(String, JSONValue)] = [
            ("@id", .string("./")), ("@type", .string("Dataset")), ("name", .string(m.title)), ("description", .string(m.description)),
            ("datePublished", .string(ArchiveContext.iso(context.commit.time))), ("license", ref(m.license.uri)),
            ("conformsTo", ref(processRunCrate)), ("author", single(authorRefs)), ("publisher", ref(publisherID)),
            ("identifier", .string(context.externalIdentifier)),
            ("hasPart", .array(localPaths.keys.sorted().map(ref))), ("mentions", .array(actions.map { ref($0["@id"]?.stringValue ?? "") })),
        ]
        if !m.keywords.isEmpty { root.append(("keywords", .string(m.keywords.joined(separator: ", ")))) }
        graph.append(entity(root))
        graph.append(entity([("@id", .string(m.license.uri)), ("@type", .string("CreativeWork")), ("name", .string(m.license.name)), ("identifier", .string(m.license.spdx))]))
        graph.append(entity([("@id", .string(processRunCrate)), ("@type", .string("CreativeWork")), ("name", .string("Process Run Crate")), ("version", .string("0.5"))]))
        graph += people
        for (id, name) in organizations.sorted(by: { $0.key < $1.key }) {
            graph.append(entity([("@id", .string(id)), ("@type", .string("Organization")), ("name", .string(name))]))
        }
        for path in localPaths.keys.sorted() {
            guard let file = localPaths[path] else { continue }
            var members: [(String, JSONValue)] = [
                ("@id", .string(path)), ("@type", .string("File")), ("name", .string((path as NSString).lastPathComponent)),
                ("description", .string(file.description)), ("encodingFormat", .string(file.encodingFormat)),
                ("contentSize", .string(String(file.bytes.count))), ("sha256", .string(file.sha256)),
            ]
            if let trailPath = file.trailPath, !file.verbatim, let digest = context.digestOfTrailFile(trailPath) {
                members.append(("isBasedOn", fileRef(digest)))
            }
            graph.append(entity(members))
        }
        graph += tools.keys.sorted().compactMap { tools[$0] }
        graph += actions
        graph += trailEntities.keys.sorted().compactMap { trailEntities[$0] }
        return .object([JSONMember("@context", .string("https://w3id.org/ro/crate/1.1/context")), JSONMember("@graph", .array(graph))])
    }
}
