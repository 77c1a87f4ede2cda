/// Flags magnitude cells with too few contributing units, or whose every contribution is zero.
struct MagnitudeContributorsRule: MagnitudeTableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let threshold = RuleParameter<Int>(
    "threshold", default: 10, "the fewest contributing units a magnitude cell may have", range: 1...1_000_000)
  static let zeroCells = RuleParameter<Bool>(
    "zero_cells", default: true, "fail cells whose contributions are all zero")
  static let missingValues = RuleParameter<Bool>(
    "missing_values", default: false,
    "review sums and means whose contributions include missing values (evidence n_missing; ACRO's check_missing_values)"
  )

  static let description = RuleDescription(
    code: "M003", name: "magnitude-contributors",
    summary: "A sum or mean needs enough contributing units, and is disclosive when every contribution is zero.",
    rationale: """
      ## What it checks
      Every published sum or total needs its number of contributors: evidence `n_units` or
      `n_holdings` (distinct units, preferred: a panel of 48 records may be 8 charities) or `n`.
      Without it the cell needs review. With it, a cell of fewer than `threshold` units fails, and
      so does a cell whose contributions are all zero (X = 0 with n > 0 and no negative
      contributions), whether the cell is a sum or a mean: everyone's value is then known. With `missing_values` (ACRO's
      `check_missing_values`), a sum or mean whose evidence `n_missing` is above 0 needs review, as
      in ACRO, and so does one without `n_missing` (airlock cannot tell).

      ## Why it is a disclosure risk
      ACRO counts records, not units, so panel data pass its threshold; and it passes all-zero cells
      through its dominance rule (0/0). Counting distinct units is the fix. (Means are judged by
      `statistic-threshold`, S001, with the same count.)

      ## References
      Hundepool et al. (2024) ch. 4 (holdings, zero-unsafe cells); τ-ARGUS `ZERO`; ACRO 1.0.2.
      """,
    fix: "combine categories so every cell has enough contributing units, or suppress the cell",
    parameters: [
      MagnitudeContributorsRule.threshold.spec,
      MagnitudeContributorsRule.zeroCells.spec,
      MagnitudeContributorsRule.missingValues.spec,
    ],
    examples: [
      Example("enough units", "sector,sum,n_units\nRetail,1000,40\nFarming,800,25"),
      Example("48 records but 8 charities", "grant_type,sum,n,n_units\nR/G,↓46544000,48,8\nG,900000,120,60"),
      Example("every contribution is zero", "grant_type,sum,n\nN,↓0,59\nG,900000,120"),
      Example(
        "a mean of contributions that are all zero", "grant_type,mean,n,top1,top2\nN,↓0,59,0,0\nG,7500,120,900,800"),
      Example("no count of contributors", "sector,sum\nRetail,↓1000\nFarming,↓800", outcome: .review),
      Example(
        "missing values, when the pack checks them", "sector,mean,n,n_missing\nRetail,↓1000,40,3\nFarming,800,25,0",
        parameters: ["missing_values": .boolean(true)], outcome: .review),
    ])

  let threshold: Int
  let zeroCells: Bool
  let missingValues: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = parameters[Self.threshold]
    zeroCells = parameters[Self.zeroCells]
    missingValues = parameters[Self.missingValues]
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool { schema.roles[column] == .magnitude }

  static let kinds: Set<OutputKind> = [.magnitude, .summary]

  func check(_ table: Table, into sink: inout FindingSink) {
    for item in MagnitudeCell.all(in: table) {
      let evidence = item.evidence
      if missingValues {
        // ACRO's MissingCheck: the statistic silently ignored some records' values.
        if let missing = evidence.missing, missing > 0 {
          report(
            .review, item, table, &sink, "some contributions are missing values, which the statistic ignored", fix: nil)
        } else if evidence.missing == nil {
          report(
            .review, item, table, &sink, "missing evidence: n_missing (the pack checks for missing values)",
            fix: "add an n_missing column to the output or to NAME.evidence.csv (see docs/outputs.md)")
        }
      }
      // Means are left to statistic-threshold (S001), which counts the same people; but a mean of
      // contributions that are all zero discloses every one of them, as a sum does.
      let isSum = table.measures[item.measure].role == .magnitude
      let outcome: Outcome
      let reason: String
      guard let n = evidence.contributors else {
        guard isSum else { continue }
        report(
          .review, item, table, &sink, "missing evidence: n (or n_units), the number of contributors",
          fix: "add an n (or n_units) column to the output or to NAME.evidence.csv (see docs/outputs.md)")
        continue
      }
      if isSum && n < Double(threshold) {
        outcome = .fail
        reason =
          "\(formatNumber(n)) contributing \(evidence.distinctUnits ? "distinct units" : "records"), below the threshold of \(threshold)"
      } else if zeroCells, n > 0, (evidence.total ?? item.total) == 0, (evidence.top(1) ?? 0) == 0,
        (evidence.negatives ?? 0) == 0,
        (evidence.absoluteTotal ?? 0) == 0
      {
        outcome = .fail
        reason = "every one of the \(formatNumber(n)) contributions is zero, so each is known (whatever the statistic)"
      } else {
        continue
      }
      report(outcome, item, table, &sink, reason, fix: nil)
    }
  }

  private func report(
    _ outcome: Outcome, _ item: MagnitudeCell, _ table: Table, _ sink: inout FindingSink, _ reason: String, fix: String?
  ) {
    record(outcome, into: &sink) {
      finding(outcome, table: table, cell: item.cell, measure: item.measure, reason: reason, fix: fix)
    }
  }
}
