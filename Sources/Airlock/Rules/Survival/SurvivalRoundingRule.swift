/// Flags survival counts that are not midpoint-6 rounded (OpenSAFELY).
struct SurvivalRoundingRule: TableRule {
  static let description = RuleDescription(
    code: "V003", name: "survival-rounding",
    summary: "Survival table counts must be rounded with midpoint-6 (OpenSAFELY).",
    rationale: """
      ## What it checks
      Every number at risk, of events and of censorings (`n_at_risk`, `n_events`, `n_censored`
      and their R spellings) must be 0 or a midpoint-6 value, 6k − 3 (3, 9, 15, ...): the
      midpoint of its band of six, ceil(x / 6) × 6 − 3. A withheld or non-numeric count is not
      judged here. The rule is off in the default pack and on in the `opensafely` pack.

      ## Why it is a disclosure risk
      Unrounded counts at consecutive times can be subtracted from each other (and from other
      releases) to recover single events; midpoint-6 rounding blurs every step.

      ## References
      OpenSAFELY output-checking guidance (`docs/outputs/sdc.md`: midpoint-6 rounding for
      survival and rates); OpenSAFELY redact-then-round.
      """,
    fix:
      "round n_at_risk, n_events and n_censored with midpoint-6 (ceil(x / 6) × 6 − 3 for every non-zero count), and recompute the curve from the rounded counts",
    examples: [
      Example(
        "midpoint-6 counts pass", "time,n_at_risk,n_events,n_censored\n0,201,33,9\n30,159,39,21",
        parameters: ["enabled": .boolean(true)]),
      Example(
        "unrounded counts fail", "time,n_at_risk,n_events,n_censored\n0,↓200,33,9\n30,159,↓40,21",
        parameters: ["enabled": .boolean(true)]),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.kind == .survival && SurvivalColumns.countNames.contains(SurvivalColumns.name(schema, column))
  }

  static let kinds: Set<OutputKind> = [.survival]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.kind == .survival else { return }
    let columns = SurvivalColumns(table)
    for measure in [columns.atRisk, columns.events, columns.censored].compactMap({ $0 }) {
      for cell in 0..<table.cellCount {
        guard let value = table.values[measure][cell].number, value != 0 else { continue }
        if value == value.rounded() && value > 0 && value < 1e15 && (Int(value) + 3) % 6 == 0 { continue }
        report(
          .fail, table: table, cell: cell, measure: measure, into: &sink,
          reason: "\(table.measures[measure].name) \(formatNumber(value)) is not a midpoint-6 value (3, 9, 15, ...)")
      }
    }
  }
}
