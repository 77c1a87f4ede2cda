/// Asks for review of any output airlock cannot classify: it must be declared, never passed.
struct UndeclaredOutputRule: OutputRule {
  static let description = RuleDescription(
    code: "C000", name: "undeclared-output",
    summary: "An output airlock cannot classify must be declared before it can pass.",
    rationale: """
      ## What it checks
      airlock infers each output's kind and column roles from the naming conventions of
      `docs/outputs.md`. When it cannot (numbers that are not counts under names it does not know,
      a column with two plausible readings, statistics written as `mean (sd)` cells, a crosstab
      whose layout it cannot confirm, a table of labels only, a file with no data rows), the output
      needs review naming what it could not tell. Every rule that can still run on the columns it
      did understand does: a column it cannot read never hides a failure in the others. A cell with
      no value (blank, `NA`, `NaN`) whose evidence says it has no contributors (n = 0) is a zero
      written as if withheld, and needs review too.

      ## Why it is a disclosure risk
      Rules applied to a misread table give false assurance. A tool that passes what it does not
      understand is worse than none.

      ## References
      `docs/outputs.md` (the naming conventions and the manifest).
      """,
    fix: "declare the output in NAME.airlock.yaml (kind, dimensions, counts, ...) — see docs/outputs.md",
    examples: [
      Example("conventional names are understood", "region,count\nNorth,12\nSouth,40"),
      Example(
        "unknown decimals need a declaration", "region,score\nNorth,0.42\nSouth,0.58", outcome: .review,
        outputFinding: true),
      Example("a header without rows has nothing to check", "region,count\n", outcome: .review, outputFinding: true),
      Example(
        "a declared output is understood", "region,score\nNorth,12\nSouth,40",
        manifest: "kind: frequency\ndimensions: [region]\ncounts: [score]\n"),
    ],
    required: true)

  init(parameters: RuleParameters, pack: RulePack) {}

  func check(_ schema: TableSchema, into sink: inout FindingSink) {
    for reason in schema.reviewReasons { sink.add(finding(.review, file: schema.file, reason: reason)) }
  }

  /// Cells with no value (blank, `NA`, `NaN`, ...) whose evidence says they have no contributors
  /// (n = 0): a zero written as if it were withheld. It gets none of a withheld cell's protection
  /// and none of a zero's policy, so a person must look (docs/outputs.md, "No value").
  func checkEmptyCells(_ table: Table, markers: [String], into sink: inout FindingSink) {
    let empty = Set(markers.indices.filter { ValueParser.noValueSpellings.contains(markers[$0].lowercased()) })
    // Only a table that uses such a marker and has evidence of contributors is read again.
    guard table.markerUse.keys.contains(where: empty.contains),
      table.sidecarEvidence != nil
        || ["n", "n_units", "n_holdings"].contains(where: { table.measure(named: $0) != nil })
    else { return }
    for measure in table.measures.indices where table.measures[measure].role != .evidence {
      for cell in 0..<table.values[measure].count {
        guard case .withheld(let marker) = table.values[measure][cell], empty.contains(marker),
          CellEvidence.of(cell: cell, in: table).contributors == 0
        else { continue }
        report(
          .review, table: table, cell: cell, measure: measure, into: &sink,
          reason:
            "the cell has no value but its evidence says it has no contributors (n = 0): it is a zero, not a withheld cell; publish 0 (the zero policy then applies) or withhold it with the pack's marker"
        )
      }
    }
  }
}
