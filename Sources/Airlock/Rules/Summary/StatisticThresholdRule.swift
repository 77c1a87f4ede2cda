/// Flags summary statistics of groups with too few people behind them.
struct StatisticThresholdRule: TableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let threshold = RuleParameter<Int>(
    "threshold", default: 10, "the fewest people a statistic may rest on", range: 1...1_000_000)
  static let spreadThreshold = RuleParameter<Int>(
    "spread_threshold", default: 0,
    "the fewest degrees of freedom (n − 1) a spread may have; 0: the same as threshold (ACRO's safe_dof_threshold)",
    range: 0...1_000_000)

  static let description = RuleDescription(
    code: "S001", name: "statistic-threshold",
    summary: "A summary statistic needs enough people behind it; a spread needs n − 1 of them.",
    rationale: """
      ## What it checks
      Every mean, median, percentile, mode, minimum or maximum needs its group's count (`n`, or
      evidence `n_units`) to be at least `threshold`; a standard deviation, variance or standard
      error needs n − 1 ≥ `threshold` (its degrees of freedom). A statistic without a count needs
      review. ACRO skips the threshold for modes and computes a meaningless per-cell grid for
      standard deviations; airlock judges each cell.

      ## Why it is a disclosure risk
      The mean of two people and one person's own value give the other's; a standard deviation of
      two values gives both from the mean.

      ## References
      ACRO statbarns (Position, Shape, Mode); OpenSAFELY (means not shown for n of 1–7).
      """,
    fix: "combine groups so every statistic rests on enough people, or withhold the statistic",
    parameters: [
      StatisticThresholdRule.threshold.spec,
      StatisticThresholdRule.spreadThreshold.spec,
    ],
    examples: [
      Example("enough people", "group,n,mean,sd,median\nA,40,3.2,1.1,3\nB,25,4.1,0.9,4"),
      Example("a mean of four", "group,n,mean,sd,median\nA,40,3.2,1.1,3\nB,4,↓4.1,↓0.9,↓4"),
      Example("sd needs n − 1", "group,n,mean,sd\nA,10,3.2,↓1.1\nB,25,4.1,0.9"),
      Example("a mode needs a count too", "group,mode\nA,↓3\nB,↓4", outcome: .review),
      Example(
        "ACRO's dof threshold of 20 for a spread", "group,n,mean,sd\nA,15,3.2,↓1.1\nB,25,4.1,0.9",
        parameters: ["spread_threshold": .integer(20)]),
    ])

  let threshold: Int
  let spreadThreshold: Int

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = parameters[Self.threshold]
    let spread = parameters[Self.spreadThreshold]
    spreadThreshold = spread == 0 ? threshold : spread
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.roles[column] == .statistic && SummaryStatistic(header: schema.header[column]) != nil
  }

  static let kinds: Set<OutputKind> = [.summary]

  func check(_ table: Table, into sink: inout FindingSink) {
    let statistics = table.measures.indices.compactMap { index in
      SummaryStatistic(header: table.measures[index].name).map { (index, $0) }
    }.filter { table.measures[$0.0].role == .statistic }
    guard !statistics.isEmpty else { return }
    for cell in 0..<table.cellCount {
      let n = SummaryStatistic.count(of: cell, in: table)
      for (measure, family) in statistics {
        guard case .number = table.values[measure][cell] else { continue }
        let outcome: Outcome
        let reason: String
        if let n {
          let people = family == .spread ? n - 1 : n
          guard people < Double(family == .spread ? spreadThreshold : threshold) else { continue }
          outcome = .fail
          reason =
            family == .spread
            ? "a spread of n = \(formatNumber(n)) has \(formatNumber(people)) degrees of freedom, below the threshold of \(spreadThreshold)"
            : "statistic of \(formatNumber(n)) people, below the threshold of \(threshold)"
        } else {
          outcome = .review
          reason = "no count (n) says how many people this statistic rests on"
        }
        record(outcome, into: &sink) {
          finding(
            outcome, table: table, cell: cell, measure: measure, reason: reason,
            fix: outcome == .review ? "add the group's count as an n column" : nil)
        }
      }
    }
  }
}
