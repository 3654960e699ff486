/// Checks of the identifier forms workflow.json uses, written without regular expressions (which would
/// load ICU at start-up and cost every command milliseconds).
public enum Identifier {
    static func all(_ text: String, first: (UInt8) -> Bool, rest: (UInt8) -> Bool) -> Bool {
        var bytes = text.utf8.makeIterator()
        guard let head = bytes.next(), first(head) else { return false }
        while let byte = bytes.next() { if !rest(byte) { return false } }
        return true
    }

    static func isLowerOrDigit(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
    static func isLetterOrDigit(_ byte: UInt8) -> Bool { isLowerOrDigit(byte) || (0x41...0x5A).contains(byte) }

    /// `[a-z0-9][a-z0-9-]*`: stage and step ids.
    public static func isStageOrStepID(_ text: String) -> Bool {
        all(text, first: isLowerOrDigit, rest: { isLowerOrDigit($0) || $0 == UInt8(ascii: "-") })
    }

    /// `[a-z0-9]+`: phase and reviewer ids.
    public static func isPhaseOrReviewerID(_ text: String) -> Bool { all(text, first: isLowerOrDigit, rest: isLowerOrDigit) }

    /// `[A-Za-z0-9][A-Za-z0-9._-]*`: a branch name.
    public static func isBranchName(_ text: String) -> Bool {
        all(text, first: isLetterOrDigit, rest: { isLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`: an environment variable name.
    public static func isEnvironmentName(_ text: String) -> Bool {
        all(text, first: { isLetterOrDigit($0) && !(0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") }, rest: { isLetterOrDigit($0) || $0 == UInt8(ascii: "_") })
    }

    /// An ORCID iD, `0000-0002-1825-0097`, optionally as `https://orcid.org/…`.
    public static func isORCID(_ text: String) -> Bool {
        let bare = text.hasPrefix("https://orcid.org/") ? String(text.dropFirst("https://orcid.org/".count)) : text
        let groups = bare.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count == 4, groups.allSatisfy({ $0.utf8.count == 4 }) else { return false }
        for (index, group) in groups.enumerated() {
            for (position, byte) in group.utf8.enumerated() {
                let digit = (0x30...0x39).contains(byte)
                let checkX = index == 3 && position == 3 && byte == UInt8(ascii: "X")
                if !digit && !checkX { return false }
            }
        }
        return true
    }
}
