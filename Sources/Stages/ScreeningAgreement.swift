import Foundation
import RunnerCore
import WorkflowModel

/// Cohen's kappa of two raters with its asymptotic standard error, computed as statsmodels'
/// `cohens_kappa` does (Fleiss, Cohen & Everitt 1969), so the interval is kappa ± 1.96 × `std_kappa`.
public struct CohenKappa: Sendable, Equatable {
    /// Items both raters rated.
    public var n: Int
    /// Observed agreement, a fraction from 0 to 1 (nil when n is 0).
    public var percentAgreement: Double?
    /// Nil when it is undefined (no items, or chance agreement of 1: both raters used one category).
    public var kappa: Double?
    /// statsmodels' `std_kappa`.
    public var standardError: Double?

    public var ciLow: Double? { kappa.flatMap { k in standardError.map { k - 1.96 * $0 } } }
    public var ciHigh: Double? { kappa.flatMap { k in standardError.map { k + 1.96 * $0 } } }

    /// Kappa of the paired ratings `pairs` (rater A's category, rater B's category).
    public init<C: Hashable & Comparable>(pairs: [(C, C)]) {
        let categories = Array(Set(pairs.flatMap { [$0.0, $0.1] })).sorted()
        let index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
        var table = Array(repeating: Array(repeating: 0.0, count: categories.count), count: categories.count)
        for (a, b) in pairs {
            if let i = index[a], let j = index[b] { table[i][j] += 1 }
        }
        self.init(table: table)
    }

    /// Kappa of a square contingency table (rows rater A, columns rater B).
    public init(table: [[Double]]) {
        let k = table.count
        let total = table.reduce(0) { $0 + $1.reduce(0, +) }
        n = Int(total.rounded())
        guard total > 0 else { return }
        let p = table.map { $0.map { $0 / total } }
        let row = (0..<k).map { i in table[i].reduce(0, +) / total }
        let col = (0..<k).map { j in (0..<k).reduce(0) { $0 + table[$1][j] } / total }
        let agree = (0..<k).reduce(0) { $0 + table[$1][$1] } / total
        let expected = (0..<k).reduce(0) { $0 + row[$1] * col[$1] }
        percentAgreement = agree
        guard expected < 1 else { return }
        let kappa = (agree - expected) / (1 - expected)
        self.kappa = kappa
        // statsmodels: term_a = sum(diag(p) * (1 - (row + col) * (1 - kappa))**2)
        var termA = 0.0
        for i in 0..<k {
            let t = 1 - (row[i] + col[i]) * (1 - kappa)
            termA += p[i][i] * t * t
        }
        // term_b = (1 - kappa)**2 * sum over i != j of p[i][j] * (col[i] + row[j])**2
        var termB = 0.0
        for i in 0..<k {
            for j in 0..<k where i != j {
                let t = col[i] + row[j]
                termB += p[i][j] * t * t
            }
        }
        termB *= (1 - kappa) * (1 - kappa)
        let c = kappa - expected * (1 - kappa)
        let variance = (termA + termB - c * c) / ((1 - expected) * (1 - expected)) / total
        standardError = variance.squareRoot()
    }
}

/// The agreement of two reviewers' decision files on the records both screened: `agreement-<phase>.json`.
public struct ScreeningAgreementResult: Sendable, Equatable {
    public var phase: String
    public var reviewerA: String
    public var reviewerB: String
    public var kappa: CohenKappa
    /// Records both screened whose decisions differ, in file A's order.
    public var conflicts: [String]

    /// Compares two decision files.
    public init(phase: String, a: DecisionFile, b: DecisionFile, reviewerA: String? = nil, reviewerB: String? = nil) {
        self.phase = phase
        self.reviewerA = reviewerA ?? a.reviewer ?? (a.path as NSString).lastPathComponent
        self.reviewerB = reviewerB ?? b.reviewer ?? (b.path as NSString).lastPathComponent
        let other = b.byRecord
        var pairs: [(String, String)] = []
        conflicts = []
        for row in a.rows {
            guard let decision = other[row.recordID] else { continue }
            pairs.append((row.decision.rawValue, decision.rawValue))
            if decision != row.decision { conflicts.append(row.recordID) }
        }
        kappa = CohenKappa(pairs: pairs)
    }

