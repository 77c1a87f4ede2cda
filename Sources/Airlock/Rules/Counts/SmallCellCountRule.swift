/// Flags counts below the pack's minimum threshold, margins included.
struct SmallCellCountRule: CellRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let threshold = RuleParameter<Int>(
    "threshold", default: 10, "the smallest count that may be published", range: 1...1_000_000)
  static let inclusive = RuleParameter<Bool>(
    "inclusive", default: false, "fail counts equal to the threshold too (≤ instead of <)")
  static let includeZero = RuleParameter<Bool>(
    "include_zero", default: false, "treat a zero as a small count")
  static let margins = RuleParameter<Bool>(
    "margins", default: true, "apply the threshold to margins and totals")

  static let description = RuleDescription(
    code: "C001", name: "small-cell-count",
    summary: "Counts below the threshold can identify individuals.",
    rationale: """
      ## What it checks
      Every published count (margins and totals included, and the counts behind percentages) must be
      at least `threshold`, or above it when `inclusive` is true (OpenSAFELY and NHS Digital redact
      counts of 7 or fewer: threshold 7, inclusive). Zeros are left to `zero-cell` unless
      `include_zero` is true (UK LLC: "under 10, zeros included, never released").

      ## Why it is a disclosure risk
      A cell of a few people lets anyone who knows some of them learn the rest, and a coalition of
      n − 2 contributors can recover the others exactly.

      ## References
      Hundepool et al., *Handbook on SDC* (2024) ch. 4; ACRO `safe_threshold` (fails `count < 10`);
      sdcTable `maxN` (fails `count <= maxN`); DataSHIELD `nfilter.tab` (fails `0 < n < 3`).
      """,
    fix: "suppress the cell (and enough others that it cannot be recovered), combine categories, or round",
    parameters: [
      SmallCellCountRule.threshold.spec,
      SmallCellCountRule.inclusive.spec,
      SmallCellCountRule.includeZero.spec,
      SmallCellCountRule.margins.spec,
    ],
    examples: [
      Example("counts of 10 and more pass", "region,count\nNorth,12\nSouth,40\nTotal,52"),
      Example("a count of 3 fails", "region,count\nNorth,↓3\nSouth,40\nTotal,43"),
      Example("margins are cells too", "sex,count\nMale,*\nFemale,*\nTotal,↓8"),
      Example(
        "with inclusive, the threshold itself fails", "region,count\nNorth,↓7\nSouth,8",
        parameters: ["threshold": .integer(7), "inclusive": .boolean(true)]),
      Example(
        "zeros fail when include_zero is set", "region,count\nNorth,↓0\nSouth,18",
        parameters: ["include_zero": .boolean(true)]),
    ])

  let threshold: Int
  let inclusive: Bool
  let includeZero: Bool
  let margins: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = parameters[Self.threshold]
    inclusive = parameters[Self.inclusive]
    includeZero = parameters[Self.includeZero]
    margins = parameters[Self.margins]
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.roles[column] == .count && [.frequency, .summary, .magnitude, .model].contains(schema.kind)
  }

  func judge(_ cell: CellFacts) -> Outcome? {
    // Histogram bins are judged by `histogram-bin-count` (H001), with this rule's parameters.
    guard cell.measure.role == .count, cell.kind != .histogram, case .number(let value) = cell.value else { return nil }
    if value == 0 && (!includeZero || cell.isStructuralZero) { return nil }
    if cell.isMargin && !margins { return nil }
    let small = inclusive ? value <= Double(threshold) : value < Double(threshold)
    return small && value >= 0 ? .fail : nil
  }

  func explain(_ cell: CellFacts) -> (reason: String, fix: String?) {
    let comparison = inclusive ? "at or below" : "below"
    let what = cell.isMargin ? "margin count" : "count"
    return (
      "\(what) \(formatNumber(cell.value.number ?? 0)) is \(comparison) the threshold of \(threshold)",
      "suppress this cell (and enough others that it cannot be recovered from the margins), combine categories so every count is \(inclusive ? "above" : "at least") \(threshold), or round"
    )
  }
}

/// A number as people write it: integers without a decimal point.
func formatNumber(_ value: Double) -> String {
  if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
  return String(value)
}

/// The pack's count threshold and whether it is inclusive (`≤` rather than `<`), as
/// `small-cell-count` sets them: the rules that judge derived counts use the same.
struct CountThreshold: Sendable {
  let threshold: Int
  let inclusive: Bool

  init(pack: RulePack) {
    let counts = pack.parameters(of: SmallCellCountRule.self)
    threshold = counts[SmallCellCountRule.threshold]
    inclusive = counts[SmallCellCountRule.inclusive]
  }

  /// Whether `count` people is at least the threshold (a count allowed on its own).
  func allows(_ count: Double) -> Bool { inclusive ? count > Double(threshold) : count >= Double(threshold) }
}

/// The pack's count rules as the rules that judge derived counts (percentages, rates, running
/// totals) apply them: the threshold when `small-cell-count` is on, zeros when `zero-cell` is,
/// everyone in a group when `cell-equals-total` is, and how far a rounded count may be from the
/// true one.
struct CountRules: Sendable {
  let threshold: CountThreshold
  let thresholdApplies: Bool
  let zerosDisclosive: Bool
  let classDisclosive: Bool
  let countUncertainty: Double

  init(pack: RulePack) {
    threshold = CountThreshold(pack: pack)
    thresholdApplies = pack.parameters(of: SmallCellCountRule.self).isEnabled
    zerosDisclosive = pack.parameters(of: ZeroCellRule.self).isEnabled
    classDisclosive = pack.parameters(of: CellEqualsTotalRule.self).isEnabled
    countUncertainty = DerivedColumns.uncertainty(pack)
  }
}
