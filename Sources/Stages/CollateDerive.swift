import Bibliography
import Foundation
import RunnerCore

/// A condition on an included study, written `var=a|b & var2==c & year>=2017 & source=expert` (terms joined by `&`):
/// `=` has any of the values, `==` has exactly these values, `!=` lacks the value, `>=`/`<=` compare integers;
/// `source` is the study's source in the last selection phase (`database` or the other-source kind).
struct StudyCondition: Hashable, Sendable {
    enum Term: Hashable, Sendable {
        case any(String, [String])
        case exact(String, [String])
        case lacks(String, String)
        case atLeast(String, Int)
        case atMost(String, Int)

        var variable: String {
            switch self {
            case .any(let v, _), .exact(let v, _), .lacks(let v, _), .atLeast(let v, _), .atMost(let v, _): v
            }
        }

        var text: String {
            switch self {
            case .any(let v, let values): "\(v)=\(values.joined(separator: "|"))"
            case .exact(let v, let values): "\(v)==\(values.joined(separator: "|"))"
            case .lacks(let v, let value): "\(v)!=\(value)"
            case .atLeast(let v, let n): "\(v)>=\(n)"
            case .atMost(let v, let n): "\(v)<=\(n)"
            }
        }
    }

    /// Terms sorted by their text, so that equal conditions compare equal.
    var terms: [Term]

    init(_ terms: [Term]) { self.terms = terms.sorted { $0.text < $1.text } }

    var text: String { terms.map(\.text).joined(separator: " & ") }

    static func parse(_ text: String) -> StudyCondition? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return StudyCondition([]) }
        var terms: [Term] = []
        for part in trimmed.split(separator: "&").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            func split(_ op: String) -> (String, String)? {
                guard let range = part.range(of: op) else { return nil }
                let name = part[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = part[range.upperBound...].trimmingCharacters(in: .whitespaces)
                return name.isEmpty || value.isEmpty ? nil : (name, value)
            }
            let values: (String) -> [String] = { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            if case let (name, value)? = split("==") {
                terms.append(.exact(name, values(value).sorted()))
            } else if case let (name, value)? = split("!=") {
                terms.append(.lacks(name, value))
            } else if case let (name, value)? = split(">=") {
                guard let number = Int(value) else { return nil }
                terms.append(.atLeast(name, number))
            } else if case let (name, value)? = split("<=") {
                guard let number = Int(value) else { return nil }
                terms.append(.atMost(name, number))
            } else if case let (name, value)? = split("=") {
                terms.append(.any(name, values(value).sorted()))
            } else {
                return nil
            }
        }
        return StudyCondition(terms)
    }

    /// The condition without `term`.
    func removing(_ term: Term) -> StudyCondition { StudyCondition(terms.filter { $0 != term }) }
}

/// How a figure is derived from the review's files: a PRISMA count, the number of databases searched, a count of
/// included studies matching a condition, or a percentage of them (of all included studies, or of a base condition).
enum Derivation: Hashable, Sendable {
    case prisma(String)
    case databases
    case count(StudyCondition)
    case percent(StudyCondition, of: StudyCondition?)

    /// `new_studies`, `databases`, `count(role_type=peer-support)`, `percent(main_focus=outcomes of role_type=peer-support)`.
    static func parse(_ text: String, prismaNames: Set<String>) -> Derivation? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "databases" { return .databases }
        if prismaNames.contains(trimmed) { return .prisma(trimmed) }
        func inner(_ prefix: String) -> String? {
            guard trimmed.hasPrefix(prefix + "("), trimmed.hasSuffix(")") else { return nil }
            return String(trimmed.dropFirst(prefix.count + 1).dropLast())
        }
        if let body = inner("count") { return StudyCondition.parse(body).map { .count($0) } }
        if let body = inner("percent") {
            let parts = body.components(separatedBy: " of ")
            guard parts.count <= 2, let condition = StudyCondition.parse(parts[0]) else { return nil }
            if parts.count == 2 {
                guard let base = StudyCondition.parse(parts[1]) else { return nil }
                return .percent(condition, of: base)
            }
            return .percent(condition, of: nil)
        }
        return nil
    }

    var text: String {
        switch self {
        case .prisma(let name): name
        case .databases: "databases"
        case .count(let c): "count(\(c.text))"
        case .percent(let c, let base): "percent(\(c.text)\(base.map { " of " + $0.text } ?? ""))"
        }
    }

    var isPercent: Bool { if case .percent = self { true } else { false } }
}

