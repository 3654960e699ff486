import Foundation

/// `metadata/datacite.xml`: a DataCite 4 record with the six mandatory properties and what the review block adds.
public enum DataCite {
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The XML text (UTF-8, LF).
    public static func xml(_ context: ArchiveContext) -> String {
        let m = context.metadata
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<resource xmlns=\"http://datacite.org/schema/kernel-4\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://datacite.org/schema/kernel-4 http://schema.datacite.org/meta/kernel-4.5/metadata.xsd\">",
            "  <identifier identifierType=\"DOI\">\(context.testDOI)</identifier>",
            "  <creators>",
        ]
        for author in m.authors {
            lines.append("    <creator>")
            lines.append("      <creatorName nameType=\"Personal\">\(escape(author.name))</creatorName>")
            let parts = author.name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 {
                lines.append("      <givenName>\(escape(parts[1]))</givenName>")
                lines.append("      <familyName>\(escape(parts[0]))</familyName>")
            }
            if let orcid = author.orcid {
                lines.append("      <nameIdentifier nameIdentifierScheme=\"ORCID\" schemeURI=\"https://orcid.org\">\(escape(ArchiveMetadata.orcidURI(orcid)))</nameIdentifier>")
            }
            if let affiliation = author.affiliation { lines.append("      <affiliation>\(escape(affiliation))</affiliation>") }
            lines.append("    </creator>")
        }
        lines += [
            "  </creators>",
            "  <titles>",
            "    <title xml:lang=\"en\">\(escape(m.title))</title>",
            "  </titles>",
            "  <publisher>\(escape(context.organization))</publisher>",
            "  <publicationYear>\(context.packedYear)</publicationYear>",
            "  <resourceType resourceTypeGeneral=\"Dataset\">Scoping review data and audit trail</resourceType>",
            "  <subjects>",
        ]
        for subject in m.subjects { lines.append("    <subject>\(escape(subject))</subject>") }
        for keyword in m.keywords { lines.append("    <subject subjectScheme=\"keyword\">\(escape(keyword))</subject>") }
        lines += [
            "  </subjects>",
            "  <contributors>",
            "    <contributor contributorType=\"ContactPerson\">",
            "      <contributorName nameType=\"Personal\">\(escape(m.contact.name))</contributorName>",
            "    </contributor>",
            "  </contributors>",
            "  <dates>",
            "    <date dateType=\"Created\">\(context.packedDay)</date>",
            "  </dates>",
            "  <alternateIdentifiers>",
            "    <alternateIdentifier alternateIdentifierType=\"URN\">\(context.externalIdentifier)</alternateIdentifier>",
            "    <alternateIdentifier alternateIdentifierType=\"git-commit\">\(context.commit.id)</alternateIdentifier>",
            "  </alternateIdentifiers>",
        ]
        var related: [String] = []
        if let protocolReference = m.protocolReference, let doi = ArchiveMetadata.doi(in: protocolReference) {
            related.append("    <relatedIdentifier relatedIdentifierType=\"DOI\" relationType=\"IsDocumentedBy\">\(escape(doi))</relatedIdentifier>")
        }
        if let publication = m.publication, let doi = ArchiveMetadata.doi(in: publication) {
            related.append("    <relatedIdentifier relatedIdentifierType=\"DOI\" relationType=\"IsSupplementTo\">\(escape(doi))</relatedIdentifier>")
        }
        if !related.isEmpty { lines += ["  <relatedIdentifiers>"] + related + ["  </relatedIdentifiers>"] }
        lines += [
            "  <version>\(escape(context.commit.id))</version>",
            "  <rightsList>",
            "    <rights rightsURI=\"\(escape(m.license.uri))\" rightsIdentifier=\"\(escape(m.license.spdx))\" rightsIdentifierScheme=\"SPDX\">\(escape(m.license.name))</rights>",
            "  </rightsList>",
            "  <descriptions>",
            "    <description descriptionType=\"Abstract\">\(escape(m.description))</description>",
            "    <description descriptionType=\"Other\">The identifier \(context.testDOI) uses DataCite's test prefix 10.5072 and the first 8 hex digits of the packed trail commit; it is a placeholder until the repository assigns a DOI.</description>",
            "  </descriptions>",
            "</resource>",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
