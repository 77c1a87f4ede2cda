import Foundation

/// The documentation of a rule, generated from its ``RuleDescription``: the same Markdown is
/// printed by `airlock rules explain` and committed under `docs/rules/`.
public enum RuleDocumentation {
  /// The Markdown page for `rule`.
  public static func markdown(for rule: any Rule.Type) -> String {
    let d = rule.description
    var lines = [
      "<!-- GENERATED from the rule's description in Sources/Airlock/Rules: do not edit. -->",
      "# \(d.code) \(d.name)", "", d.summary, "", lifecycle(d), "",
      d.rationale.trimmingCharacters(in: .whitespacesAndNewlines), "",
      "## Fix", "", d.fix, "", "## Parameters", "",
      d.required ? "This rule is always on: a pack that sets `enabled: false` is refused.\n" : "",
      "| parameter | type | default | meaning |", "|---|---|---|---|",
    ]
    for spec in d.allParameters {
      lines.append("| `\(spec.name)` | \(spec.kind.rawValue) | `\(spec.defaultValue)` | \(spec.summary) |")
    }
    lines += ["", "## Examples", ""]
    for example in d.examples {
      let verdict = example.flags ? "flagged (\(example.outcome.rawValue))" : "not flagged"
      var settings = example.parameters.keys.sorted().map { "\($0): \(example.parameters[$0]!)" }.joined(
        separator: ", ")
      if !settings.isEmpty { settings = " — with \(settings)" }
      lines.append("**\(example.caption)**: \(verdict)\(settings). `↓` marks the flagged cells.")
      lines.append("")
      for (name, text) in example.companions.sorted(by: { $0.key < $1.key }) {
        lines += ["checked together with `\(name)`:", "", "```csv", text, "```", "", "and `\(example.fileName)`:", ""]
      }
      lines.append("```\(example.fileName.hasSuffix(".tsv") ? "tsv" : "csv")")
      lines.append(example.text)
      lines.append("```")
      if let manifest = example.manifest {
        lines += ["", "with the manifest:", "", "```yaml", manifest.trimmingCharacters(in: .newlines), "```"]
      }
      lines.append("")
    }
    return lines.joined(separator: "\n")
  }

  /// One line on the rule's status and the packs it is on in by default.
  static func lifecycle(_ d: RuleDescription) -> String {
    if d.required { return "Status: \(d.status.rawValue); on in every pack, whatever its format." }
    switch d.status {
    case .preview: return "Status: preview; on only in packs that enable it or set `preview: true`."
    case .stable: return "Status: stable since pack format \(d.since); on by default in packs of that format or later."
    case .deprecated:
      return
        "Status: deprecated; still on by default in packs of format \(d.since) or later, and going in a future format."
    }
  }
}
