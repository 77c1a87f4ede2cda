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
  /// The pack format the pack was written for: stable rules of later formats are off in it unless
  /// it enables them, so a pack's verdicts do not change when airlock gains a rule.
  public var format = RulePack.supportedFormat
  /// Whether every preview rule is on (`preview: true`); otherwise only those the pack enables.
  public var preview = false
  /// The rules whose `enabled` this pack (or a pack it extends) sets: their switch is the pack's
  /// own, not the lifecycle default.
  var switchedRules: Set<String> = []
  /// The rules the pack knows (the built-in rules, or a test's).
  var registry: [any Rule.Type] = RuleRegistry.builtIn

  init(
    name: String, version: String, description: String, margins: [String], markers: [String],
    zeroMarkers: [String], reviewers: Int, rules: [String: RuleParameters], registry: [any Rule.Type]
  ) {
    self.name = name
    self.version = version
    self.description = description
    self.margins = margins
    self.markers = markers
    self.zeroMarkers = zeroMarkers
    self.reviewers = reviewers
    self.rules = rules
    self.registry = registry
  }

  /// Whether a rule is on in a pack that does not switch it: a required rule always (it only ever
  /// turns a pass into a review, and a fail-open fix must not wait for a pack upgrade); a preview
  /// rule only with `preview: true`; a stable or deprecated rule when the pack's format is the
  /// rule's `since` or later.
  public static func isOnByDefault(_ rule: RuleDescription, format: Int, preview: Bool) -> Bool {
    if rule.required { return true }
    switch rule.status {
    case .preview: return preview
    case .stable, .deprecated: return rule.since <= format
    }
  }

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
    registry.compactMap { type in
      let parameters = parameters(of: type)
      return parameters.isEnabled ? type.init(parameters: parameters, pack: self) : nil
    }
  }

  /// The pack as YAML with every parameter's effective value (`airlock rules show --effective`).
  public func effectiveYAML() -> String {
    var lines = [
      "format: \(format)", "name: \(name)", "version: \(ParameterValue.string(version).description)",
    ]
    if preview { lines.append("preview: true") }
    if !ancestry.isEmpty { lines.append("# extends: \(ancestry.joined(separator: " <- "))") }
    lines.append("margins: \(ParameterValue.strings(margins).description)")
    lines.append("markers: \(ParameterValue.strings(markers).description)")
    lines.append("zero_markers: \(ParameterValue.strings(zeroMarkers).description)")
    lines.append("review:")
    lines.append("  reviewers: \(reviewers)")
    lines.append("rules:")
    for type in registry {
      let description = type.description
      let parameters = parameters(of: type)
      let status = description.status == .stable ? "" : ", \(description.status.rawValue)"
      lines.append("  \(description.name):  # \(description.code)\(status)")
      for spec in description.allParameters {
        lines.append("    \(spec.name): \((parameters.values[spec.name] ?? spec.defaultValue).description)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
