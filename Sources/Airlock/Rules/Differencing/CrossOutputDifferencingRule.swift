import Foundation

/// Flags cells that two outputs give away together: nested populations and overlapping bands,
/// within one run and against earlier releases (`--history`).
struct CrossOutputDifferencingRule: Rule {
  static let description = RuleDescription(
    code: "X002", name: "cross-output-differencing",
    summary: "Two outputs over nested populations or overlapping bands give away what neither publishes.",
    rationale: """
      ## What it checks
      Frequency tables with the same dimensions, in the same run or in the release history
      (`airlock check --history PATH`):

      - **Nested populations**: when one table's population contains the other's (declared with the
        manifest's `subset_of: all.csv`, or inferred when every cell of one is at most the matching
        cell of the other), their difference is a table of the complement population. Each derived
        cell of 0 < d below the threshold is flagged, with its derivation: `all.csv 20-29 (150) −
        male.csv 20-29 (149) = 1`. Declared nesting fails; inferred nesting needs review.
      - **Overlapping bands**: banded labels (`<20`, `20-39`, `70+`, `<25`) are parsed into intervals;
        counting up from the lowest band (or down from the highest) in both tables gives the count in
        each sliver between their cut points (`<25` − `<20` = the people aged 20–24). A sliver below
        the threshold fails.

      The threshold and its `<`/`≤` are those of `small-cell-count`.

      ## Why it is a disclosure risk
      No TRE output checker detects this today; checkers are told to "look out for differencing".
      OpenSAFELY's documentation shows a total and a male table leaving "1 female aged 21–30".

      ## References
      Hundepool et al. (2024) §5.2 (differencing of nested tables and recodings);
      GaussSuppression k-disclosure; `sdc-rules.md` §2.1, §2.3.
      """,
    fix: "round both outputs, suppress the cells whose difference is small in one of them, or use the same bands in every output",
    examples: [
      Example(
        "a declared subset one short of the whole", "age_band,count\n20-29,↓149\n30-39,120",
        fileName: "male.csv", manifest: "subset_of: all.csv\n",
        companions: ["all.csv": "age_band,count\n20-29,150\n30-39,200"]),
      Example(
        "a subset far from the whole", "age_band,count\n20-29,60\n30-39,120",
        fileName: "male.csv", manifest: "subset_of: all.csv\n",
        companions: ["all.csv": "age_band,count\n20-29,150\n30-39,200"]),
      Example(
        "bands that leave a sliver of 3", "age_band,count\n<25,43\n25+,200", fileName: "b.csv", outputFinding: true,
        companions: ["a.csv": "age_band,count\n<20,40\n20+,203"]),
    ])

  let threshold: Int
  let inclusive: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    let counts = pack.parameters(of: SmallCellCountRule.self)
    threshold = counts.integer("threshold")
    inclusive = counts.boolean("inclusive")
  }

  /// Findings on `table` from comparing it with every table in `others`.
  func findings(for table: ComparableTable, against others: [ComparableTable]) -> [Finding] {
    let audit = CrossOutputAudit(threshold: threshold, inclusive: inclusive)
    var result: [Finding] = []
    for other in others {
      for derivation in audit.derive(newer: table, older: other) {
        let position = derivation.key.flatMap { table.positions?[$0] }
        result.append(
          finding(
            derivation.outcome, file: table.source, line: position?.line, column: position?.column,
            columnName: position?.columnName,
            cell: derivation.key.map { key in
              zip(table.dimensions, key.split(separator: "\u{1F}", omittingEmptySubsequences: false)).map {
                Finding.Coordinate(dimension: $0.0, label: $0.1 == "\u{2211}" ? "Total" : String($0.1))
              }
            },
            reason: "differencing with \((other.source as NSString).lastPathComponent): \(derivation.explanation)"))
      }
    }
    return result
  }
}
