/// The type of a built-in step parameter, as the JSON Schema and the validator see it.
public enum ParameterType: String, Sendable, Equatable {
    case string
    case integer
    case number
    case boolean
    case stringArray = "array of strings"
    case object

    func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string, .string), (.boolean, .bool), (.object, .object): true
        case (.integer, .number(let lexeme)): Int(lexeme) != nil
        case (.number, .number): true
        case (.stringArray, .array(let items)): items.allSatisfy { $0.stringValue != nil }
        default: false
        }
    }
}

/// One `with` parameter a built-in step accepts.
public struct ParameterSpec: Sendable, Equatable {
    public var name: String
    public var type: ParameterType
    public var required: Bool
    public var description: String
    /// For strings: the closed list of values, when there is one.
    public var allowed: [String]?
    /// For numbers: inclusive bounds.
    public var minimum: Double?
    public var maximum: Double?

    public init(
        _ name: String, _ type: ParameterType, required: Bool = false, _ description: String,
        allowed: [String]? = nil, minimum: Double? = nil, maximum: Double? = nil
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.description = description
        self.allowed = allowed
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// What a built-in step kind is: its name, version, parameters and the meaning of each input and output position.
public struct StepKindSpec: Sendable, Equatable {
    public var name: String
    /// Part of every step key: bump it when the step's output for the same input changes.
    public var version: String
    public var summary: String
    public var parameters: [ParameterSpec]
    /// What each input position means; the last may repeat when `variadicInputs` is true.
    public var inputs: [String]
    public var variadicInputs: Bool
    /// What each output position means, in order; a built-in takes exactly these outputs.
    public var outputs: [String]

    public init(
        name: String, version: String, summary: String, parameters: [ParameterSpec] = [],
        inputs: [String], variadicInputs: Bool = false, outputs: [String]
    ) {
        self.name = name
        self.version = version
        self.summary = summary
        self.parameters = parameters
        self.inputs = inputs
        self.variadicInputs = variadicInputs
        self.outputs = outputs
    }
}

/// The built-in step kinds a runner knows; the validator and the JSON Schema read it.
public struct StepCatalog: Sendable {
    public var kinds: [String: StepKindSpec]

    public init(_ kinds: [StepKindSpec]) {
        self.kinds = Dictionary(kinds.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func kind(_ name: String) -> StepKindSpec? { kinds[name] }
}
