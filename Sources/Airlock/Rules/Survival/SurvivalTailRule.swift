/// Flags the tail of a survival table where fewer than the threshold are at risk.
struct SurvivalTailRule: TableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let threshold = RuleParameter<Int>(
    "threshold", default: 10, "the fewest people at risk a published row may have", range: 1...1_000_000)

  static let description = RuleDescription(
    code: "V002", name: "survival-tail",
    summary: "The tail of a survival curve with few people at risk describes those few people.",
    rationale: """
      ## What it checks
      Every row of a survival table whose number at risk (`n_at_risk`, `n.risk`, ...) is between 1
      and `threshold` − 1 **fails**: the curve must be truncated before it. A row with nobody at
      risk is not flagged here (the step down to it is `survival-step`'s). A table without an
      at-risk column is left to `survival-step`, which asks for review.

      ## Why it is a disclosure risk
      At the end of a curve, each step is one of the last few people: their time of death or
      censoring is published, and the curve's last value shows the fate of a handful.

      ## References
      Common output-checking guidance for survival tables (truncate the tail where the number at
      risk is below the threshold); ACRO
      `survival_safe_threshold: 10`; OpenSAFELY Kaplan-Meier guidance.
      """,
    fix: "truncate the curve at the last time with at least the threshold at risk",
    parameters: [
      SurvivalTailRule.threshold.spec
    ],
    examples: [
      Example(
        "a curve truncated in time passes", "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,40,20\n60,100,25,5"
      ),
      Example(
        "rows with fewer than 10 at risk fail",
        "time,n_at_risk,n_events,n_censored\n0,200,30,150\n30,20,8,4\n60,↓8,2,3\n90,↓3,1,2"),
    ])

  let threshold: Int

  init(parameters: RuleParameters, pack: RulePack) { threshold = parameters[Self.threshold] }

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.kind == .survival && SurvivalColumns.atRiskNames.contains(SurvivalColumns.name(schema, column))
  }

  static let kinds: Set<OutputKind> = [.survival]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.kind == .survival, let atRisk = SurvivalColumns(table).atRisk else { return }
    for cell in 0..<table.cellCount {
      guard let value = table.values[atRisk][cell].number, value > 0, value < Double(threshold) else { continue }
      report(
        .fail, table: table, cell: cell, measure: atRisk, into: &sink,
        reason:
          "only \(formatNumber(value)) at risk, fewer than \(threshold): the tail of the curve describes a few people")
    }
  }
}
