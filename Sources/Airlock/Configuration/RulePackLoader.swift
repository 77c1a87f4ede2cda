import Foundation

/// Loads rule packs by name (the built-in packs of `rules/`) or by path, resolving `extends`.
public enum RulePackLoader {
  private static let topLevelKeys = [
    "format", "name", "version", "extends", "description", "preview", "margins", "markers", "zero_markers", "review",
    "rules",
  ]

  /// The names of the built-in packs.
  public static var builtInNames: [String] { BuiltInPacks.texts.keys.sorted() }

  /// Loads a pack: a built-in name such as `opensafely`, or a path to a YAML file.
  public static func load(_ nameOrPath: String) throws(AirlockError) -> RulePack {
    try load(nameOrPath, relativeTo: nil, visiting: [])
  }

  /// Loads a pack from YAML text.
  public static func load(text: String, file: String) throws(AirlockError) -> RulePack {
    try parse(text: text, file: file, relativeTo: nil, visiting: [file])
  }

  /// Loads a pack from YAML text against `registry` instead of the built-in rules (for tests of
  /// the rule lifecycle, which need rules of formats and statuses no built-in rule has yet).
  static func load(text: String, file: String, registry: [any Rule.Type]) throws(AirlockError) -> RulePack {
    try parse(text: text, file: file, relativeTo: nil, visiting: [file], registry: registry)
  }

  private static func load(
    _ reference: String, relativeTo base: String?, visiting: [String],
    registry: [any Rule.Type] = RuleRegistry.builtIn
  ) throws(AirlockError) -> RulePack {
    let isPath = reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")
    if !isPath {
      guard let text = BuiltInPacks.texts[reference] else {
        throw AirlockError(
          .configuration,
          "unknown rule pack '\(reference)' (built-in packs: \(builtInNames.joined(separator: ", ")); or give a path to a YAML file)"
        )
      }
      guard !visiting.contains(reference) else {
        throw AirlockError(
          .configuration,
          "rule pack '\(reference)' extends itself (\((visiting + [reference]).joined(separator: " -> ")))")
      }
      return try parse(
        text: text, file: "rules/\(reference).yaml", relativeTo: nil, visiting: visiting + [reference],
        registry: registry)
    }
    var path = reference
    if let base, !path.hasPrefix("/") {
      path = (base as NSString).deletingLastPathComponent + "/" + path
    }
    guard !visiting.contains(path) else {
      throw AirlockError(
        .configuration, file: path, "rule pack extends itself (\((visiting + [path]).joined(separator: " -> ")))")
    }
    let text: String
    do { text = try readSmallTextFile(path, what: "rule pack", followingSymlinks: true) } catch {
      throw AirlockError(
        .configuration, file: path,
        error.message.hasPrefix("rule pack") ? error.message : "cannot read rule pack: \(error.message)")
    }
    return try parse(text: text, file: path, relativeTo: path, visiting: visiting + [path], registry: registry)
  }

