/// Generates the JSON Schema of workflow.json version 1 from the decoder's key lists and the step catalog,
/// so that editors and the decoder never disagree.
public enum WorkflowSchema {
    /// The schema as a JSON value (draft 2020-12).
    public static func generate(catalog: StepCatalog) -> JSONValue {
        func obj(_ members: [(String, JSONValue)]) -> JSONValue { .object(members.map { JSONMember($0.0, $0.1) }) }
        func str(_ text: String) -> JSONValue { .string(text) }
        func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
        let stringType = obj([("type", str("string"))])
        let stringList = obj([("type", str("array")), ("items", stringType)])
        let pathList = obj([
            ("type", str("array")),
            ("items", obj([("type", str("string")), ("pattern", str("^(?!/)(?!.*(^|/)\\.\\.(/|$)).+$"))])),
        ])

        func parameterSchema(_ parameter: ParameterSpec) -> JSONValue {
            var members: [(String, JSONValue)] = [("description", str(parameter.description))]
            switch parameter.type {
            case .string: members.append(("type", str("string")))
            case .integer: members.append(("type", str("integer")))
            case .number: members.append(("type", str("number")))
            case .boolean: members.append(("type", str("boolean")))
            case .object: members.append(("type", str("object")))
            case .stringArray:
                members.append(("type", str("array")))
                members.append(("items", stringType))
            }
            if let allowed = parameter.allowed { members.append(("enum", strings(allowed))) }
            if let minimum = parameter.minimum { members.append(("minimum", .number(JSONValue.formatNumber(minimum)))) }
            if let maximum = parameter.maximum { members.append(("maximum", .number(JSONValue.formatNumber(maximum)))) }
            return obj(members)
        }

        var builtinVariants: [JSONValue] = []
        for kind in catalog.kinds.values.sorted(by: { $0.name < $1.name }) {
            let parameters = obj(kind.parameters.map { ($0.name, parameterSchema($0)) })
            var with: [(String, JSONValue)] = [
                ("type", str("object")), ("additionalProperties", .bool(false)), ("properties", parameters),
            ]
            let required = kind.parameters.filter(\.required).map(\.name)
            if !required.isEmpty { with.append(("required", strings(required))) }
            var stepRequired = ["id", "uses", "outputs"]
            if !required.isEmpty { stepRequired.append("with") }
            builtinVariants.append(
                obj([
                    ("description", str("\(kind.name) (version \(kind.version)): \(kind.summary)")),
                    ("required", strings(stepRequired)),
                    (
                        "properties",
                        obj([
                            ("uses", obj([("const", str(kind.name))])),
                            ("with", obj(with)),
                            (
                                "inputs",
                                obj([
                                    ("description", str("Inputs, in order: " + kind.inputs.joined(separator: "; ") + (kind.variadicInputs ? " (the last repeats)" : ""))),
                                    ("minItems", .number(String(kind.inputs.count))),
                                ] + (kind.variadicInputs ? [] : [("maxItems", .number(String(kind.inputs.count)))])),
                            ),
                            (
                                "outputs",
                                obj([
                                    ("description", str("Outputs, in order: " + kind.outputs.joined(separator: "; "))),
                                    ("minItems", .number(String(kind.outputs.count))),
                                    ("maxItems", .number(String(kind.outputs.count))),
                                    ("prefixItems", .array(kind.outputs.map { obj([("description", str($0))]) })),
                                ]),
                            ),
                        ])
                    ),
                ]))
        }
        let commandVariant = obj([
            ("description", str("A command step: an argv (no shell) with {inputs[N]} and {outputs[N]} placeholders")),
            ("required", strings(["id", "run", "outputs"])),
            ("not", obj([("anyOf", .array([obj([("required", strings(["uses"]))]), obj([("required", strings(["with"]))])]))])),
        ])
        let step = obj([
            ("type", str("object")),
            ("additionalProperties", .bool(false)),
            (
                "properties",
                obj([
                    ("id", obj([("type", str("string")), ("pattern", str("^[a-z0-9][a-z0-9-]*$"))])),
                    ("uses", obj([("enum", strings(catalog.kinds.keys.sorted()))])),
                    ("run", obj([("type", str("array")), ("minItems", .number("1")), ("items", stringType)])),
                    ("with", obj([("type", str("object"))])),
                    ("inputs", pathList),
                    ("outputs", obj([("type", str("array")), ("minItems", .number("1")), ("items", obj([("type", str("string"))]))])),
                    ("env", stringList),
                    ("description", stringType),
                ])
            ),
            ("oneOf", .array(builtinVariants.isEmpty ? [commandVariant] : [obj([("oneOf", .array(builtinVariants))]), commandVariant])),
        ])
        let author = obj([
            ("type", str("object")), ("additionalProperties", .bool(false)), ("required", strings(["name"])),
            ("properties", obj([("name", stringType), ("affiliation", stringType), ("orcid", obj([("type", str("string")), ("pattern", str("^(https://orcid.org/)?[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$"))]))])),
        ])
        let review = obj([
            ("type", str("object")), ("additionalProperties", .bool(false)), ("required", strings(["title"])),
            (
                "properties",
                obj(WorkflowDecoder.reviewKeys.map { key -> (String, JSONValue) in
                    switch key {
                    case "authors": (key, obj([("type", str("array")), ("items", author)]))
                    case "contact":
                        (key, obj([("type", str("object")), ("additionalProperties", .bool(false)), ("required", strings(["name", "email"])), ("properties", obj([("name", stringType), ("email", stringType)]))]))
                    case "subject", "keywords": (key, stringList)
                    default: (key, stringType)
                    }
                })
            ),
        ])
        return obj([
            ("$schema", str("https://json-schema.org/draft/2020-12/schema")),
            ("$id", str("urn:x-reviewtrail:workflow:1")),
            ("title", str("ReviewTrail workflow.json, version 1")),
            ("type", str("object")),
            ("additionalProperties", .bool(false)),
            ("required", strings(["version", "stages"])),
            (
                "properties",
                obj([
                    ("$schema", obj([("type", str("string")), ("description", str("Where editors find this schema; the runner ignores it"))])),
                    ("version", obj([("type", str("integer")), ("minimum", .number("1")), ("maximum", .number(String(Workflow.highestSupportedVersion)))])),
                    ("review", review),
                    ("trail", obj([("type", str("object")), ("additionalProperties", .bool(false)), ("properties", obj([("repository", stringType), ("branch", stringType)]))])),
                    ("archive", obj([("type", str("object")), ("additionalProperties", .bool(false)), ("properties", obj([("output", stringType)]))])),
                    (
                        "stages",
                        obj([
                            ("type", str("array")), ("minItems", .number("1")),
                            (
                                "items",
                                obj([
                                    ("type", str("object")), ("additionalProperties", .bool(false)), ("required", strings(["id", "steps"])),
                                    (
                                        "properties",
                                        obj([
                                            ("id", obj([("type", str("string")), ("pattern", str("^[a-z0-9][a-z0-9-]*$"))])),
                                            ("title", stringType),
                                            ("steps", obj([("type", str("array")), ("minItems", .number("1")), ("items", step)])),
                                        ])
                                    ),
                                ])
                            ),
                        ])
                    ),
                ])
            ),
        ])
    }
}