/// The included studies as the derivations see them: charted values and source.
struct StudyData: Sendable {
    var studies: [(id: String, values: [String: [String]])]
    var source: [String: String]
    var codebook: CollateCodebook

    /// The ids of the studies that meet `condition`; an unknown variable is reported through `unknown`.
    func ids(_ condition: StudyCondition) -> [String] {
        studies.filter { study in condition.terms.allSatisfy { matches($0, study.id, study.values) } }.map(\.id)
    }

    func knows(_ condition: StudyCondition) -> String? {
        for term in condition.terms where term.variable != "source" && !codebook.variables.contains(where: { $0.name == term.variable }) {
            return term.variable
        }
        return nil
    }

    private func matches(_ term: StudyCondition.Term, _ id: String, _ values: [String: [String]]) -> Bool {
        let have = term.variable == "source" ? [source[id] ?? "database"] : (values[term.variable] ?? [])
        switch term {
        case .any(_, let wanted): return have.contains { wanted.contains($0) }
        case .exact(_, let wanted): return Set(have) == Set(wanted)
        case .lacks(_, let value): return !have.contains(value)
        case .atLeast(_, let n): return have.contains { (Int($0) ?? Int.min) >= n }
        case .atMost(_, let n): return have.contains { (Int($0) ?? Int.max) <= n }
        }
    }
}

/// One figure of reported_in_paper.json.
struct ReportedFigure: Sendable {
    var id: String
    var label: String
    /// The number as printed (its JSON lexeme).
    var value: String
    var line: Int

    var number: Double { Double(value) ?? 0 }
    var decimals: Int { value.split(separator: ".").dropFirst().first?.count ?? 0 }

    static func read(_ input: ResolvedFile) throws(RunnerError) -> [ReportedFigure] {
        let reader = JSONFields(file: input.path)
        let root = try reader.parse(try readBytes(input))
        let top = try reader.members(root, "")
        let list = try reader.array(try reader.required(top, "figures", parent: root, path: ""), "figures")
        var figures: [ReportedFigure] = []
        for (index, node) in list.enumerated() {
            let path = "figures[\(index)]"
            let fields = try reader.members(node, path)
            let id = try reader.nonEmptyString(fields, "id", parent: node, path: path)
            let label = try reader.nonEmptyString(fields, "label", parent: node, path: path)
            let valueNode = try reader.required(fields, "value", parent: node, path: path)
            guard case .scalar(.number(let lexeme)) = valueNode.kind else { throw reader.error(valueNode, path + ".value", "must be a number") }
            if figures.contains(where: { $0.id == id }) { throw reader.error(node, path + ".id", "figure \"\(id)\" is listed twice") }
            figures.append(ReportedFigure(id: id, label: label, value: lexeme, line: node.line))
        }
        return figures
    }
}

/// One row of comparison.csv: a figure of the paper beside the same figure derived from the data.
struct ComparedFigure: Sendable {
    var figure: ReportedFigure
    var derivation: Derivation?
    var derived: Double?
    var ids: [String]
    var checks: [String] = []

    var derivedText: String {
        guard let derived, let derivation else { return "NA" }
        return derivation.isPercent ? fixed(derived, decimals: 1) : String(Int(derived))
    }

    var differenceText: String {
        guard let derived, let derivation else { return "NA" }
        if derivation.isPercent { return fixed(derived - figure.number, decimals: max(1, figure.decimals)) }
        return fixed(derived - figure.number, decimals: figure.decimals)
    }

    var match: String {
        guard let derived, let derivation else { return "not-derived" }
        let decimals = derivation.isPercent ? max(1, figure.decimals) : figure.decimals
        return fixed(derived, decimals: decimals) == fixed(figure.number, decimals: decimals) ? "equal" : "differs"
    }
}

/// The paper's figures beside the data's, and the checks of the paper's figures against each other.
struct Comparison: Sendable {
    var rows: [ComparedFigure]
    /// The paper's own inconsistencies, one sentence each (computed from the printed figures only).
    var inconsistencies: [String]

    static let header = ["id", "label", "reported", "derived", "difference", "match", "derivation", "paper_check"]

    var csv: String {
        var out = CSVTable.line(Self.header)
        for row in rows {
            out += CSVTable.line([
                row.figure.id, row.figure.label, row.figure.value, row.derivedText, row.differenceText, row.match, row.derivation?.text ?? "",
                row.checks.joined(separator: "; "),
            ])
        }
        return out
    }

