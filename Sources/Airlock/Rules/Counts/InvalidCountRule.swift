/// Flags count cells that are negative, fractional or not numbers at all.
struct InvalidCountRule: CellRule {
  static let description = RuleDescription(
    code: "C004", name: "invalid-count",
    summary: "A count must be a whole number of units, zero or more.",
    rationale: """
      ## What it checks
      A cell of a count column that is negative or not a whole number fails; text that is neither
      a number nor one of the pack's suppression markers needs review.

      ## Why it is a disclosure risk
      A count that is not a count means the column was misread (weighted totals, rates, a value
      column named `n`): the threshold rules would judge the wrong thing. Weighted counts also need
      their unweighted counts for the threshold. An unknown marker may be a value in disguise.

      ## References
      Hundepool et al. (2024) ch. 4 (weights); ACRO issue #301.
      """,
    fix: "publish whole, unweighted counts; declare weighted or rate columns in the manifest; use one of the pack's suppression markers",
    examples: [
      Example("whole counts pass", "region,count\nNorth,12\nSouth,40"),
      Example("a negative count fails", "region,count\nNorth,↓-12\nSouth,40"),
      Example("a fractional count fails", "region,count\nNorth,12\nSouth,↓40.5\nEast,20"),
      Example("unknown text needs review", "region,count\nNorth,↓about ten\nSouth,40", outcome: .review),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  func inspect(_ cell: CellContext, into sink: inout FindingSink) {
    guard cell.measure.role == .count else { return }
    let outcome: Outcome
    let reason: String
    switch cell.value {
    case .number(let value) where value < 0:
      outcome = .fail
      reason = "count \(formatNumber(value)) is negative"
    case .number(let value) where value != value.rounded():
      outcome = .fail
      reason = "count \(formatNumber(value)) is not a whole number (weighted? then declare it and publish the unweighted count)"
    case .text:
      outcome = .review
      reason = "cell is neither a number nor one of the pack's suppression markers"
    default:
      return
    }
    guard sink.wants(Self.description.code) else { return sink.count(Self.description.code, outcome) }
    sink.add(
      finding(
        outcome, file: cell.file, line: cell.line, column: cell.field, columnName: cell.columnName,
        cell: cell.coordinates, reason: reason))
  }
}
