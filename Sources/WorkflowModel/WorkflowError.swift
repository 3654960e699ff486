/// A problem in workflow.json, at a line and JSON path, with what would fix it.
public struct WorkflowError: Error, Equatable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var fix: String

    public init(_ location: SourceLocation, _ message: String, fix: String) {
        self.location = location
        self.message = message
        self.fix = fix
    }

    public var description: String {
        let path = location.path.isEmpty ? "" : " \(location.path):"
        return "\(location.file):\(location.line):\(location.column):\(path) \(message); \(fix)"
    }
}