    /// Derives every figure (by `with.derive`, else by its id: a PRISMA variable, `variable.value` or
    /// `variable.value.percent`) and checks the printed figures against each other.
    static func build(
        figures: [ReportedFigure], derive: [String: String], checks: [String], flow: PrismaFlow, databases: Int, data: StudyData, step: String
    ) throws(RunnerError) -> Comparison {
        let prismaNames = Set(flow.counts.keys)
        for id in derive.keys.sorted() where !figures.contains(where: { $0.id == id }) {
            throw .usage("step \(step): with.derive names figure \"\(id)\", which reported_in_paper.json does not list")
        }
        var rows: [ComparedFigure] = []
        for figure in figures {
            var derivation: Derivation?
            if let text = derive[figure.id] {
                guard let parsed = Derivation.parse(text, prismaNames: prismaNames) else {
                    throw .usage("step \(step): with.derive.\(figure.id): \"\(text)\" is not a derivation (a PRISMA variable, databases, count(…) or percent(… [of …]))")
                }
                derivation = parsed
            } else {
                derivation = automatic(figure.id, prismaNames: prismaNames, data: data)
            }
            var row = ComparedFigure(figure: figure, derivation: derivation, derived: nil, ids: [])
            switch derivation {
            case .prisma(let name)?:
                row.derived = Double(flow[name])
                row.ids = flow.sets[name] ?? []
            case .databases?:
                row.derived = Double(databases)
                row.ids = flow.sets["database_results"] ?? []
            case .count(let condition)?:
                if let unknown = data.knows(condition) { throw .usage("step \(step): with.derive.\(figure.id): unknown variable \"\(unknown)\"") }
                row.ids = data.ids(condition)
                row.derived = Double(row.ids.count)
            case .percent(let condition, let base)?:
                for c in [condition, base].compactMap({ $0 }) {
                    if let unknown = data.knows(c) { throw .usage("step \(step): with.derive.\(figure.id): unknown variable \"\(unknown)\"") }
                }
                let baseIDs = Set(base.map { data.ids($0) } ?? data.studies.map(\.id))
                row.ids = data.ids(condition).filter { baseIDs.contains($0) }
                row.derived = baseIDs.isEmpty ? nil : Double(row.ids.count) * 100 / Double(baseIDs.count)
            case nil:
                break
            }
            rows.append(row)
        }
        var comparison = Comparison(rows: rows, inconsistencies: [])
        try comparison.checkPaper(explicit: checks, step: step)
        return comparison
    }

    /// `variable.value` → count, `variable.value.percent` → percent, a PRISMA variable → its count.
    static func automatic(_ id: String, prismaNames: Set<String>, data: StudyData) -> Derivation? {
        if prismaNames.contains(id) { return .prisma(id) }
        var rest = id
        var percent = false
        if rest.hasSuffix(".percent") {
            percent = true
            rest = String(rest.dropLast(".percent".count))
        }
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        let name = String(rest[..<dot])
        let value = String(rest[rest.index(after: dot)...])
        guard let variable = data.codebook.variables.first(where: { $0.name == name }) else { return nil }
        if variable.kind == .category, !variable.allowed.contains(value) { return nil }
        let condition = StudyCondition([.any(name, [value])])
        return percent ? .percent(condition, of: nil) : .count(condition)
    }

    private mutating func flag(_ ids: [String], _ sentence: String) {
        inconsistencies.append(sentence)
        for index in rows.indices where ids.contains(rows[index].figure.id) { rows[index].checks.append(sentence) }
    }

