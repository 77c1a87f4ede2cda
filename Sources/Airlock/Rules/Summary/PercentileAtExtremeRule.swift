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

      A percentile at an extreme also says how many units hold that extreme: a median equal to
      the minimum means at least half the group hold the minimum, a 95th percentile equal to the
      maximum at least 5%. When the group's count (`n`, or evidence `n`) shows that at least the
      pack's threshold (`small-cell-count`) of units hold it, the extreme is a value many units
      share, not one unit's: a median of 0 admissions or £0 of grant in a group of 400 passes. A
      percentile at an extreme without a count still fails.

      ## Why it is a disclosure risk
      If the 95th percentile equals the maximum, at least 5% of the group share the extreme value;
      with a withheld maximum, the percentile publishes it anyway. In a small group that is one or
      two people's value.

      ## References
      ACRO statbarn "Position" (review if a percentile equals a published min/max).
      """,
    fix: "publish a less extreme percentile, or coarsen the values so the percentile is not the extreme",
    examples: [
      Example(
        "percentiles inside the range", "group,n,p5,median,p95,min,max\nA,40,2,5,9,1,10",
        manifest:
          "dimensions: [group]\ncounts: [n]\nstatistics: [p5, median, p95, min, max]\ndesign_limits: true\ndesign_limits_reason: set by the study design\n"
      ),
      Example(
        "a median of 0 that at least 200 of 400 share", "group,n,median,p75,min\nA,400,0,3,0",
        manifest:
          "dimensions: [group]\ncounts: [n]\nstatistics: [median, p75, min]\ndesign_limits: true\ndesign_limits_reason: set by the study design\n"
      ),
      Example(
        "a median of 0 that 7 of 14 may share", "group,n,median,p75,min\nA,14,↓0,3,0",
        manifest:
          "dimensions: [group]\ncounts: [n]\nstatistics: [median, p75, min]\ndesign_limits: true\ndesign_limits_reason: set by the study design\n"
      ),
      Example(
        "the 95th percentile is the maximum", "group,n,p5,median,p95,min,max\nA,40,2,5,↓10,1,10",
        manifest:
          "dimensions: [group]\ncounts: [n]\nstatistics: [p5, median, p95, min, max]\ndesign_limits: true\ndesign_limits_reason: set by the study design\n"
      ),
    ])

  let counts: CountThreshold

  init(parameters: RuleParameters, pack: RulePack) { counts = CountThreshold(pack: pack) }

  /// The percentage a position statistic's name gives (`median` 50, `q1` 25, `p95` 95), if any.
  static func percent(of name: String) -> Double? {
    let name = NamingConventions.normalized(name)
    for part in [name] + name.split(separator: "_").map(String.init) {
      switch part {
      case "median", "p50": return 50
      case "q1", "lower_quartile", "lq": return 25
      case "q3", "upper_quartile", "uq": return 75
      default:
        for prefix in ["percentile", "pct", "p"] where part.hasPrefix(prefix) {
          if let value = Double(part.dropFirst(prefix.count)), value > 0, value < 100 { return value }
        }
      }
    }
    return nil
  }

  /// Whether at least the threshold of a group of `n` hold the extreme that percentile `percent`
  /// sits at (`atMinimum`: the lowest `percent`% of units; else the highest 100 − `percent`%).
  func sharedByEnough(percent: Double, atMinimum: Bool, n: Double?) -> Bool {
    guard let n, n > 0 else { return false }
    let share = atMinimum ? percent / 100 : (100 - percent) / 100
    return counts.allows((share * n).rounded(.up))
  }

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
      var minima: [Double] = []
      var maxima: [Double] = []
      if let minimum, case .number(let value) = table.values[minimum][cell] { minima.append(value) }
      if let maximum, case .number(let value) = table.values[maximum][cell] { maxima.append(value) }
      let sidecar = table.sidecarEvidence?.values(forCell: cell, in: table)
      minima += [sidecar?["min"]].compactMap { $0 }
      maxima += [sidecar?["max"]].compactMap { $0 }
      guard !minima.isEmpty || !maxima.isEmpty else { continue }
      let n = SummaryStatistic.count(of: cell, in: table)
      for measure in positions {
        guard case .number(let value) = table.values[measure][cell], minima.contains(value) || maxima.contains(value)
        else { continue }
        // An extreme that enough units share is a statistic, not one unit's value.
        if let percent = Self.percent(of: table.measures[measure].name),
          !minima.contains(value) || sharedByEnough(percent: percent, atMinimum: true, n: n),
          !maxima.contains(value) || sharedByEnough(percent: percent, atMinimum: false, n: n)
        {
          continue
        }
        report(
          .fail, table: table, cell: cell, measure: measure, into: &sink,
          reason: "'\(table.measures[measure].name)' equals the group's minimum or maximum")
      }
    }
  }
}
