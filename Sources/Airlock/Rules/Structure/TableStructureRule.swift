/// Asks for review where airlock could not settle a table's structure: the same cell twice, a
/// label that reads as a margin but does not add up, a total it could not confirm.
struct TableStructureRule: TableRule {
  static let description = RuleDescription(
    code: "C010", name: "table-structure",
    summary: "A table whose structure airlock cannot settle (repeated cells, margins that do not add up) needs review.",
    rationale: """
      ## What it checks
      Class disclosure (C003) and the differencing audit (X001) rest on the table's additive
      structure, which airlock finds from the numbers as well as the labels (`docs/outputs.md`,
      "Margins found from the numbers"): within a dimension, a category whose cells equal the sum
      of the others, in every row where all are published, is a margin whatever it is called
      (`Total`, `Persons`, `All ages`, a blank label, none at all). This rule reports what could
      not be settled:

      - the **same cell twice** (two rows with the same labels in every dimension): which one is
        meant cannot be told, and neither may be overwritten silently;
      - a label that reads as a margin (`Total`, `All`, the pack's margin labels) whose cells are
        **not the sum** of the other categories: it is read as a category, and a checker should
        confirm that (declare `categories: [Total]` in the manifest when it really is one);
      - a label that may be a total (`Persons`, `All ages`, a blank label) which **no row can
        confirm**, because every row has a withheld cell: the audit reads it as a margin (that can
        only add equations), and a checker should confirm it;
      - a hierarchy the labels state (areas **indented** under their region, as ONS and Excel
        exports write them) whose numbers say otherwise: the parent is not the sum of the rows
        indented under it. The indentation is not used; a checker should look;
      - a declared `hierarchy:` whose numbers say otherwise: the declaration is still used (it
        wins over what is found), and a checker should look;
      - a dimension too large to search for subtotals where the labels suggest some.

      ## Why it is a disclosure risk
      A tool that does not recognise a table's totals finds nothing to check and passes it: a
      withheld cell beside a total called `Persons` is recovered by subtraction all the same.
      Understood or review: a pass needs airlock to know the table's structure.

      ## References
      Hundepool et al. (2024) ch. 4 (linked and hierarchical tables).
      """,
    fix:
      "remove the repeated rows, publish totals that are the sums of their cells, or declare the output's margins and categories in its manifest (docs/outputs.md)",
    examples: [
      Example(
        "a total called Persons, found from the numbers",
        "age_band,Males,Females,Persons\n0-15,20,22,42\n16-64,30,31,61\nPersons,50,53,103"),
      Example("the same cell twice", "region,count\nNorth,12\nSouth,40\nNorth,↓15", outcome: .review),
      Example(
        "a Total that is not the sum of the others", "sex,count\nMale,20\nFemale,22\nTotal,50",
        outcome: .review, outputFinding: true),
      Example(
        "areas indented under a region they do not add up to",
        "region,count\nNorth,50\n  Leeds,12\n  York,18\nSouth,42",
        outcome: .review, outputFinding: true),
      Example(
        "areas indented under the region they add up to", "region,count\nNorth,30\n  Leeds,12\n  York,18\nSouth,42"),
      Example(
        "a real category called Total, declared", "answer,count\nPartial,20\nNone,22\nTotal,50",
        manifest: "categories: [Total]\n"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  /// Survival, histogram, model and summary rows are not keyed by their labels alone, and have no
  /// margins to find.
  static let kinds: Set<OutputKind> = [.frequency, .magnitude]

  /// A label as a reason quotes it: a blank one named as such.
  static func quoted(_ label: String) -> String {
    label.trimmingWhitespace().isEmpty ? "the blank label" : "'\(label)'"
  }

  func check(_ table: Table, into sink: inout FindingSink) {
    guard let structure = table.structure else { return }
    for repeated in structure.repeatedCells {
      let measure = 0
      guard table.measures.indices.contains(measure) else { break }
      report(
        .review, table: table, cell: repeated.cell, measure: measure, into: &sink,
        reason:
          "this row repeats the cell of line \(repeated.firstLine) (the same labels in every dimension): which value is meant cannot be told"
      )
    }
    if structure.repeatedCellCount > structure.repeatedCells.count {
      sink.count(Self.description.code, .review, times: structure.repeatedCellCount - structure.repeatedCells.count)
    }
    for disagreement in structure.disagreements where !disagreement.declaredCategory {
      sink.add(
        finding(
          .review, file: table.file,
          reason:
            "\(Self.quoted(disagreement.label)) in '\(disagreement.dimension)' reads as a margin, but its cells are not the sum of the other categories: it was read as a category",
          fix:
            "publish the total as the sum of its cells, or declare `categories: [\(disagreement.label)]` in the output's manifest if it is a category"
        ))
    }
    for margin in structure.margins where margin.source == .suspected {
      let strong =
        StructureDetector.strongMarginWords.contains(StructureDetector.folded(margin.label))
        || table.declaration?.margins.contains(margin.label) == true
      if strong { continue }
      sink.add(
        finding(
          .review, file: table.file,
          reason:
            "\(Self.quoted(margin.label)) in '\(margin.dimension)' may be a total, but no row can confirm it (each has a withheld cell): the differencing audit reads it as one",
          fix:
            "declare it in the output's manifest: `margins: [\"\(margin.label)\"]` if it is a total, `categories: [\"\(margin.label)\"]` if not"
        ))
    }
    for contradiction in structure.contradictions ?? [] {
      let children = contradiction.children.map { "'\($0.trimmingWhitespace())'" }.joined(separator: ", ")
      let parent = "'\(contradiction.parent.trimmingWhitespace())'"
      if contradiction.basis == .declared {
        sink.add(
          finding(
            .review, file: table.file,
            reason:
              "the manifest declares \(parent) in '\(contradiction.dimension)' the total of \(children), but its cells are not their sum: the declaration is used, and the numbers say otherwise",
            fix:
              "correct the declared `hierarchy:` in the output's manifest, or publish the parent as the sum of its children"
          ))
      } else {
        sink.add(
          finding(
            .review, file: table.file,
            reason:
              "\(children) in '\(contradiction.dimension)' are indented under \(parent), but its cells are not their sum: the indentation was not read as a hierarchy",
            fix:
              "publish the parent as the sum of the rows indented under it, or declare the dimension's `hierarchy:` (or `categories:`) in the output's manifest"
          ))
      }
    }
    for dimension in structure.unsearched {
      sink.add(
        finding(
          .review, file: table.file,
          reason: "the dimension '\(dimension)' has too many labels to search for its totals and subtotals",
          fix: "declare its margins and hierarchy in the output's manifest (docs/outputs.md)"))
    }
  }
}
