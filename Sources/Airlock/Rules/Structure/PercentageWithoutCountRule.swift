/// Flags percentages published without their counts, or beside a withheld count.
struct PercentageWithoutCountRule: TableRule {
  static let description = RuleDescription(
    code: "C007", name: "percentage-without-count",
    summary: "Percentages need their underlying counts, and must not reveal a withheld one.",
    rationale: """
      ## What it checks
      A table with percentage, proportion or rate columns but no count column needs review: the
      threshold rules cannot be applied to counts that are not there. A percentage published on the
      same row as a withheld count fails: with the denominator, it gives the count back.

      ## Why it is a disclosure risk
      A percentage is a count divided by a denominator; either can be recovered from the other.
      OpenSAFELY rejects about 10% of requests for missing underlying counts.

      ## References
      OpenSAFELY output checking; ABS DataLab (threshold applies to numerator and denominator).
      """,
    fix:
      "publish the counts behind every percentage (checked by the threshold rules), and withhold the percentage wherever its count is withheld",
    examples: [
      Example("percentages with counts pass", "region,n,percent\nNorth,20,40\nSouth,30,60"),
      Example(
        "a percentage alone needs review", "region,percent\nNorth,40\nSouth,60", outcome: .review, outputFinding: true),
      Example("a percentage beside a withheld count fails", "region,n,percent\nNorth,*,↓4\nSouth,96,96"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.roles[column] == .percentage
  }

  func check(_ table: Table, into sink: inout FindingSink) {
    let percentages = table.measures.indices.filter { table.measures[$0].role == .percentage }
    guard !percentages.isEmpty else { return }
    let counts = table.measures.indices.filter { table.measures[$0].role == .count }
    guard !counts.isEmpty else {
      sink.add(
        finding(
          .review, file: table.file,
          reason:
            "percentages (\(percentages.map { "'\(table.measures[$0].name)'" }.joined(separator: ", "))) are published without the counts behind them"
        ))
      return
    }
    guard table.layout == .long else { return }
    for cell in 0..<table.cellCount {
      let countWithheld = counts.contains { if case .withheld = table.values[$0][cell] { true } else { false } }
      guard countWithheld else { continue }
      for measure in percentages {
        guard case .number = table.values[measure][cell] else { continue }
        report(
          .fail, table: table, cell: cell, measure: measure, into: &sink,
          reason: "percentage is published although the count on its row is withheld")
      }
    }
  }
}
