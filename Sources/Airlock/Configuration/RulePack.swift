/// A TRE's disclosure-control policy: which rules run, with which parameters, and how outputs
/// mark withheld cells and margins. Packs are YAML files under `rules/`, strictly validated: an
/// unknown key, rule or parameter, a wrong type or a too-new format is an error, never a default.
public struct RulePack: Sendable {
  /// The newest pack format this airlock reads.
  public static let supportedFormat = 1

  /// The pack's name, such as `default` or `opensafely`.
  public var name: String
  /// The pack's own version (changes when its policy changes).
  public var version: String
  /// One paragraph on whose policy this is.
  public var description: String
  /// The packs this one extends, nearest first.
  public var ancestry: [String] = []
  /// Labels that mark margins (compared case-insensitively).
  public var margins: [String]
  /// Texts that stand for a withheld cell (compared case-insensitively); the empty string is an empty cell.
  public var markers: [String]
  /// Markers that stand for a true zero (such as `-`).
  public var zeroMarkers: [String]
  /// How many independent reviews a request needs.
  public var reviewers: Int
  /// The effective parameters of every rule, by rule name.
  public var rules: [String: RuleParameters]

  /// The effective parameters of `rule`.
  public func parameters(of rule: any Rule.Type) -> RuleParameters {
    rules[rule.description.name] ?? RuleParameters(defaults: rule.description.parameters)
  }

  /// Whether `label` is a margin label of this pack.
  public func isMarginLabel(_ label: String) -> Bool {
    let folded = label.trimmingWhitespace().lowercased()
    return margins.contains { $0.lowercased() == folded }
  }

  /// The built-in rules this pack enables, instantiated with their effective parameters.
  public func enabledRules() -> [any Rule] {
    RuleRegistry.builtIn.compactMap { type in
      let parameters = parameters(of: type)
      return parameters.isEnabled ? type.init(parameters: parameters, pack: self) : nil
    }
  }

  /// The pack as YAML with every parameter's effective value (`airlock rules show --effective`).
  public func effectiveYAML() -> String {
    var lines = [
      "format: \(Self.supportedFormat)", "name: \(name)", "version: \(ParameterValue.string(version))",
    ]
    if !ancestry.isEmpty { lines.append("# extends: \(ancestry.joined(separator: " <- "))") }
    lines.append("margins: \(ParameterValue.strings(margins))")
    lines.append("markers: \(ParameterValue.strings(markers))")
    lines.append("zero_markers: \(ParameterValue.strings(zeroMarkers))")
    lines.append("review:")
    lines.append("  reviewers: \(reviewers)")
    lines.append("rules:")
    for type in RuleRegistry.builtIn {
      let description = type.description
      let parameters = parameters(of: type)
      lines.append("  \(description.name):  # \(description.code)")
      for spec in description.allParameters {
        lines.append("    \(spec.name): \(parameters.values[spec.name] ?? spec.defaultValue)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
