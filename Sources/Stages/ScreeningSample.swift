import Bibliography
import ContentHash
import Foundation
import RunnerCore
import WorkflowModel

/// How many records a sample takes: a fraction of each phase (rounded up) or a fixed count.
public enum SampleSize: Sendable, Equatable {
    case fraction(Double)
    case count(Int)

    /// The sample size for `population` records.
    func size(of population: Int) -> Int {
        switch self {
        case .fraction(let f): min(population, Int((Double(population) * f - 1e-9).rounded(.up)))
        case .count(let c): min(population, c)
        }
    }
}

/// One sampled record: its phase, id, stratum, rank in the phase's sample and its random key.
public struct SampledRecord: Sendable, Equatable {
    public var phase: String
    public var recordID: String
    public var database: String
    public var rank: Int
    public var key: String
}

/// A seeded random sample that every machine draws alike: each record's key is SHA-256 of
/// `<seed>:<phase>:<record id>`, and a phase (or each of its strata) takes the records of smallest key.
/// A record's key depends on nothing else, so adding or removing one record never reshuffles the rest.
public enum ScreeningSampler {
    /// The key of one record (the first 16 hex digits of the SHA-256).
    public static func key(seed: String, phase: String, recordID: String) -> String {
        String(FileHasher.sha256(bytes: Array("\(seed):\(phase):\(recordID)".utf8)).prefix(16))
    }

    /// Draws the sample of one phase.
    /// - Parameters:
    ///   - records: the phase's record ids with their database, in any order.
    ///   - stratify: draw within each database: a fraction per stratum, a count split in proportion
    ///     (largest remainder, ties to the larger stratum, then by name).
    public static func draw(phase: String, records: [(id: String, database: String)], size: SampleSize, seed: String, stratify: Bool) -> [SampledRecord] {
        let keyed = records.map { (id: $0.id, database: $0.database, key: key(seed: seed, phase: phase, recordID: $0.id)) }
            .sorted { ($0.key, $0.id) < ($1.key, $1.id) }
        var chosen: [(id: String, database: String, key: String)]
        if stratify {
            let strata = Dictionary(grouping: keyed, by: \.database)
            var quota: [String: Int] = [:]
            switch size {
            case .fraction:
                for (name, members) in strata { quota[name] = size.size(of: members.count) }
            case .count(let count):
                let total = keyed.count
                let target = min(count, total)
                var remainders: [(name: String, remainder: Double, size: Int)] = []
                for (name, members) in strata {
                    let exact = Double(target) * Double(members.count) / Double(max(total, 1))
                    quota[name] = Int(exact.rounded(.down))
                    remainders.append((name, exact - exact.rounded(.down), members.count))
                }
                var left = target - quota.values.reduce(0, +)
                for entry in remainders.sorted(by: { ($1.remainder, $1.size, $0.name) < ($0.remainder, $0.size, $1.name) }) where left > 0 {
                    quota[entry.name, default: 0] += 1
                    left -= 1
                }
            }
            chosen = strata.flatMap { name, members in members.prefix(quota[name] ?? 0) }.sorted { ($0.key, $0.id) < ($1.key, $1.id) }
        } else {
            chosen = Array(keyed.prefix(size.size(of: keyed.count)))
        }
        return chosen.enumerated().map { SampledRecord(phase: phase, recordID: $1.id, database: $1.database, rank: $0 + 1, key: $1.key) }
    }

    public static let header = ["phase", "record_id", "database", "rank", "key"]

    /// `sample.csv`.
    public static func csv(_ sample: [SampledRecord]) -> String {
        CSVTable.line(header) + sample.map { CSVTable.line([$0.phase, $0.recordID, $0.database, String($0.rank), $0.key]) }.joined()
    }

    /// Reads `sample.csv` back: the sampled record ids per phase.
    static func read(_ file: ResolvedFile) throws(RunnerError) -> [String: Set<String>] {
        let table = try InputTable(file: file)
        guard table.header.count >= 2, table.header[0] == "phase", table.header[1] == "record_id" else {
            throw .input(InputError(file: file.path, line: 1, "header must start with phase,record_id"))
        }
        var out: [String: Set<String>] = [:]
        for row in table.rows { out[row[0].value, default: []].insert(row[1].value) }
        return out
    }
}

