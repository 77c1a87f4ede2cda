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
    fix:
      "publish whole, unweighted counts; declare weighted or rate columns in the manifest; use one of the pack's suppression markers",
    examples: [
      Example("whole counts pass", "region,count\nNorth,12\nSouth,40"),
      Example("a negative count fails", "region,count\nNorth,↓-12\nSouth,40"),
      Example("a fractional count fails", "region,count\nNorth,12\nSouth,↓40.5\nEast,20"),
      Example("unknown text needs review", "region,count\nNorth,↓about ten\nSouth,40", outcome: .review),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  func judge(_ cell: CellFacts) -> Outcome? {
    guard cell.measure.role == .count else { return nil }
    switch cell.value {
    case .number(let value) where value < 0 || value != value.rounded(): return .fail
    case .text: return .review
    default: return nil
    }
  }

  func explain(_ cell: CellFacts) -> (reason: String, fix: String?) {
    switch cell.value {
    case .number(let value) where value < 0: ("count \(formatNumber(value)) is negative", nil)
    case .number(let value):
      (
        "count \(formatNumber(value)) is not a whole number (weighted? then declare it and publish the unweighted count)",
        nil
      )
    default: ("cell is neither a number nor one of the pack's suppression markers", nil)
    }
  }
}
