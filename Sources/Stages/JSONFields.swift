import Foundation
import RunnerCore
import WorkflowModel

/// Typed access to a JSON input file whose errors name the file, line and field (exit 2).
struct JSONFields {
    let file: String

    func parse(_ bytes: [UInt8]) throws(RunnerError) -> JSONNode {
        do { return try JSONParser.parse(bytes) } catch {
            throw .input(InputError(file: file, line: error.line, column: error.column, "invalid JSON: \(error.message)"))
        }
    }

    func error(_ node: JSONNode, _ path: String, _ message: String) -> RunnerError {
        .input(InputError(file: file, line: node.line, column: node.column, field: path.isEmpty ? nil : path, message))
    }

    func object(_ node: JSONNode, _ path: String, keys: [String]) throws(RunnerError) -> [String: JSONNode] {
        guard case .object(let members) = node.kind else { throw error(node, path, "must be an object, not \(node.value.typeName)") }
        var out: [String: JSONNode] = [:]
        for member in members {
            let memberPath = path.isEmpty ? member.key : "\(path).\(member.key)"
            guard keys.contains(member.key) else {
                throw error(member.node, memberPath, "unknown key \"\(member.key)\"; known keys: \(keys.joined(separator: ", "))")
            }
            out[member.key] = member.node
        }
        return out
    }

    func required(_ fields: [String: JSONNode], _ key: String, parent: JSONNode, path: String) throws(RunnerError) -> JSONNode {
        guard let node = fields[key] else { throw error(parent, path.isEmpty ? key : "\(path).\(key)", "missing required field \"\(key)\"") }
        return node
    }

    func string(_ node: JSONNode, _ path: String) throws(RunnerError) -> String {
        guard case .scalar(.string(let text)) = node.kind else { throw error(node, path, "must be a string, not \(node.value.typeName)") }
        return text
    }

    func nonEmptyString(_ fields: [String: JSONNode], _ key: String, parent: JSONNode, path: String) throws(RunnerError) -> String {
        let fieldPath = path.isEmpty ? key : "\(path).\(key)"
        let node = try required(fields, key, parent: parent, path: path)
        let text = try string(node, fieldPath)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw error(node, fieldPath, "is empty") }
        return text
    }

    func integer(_ node: JSONNode, _ path: String) throws(RunnerError) -> Int {
        guard case .scalar(.number(let lexeme)) = node.kind, let value = Int(lexeme) else { throw error(node, path, "must be an integer") }
        return value
    }

    func array(_ node: JSONNode, _ path: String) throws(RunnerError) -> [JSONNode] {
        guard case .array(let items) = node.kind else { throw error(node, path, "must be an array, not \(node.value.typeName)") }
        return items
    }

    func stringList(_ node: JSONNode, _ path: String) throws(RunnerError) -> [String] {
        var out: [String] = []
        for (index, item) in try array(node, path).enumerated() { out.append(try string(item, "\(path)[\(index)]")) }
        return out
    }

    /// A calendar date written YYYY-MM-DD.
    func date(_ node: JSONNode, _ path: String) throws(RunnerError) {
        let text = try string(node, path)
        let parts = text.split(separator: "-").compactMap { Int($0) }
        let valid = text.count == 10 && parts.count == 3 && (1...12).contains(parts[1]) && (1...31).contains(parts[2])
        if !valid { throw error(node, path, "\"\(text)\" is not a date written YYYY-MM-DD") }
    }
}