/// `screening/sample`: the records a second reviewer screens, drawn per phase from the records the full
/// screener's decision file lists, seeded so that every machine draws the same sample.
public struct ScreeningSampleStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "screening/sample", version: "1",
        summary: "Draws, per screening phase, a seeded reproducible random sample (a fraction or a count, optionally stratified by database) of the records a second reviewer screens",
        parameters: [
            ParameterSpec("phases", .stringArray, required: true, "The screening phases, in order (ids of [a-z0-9]+)"),
            ParameterSpec("reviewer", .string, required: true, "The reviewer who screens every record: the records of a phase are those of decisions/<phase>-<reviewer>.csv"),
            ParameterSpec("seed", .string, required: true, "The seed: the same seed and records give the same sample on every machine"),
            ParameterSpec("fraction", .number, "The share of each phase's records to sample, rounded up (0 < fraction <= 1)", minimum: 0, maximum: 1),
            ParameterSpec("count", .integer, "The number of records to sample in each phase (instead of fraction)", minimum: 1),
            ParameterSpec("stratify", .string, "Draw the sample within each database", allowed: ["database"]),
        ],
        inputs: ["records of the review (2-search/out/unique.jsonl)", "the full screener's decision files (decisions/<phase>-<reviewer>.csv)"],
        variadicInputs: true,
        outputs: ["sample.csv (phase,record_id,database,rank,key)"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let parameters = StepParameters(context: context)
        let phases = try parameters.ids("phases") ?? []
        if phases.isEmpty { throw .usage("step \(context.step.name): with.phases names no phase") }
        let reviewer = try parameters.requiredString("reviewer")
        let seed = try parameters.requiredString("seed")
        let size: SampleSize
        switch (parameters.number("fraction"), context.step.parameter("count")?.intValue) {
        case (let fraction?, nil):
            guard fraction > 0 else { throw .usage("step \(context.step.name): with.fraction must be above 0") }
            size = .fraction(fraction)
        case (nil, let count?): size = .count(count)
        default: throw .usage("step \(context.step.name): give exactly one of with.fraction and with.count")
        }
        let stratify = parameters.string("stratify") == "database"
        var databases: [String: String] = [:]
        for record in try readRecords(try context.inputFile(0)) { databases[record.id] = record.source.database ?? "unknown" }
        var files: [String: DecisionFile] = [:]
        for input in context.inputs.dropFirst().joined() {
            guard let parts = DecisionFile.nameParts(input.path), parts.reviewer == reviewer else { continue }
            guard phases.contains(parts.phase) else {
                throw .input(InputError(file: input.path, "phase \"\(parts.phase)\" is not one of the workflow's phases: \(phases.joined(separator: ", "))"))
            }
            files[parts.phase] = try DecisionFile(path: input.path, text: try readText(input))
        }
        var sample: [SampledRecord] = []
        var log = ""
        for phase in phases {
            guard let file = files[phase] else {
                throw .input(InputError(file: "decisions/\(phase)-\(reviewer).csv", "is not among the inputs: \(reviewer) screens every record of each phase, and the sample is drawn from them"))
            }
            var records: [(id: String, database: String)] = []
            for row in file.rows {
                guard let database = databases[row.recordID] else {
                    throw .input(InputError(file: file.path, line: row.line, column: 1, "unknown record id \"\(row.recordID)\" (not a record of \(try context.inputFile(0).path))"))
                }
                records.append((row.recordID, database))
            }
            let drawn = ScreeningSampler.draw(phase: phase, records: records, size: size, seed: seed, stratify: stratify)
            log += "\(phase): \(drawn.count) of \(records.count) records sampled\n"
            sample += drawn
        }
        try context.write(ScreeningSampler.csv(sample), toOutput: 0)
        return StepOutcome(summary: "\(sample.count) records sampled for the second reviewer", counts: ["sampled": sample.count], log: log)
    }
}
