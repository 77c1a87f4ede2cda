/// Asks for review of value columns that no enabled rule judges, so nothing passes unexamined.
struct UncheckedColumnRule: OutputRule {
  static let description = RuleDescription(
    code: "C009", name: "unchecked-column",
    summary: "A value column that no rule checks needs a person to look at it.",
    rationale: """
      ## What it checks
      Every value column must be judged by some enabled rule: counts by `small-cell-count`,
      percentages by `percentage-without-count`, and each other kind of column (sums, means,
      medians, model coefficients, survival and histogram columns) by the rules for its kind. A
      column that no enabled rule covers (a kind without rules yet, or a rule the pack disabled)
      needs review naming the column.

      ## Why it is a disclosure risk
      Fail closed: a mean of two people or a maximum is one person's value, and must not pass because
      no rule looked at it.

      ## References
      Output-checking guidance gives rules for each kind of output (counts, magnitudes, summary
      statistics, models, survival tables); docs/outputs.md lists the kinds airlock checks.
      """,
    fix: "have an output checker review the column, or provide the evidence its rules need (docs/outputs.md)",
    examples: [
      Example("counts are checked", "region,count\nNorth,12\nSouth,40"),
      Example(
        "no rule judges a Gini coefficient", "region,n,gini\nNorth,12,0.45\nSouth,40,0.32",
        manifest: "dimensions: [region]\ncounts: [n]\nstatistics: [gini]\n", outcome: .review, outputFinding: true),
    ],
    required: true)

  /// Roles that hold no values to judge.
  static let valuelessRoles: Set<ColumnRole> = [.dimension, .evidence, .structuralZeroFlag]

  let enabled: [any Rule.Type]

  init(parameters: RuleParameters, pack: RulePack) {
    enabled = RuleRegistry.builtIn.filter { pack.parameters(of: $0).isEnabled }
  }

  func check(_ schema: TableSchema, into sink: inout FindingSink) {
    // Columns airlock could not classify are reported by `undeclared-output` (C000) instead.
    let unclassified = Set(schema.unclassifiedColumns)
    let unchecked = schema.roles.indices.filter { column in
      !Self.valuelessRoles.contains(schema.roles[column]) && !unclassified.contains(column)
        && !enabled.contains { $0.covers(schema, column: column) }
    }
    guard !unchecked.isEmpty else { return }
    let columns = unchecked.map { "'\(schema.header[$0])'" }.joined(separator: ", ")
    sink.add(
      finding(
        .review, file: schema.file,
        reason: "no enabled rule checks the \(schema.kind.rawValue) column\(unchecked.count == 1 ? "" : "s") \(columns)"
      ))
  }
}
