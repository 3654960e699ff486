import Foundation
import WorkflowModel

/// The review block of workflow.json checked for what an archive needs: every required field present.
public struct ArchiveMetadata: Sendable, Equatable {
    public var title: String
    public var description: String
    public var authors: [ReviewMetadata.Author]
    public var contact: ReviewMetadata.Contact
    public var subjects: [String]
    public var keywords: [String]
    public var license: License
    public var funding: String?
    public var protocolReference: String?
    public var publication: String?

    /// A license by SPDX id, with the name and URI Dataverse and RO-Crate want.
    public struct License: Sendable, Equatable {
        public var spdx: String
        public var name: String
        public var uri: String
    }

    /// The licenses the archive can name (SPDX id → Dataverse name, canonical URI).
    public static let knownLicenses: [String: (name: String, uri: String)] = [
        "CC-BY-4.0": ("CC BY 4.0", "http://creativecommons.org/licenses/by/4.0"),
        "CC0-1.0": ("CC0 1.0", "http://creativecommons.org/publicdomain/zero/1.0"),
        "CC-BY-SA-4.0": ("CC BY-SA 4.0", "http://creativecommons.org/licenses/by-sa/4.0"),
    ]

    /// Dataverse's `subject` vocabulary (citation.tsv).
    public static let subjectVocabulary: Set<String> = [
        "Agricultural Sciences", "Arts and Humanities", "Astronomy and Astrophysics", "Business and Management", "Chemistry",
        "Computer and Information Science", "Earth and Environmental Sciences", "Engineering", "Law", "Mathematical Sciences",
        "Medicine, Health and Life Sciences", "Physics", "Social Sciences", "Other",
    ]

    /// Checks the review block; the first missing or unusable field is an error naming it (file:line:column, JSON path).
    public static func from(_ workflow: Workflow) throws(ArchiveError) -> ArchiveMetadata {
        guard let review = workflow.review else {
            throw .metadata(
                file: workflow.file, line: 1, column: 1, field: "review",
                message: "missing; add a \"review\" block with title, description, authors, contact, subject and license")
        }
        let at = review.location
        func missing(_ field: String, _ fix: String) -> ArchiveError {
            .metadata(file: at.file, line: at.line, column: at.column, field: "review.\(field)", message: "missing; \(fix)")
        }
        guard let description = review.description, !description.isEmpty else { throw missing("description", "describe the review in one paragraph") }
        guard !review.authors.isEmpty else { throw missing("authors", "list the authors as [{\"name\": \"Family, Given\", \"affiliation\": \"…\"}]") }
        guard let contact = review.contact else { throw missing("contact", "add {\"name\": \"…\", \"email\": \"…\"}") }
        guard !review.subject.isEmpty else { throw missing("subject", "name at least one Dataverse subject, e.g. \"Medicine, Health and Life Sciences\"") }
        for subject in review.subject where !subjectVocabulary.contains(subject) {
            throw .metadata(
                file: at.file, line: at.line, column: at.column, field: "review.subject",
                message: "\"\(subject)\" is not in Dataverse's subject vocabulary; use one of: \(subjectVocabulary.sorted().joined(separator: "; "))")
        }
        guard let spdx = review.license else { throw missing("license", "name an SPDX license id, e.g. \"CC-BY-4.0\"") }
        guard let known = knownLicenses[spdx] else {
            throw .metadata(
                file: at.file, line: at.line, column: at.column, field: "review.license",
                message: "\"\(spdx)\" is not a license the archive can name; use one of: \(knownLicenses.keys.sorted().joined(separator: ", "))")
        }
        for (index, author) in review.authors.enumerated() {
            if let orcid = author.orcid, !isORCID(orcid) {
                throw .metadata(
                    file: at.file, line: at.line, column: at.column, field: "review.authors[\(index)].orcid",
                    message: "\"\(orcid)\" is not an ORCID iD (0000-0000-0000-000X); leave it out when unknown")
            }
        }
        return ArchiveMetadata(
            title: review.title, description: description, authors: review.authors, contact: contact, subjects: review.subject,
            keywords: review.keywords, license: License(spdx: spdx, name: known.name, uri: known.uri), funding: review.funding,
            protocolReference: review.protocolReference, publication: review.publication)
    }

    /// True for `0000-0002-1825-0097` or its https://orcid.org/ form, with a valid ISO 7064 11-2 check digit.
    public static func isORCID(_ text: String) -> Bool {
        let bare = text.hasPrefix("https://orcid.org/") ? String(text.dropFirst("https://orcid.org/".count)) : text
        let digits = bare.replacingOccurrences(of: "-", with: "")
        guard bare.count == 19, digits.count == 16 else { return false }
        var total = 0
        for character in digits.dropLast() {
            guard let digit = character.wholeNumberValue else { return false }
            total = (total + digit) * 2
        }
        let check = (12 - total % 11) % 11
        let expected: Character = check == 10 ? "X" : Character(String(check))
        return digits.last == expected
    }

    /// The ORCID as an https URI.
    public static func orcidURI(_ text: String) -> String { text.hasPrefix("https://") ? text : "https://orcid.org/\(text)" }

    /// The DOI in a `https://doi.org/…` URL or a `doi:` / bare `10.` string, or nil.
    public static func doi(in text: String) -> String? {
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"] where text.lowercased().hasPrefix(prefix) {
            return String(text.dropFirst(prefix.count))
        }
        return text.hasPrefix("10.") ? text : nil
    }
}
