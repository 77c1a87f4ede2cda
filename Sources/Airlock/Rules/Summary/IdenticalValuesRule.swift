/// Flags statistics of groups in which every value is the same (class disclosure).
struct IdenticalValuesRule: TableRule {
  static let description = RuleDescription(
    code: "S004", name: "identical-values",
    summary: "A mean, median or mode of a group whose values are all the same discloses everyone's value.",
    rationale: """
      ## What it checks
      A row's mean, median or mode fails when the evidence shows every value is the same: one
      distinct value (`n_distinct` = 1), a standard deviation of 0 with n ≥ 2, or a minimum equal to
      the maximum.

      ## Why it is a disclosure risk
      Class disclosure: everyone in the group is known to have the published value.

      ## References
      ACRO `agg_values_are_same` (present but not wired in ACRO 1.0.2 for modes).
      """,
    fix: "combine groups, or withhold the statistic for the group",
    examples: [
      Example("values differ", "group,n,mean,sd\nA,40,3.2,1.1\nB,25,4.1,0.9"),
      Example("a standard deviation of zero", "group,n,mean,sd\nA,40,3.2,1.1\nB,25,↓4,0"),
      Example("one distinct value", "group,n,mode,n_distinct\nA,40,↓2,1\nB,25,3,4"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  static let kinds: Set<OutputKind> = [.summary]

  func check(_ table: Table, into sink: inout FindingSink) {
    let centres = table.measures.indices.filter {
      guard table.measures[$0].role == .statistic, let family = SummaryStatistic(header: table.measures[$0].name) else {
        return false
      }
      return family == .mean || family == .mode
        || NamingConventions.normalized(table.measures[$0].name).contains("median")
    }
    guard !centres.isEmpty else { return }
    let spread = table.measures.indices.first {
      ["sd", "std", "stdev", "std_dev", "variance", "var"].contains(
        NamingConventions.normalized(table.measures[$0].name))
    }
    let minimum = ["min", "minimum"].lazy.compactMap { table.measure(named: $0) }.first
    let maximum = ["max", "maximum"].lazy.compactMap { table.measure(named: $0) }.first
    for cell in 0..<table.cellCount {
      let evidence = CellEvidence.of(cell: cell, in: table)
      let n = SummaryStatistic.count(of: cell, in: table) ?? 0
      var why: String?
      if evidence.distinctValues == 1 {
        why = "the group has one distinct value"
      } else if let spread, case .number(0) = table.values[spread][cell], n >= 2 {
        why = "the group's spread is 0, so every value is the same"
      } else if let minimum, let maximum, case .number(let low) = table.values[minimum][cell],
        case .number(let high) = table.values[maximum][cell], low == high
      {
        why = "the group's minimum equals its maximum"
      }
      guard let why else { continue }
      for measure in centres {
        guard case .number = table.values[measure][cell] else { continue }
        record(.fail, into: &sink) {
          finding(.fail, table: table, cell: cell, measure: measure, reason: "\(why): everyone's value is disclosed")
        }
      }
    }
  }
}
