import Foundation

/// Converts an ACRO configuration (`acro/default.yaml`) into an airlock rule pack that keeps every
/// setting, each as a parameter with ACRO's meaning.
public enum ACROImport {
  /// A converted pack, and the ACRO keys that have no airlock equivalent.
  public struct Conversion: Sendable {
    /// The pack YAML.
    public var yaml: String
    /// The keys (with their values) that could not be mapped, as `file:line:column: …` lines.
    public var unmapped: [String]
  }

  /// The pack YAML for the ACRO configuration at `path`.
  /// - Throws: an input error if the file cannot be read; a configuration error for a bad value, or
  ///   for a key with no airlock equivalent unless `allowUnmapped`.
  public static func convert(path: String, name: String, allowUnmapped: Bool = false) throws(AirlockError) -> Conversion
  {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw AirlockError(.input, file: path, "cannot read the ACRO configuration")
    }
    return try convert(text: text, file: path, name: name, allowUnmapped: allowUnmapped)
  }

  /// The pack YAML for ACRO configuration `text` (see ``convert(path:name:allowUnmapped:)``).
  ///
  /// Each key becomes the parameters that give ACRO 1.0.2's verdicts (ACRO 1.0.2 `default.yaml` and the checks it configures):
  /// - `safe_threshold`: the count, statistic and contributor thresholds (ACRO fails `< t`);
  /// - `safe_nk_n`, `safe_nk_k`: one nk-dominance pair, failing at `≥ k` as ACRO does;
  /// - `safe_pratio_p`: the p% rule's p with a coalition of one (ACRO's `(X − x1 − x2) / x1 < p`);
  /// - `safe_dof_threshold`: residual degrees of freedom of models, and n − 1 of a standard deviation;
  /// - `survival_safe_threshold`: the fewest people leaving a survival curve at one step;
  /// - `zeros_are_disclosive`: the zero-cell rule (off, a zero still fails the threshold, as in
  ///   ACRO); `check_missing_values`: review cells with missing
  ///   values; `safe_round_base`: the rounding base (ACRO rounds only when asked to, so the pack's
  ///   rounding scheme is unchanged); `blocked_extensions`: file types that fail.
  /// `federated: false` is what airlock always does; `federated: true` (run no checks) and any key
  /// ACRO does not read have no equivalent.
  public static func convert(text: String, file: String, name: String, allowUnmapped: Bool = false) throws(AirlockError)
    -> Conversion
  {
    let root = try YAMLValue.parse(text, file: file)
    var threshold = 10
    var zeros = true
    var rules: [(rule: String, parameter: String, value: String)] = []
    var notes: [String] = []
    var unmapped: [(error: AirlockError, key: String)] = []
    var nkN: (Int, YAMLValue)?
    var nkK: (Double, YAMLValue)?
    // A proportion as a percentage without binary noise (0.9 × 100 is 90.00000000000001).
    func percent(_ fraction: Double) -> String { formatNumber((fraction * 100 * 1e6).rounded() / 1e6) }
    func set(_ rule: String, _ parameter: String, _ value: String) { rules.append((rule, parameter, value)) }
    func positive(_ value: YAMLValue) throws(AirlockError) -> Int {
      let number = try value.int()
      guard number >= 1 else { throw value.error("must be at least 1") }
      return number
    }
    func fraction(_ value: YAMLValue) throws(AirlockError) -> Double {
      let number = try value.double()
      guard number > 0 && number <= 1 else { throw value.error("must be a proportion above 0 and at most 1") }
      return number
    }
    for (key, value) in try root.mapping() {
      switch key {
      case "safe_threshold":
        threshold = try positive(value)
        for rule in ["statistic-threshold", "magnitude-contributors"] { set(rule, "threshold", "\(threshold)") }
      case "safe_dof_threshold":
        let dof = try positive(value)
        set("residual-degrees-of-freedom", "threshold", "\(dof)")
        set("statistic-threshold", "spread_threshold", "\(dof)")
      case "safe_nk_n":
        let n = try positive(value)
        guard n <= 99 else { throw value.error("must be at most 99") }
        nkN = (n, value)
      case "safe_nk_k": nkK = (try fraction(value), value)
      case "safe_pratio_p":
        set("p-percent", "p", percent(try fraction(value)))
        set("p-percent", "q", "100")
        set("p-percent", "coalition", "1")
      case "survival_safe_threshold":
        set("survival-step", "threshold", "\(try positive(value))")
        notes.append(
          "# ACRO 1.0.2 reads survival_safe_threshold only when suppressing; airlock enforces it on every step.")
      case "zeros_are_disclosive":
        zeros = try value.bool()
        set("zero-cell", "enabled", "\(zeros)")
      case "check_missing_values": set("magnitude-contributors", "missing_values", "\(try value.bool())")
      case "safe_round_base":
        let base = try positive(value)
        guard base >= 2 else { throw value.error("must be at least 2") }
        set("rounding", "base", "\(base)")
      case "blocked_extensions":
        let extensions = try value.strings().map { $0.lowercased() }
        var failExtensions: [String] = []
        if case .strings(let base) = UnsupportedFileRule.description.parameters[0].defaultValue {
          failExtensions = base
        }
        for ext in extensions where !failExtensions.contains(ext) { failExtensions.append(ext) }
        set("unsupported-file", "fail_extensions", "\(ParameterValue.strings(failExtensions))")
      case "federated" where (try? value.bool()) == false:
        break  // Checking every output is the only thing airlock does.
      default:
        let shown = (try? value.string()).map { " (\($0))" } ?? ""
        let reason =
          key == "federated"
          ? "ACRO's federated mode runs no checks; airlock has no equivalent"
          : "'\(key)' is not a setting of ACRO 1.0.2 that airlock knows"
        unmapped.append((value.error("\(reason)\(shown)"), key))
      }
    }
    switch (nkN, nkK) {
    case (let n?, let k?):
      set("nk-dominance", "pairs", "[\"\(n.0):\(percent(k.0))\"]")
      set("nk-dominance", "inclusive", "true")
    case (let n?, nil):
      throw n.1.error("safe_nk_n needs safe_nk_k beside it (an (n, k) pair)")
    case (nil, let k?):
      throw k.1.error("safe_nk_k needs safe_nk_n beside it (an (n, k) pair)")
    case (nil, nil):
      break
    }
    if !unmapped.isEmpty && !allowUnmapped {
      // The first key's position; the message names every key.
      var error = unmapped[0].error
      error.message =
        "no airlock equivalent for \(unmapped.map { "'\($0.key)'" }.joined(separator: ", ")): \(error.message) (pass --allow-unmapped to convert the rest)"
      throw error
    }
    var lines = [
      "# Converted from the ACRO configuration \((file as NSString).lastPathComponent) by airlock rules import-acro.",
      "# ACRO fails a cell when count < safe_threshold (strictly below), as airlock's inclusive: false does.",
    ]
    lines += notes
    lines += unmapped.map { "# Not converted (no airlock equivalent): \($0.error.message)" }
    lines += [
      "format: 1",
      "name: \(name)",
      "version: \"1.0.0\"",
      "extends: default",
      "description: Converted from ACRO (safe_threshold \(threshold)).",
      "rules:",
      "  small-cell-count:",
      "    threshold: \(threshold)",
      "    inclusive: false",
    ]
    // Without zeros_are_disclosive, ACRO still fails a zero count: 0 is below safe_threshold.
    if !zeros { lines.append("    include_zero: true") }
    var seen: [String] = []
    for rule in rules.map(\.rule) where !seen.contains(rule) { seen.append(rule) }
    for rule in seen {
      lines.append("  \(rule):")
      for entry in rules where entry.rule == rule { lines.append("    \(entry.parameter): \(entry.value)") }
    }
    return Conversion(yaml: lines.joined(separator: "\n") + "\n", unmapped: unmapped.map { $0.error.description })
  }
}
