import Foundation

/// Everything known about a rule that is not code: its code, name, documentation, parameters and
/// examples. The examples double as tests (every one is run by the test suite) and as the
/// documentation in `docs/rules/` and `airlock rules explain`.
public struct RuleDescription: Sendable {
  /// Stable code such as `C001`; never reused.
  public var code: String
  /// Kebab-case name naming the pattern flagged, such as `small-cell-count`.
  public var name: String
  /// One-line summary.
  public var summary: String
  /// Markdown: what it checks, why it is a disclosure risk, references.
  public var rationale: String
  /// How to fix what the rule flags.
  public var fix: String
  /// The rule's parameters (besides `enabled`).
  public var parameters: [ParameterSpec]
  /// Examples: outputs the rule passes and outputs it flags, with `↓` before each flagged cell.
  public var examples: [Example]
  /// Whether a pack may not disable the rule: the rules that keep airlock from passing what it
  /// cannot judge are always on.
  public var required: Bool
  /// Where the rule is in its life: new rules start in preview, deprecated ones are on their way out.
  public var status: RuleStatus
  /// The pack format from which the rule is on by default: a pack written for an earlier format
  /// gets it only by enabling it (see ``RulePack/isOnByDefault(_:format:preview:)``).
  public var since: Int

  public init(
    code: String, name: String, summary: String, rationale: String, fix: String,
    parameters: [ParameterSpec] = [], examples: [Example], required: Bool = false, status: RuleStatus = .stable,
    since: Int = 1
  ) {
    self.required = required
    self.status = status
    self.since = since
    self.code = code
    self.name = name
    self.summary = summary
    self.rationale = rationale
    self.fix = fix
    self.parameters = parameters
    self.examples = examples
  }

  /// All parameters, `enabled` first.
  public var allParameters: [ParameterSpec] { [ParameterSpec.enabled] + parameters }
}

/// Where a rule is in its life, as in ruff: a **preview** rule runs only where a pack enables it
/// (by name, or all of them with `preview: true`); a **stable** rule is on by default in packs of its
/// format and later; a **deprecated** rule still runs where it is on, and `rules list` says it is
/// going.
public enum RuleStatus: String, Sendable, CaseIterable {
  case preview, stable, deprecated
}

/// An example output for a rule. `↓` before a cell's value marks where the rule must report a
/// finding (with `outcome`); an example without `↓` must produce no finding from the rule, unless
/// `outputFinding` says the rule reports on the output as a whole.
public struct Example: Sendable {
  /// The output's file name (its extension picks CSV or TSV).
  public var fileName: String
  /// The output, with `↓` markers.
  public var text: String
  /// Parameter values that differ from the rule's defaults.
  public var parameters: [String: ParameterValue]
  /// A sidecar manifest for the output, if any.
  public var manifest: String?
  /// The outcome the marked findings must have.
  public var outcome: Outcome
  /// Whether the rule reports one finding about the whole output rather than cells.
  public var outputFinding: Bool
  /// A one-line caption for the docs.
  public var caption: String
  /// Other outputs checked in the same run (file name to text), for rules across outputs.
  public var companions: [String: String]

  public init(
    _ caption: String, _ text: String, fileName: String = "example.csv", parameters: [String: ParameterValue] = [:],
    manifest: String? = nil, outcome: Outcome = .fail, outputFinding: Bool = false, companions: [String: String] = [:]
  ) {
    self.companions = companions
    self.caption = caption
    self.text = text
    self.fileName = fileName
    self.parameters = parameters
    self.manifest = manifest
    self.outcome = outcome
    self.outputFinding = outputFinding
  }

  /// The marker placed before a flagged cell.
  public static let marker: Character = "↓"

  /// The output without markers.
  public var cleanText: String { text.replacingOccurrences(of: String(Self.marker), with: "") }

  /// Whether the example expects any finding.
  public var flags: Bool { outputFinding || text.contains(Self.marker) }

  /// The (line, field) of each marked cell, 1-based.
  public var markedCells: [(line: Int, field: Int)] {
    var result: [(Int, Int)] = []
    let delimiter: Character = fileName.hasSuffix(".tsv") ? "\t" : ","
    for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var field = 1
      for character in line {
        if character == delimiter { field += 1 }
        if character == Self.marker { result.append((lineIndex + 1, field)) }
      }
    }
    return result
  }
}
