import Foundation

/// Flags supporting evidence (largest contributions, counts of negatives, evidence files) in what
/// would be released.
struct EvidenceNotForReleaseRule: OutputRule, FileRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let releasable = RuleParameter<Bool>(
    "releasable", default: false, "allow evidence in released outputs")

  static let description = RuleDescription(
    code: "E001", name: "evidence-not-for-release",
    summary: "Supporting evidence is for the checker: it may not leave the TRE.",
    rationale: """
      ## What it checks
      Evidence columns that describe individual contributors (`top1`…`topK`, `n_negative`,
      `n_missing`, `n_distinct`, `n_units`, `n_holdings`, `sum_abs`, `weighted_total`) in an output,
      and sidecar evidence files (`NAME.evidence.csv`) among the outputs. They let the rules judge a
      magnitude, and by default they may not be released: remove them from the released file (or
      keep them in the sidecar). A pack may set `releasable: true`.

      ## Why it is a disclosure risk
      `top1` is one contributor's exact value.

      ## References
      docs/outputs.md (the evidence schema); ACRO's federated evidence files.
      """,
    fix: "move evidence columns into NAME.evidence.csv and release the output without them",
    parameters: [
      EvidenceNotForReleaseRule.releasable.spec
    ],
    examples: [
      Example("an output without evidence", "sector,sum,n\nRetail,1000,40"),
      Example("top contributions in the output", "sector,sum,n,top1,top2\nRetail,1000,40,100,90", outputFinding: true),
      Example(
        "an evidence file", "sector,n,top1,top2\nRetail,40,100,90", fileName: "sales.evidence.csv", outputFinding: true),
      Example(
        "a column the manifest declares evidence", "sector,sum,largest\nRetail,1000,300",
        manifest: "dimensions: [sector]\nmagnitudes: [sum]\nevidence: [largest]\n",
        outputFinding: true),
    ])

  let releasable: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    releasable = parameters[Self.releasable]
  }

  /// Whether `path` names a sidecar evidence file.
  static func isEvidenceFile(_ path: String) -> Bool {
    var name = (path as NSString).lastPathComponent.lowercased()
    if name.hasSuffix(".gz") { name = String(name.dropLast(3)) }
    return name.hasSuffix(".evidence.csv") || name.hasSuffix(".evidence.tsv")
  }

  /// The finding for a sidecar evidence file among the outputs, or `nil` when evidence is releasable
  /// (the file is then checked like any output).
  func judge(file path: String) -> Finding? {
    guard !releasable, Self.isEvidenceFile(path) else { return nil }
    return finding(
      .fail, file: path,
      reason: "this is a supporting evidence file: it is for the output checker and may not be released")
  }

  func check(_ schema: TableSchema, into sink: inout FindingSink) {
    guard !releasable else { return }
    let columns = schema.header.indices.filter {
      // Every column a manifest declares evidence is evidence, whatever it is called; by name,
      // the evidence about contributors (model facts such as `df_resid` are published as such).
      schema.roles[$0] == .evidence
        && (schema.roleSources[$0] == .manifest
          || NamingConventions.privateEvidenceNames.contains(NamingConventions.normalized(schema.header[$0]))
          || NamingConventions.isTopContribution(NamingConventions.normalized(schema.header[$0])))
    }
    guard !columns.isEmpty else { return }
    sink.add(
      finding(
        .fail, file: schema.file,
        reason:
          "evidence column\(columns.count == 1 ? "" : "s") \(columns.map { "'\(schema.header[$0])'" }.joined(separator: ", ")) may not be released"
      ))
  }
}
