import Foundation

/// The record of a stage being put into place, so that a run interrupted half way is finished or
/// rolled back by the next one: outputs move in only together with the trail commit that records them.
struct Journal: Codable, Equatable {
    /// One output moving from the staging folder into the review.
    struct Move: Codable, Equatable {
        /// Absolute path of the staged file or folder.
        var staged: String
        /// Relative path in the review.
        var target: String
        /// Absolute path where the previous version is kept until the commit lands, when there was one.
        var backup: String?
    }

    var stage: String
    var parent: String?
    var commit: String?
    var moves: [Move]

    static func url(in state: URL) -> URL { state.appendingPathComponent("journal.json") }

    func save(in state: URL) throws(RunnerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(self) else { throw .io(path: Self.url(in: state).path, message: "cannot encode the journal") }
        try AtomicFile.write(Array(data), to: Self.url(in: state))
    }

    static func load(in state: URL) -> Journal? {
        guard let data = FileManager.default.contents(atPath: url(in: state).path) else { return nil }
        return try? JSONDecoder().decode(Journal.self, from: data)
    }

    static func remove(in state: URL) { try? FileManager.default.removeItem(at: url(in: state)) }

    /// Finishes (the commit landed) or rolls back (it did not) an interrupted stage.
    /// - Returns: a sentence saying what was done, or nil when there was nothing to recover.
    static func recover(root: URL, state: URL, currentTip: String?) -> String? {
        guard let journal = load(in: state) else { return nil }
        let fileManager = FileManager.default
        let landed = journal.commit != nil && journal.commit == currentTip
        if landed {
            for move in journal.moves { if let backup = move.backup { try? fileManager.removeItem(atPath: backup) } }
        } else {
            for move in journal.moves.reversed() {
                let target = root.appendingPathComponent(move.target).path
                if let backup = move.backup {
                    if fileManager.fileExists(atPath: backup) {
                        try? fileManager.removeItem(atPath: target)
                        try? fileManager.moveItem(atPath: backup, toPath: target)
                    }
                } else {
                    try? fileManager.removeItem(atPath: target)
                }
            }
        }
        remove(in: state)
        try? fileManager.removeItem(at: state.appendingPathComponent("staging"))
        try? fileManager.removeItem(at: state.appendingPathComponent("backup"))
        return landed
            ? "finished stage \(journal.stage), whose snapshot had landed before the last run stopped"
            : "rolled back stage \(journal.stage), interrupted before its snapshot landed; its outputs are as they were"
    }
}