  private static func parse(
    text: String, file: String, relativeTo base: String?, visiting: [String],
    registry: [any Rule.Type] = RuleRegistry.builtIn
  ) throws(AirlockError) -> RulePack {
    let root = try YAMLValue.parse(text, file: file)
    let entries = try root.mapping(allowed: topLevelKeys)
    let keyed = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })

    guard let formatValue = keyed["format"] else {
      throw root.error(
        "missing 'format' (the pack format version; this airlock reads format \(RulePack.supportedFormat))")
    }
    let format = try formatValue.int()
    guard format >= 1 else { throw formatValue.error("format must be 1 or more") }
    guard format <= RulePack.supportedFormat else {
      throw formatValue.error(
        "pack format \(format) is newer than this airlock supports (\(RulePack.supportedFormat)); upgrade airlock")
    }
    guard let nameValue = keyed["name"] else { throw root.error("missing 'name'") }
    guard let versionValue = keyed["version"] else { throw root.error("missing 'version'") }

    var pack: RulePack
    if let parent = keyed["extends"] {
      pack = try load(try parent.string(), relativeTo: base, visiting: visiting, registry: registry)
      pack.ancestry.insert(pack.name, at: 0)
    } else {
      pack = RulePack(
        name: "", version: "", description: "", margins: ["Total", "All"],
        markers: ["*", "c", "<10", "1to5", "[REDACTED]", "REDACTED", "-", "", "NA", "n/a", "suppressed"],
        zeroMarkers: ["-"], reviewers: 2,
        rules: Dictionary(
          uniqueKeysWithValues: registry.map {
            ($0.description.name, RuleParameters(defaults: $0.description.parameters))
          }), registry: registry)
    }
    // The nearest pack's format and preview switch decide which rules are on by default.
    pack.format = format
    if let value = keyed["preview"] { pack.preview = try value.bool() }
    pack.name = try nameValue.string()
    pack.version = try versionValue.string()
    pack.description = try keyed["description"]?.string() ?? ""
    if let value = keyed["margins"] { pack.margins = try value.strings() }
    if let value = keyed["markers"] { pack.markers = try value.strings() }
    if let value = keyed["zero_markers"] {
      pack.zeroMarkers = try value.strings()
      for (index, marker) in pack.zeroMarkers.enumerated() where !pack.markers.contains(marker) {
        throw try value.sequence()[index].error("zero marker '\(marker)' is not in 'markers'")
      }
    }
    if let review = keyed["review"] {
      for (key, value) in try review.mapping(allowed: ["reviewers"]) where key == "reviewers" {
        pack.reviewers = try value.int()
        guard pack.reviewers >= 1 else { throw value.error("at least one reviewer is required") }
      }
    }
    if let rules = keyed["rules"] {
      for (ruleName, body) in try rules.mapping() {
        guard let type = registry.first(where: { $0.description.name == ruleName }) else {
          let known = registry.map { $0.description.name }
          let hint = known.first { $0.hasPrefix(String(ruleName.prefix(4))) }.map { " (did you mean '\($0)'?)" } ?? ""
          throw body.error("unknown rule\(hint)")
        }
        var parameters = pack.parameters(of: type)
        let specs = type.description.allParameters
        for (key, value) in try body.mapping(allowed: specs.map(\.name)) {
          guard let spec = specs.first(where: { $0.name == key }) else { continue }
          let typedValue = try typed(value, spec)
          if key == "enabled", typedValue == .boolean(false), type.description.required {
            throw value.error("this rule cannot be disabled: it keeps airlock from passing what it cannot judge")
          }
          parameters.set(key, typedValue)
          if key == "enabled" { pack.switchedRules.insert(ruleName) }
        }
        pack.rules[ruleName] = parameters
      }
    }
    for type in registry where !pack.switchedRules.contains(type.description.name) {
      pack.rules[type.description.name]?.set(
        "enabled", .boolean(RulePack.isOnByDefault(type.description, format: pack.format, preview: pack.preview)))
    }
    return pack
  }

  /// Reads `value` as the type `spec` declares, within its range and choices.
  static func typed(_ value: YAMLValue, _ spec: ParameterSpec) throws(AirlockError) -> ParameterValue {
    let result: ParameterValue
    switch spec.kind {
    case .integer: result = .integer(try value.int())
    case .number: result = .number(try value.double())
    case .boolean: result = .boolean(try value.bool())
    case .string: result = .string(try value.string())
    case .strings: result = .strings(try value.strings())
    }
    if let range = spec.range {
      let number: Double? =
        switch result {
        case .integer(let v): Double(v)
        case .number(let v): v
        default: nil
        }
      if let number, !range.contains(number) {
        throw value.error(
          "must be between \(ParameterValue.number(range.lowerBound)) and \(ParameterValue.number(range.upperBound))")
      }
    }
    if let pattern = spec.pattern {
      let texts: [String] =
        switch result {
        case .string(let text): [text]
        case .strings(let texts): texts
        default: []
        }
      let regex = try! Regex(pattern.regex)
      for text in texts where text.wholeMatch(of: regex) == nil {
        throw value.error("'\(text)' is not \(pattern.description)")
      }
    }
    if let choices = spec.choices, case .string(let text) = result, !choices.contains(text) {
      throw value.error("must be one of: \(choices.joined(separator: ", "))")
    }
    return result
  }
}

extension RulePackLoader {
  /// The YAML text of a built-in pack, if `name` is one.
  public static func builtInText(_ name: String) -> String? { BuiltInPacks.texts[name] }
}
