import Foundation
import WorkflowModel

/// `data/00_README.txt`, in the structure of DataverseNO's ReadMe template (General, v2.4).
public enum ReadMe {
    /// The ReadMe text; `files` are every payload file (path and one-line description), `tables` the CSV files (path
    /// and profile), sorted by path.
    public static func text(_ context: ArchiveContext, files: [(path: String, description: String)], tables: [(path: String, profile: CSVProfile)]) -> String {
        let m = context.metadata
        var out: [String] = []
        func line(_ text: String = "") { out.append(text) }
        let contactAuthor = m.authors.first { $0.name == m.contact.name }
        line("This 00_README.txt file was generated on \(context.packedDay) by ReviewTrail \(context.runnerVersion)")
        line("from the review trail commit \(context.commit.id).")
        line()
        line("-------------------")
        line("GENERAL INFORMATION")
        line("-------------------")
        line()
        line("1. Title of Dataset: \(m.title)")
        line()
        line("2. DOI: not assigned yet. Until the repository assigns one, metadata/datacite.xml carries the")
        line("   placeholder \(context.testDOI) (DataCite's test prefix 10.5072, not a registered DOI).")
        line()
        line("3. Contact Information")
        line("   Name: \(m.contact.name)")
        line("   Institution: \(contactAuthor?.affiliation ?? "see metadata field Author")")
        line("   Email: \(m.contact.email)")
        line("   ORCID: \(contactAuthor?.orcid.map(ArchiveMetadata.orcidURI) ?? "not given")")
        line()
        line("4. Contributors: See metadata field Contributor.")
        line()
        line("5. Kind of data: See metadata field Kind of Data.")
        line()
        line("6. Date of data collection: See metadata field Date of Collection; the search dates are in")
        line("   protocol/protocol.json and search/search-strategy.txt.")
        line()
        line("7. Geographic location of data collection: See metadata field Geographic Coverage.")
        line()
        line("8. Funding sources: \(m.funding ?? "See metadata field Grant Information.")")
        line()
        line("9. Description of dataset:")
        line("   \(m.description)")
        if let protocolReference = m.protocolReference { line("   Protocol: \(protocolReference)") }
        if let publication = m.publication { line("   Publication: \(publication)") }
        line()
        line("--------------------------")
        line("METHODOLOGICAL INFORMATION")
        line("--------------------------")
        line()
        line("1. Description of sources and methods used for collection/generation of data:")
        line("   The review follows Arksey and O'Malley's framework, declared as steps in workflow/workflow.json:")
        for stage in context.workflow.stages {
            line("   - \(stage.id)\(stage.title.map { ": \($0)" } ?? "")")
            for step in stage.steps {
                let action: String
                switch step.action {
                case .builtin(let kind): action = "built-in step \(kind)"
                case .command(let argv): action = "command: \(argv.joined(separator: " "))"
                }
                line("     \(step.name) (\(action))\(step.description.map { ". \($0)" } ?? "")")
            }
        }
        line()
        line("2. Methods for processing the data: each step run, in the order of the trail:")
        for run in context.runs {
            let summary = run.record.summary.isEmpty ? "" : ": \(run.record.summary)"
            line("   - \(run.record.name) in snapshot \(run.commit.id.prefix(8)) (\(ArchiveContext.day(run.commit.time)))\(summary)")
        }
        line()
        line("3. Instrument- or software-specific information needed to interpret the data:")
        line("   ReviewTrail \(context.runnerVersion). records/unique.csv is 2-search/out/unique.jsonl flattened to CSV.")
        line("   The audit trail audit/trail.bundle is a git bundle; 'git clone trail.bundle' opens it.")
        line()
        line("4. Standards and calibration information: BagIt 1.0 (RFC 8493), RO-Crate 1.1 with Process Run")
        line("   Crate 0.5 (ro-crate-metadata.json), DataCite Metadata Schema 4 (metadata/datacite.xml).")
        line()
        line("5. Environmental/experimental conditions: not applicable.")
        line()
        line("6. Describe any quality-assurance procedures performed on the data: every input and output of")
        line("   every step is hashed with SHA-256 and committed with its hash to the trail; the bag's")
        line("   manifests carry SHA-256 and SHA-512 of every file; 'review verify --archive' re-checks both.")
        line()
        line("--------------------")
        line("DATA & FILE OVERVIEW")
        line("--------------------")
        line()
        line("1. File List:")
        for file in files { line("   \(file.path.dropFirst("data/".count)): \(file.description)") }
        line()
        line("2. Relationship between files: every file is an output (or the declared input) of a step of the")
        line("   review; ro-crate-metadata.json links each file to the step run that wrote it, and")
        line("   audit/trail.bundle holds every version of every input and output.")
        line()
        line("3. Additional related data collected that was not included in the current data package:")
        line("   the native search exports are in the trail bundle (stages/2-search/exports/).")
        line()
        line("4. Are there multiple versions of the dataset? This package packs trail commit \(context.commit.id.prefix(8)).")
        for table in tables {
            let parsed = table.profile
            let name = table.path.dropFirst("data/".count)
            line()
            line(String(repeating: "-", count: 34 + name.count))
            line("DATA-SPECIFIC INFORMATION FOR: [\(name)]")
            line(String(repeating: "-", count: 34 + name.count))
            line()
            line("1. Number of variables: \(parsed.header.count)")
            line()
            line("2. Number of cases/rows: \(parsed.rowCount)")
            line()
            line("3. Variable List: \(parsed.header.joined(separator: ", "))")
            line("   Name, type, description, codes and missing values of each variable: charting/codebook.csv.")
            line()
            line("4. Missing data codes: an empty cell.")
            line()
            line("5. Specialized formats or other abbreviations used: CSV (RFC 4180), UTF-8, LF line ends.")
        }
        line()
        line("-------------------------")
        line("SHARING/ACCESS INFORMATION")
        line("-------------------------")
        line()
        line("1. Licenses/restrictions placed on the data: \(m.license.name) (\(m.license.uri))")
        line()
        line("2. Links to publications that cite or use the data: \(m.publication ?? "none yet")")
        line()
        line("3. Links/relationships to ancillary data sets: \(m.protocolReference.map { "protocol \($0)" } ?? "none")")
        line()
        line("4. Was data derived from another source? The records come from the bibliographic databases")
        line("   named in protocol/protocol.json.")
        line()
        line("5. Recommended citation for this dataset:")
        line("   \(m.authors.map(\.name).joined(separator: "; ")) (\(context.packedYear)). \(m.title). DOI to be assigned.")
        return out.joined(separator: "\n") + "\n"
    }
}
