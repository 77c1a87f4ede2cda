/// Asks for review of value columns that no enabled rule judges, so nothing passes unexamined.
struct UncheckedColumnRule: OutputRule {
  static let description = RuleDescription(
    code: "C009", name: "unchecked-column",
    summary: "A value column that no rule checks needs a person to look at it.",
    rationale: """
      ## What it checks
      Every value column must be judged by some rule. Count and percentage columns of frequency
      tables are; columns of other kinds (sums, means, medians, model coefficients, survival and
      histogram columns) need the magnitude and statistical rules. Until a rule covers a column, the
      output needs review naming the column.

      ## Why it is a disclosure risk
      Fail closed: a mean of two people or a maximum is one person's value, and must not pass because
      no rule looked at it.

      ## References
      `sdc-rules.md` §3 (the rules for each kind of output).
      """,
    fix: "have an output checker review the column, or provide the evidence its rules need (docs/outputs.md)",
    examples: [
      Example("counts are checked", "region,count\nNorth,12\nSouth,40"),
      Example("a mean column is not", "region,n,mean\nNorth,12,4.5\nSouth,40,3.2", outcome: .review, outputFinding: true),
    ])

  /// The roles of a frequency table that the count rules judge.
  static let checkedRoles: Set<ColumnRole> = [.count, .percentage, .dimension, .evidence, .structuralZeroFlag]

  init(parameters: RuleParameters, pack: RulePack) {}

  func check(_ schema: TableSchema, into sink: inout FindingSink) {
    guard schema.unclassifiedReason == nil || schema.isDeclared else { return }
    let unchecked = schema.roles.indices.filter { !Self.checkedRoles.contains(schema.roles[$0]) }
    guard !unchecked.isEmpty || schema.kind != .frequency else { return }
    let columns = unchecked.map { "'\(schema.header[$0])'" }.joined(separator: ", ")
    let reason =
      schema.kind == .frequency || unchecked.isEmpty == false
      ? "no rule checks the \(schema.kind.rawValue) column\(unchecked.count == 1 ? "" : "s") \(columns) yet"
      : "no rule checks \(schema.kind.rawValue) outputs yet"
    sink.add(finding(.review, file: schema.file, reason: reason))
  }
}
