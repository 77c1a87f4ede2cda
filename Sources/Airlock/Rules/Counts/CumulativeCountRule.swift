import Foundation

/// Applies the count rules to the steps of cumulative counts and percentages.
struct CumulativeCountRule: TableRule {
  static let description = RuleDescription(
    code: "C012", name: "cumulative-count",
    summary: "Each rise of a cumulative count is a count: it must meet the count rules.",
    rationale: """
      ## What it checks
      A cumulative column (`cum_cases`, `cumulative_deaths`, SAS's `CumFrequency` and
      `CumPercent`, Stata's `Cum.`, or declared with `cumulative:` in the manifest) is a running
      total along the table's ordered dimension (a time dimension such as `week`, `month` or
      `date`, or the only dimension), in the order of the file, within each combination of the
      other dimensions. The difference between two published steps is the count of that step:

      - a rise below the threshold fails ("rises by 4 from week 3 to week 4");
      - beside the per-step counts, a cumulative column must be their running total: one
        computed from the counts before rounding (or before suppression) gives them back;
      - a cumulative percentage is read with the table's total count;
      - a column that falls is not cumulative along that dimension: review.

      A step with no rise is not flagged: no new events in a period discloses nothing about a
      person, as a flat stretch of a survival curve does not.

      ## Why it is a disclosure risk
      Publishing a running total publishes every step: the difference of two cumulative counts
      is the count of the period between them. OpenSAFELY asks for cumulative counts to be
      computed from the rounded counts for this reason.

      ## References
      OpenSAFELY output checking (cumulative counts from rounded counts); Hundepool et al.
      (2024) ch. 4 (differencing).
      """,
    fix:
      "compute the cumulative column from the protected (rounded or suppressed) per-step counts, withhold it from the first withheld step on, or combine periods so that every rise meets the threshold",
    examples: [
      Example("rises of 10 and more pass", "week,cum_cases\n1,12\n2,25\n3,25\n4,40"),
      Example("a rise of 4 is a count of 4", "week,cum_cases\n1,12\n2,25\n3,↓29\n4,40"),
      Example(
        "beside the weekly counts, the running total of them passes", "week,cases,cum_cases\n1,12,12\n2,13,25\n3,15,40"),
      Example(
        "a running total that gives back a withheld week fails", "week,cases,cum_cases\n1,12,12\n2,*,↓15\n3,15,30"),
      Example("a cumulative column that falls needs review", "week,cum_cases\n1,12\n2,25\n3,↓20", outcome: .review),
    ])

  let counts: CountRules
  var threshold: CountThreshold { counts.threshold }
  var thresholdApplies: Bool { counts.thresholdApplies }
  var countUncertainty: Double { counts.countUncertainty }

  init(parameters: RuleParameters, pack: RulePack) {
    counts = CountRules(pack: pack)
  }

  static let kinds: Set<OutputKind> = [.frequency, .magnitude]

  func check(_ table: Table, into sink: inout FindingSink) {
    let derived = DerivedColumns(table: table, countUncertainty: countUncertainty)
    for (measure, reason) in derived.unresolvedCumulatives {
      sink.add(finding(.review, file: table.file, columnName: table.measures[measure].name, reason: reason))
    }
    for cumulative in derived.cumulatives {
      check(cumulative, table: table, into: &sink)
    }
  }

