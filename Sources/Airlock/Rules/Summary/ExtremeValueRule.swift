/// Flags published minima and maxima: each is one person's value.
struct ExtremeValueRule: TableRule {
  static let description = RuleDescription(
    code: "S002", name: "extreme-value",
    summary: "A minimum or maximum is one person's value, unless it is a design limit.",
    rationale: """
      ## What it checks
      Columns holding a minimum, maximum or range fail, unless the output's manifest declares them
      design limits (`design_limits: [min, max]`, or `true`): bounds set by the study's design, such
      as the ages 11–16 of a school cohort, rather than observed in the data. ACRO runs no dominance
      or other check on minima and maxima beyond a threshold.

      ## Why it is a disclosure risk
      The oldest patient's age or the largest payment identifies and discloses one person.

      ## References
      OpenSAFELY (redact min and max, except broad design limits); sdcLog `sdc_min_max`; DataSHIELD
      (quantiles only from 5% to 95%).
      """,
    fix:
      "publish a percentile (5th, 95th) instead, or declare the bounds design limits in the manifest if the study's design set them",
    examples: [
      Example("no extremes", "group,n,mean,median\nA,40,3.2,3\nB,25,4.1,4"),
      Example("a maximum is one person's value", "group,n,median,max\nA,40,3,↓97\nB,25,4,↓88"),
      Example(
        "declared design limits", "cohort,n,min,max\nSchool,400,11,16",
        manifest:
          "dimensions: [cohort]\ncounts: [n]\nstatistics: [min, max]\ndesign_limits: [min, max]\ndesign_limits_reason: set by the study design\n"
      ),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.roles[column] == .statistic && SummaryStatistic(header: schema.header[column]) == .extreme
  }

  static let kinds: Set<OutputKind> = [.summary]

  func check(_ table: Table, into sink: inout FindingSink) {
    let limits = table.declaration?.designLimits
    let extremes = table.measures.indices.filter {
      table.measures[$0].role == .statistic && SummaryStatistic(header: table.measures[$0].name) == .extreme
        && !(limits?.contains(table.measures[$0].name) ?? false)
    }
    for measure in extremes {
      for cell in 0..<table.cellCount {
        guard case .number = table.values[measure][cell] else { continue }
        report(
          .fail, table: table, cell: cell, measure: measure, into: &sink,
          reason:
            "'\(table.measures[measure].name)' is an extreme value, one person's, and is not declared a design limit")
      }
    }
  }
}
