import Foundation
import WorkflowModel

/// `dataverse-dataset.json`: the body of `POST /api/dataverses/{alias}/datasets` (citation block and license).
public enum DataverseDataset {
    static func primitive(_ name: String, _ value: String) -> JSONValue {
        .object([
            JSONMember("typeName", .string(name)), JSONMember("typeClass", .string("primitive")), JSONMember("multiple", .bool(false)),
            JSONMember("value", .string(value)),
        ])
    }

    static func vocabulary(_ name: String, _ value: String) -> JSONValue {
        .object([
            JSONMember("typeName", .string(name)), JSONMember("typeClass", .string("controlledVocabulary")), JSONMember("multiple", .bool(false)),
            JSONMember("value", .string(value)),
        ])
    }

    static func compound(_ name: String, _ values: [[(String, JSONValue)]]) -> JSONValue {
        .object([
            JSONMember("typeName", .string(name)), JSONMember("typeClass", .string("compound")), JSONMember("multiple", .bool(true)),
            JSONMember("value", .array(values.map { .object($0.map { JSONMember($0.0, $0.1) }) })),
        ])
    }

    /// The dataset JSON value.
    public static func value(_ context: ArchiveContext) -> JSONValue {
        let m = context.metadata
        var fields: [JSONValue] = [primitive("title", m.title)]
        fields.append(
            compound(
                "author",
                m.authors.map { author in
                    var members: [(String, JSONValue)] = [("authorName", primitive("authorName", author.name))]
                    if let affiliation = author.affiliation { members.append(("authorAffiliation", primitive("authorAffiliation", affiliation))) }
                    if let orcid = author.orcid {
                        members.append(("authorIdentifierScheme", vocabulary("authorIdentifierScheme", "ORCID")))
                        members.append(("authorIdentifier", primitive("authorIdentifier", orcid.replacingOccurrences(of: "https://orcid.org/", with: ""))))
                    }
                    return members
                }))
        fields.append(
            compound(
                "datasetContact",
                [[
                    ("datasetContactName", primitive("datasetContactName", m.contact.name)),
                    ("datasetContactEmail", primitive("datasetContactEmail", m.contact.email)),
                ]]))
        fields.append(compound("dsDescription", [[("dsDescriptionValue", primitive("dsDescriptionValue", m.description))]]))
        fields.append(
            .object([
                JSONMember("typeName", .string("subject")), JSONMember("typeClass", .string("controlledVocabulary")), JSONMember("multiple", .bool(true)),
                JSONMember("value", .array(m.subjects.map { .string($0) })),
            ]))
        if !m.keywords.isEmpty {
            fields.append(compound("keyword", m.keywords.map { [("keywordValue", primitive("keywordValue", $0))] }))
        }
        var publications: [[(String, JSONValue)]] = []
        for (label, reference) in [("Protocol", m.protocolReference), ("Review article", m.publication)] {
            guard let reference else { continue }
            var members: [(String, JSONValue)] = [("publicationCitation", primitive("publicationCitation", "\(label): \(reference)"))]
            if let doi = ArchiveMetadata.doi(in: reference) {
                members.append(("publicationIDType", vocabulary("publicationIDType", "doi")))
                members.append(("publicationIDNumber", primitive("publicationIDNumber", doi)))
                members.append(("publicationURL", primitive("publicationURL", "https://doi.org/\(doi)")))
            } else if reference.hasPrefix("https://") || reference.hasPrefix("http://") {
                members.append(("publicationURL", primitive("publicationURL", reference)))
            }
            publications.append(members)
        }
        if !publications.isEmpty { fields.append(compound("publication", publications)) }
        fields.append(
            compound(
                "software",
                [[("softwareName", primitive("softwareName", "ReviewTrail")), ("softwareVersion", primitive("softwareVersion", context.runnerVersion))]]))
        fields.append(primitive("productionDate", context.packedDay))
        fields.append(.object([
            JSONMember("typeName", .string("kindOfData")), JSONMember("typeClass", .string("primitive")), JSONMember("multiple", .bool(true)),
            JSONMember("value", .array([.string("Scoping review data and audit trail")])),
        ]))
        return .object([
            JSONMember(
                "datasetVersion",
                .object([
                    JSONMember("license", .object([JSONMember("name", .string(m.license.name)), JSONMember("uri", .string(m.license.uri))])),
                    JSONMember(
                        "metadataBlocks",
                        .object([
                            JSONMember(
                                "citation",
                                .object([JSONMember("displayName", .string("Citation Metadata")), JSONMember("fields", .array(fields))]))
                        ])),
                ]))
        ])
    }
}
