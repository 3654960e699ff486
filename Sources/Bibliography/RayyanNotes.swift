import Foundation

/// The screening work Rayyan stores in a record's notes, for instance
/// `RAYYAN-INCLUSION: {"Ana"=>"Included", "Ben"=>"Excluded"} | RAYYAN-LABELS: RCT | RAYYAN-EXCLUSION-REASONS: wrong population`.
public struct RayyanNotes: Sendable, Equatable {
    /// One reviewer's decision as Rayyan wrote it (`Included`, `Excluded`, `Maybe`).
    public struct Decision: Sendable, Equatable, Hashable {
        public var reviewer: String
        public var decision: String

        /// Creates a decision.
        public init(reviewer: String, decision: String) {
            self.reviewer = reviewer
            self.decision = decision
        }
    }

    /// Decisions in the order Rayyan lists them.
    public var decisions: [Decision]
    public var labels: [String]
    public var exclusionReasons: [String]
    /// Reviewers' own notes (`USER-NOTES`).
    public var userNotes: [String]
    /// Text of the notes outside the Rayyan sections.
    public var otherText: String?

    private static let markers = ["RAYYAN-INCLUSION", "RAYYAN-LABELS", "RAYYAN-EXCLUSION-REASONS", "USER-NOTES"]

    /// Parses notes text; nil when it holds no Rayyan section.
    public init?(parsing notes: String) {
        var hits: [(marker: String, start: String.Index, valueStart: String.Index)] = []
        for marker in RayyanNotes.markers {
            var from = notes.startIndex
            while let r = notes.range(of: marker + ":", range: from..<notes.endIndex) {
                hits.append((marker, r.lowerBound, r.upperBound))
                from = r.upperBound
            }
        }
        guard !hits.isEmpty else { return nil }
        hits.sort { $0.start < $1.start }
        var sections: [String: String] = [:]
        for (k, hit) in hits.enumerated() {
            let stop = k + 1 < hits.count ? hits[k + 1].start : notes.endIndex
            var value = notes[hit.valueStart..<stop].trimmingCharacters(in: .whitespacesAndNewlines)
            while value.hasSuffix("|") { value = String(value.dropLast()).trimmingCharacters(in: .whitespaces) }
            sections[hit.marker] = value
        }
        let before = notes[notes.startIndex..<hits[0].start].trimmingCharacters(in: .whitespacesAndNewlines)
        otherText = before.hasSuffix("|") ? Text.inline(String(before.dropLast())) : Text.inline(before)
        decisions = []
        let inclusion = sections["RAYYAN-INCLUSION"] ?? ""
        let quoted = RayyanNotes.quotedStrings(inclusion)
        var k = 0
        while k + 1 < quoted.count {
            decisions.append(Decision(reviewer: quoted[k], decision: quoted[k + 1]))
            k += 2
        }
        if decisions.isEmpty, let plain = Text.inline(inclusion.filter { $0 != "{" && $0 != "}" && $0 != "\"" }) {
            decisions.append(Decision(reviewer: "", decision: plain))
        }
        labels = RayyanNotes.list(sections["RAYYAN-LABELS"])
        exclusionReasons = RayyanNotes.list(sections["RAYYAN-EXCLUSION-REASONS"])
        let user = sections["USER-NOTES"] ?? ""
        let userQuoted = RayyanNotes.quotedStrings(user)
        if user.contains("=>") {
            // {"Name"=>["note 1", "note 2"]}: drop the reviewer names.
            var notesOnly: [String] = []
            var names = Set<String>()
            var from = user.startIndex
            while let arrow = user.range(of: "=>", range: from..<user.endIndex) {
                let head = user[user.startIndex..<arrow.lowerBound]
                if let name = RayyanNotes.quotedStrings(String(head)).last { names.insert(name) }
                from = arrow.upperBound
            }
            for q in userQuoted where !names.contains(q) { notesOnly.append(q) }
            userNotes = notesOnly
        } else {
            userNotes = userQuoted.isEmpty ? (Text.inline(user).map { [$0] } ?? []) : userQuoted
        }
    }

    private static func list(_ text: String?) -> [String] {
        guard let text else { return [] }
        var out: [String] = []
        for part in text.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if !t.isEmpty && !out.contains(t) { out.append(t) }
        }
        return out
    }

    /// The contents of every double-quoted string, with `\"` unescaped.
    private static func quotedStrings(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var inside = false
        var escape = false
        for ch in text {
            if inside {
                if escape {
                    current.append(ch)
                    escape = false
                } else if ch == "\\" {
                    escape = true
                } else if ch == "\"" {
                    out.append(current)
                    current = ""
                    inside = false
                } else {
                    current.append(ch)
                }
            } else if ch == "\"" {
                inside = true
            }
        }
        return out
    }
}
