import Foundation

/// The deduplicator's files: the decisions a person wrote, and duplicates.csv and uncertain.csv.
public enum DedupFiles {
    /// Reads `record_id_a,record_id_b,decision` rows (decision `same` or `different`).
    /// - Parameter file: the name to give in errors.
    /// - Throws: `DedupError.malformedDecision` naming the line of a bad header or row.
    public static func decisions(_ data: Data, file: String) throws(DedupError) -> [DedupDecision] {
        var result: [DedupDecision] = []
        var failure: DedupError?
        data.withUnsafeBytes { (b: UnsafeRawBufferPointer) in
            var start = 0
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { start = 3 }
            var tokenizer = CSVTokenizer(bytes: b, start: start, end: b.count, delimiter: 0x2C)
            var header = true
            while let row = tokenizer.nextRow() {
                switch row {
                case .unterminated(let line):
                    failure = .malformedDecision(file: file, line: line, message: "a quoted field is never closed")
                    return
                case .fields(let fields, let line):
                    if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
                    let values = fields.map { $0.trimmingCharacters(in: .whitespaces) }
                    if header {
                        header = false
                        guard values == ["record_id_a", "record_id_b", "decision"] else {
                            failure = .malformedDecision(file: file, line: line, message: "the header must be record_id_a,record_id_b,decision")
                            return
                        }
                        continue
                    }
                    guard values.count == 3 else {
                        failure = .malformedDecision(file: file, line: line, message: "\(values.count) columns where the header has 3")
                        return
                    }
                    guard !values[0].isEmpty, !values[1].isEmpty else {
                        failure = .malformedDecision(file: file, line: line, message: "both record ids are required")
                        return
                    }
                    guard values[2] == "same" || values[2] == "different" else {
                        failure = .malformedDecision(file: file, line: line, message: "decision \"\(values[2])\" is neither same nor different (column 3)")
                        return
                    }
                    result.append(DedupDecision(recordA: values[0], recordB: values[1], same: values[2] == "same", file: file, line: line))
                }
            }
            if header { failure = .malformedDecision(file: file, line: 1, message: "the header must be record_id_a,record_id_b,decision") }
        }
        if let failure { throw failure }
        return result
    }

    /// duplicates.csv: `cluster,record_id,source_id,status,match,score`, one row per member of a cluster of two or more.
    public static func duplicatesCSV(_ result: DedupResult) -> String {
        var out = "cluster,record_id,source_id,status,match,score\n"
        for row in result.rows {
            let fields = [
                String(row.cluster), row.recordID, row.sourceID ?? "", row.kept ? "kept" : "removed", row.match,
                row.score.map(score) ?? "",
            ]
            out += fields.map(quote).joined(separator: ",") + "\n"
        }
        return out
    }

    /// uncertain.csv: `record_id_a,record_id_b,score,match`, the pairs near the threshold that were not merged.
    public static func uncertainCSV(_ result: DedupResult) -> String {
        var out = "record_id_a,record_id_b,score,match\n"
        for pair in result.uncertain {
            out += [pair.recordA, pair.recordB, score(pair.score), pair.match].map(quote).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A score with three decimals.
    static func score(_ value: Double) -> String { String(format: "%.3f", value) }

    /// RFC 4180 quoting when the value holds a comma, a quote or a line break.
    static func quote(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
