/// Flags magnitude cells where the second-largest contributor could estimate the largest too closely.
struct PPercentRule: MagnitudeTableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let p = RuleParameter<Double>(
    "p", default: 10, "the precision, in percent, an intruder must not reach", range: 0.1...100)
  static let q = RuleParameter<Double>(
    "q", default: 100, "the intruder's prior precision in percent (100: the plain p% rule)", range: 0.1...100)
  static let coalition = RuleParameter<Int>(
    "coalition", default: 1, "how many contributors may pool what they know", range: 1...10)

  static let description = RuleDescription(
    code: "M002", name: "p-percent",
    summary: "A total fails when the others' share leaves the largest contribution known to within p%.",
    rationale: """
      ## What it checks
      The p% rule: a cell fails when X − x1 − x2 < (p / 100) · x1, that is when the second-largest
      contributor, subtracting its own value from the total, learns the largest to within p%. With
      a coalition of c intruders: X − x1 − … − x(c+1) < (p / 100) · x1. With `q` < 100 it is the
      pq (prior–posterior) rule, p* = 100 · p / q.

      Edge cases, decided: cells of one or two contributors always fail (the other contributor
      knows the largest exactly); all-zero cells are left to M003; negative contributions use
      absolute values (`sum_abs`, review without it); weighted data use the smaller of the
      `weighted_total` and the unweighted `sum` with unweighted `top` contributions, so a weighted
      total never dilutes them (review without the unweighted total); missing `top1`/`top2` needs
      review.

      ## Why it is a disclosure risk
      The "insider" attack: a competitor in the same cell. The Handbook recommends p% over (2, k).

      ## References
      Hundepool et al. (2024) ch. 4; ACRO `check_ppercent_dominance` (p = 10); τ-ARGUS `P(p, n)`.
      """,
    fix:
      "combine categories so that the others' share is larger, or suppress the cell (and enough others that it cannot be recovered)",
    parameters: [
      PPercentRule.p.spec,
      PPercentRule.q.spec,
      PPercentRule.coalition.spec,
    ],
    examples: [
      Example("the rest hold enough", "sector,sum,n,top1,top2\nRetail,1000,40,300,200\nFarming,800,25,100,80"),
      Example(
        "the rest hold under 10% of the largest",
        "sector,sum,n,top1,top2\nRetail,↓1000,40,600,350\nFarming,800,25,100,80"),
      Example("a mean is checked through its count", "region,n,mean,top1,top2\nNorth,20,↓50,900,80\nSouth,30,20,50,40"),
      Example(
        "two contributors always fail", "sector,sum,n,top1,top2\nMining,↓5000,2,4000,1000\nRetail,1000,40,100,90"),
    ])

  let p: Double
  let coalition: Int

  init(parameters: RuleParameters, pack: RulePack) {
    p = parameters[Self.p] * 100 / parameters[Self.q]
    coalition = parameters[Self.coalition]
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool { MagnitudeCell.covers(schema, column: column) }

  static let kinds: Set<OutputKind> = [.magnitude, .summary]

  func check(_ table: Table, into sink: inout FindingSink) {
    for item in MagnitudeCell.all(in: table) {
      let evidence = item.evidence
      if let n = evidence.contributors, n > 0, n <= Double(coalition + 1) {
        report(
          .fail, item, table, &sink,
          "\(formatNumber(n)) contributor\(n == 1 ? "" : "s"): each knows the others' share exactly")
        continue
      }
      guard item.missing.isEmpty, let total = item.total else {
        report(.review, item, table, &sink, "missing evidence for the p% rule: \(item.missing.joined(separator: ", "))")
        continue
      }
      let needed = 1...(coalition + 1)
      let missing = needed.filter { evidence.top($0) == nil }
      guard missing.isEmpty else {
        report(
          .review, item, table, &sink,
          "missing evidence for the p% rule: \(missing.map { "top\($0)" }.joined(separator: ", "))")
        continue
      }
      let tops = needed.map { abs(evidence.top($0)!) }
      guard tops[0] > 0 else { continue }
      let remainder = total - tops.reduce(0, +)
      if remainder < p / 100 * tops[0] {
        report(
          .fail, item, table, &sink,
          "the contributions other than the largest \(coalition + 1) are \(String(format: "%.1f", max(0, remainder) / tops[0] * 100))% of the largest, under p = \(formatNumber(p))%"
        )
      }
    }
  }
}
