/// Flags histogram bins whose count is below the pack's threshold.
struct HistogramBinCountRule: CellRule {
  static let description = RuleDescription(
    code: "H001", name: "histogram-bin-count",
    summary: "A histogram bin with few people in it can identify them.",
    rationale: """
      ## What it checks
      In a histogram (columns `bin_lo`/`bin_hi` or `bin_start`/`bin_end`, and a count column),
      every bin's count must be at least the threshold. The threshold, `inclusive` (≤ instead of
      <), `include_zero` and `margins` are those of `small-cell-count` (C001) in the same pack, so
      a pack states its threshold once and bins follow it (OpenSAFELY: 7 or fewer fails); C001
      itself leaves histogram bins to this rule, so a bin is reported once.

      **Empty bins** are not small counts: a bin of 0 is flagged here only when the pack's
      `small-cell-count` has `include_zero: true` (UK LLC). Otherwise zeros follow the pack's zero
      policy, `zero-cell` (C002), where declared structural zeros are exempt, and a pack that
      allows zeros (OpenSAFELY) allows empty bins. ACRO 1.0.2 fails every empty bin even when
      zeros are allowed (users complained, ACRO #308); airlock does not.

      ## Why it is a disclosure risk
      A histogram is a frequency table of a continuous variable: a bin of 2 tells anyone who
      knows one of the two that the other's value lies in the bin, and a sparse tail bin sits
      next to the minimum or maximum.

      ## References
      Common output-checking guidance for histograms (every bin at least the threshold); ACRO
      1.0.2 `check_min_threshold` on `hist`; DataSHIELD `histogramDS` zeroes bins with 0 < n < `nfilter.tab`.
      """,
    fix:
      "widen the bins (or merge the sparse ones, often in the tails) until every bin has at least the threshold, or suppress them",
    examples: [
      Example("bins of 10 and more pass", "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n20,30,15"),
      Example("a sparse tail bin fails", "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n20,30,↓3"),
      Example("an empty bin is not a small count", "bin_lo,bin_hi,count\n0,10,12\n10,20,0\n20,30,15"),
    ])

  let threshold: Int
  let inclusive: Bool
  let includeZero: Bool
  let margins: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    let counts = pack.parameters(of: SmallCellCountRule.self)
    threshold = counts[SmallCellCountRule.threshold]
    inclusive = counts[SmallCellCountRule.inclusive]
    includeZero = counts[SmallCellCountRule.includeZero]
    margins = counts[SmallCellCountRule.margins]
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.kind == .histogram && schema.roles[column] == .count
  }

  func judge(_ cell: CellFacts) -> Outcome? {
    guard cell.kind == .histogram, cell.measure.role == .count, case .number(let value) = cell.value, value >= 0 else {
      return nil
    }
    if value == 0 && (!includeZero || cell.isStructuralZero) { return nil }
    if cell.isMargin && !margins { return nil }
    return (inclusive ? value <= Double(threshold) : value < Double(threshold)) ? .fail : nil
  }

  func explain(_ cell: CellFacts) -> (reason: String, fix: String?) {
    let value = cell.value.number ?? 0
    return (
      "bin count \(formatNumber(value)) is \(inclusive ? "at or below" : "below") the threshold of \(threshold)", nil
    )
  }
}