  func check(_ cumulative: DerivedColumns.Cumulative, table: Table, into sink: inout FindingSink) {
    let measure = cumulative.measure
    let name = table.measures[measure].name
    let along = table.dimensions[cumulative.along].name
    let isPercentage = table.measures[measure].role == .percentage
    let h = DerivedColumns.halfWidth(cumulative.decimals)
    let u = isPercentage ? 0 : countUncertainty
    let tolerance = 2 * h + 2 * u + 1e-9
    // A cumulative percentage's steps are read as counts with the run's total count.
    let counts = table.measures.indices.filter {
      table.measures[$0].role == .count && NamingConventions.cumulativeBase(of: table.measures[$0].name) == nil
    }
    for run in DerivedColumns.runs(of: cumulative, in: table) {
      var previous: (value: Double, cell: Int?) = (0, nil)
      var total: Double?
      if isPercentage, let count = counts.first {
        let values = run.compactMap { table.values[count][$0].number }
        if values.count == run.count { total = values.reduce(0, +) }
      }
      for cell in run {
        guard case .number(let value) = table.values[measure][cell] else { continue }
        defer { previous = (value, cell) }
        let rise = value - previous.value
        let from =
          previous.cell.map {
            "from \(along) '\(table.label(ofCell: $0, dimension: cumulative.along))' (line \(table.line(ofCell: $0)))"
          } ?? "from the start"
        let to = "to '\(table.label(ofCell: cell, dimension: cumulative.along))'"
        if rise < -tolerance {
          report(
            .review, table: table, cell: cell, measure: measure, into: &sink,
            reason:
              "'\(name)' falls \(from) \(to) (\(formatNumber(previous.value)) to \(formatNumber(value))): it is not a running total along '\(along)' in the order of the file"
          )
          break
        }
        if let steps = cumulative.steps {
          // The steps between two published values: all published, or some withheld.
          let between = stepsBetween(previous.cell, cell, run: run)
          let stepValues = between.map { table.values[steps][$0] }
          let withheld = between.filter { table.values[steps][$0].number == nil }
          let stepName = table.measures[steps].name
          if !withheld.isEmpty {
            // The rise less the published steps is what the withheld steps add up to.
            let hidden = rise - stepValues.compactMap(\.number).reduce(0, +)
            if withheld.count == 1 || (thresholdApplies && hidden >= 1 && !threshold.allows(hidden)) {
              report(
                .fail, table: table, cell: cell, measure: measure, into: &sink,
                reason:
                  "'\(name)' rises by \(formatNumber(rise)) \(from) \(to): with the published '\(stepName)', it gives back the withheld \(withheld.count == 1 ? "count on line \(table.line(ofCell: withheld[0])) (\(formatNumber(hidden)))" : "counts, which add up to \(formatNumber(hidden))")"
              )
            }
            continue
          }
          let published = stepValues.compactMap(\.number).reduce(0, +)
          let stepTolerance =
            tolerance + Double(between.count)
            * (isPercentage ? DerivedColumns.halfWidth(DerivedColumns.decimals(of: steps, in: table)) : u)
          if abs(rise - published) > stepTolerance {
            let outcome: Outcome = countUncertainty > 0 ? .fail : .review
            report(
              outcome, table: table, cell: cell, measure: measure, into: &sink,
              reason:
                "'\(name)' rises by \(formatNumber(rise)) \(from) \(to) where '\(stepName)' adds \(formatNumber(published)): "
                + (countUncertainty > 0
                  ? "it was computed from the counts before rounding and gives them back"
                  : "it is not the running total of the published counts"))
          }
          continue
        }
        guard thresholdApplies else { continue }
        let comparison = "\(threshold.inclusive ? "at or below" : "below") the threshold of \(threshold.threshold)"
        guard isPercentage else {
          // A rise of rounded counts is judged as published: a count the pack would not publish.
          if previous.cell != nil, rise >= 1 - 1e-9, !threshold.allows(rise) {
            report(
              .fail, table: table, cell: cell, measure: measure, into: &sink,
              reason:
                "'\(name)' rises by \(formatNumber(rise)) \(from) \(to): a count of \(formatNumber(rise)), \(comparison)"
            )
          }
          continue
        }
        guard let total else { continue }
        var lowCount = max(0, ((rise - tolerance) * total / 100 - 1e-9).rounded(.up))
        var highCount = ((rise + tolerance) * total / 100 + 1e-9).rounded(.down)
        if lowCount > highCount {
          // No whole count prints as this rise: take the nearest.
          (lowCount, highCount) = (highCount, lowCount)
        }
        guard lowCount >= 1, !threshold.allows(highCount) else { continue }
        report(
          .fail, table: table, cell: cell, measure: measure, into: &sink,
          reason:
            "'\(name)' rises by \(formatNumber(rise)) points \(from) \(to), of \(formatNumber(total)): a count of \(DerivedCountRule.range(lowCount, highCount)), \(comparison)"
        )
      }
    }
  }

  /// The cells of `run` after `previous` (the run's start when `nil`) up to and including `cell`.
  func stepsBetween(_ previous: Int?, _ cell: Int, run: [Int]) -> [Int] {
    guard let end = run.firstIndex(of: cell) else { return [cell] }
    let start = previous.flatMap { run.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
    return Array(run[start...end])
  }
}
