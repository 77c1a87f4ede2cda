/// Flags a percentile equal to a published minimum or maximum of its group.
struct PercentileAtExtremeRule: TableRule {
  static let description = RuleDescription(
    code: "S003", name: "percentile-at-extreme",
    summary: "A percentile equal to the group's minimum or maximum publishes that extreme.",
    rationale: """
      ## What it checks
      In each row, a median, quartile or percentile equal to the row's published (or evidence)
      minimum or maximum fails, even when the extremes themselves are withheld or declared design
      limits.

      ## Why it is a disclosure risk
      If the 95th percentile equals the maximum, at least 5% of the group share the extreme value;
      with a withheld maximum, the percentile publishes it anyway.

      ## References
      ACRO statbarn "Position" (review if a percentile equals a published min/max); `sdc-rules.md` §3.
      """,
    fix: "publish a less extreme percentile, or coarsen the values so the percentile is not the extreme",
    examples: [
      Example(
        "percentiles inside the range", "group,n,p5,median,p95,min,max\nA,40,2,5,9,1,10",
        manifest: "dimensions: [group]\ncounts: [n]\nstatistics: [p5, median, p95, min, max]\ndesign_limits: true\n"),
      Example(
        "the 95th percentile is the maximum", "group,n,p5,median,p95,min,max\nA,40,2,5,↓10,1,10",
        manifest: "dimensions: [group]\ncounts: [n]\nstatistics: [p5, median, p95, min, max]\ndesign_limits: true\n"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  static let kinds: Set<OutputKind> = [.summary]

  func check(_ table: Table, into sink: inout FindingSink) {
    let positions = table.measures.indices.filter {
      table.measures[$0].role == .statistic && SummaryStatistic(header: table.measures[$0].name) == .position
        && NamingConventions.normalized(table.measures[$0].name) != "iqr"
    }
    guard !positions.isEmpty else { return }
    let minimum = ["min", "minimum"].lazy.compactMap { table.measure(named: $0) }.first
    let maximum = ["max", "maximum"].lazy.compactMap { table.measure(named: $0) }.first
    for cell in 0..<table.cellCount {
      var extremes: [Double] = []
      for measure in [minimum, maximum].compactMap({ $0 }) {
        if case .number(let value) = table.values[measure][cell] { extremes.append(value) }
      }
      let sidecar = table.sidecarEvidence?.values(forCell: cell, in: table)
      extremes += [sidecar?["min"], sidecar?["max"]].compactMap { $0 }
      guard !extremes.isEmpty else { continue }
      for measure in positions {
        guard case .number(let value) = table.values[measure][cell], extremes.contains(value) else { continue }
        report(.fail, table: table, cell: cell, measure: measure, into: &sink,
          reason: "'\(table.measures[measure].name)' equals the group's minimum or maximum")
      }
    }
  }
}