    private func reported(_ id: String) -> ReportedFigure? { rows.first { $0.figure.id == id }?.figure }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : fixed(value, decimals: 2)
    }

    /// Checks the printed figures against each other: percentages against their counts, parts of one
    /// single-choice variable against their whole, and the sums `with.checks` declares.
    mutating func checkPaper(explicit: [String], step: String) throws(RunnerError) {
        // The figure that stands for all included studies, and the count figure of each base condition.
        var countOf: [StudyCondition: ComparedFigure] = [:]
        var total: ComparedFigure?
        for row in rows {
            switch row.derivation {
            case .count(let c)?:
                if c.terms.isEmpty { total = total ?? row } else if countOf[c] == nil { countOf[c] = row }
            case .prisma(let name)? where name == "new_studies" || name == "total_studies":
                total = total ?? row
            default: break
            }
        }
        // Percentages against count / base.
        for row in rows {
            guard case .percent(let condition, let base)? = row.derivation else { continue }
            let combined = StudyCondition(condition.terms + (base?.terms ?? []))
            guard let count = countOf[combined] ?? (base == nil ? countOf[condition] : nil),
                let whole = base.flatMap({ countOf[$0] }) ?? (base == nil ? total : nil), whole.figure.number > 0
            else { continue }
            let implied = count.figure.number * 100 / whole.figure.number
            let decimals = max(1, row.figure.decimals)
            if fixed(implied, decimals: decimals) != fixed(row.figure.number, decimals: decimals) {
                flag(
                    [row.figure.id],
                    "\(row.figure.id): \(row.figure.value)% printed, but \(count.figure.value) of \(whole.figure.value) (\(whole.figure.id)) is \(fixed(implied, decimals: decimals))%")
            }
        }
        // Parts of one single-choice variable under one base condition: their sum cannot exceed the whole.
        var groups: [String: (base: StudyCondition, variable: String, parts: [ComparedFigure])] = [:]
        var groupOrder: [String] = []
        // One figure per value: a count the paper prints twice under two ids is one part, not two.
        var partsSeen: Set<String> = []
        for row in rows {
            guard case .count(let c)? = row.derivation else { continue }
            for term in c.terms {
                guard case .any(let variable, let values) = term, values.count == 1, variable != "source" else { continue }
                let base = c.removing(term)
                let key = base.text + " | " + variable
                guard partsSeen.insert(key + " | " + values[0]).inserted else { continue }
                if groups[key] == nil {
                    groups[key] = (base, variable, [])
                    groupOrder.append(key)
                }
                groups[key]?.parts.append(row)
            }
        }
        for key in groupOrder {
            guard let group = groups[key], group.parts.count > 1 else { continue }
            let whole = group.base.terms.isEmpty ? total : countOf[group.base]
            guard let whole else { continue }
            let sum = group.parts.reduce(0.0) { $0 + $1.figure.number }
            if sum > whole.figure.number {
                flag(
                    group.parts.map(\.figure.id) + [whole.figure.id],
                    "\(group.parts.map(\.figure.value).joined(separator: " + ")) = \(Self.number(sum)) (\(group.variable) values of \(group.base.terms.isEmpty ? "all studies" : group.base.text)), more than the \(whole.figure.value) of \(whole.figure.id)")
            }
        }
        // A figure whose values are the union of other figures' values equals their sum.
        for row in rows {
            guard case .count(let c)? = row.derivation else { continue }
            for term in c.terms {
                guard case .any(let variable, let values) = term, values.count > 1 else { continue }
                let base = c.removing(term)
                let parts = values.compactMap { value in countOf[StudyCondition(base.terms + [.any(variable, [value])])] }
                guard parts.count == values.count else { continue }
                let sum = parts.reduce(0.0) { $0 + $1.figure.number }
                if sum != row.figure.number {
                    flag(
                        parts.map(\.figure.id) + [row.figure.id],
                        "\(parts.map(\.figure.value).joined(separator: " + ")) = \(Self.number(sum)), but \(row.figure.id) prints \(row.figure.value)")
                }
            }
        }
        // Declared relations: `a + b - c = d` or `a + b <= d`.
        for relation in explicit {
            let op = relation.contains("<=") ? "<=" : "="
            let sides = relation.components(separatedBy: op)
            guard sides.count == 2 else { throw .usage("step \(step): with.checks entry \"\(relation)\" must be written a + b = c or a + b <= c") }
            var ids: [String] = []
            func evaluate(_ side: String) throws(RunnerError) -> (Double, String) {
                var sum = 0.0
                var text = ""
                var sign = 1.0
                for token in side.split(separator: " ").map(String.init) {
                    if token == "+" || token == "-" {
                        sign = token == "+" ? 1 : -1
                        continue
                    }
                    guard let figure = reported(token) else {
                        throw .usage("step \(step): with.checks entry \"\(relation)\" names \"\(token)\", which reported_in_paper.json does not list")
                    }
                    ids.append(token)
                    sum += sign * figure.number
                    text += (text.isEmpty ? (sign < 0 ? "−" : "") : (sign < 0 ? " − " : " + ")) + figure.value
                    sign = 1
                }
                return (sum, text)
            }
            let (left, leftText) = try evaluate(sides[0])
            let (right, rightText) = try evaluate(sides[1])
            let holds = op == "=" ? abs(left - right) < 1e-9 : left <= right + 1e-9
            if !holds {
                flag(ids, "\(leftText) = \(Self.number(left)), \(op == "=" ? "not" : "more than") \(rightText) (\(relation.trimmingCharacters(in: .whitespaces)))")
            }
        }
    }
}
