import Foundation

/// Converts an ACRO configuration (`acro/default.yaml`) into an airlock rule pack.
public enum ACROImport {
  /// ACRO's configuration keys (acro 1.0.2); any other key is an error, never ignored.
  static let knownKeys = [
    "safe_threshold", "safe_dof_threshold", "safe_nk_n", "safe_nk_k", "safe_pratio_p", "check_missing_values",
    "survival_safe_threshold", "zeros_are_disclosive", "safe_round_base", "federated", "blocked_extensions",
  ]

  /// The pack YAML for the ACRO configuration at `path`.
  public static func convert(path: String, name: String) throws(AirlockError) -> String {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw AirlockError(.input, file: path, "cannot read the ACRO configuration")
    }
    return try convert(text: text, file: path, name: name)
  }

  /// The pack YAML for ACRO configuration `text`.
  public static func convert(text: String, file: String, name: String) throws(AirlockError) -> String {
    let root = try YAMLValue.parse(text, file: file)
    var threshold = 10
    var zeros = true
    var extensions: [String] = []
    var notes: [String] = []
    for (key, value) in try root.mapping(allowed: knownKeys) {
      switch key {
      case "safe_threshold": threshold = try value.int()
      case "zeros_are_disclosive": zeros = try value.bool()
      case "blocked_extensions": extensions = try value.strings().map { $0.lowercased() }
      case "safe_nk_n", "safe_nk_k", "safe_pratio_p", "safe_dof_threshold", "survival_safe_threshold":
        notes.append("# ACRO \(key): \(try value.string()) (for the magnitude, model and survival rules)")
      case "safe_round_base":
        notes.append("# ACRO safe_round_base: \(try value.int()) (ACRO rounds only as a mitigation; set rules.rounding to enforce it)")
      case "check_missing_values", "federated":
        notes.append("# ACRO \(key): \(try value.string()) (no airlock equivalent; airlock always needs evidence)")
      default: break
      }
    }
    guard threshold >= 1 else { throw AirlockError(.configuration, file: file, "safe_threshold must be at least 1") }
    let defaults = UnsupportedFileRule.description.parameters[0].defaultValue
    var failExtensions: [String] = []
    if case .strings(let base) = defaults { failExtensions = base }
    for ext in extensions where !failExtensions.contains(ext) { failExtensions.append(ext) }
    var lines = [
      "# Converted from the ACRO configuration \((file as NSString).lastPathComponent) by airlock rules import-acro.",
      "# ACRO fails a cell when count < safe_threshold (strictly below), as airlock's inclusive: false does.",
    ]
    lines += notes
    lines += [
      "format: 1",
      "name: \(name)",
      "version: \"1.0.0\"",
      "extends: default",
      "description: Converted from ACRO (safe_threshold \(threshold), zeros_are_disclosive \(zeros)).",
      "rules:",
      "  small-cell-count:",
      "    threshold: \(threshold)",
      "    inclusive: false",
      "  zero-cell:",
      "    enabled: \(zeros)",
      "  unsupported-file:",
      "    fail_extensions: \(ParameterValue.strings(failExtensions))",
    ]
    return lines.joined(separator: "\n") + "\n"
  }
}
