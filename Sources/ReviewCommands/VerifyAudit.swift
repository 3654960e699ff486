import Audit
import Foundation
import RunnerCore
import WorkflowModel

/// The audit half of `review verify`: `--against` (was the trail rewritten since the auditor's copy?) and
/// `--allowed-signers` (are the snapshots signed by an allowed key?).
struct AuditVerification {
    var ok = true
    var lines: [String] = []
    var json: [JSONMember] = []

    static func run(folder: ReviewFolder, against: String?, allowedSigners: String?) throws -> AuditVerification {
        var result = AuditVerification()
        guard against != nil || allowedSigners != nil else { return result }
        let check = try AuditCommandSupport.run { () throws(AuditError) in try TamperCheck(trailPath: folder.trailPath, branch: folder.workflow.trail.branch) }
        if let against {
            let report = try AuditCommandSupport.run { () throws(AuditError) in try check.compare(against: against) }
            if report.rewritten {
                result.ok = false
                result.lines.append("REWRITTEN: the trail no longer contains your copy's tip \(report.against.prefix(12)); it was changed and re-committed")
                for snapshot in report.snapshots {
                    let now = snapshot.new.map { "now \($0.prefix(7))" } ?? "now missing"
                    let files = snapshot.changedFiles.isEmpty ? "same files, other commit" : "changed: " + snapshot.changedFiles.joined(separator: ", ")
                    result.lines.append("  snapshot \(snapshot.position) (\(snapshot.stage)) was \(snapshot.old.prefix(7)), \(now); \(files)")
                }
            } else {
                result.lines.append("your copy's tip \(report.against.prefix(12)) is in the trail unchanged; \(report.added) snapshot\(report.added == 1 ? "" : "s") added since")
            }
            result.json.append(
                JSONMember(
                    "against",
                    .object([
                        JSONMember("added", .number(String(report.added))), JSONMember("old_tip", .string(report.against)),
                        JSONMember("rewritten", .bool(report.rewritten)),
                        JSONMember(
                            "snapshots",
                            .array(report.snapshots.map { snapshot in
                                .object([
                                    JSONMember("changed_files", .array(snapshot.changedFiles.map { .string($0) })), JSONMember("new", snapshot.new.map { .string($0) } ?? .null),
                                    JSONMember("old", .string(snapshot.old)), JSONMember("position", .number(String(snapshot.position))),
                                    JSONMember("stage", .string(snapshot.stage)),
                                ])
                            })),
                        JSONMember("tip", report.tip.map { .string($0) } ?? .null),
                    ])))
        }
        if let allowedSigners {
            let results = try AuditCommandSupport.run { () throws(AuditError) in try check.signatures(allowedSigners: allowedSigners) }
            for item in results where item.state != .good {
                result.ok = false
                result.lines.append("signature \(item.state.rawValue): snapshot \(item.commit.prefix(7)): \(item.message)")
            }
            if result.ok || results.contains(where: { $0.state == .good }) {
                let good = results.filter { $0.state == .good }.count
                result.lines.append("\(good) of \(results.count) snapshots carry a good signature by an allowed signer")
            }
            result.json.append(
                JSONMember(
                    "signatures",
                    .array(results.map { item in
                        .object([
                            JSONMember("commit", .string(item.commit)), JSONMember("message", .string(item.message)),
                            JSONMember("principal", item.principal.map { .string($0) } ?? .null), JSONMember("state", .string(item.state.rawValue)),
                        ])
                    })))
        }
        return result
    }
}