    /// The JSON document: sorted keys, four decimals, null where a value is undefined.
    public var json: String {
        func number(_ value: Double?) -> JSONValue { value.map { .number(fixed($0)) } ?? .null }
        return CanonicalJSON.pretty(
            .object([
                JSONMember("conflicts", .array(conflicts.map { .string($0) })),
                JSONMember("kappa", number(kappa.kappa)),
                JSONMember("kappa_ci_high", number(kappa.ciHigh)),
                JSONMember("kappa_ci_low", number(kappa.ciLow)),
                JSONMember("n", .number(String(kappa.n))),
                JSONMember("percent_agreement", number(kappa.percentAgreement)),
                JSONMember("phase", .string(phase)),
                JSONMember("reviewer_a", .string(reviewerA)),
                JSONMember("reviewer_b", .string(reviewerB)),
            ]))
    }

    /// One line for people.
    public var sentence: String {
        let kappaText = kappa.kappa.map { "kappa \(fixed($0, 2)) (95% CI \(fixed(kappa.ciLow ?? 0, 2)) to \(fixed(kappa.ciHigh ?? 0, 2)))" } ?? "kappa undefined"
        let percent = kappa.percentAgreement.map { "\(fixed($0 * 100, 1))% agreement" } ?? "no records in common"
        return "\(phase.isEmpty ? "" : phase + ": ")\(reviewerA) and \(reviewerB) on \(kappa.n) records: \(percent), \(kappaText), \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s")"
    }
}

/// `screening/agreement`: Cohen's kappa of two reviewers' decisions in one phase, on the records both screened.
public struct ScreeningAgreementStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "screening/agreement", version: "1",
        summary: "Agreement of two reviewers in one screening phase: records in common, percent agreement, Cohen's kappa with its asymptotic 95% interval, conflicts",
        parameters: [
            ParameterSpec("phase", .string, required: true, "The phase id ([a-z0-9]+); both decision files must be named <phase>-<reviewer>.csv"),
            ParameterSpec("reasons", .stringArray, "The closed list of exclusion reasons the decision files may use"),
        ],
        inputs: ["decisions/<phase>-<reviewer A>.csv", "decisions/<phase>-<reviewer B>.csv"],
        outputs: ["agreement-<phase>.json (n, percent_agreement, kappa, kappa_ci_low, kappa_ci_high, conflicts)"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let parameters = StepParameters(context: context)
        let phase = try parameters.requiredString("phase")
        let reasons = try parameters.strings("reasons")
        var files: [DecisionFile] = []
        for index in 0..<2 {
            let input = try context.inputFile(index)
            let file = try DecisionFile(path: input.path, text: try readText(input), reasons: reasons)
            guard file.phase == phase, file.reviewer != nil else {
                throw .input(InputError(file: input.path, "is not named \(phase)-<reviewer>.csv, so it holds no decisions of phase \(phase)"))
            }
            files.append(file)
        }
        if files[0].reviewer == files[1].reviewer {
            throw .usage("step \(context.step.name): both inputs are decisions of reviewer \(files[0].reviewer ?? "")")
        }
        let result = ScreeningAgreementResult(phase: phase, a: files[0], b: files[1])
        try context.write(result.json, toOutput: 0)
        var counts = ["in_common": result.kappa.n, "conflicts": result.conflicts.count]
        if let kappa = result.kappa.kappa { counts["kappa_permille"] = Int((kappa * 1000).rounded()) }
        return StepOutcome(
            summary: "\(phase): kappa \(result.kappa.kappa.map { fixed($0, 2) } ?? "undefined") on \(result.kappa.n) records",
            counts: counts, log: result.sentence + "\n")
    }
}

extension ScreeningAgreementResult {
    /// The agreement of any two decision files (`review screening agreement`): the phase and reviewers come
    /// from names `<phase>-<reviewer>.csv` when both files have such names and one phase, else from the file names.
    /// - Throws: `RunnerError.input` (exit 2) for a file that cannot be read or a bad row, naming file:line.
    public static func compare(_ pathA: String, _ pathB: String) throws(RunnerError) -> ScreeningAgreementResult {
        let a = try DecisionFile(path: pathA, text: try readText(ResolvedFile(path: pathA, location: pathA)))
        let b = try DecisionFile(path: pathB, text: try readText(ResolvedFile(path: pathB, location: pathB)))
        let samePhase = a.phase != nil && a.phase == b.phase && a.reviewer != b.reviewer
        return ScreeningAgreementResult(
            phase: samePhase ? a.phase ?? "" : "", a: a, b: b,
            reviewerA: samePhase ? a.reviewer : (pathA as NSString).lastPathComponent,
            reviewerB: samePhase ? b.reviewer : (pathB as NSString).lastPathComponent)
    }
}
