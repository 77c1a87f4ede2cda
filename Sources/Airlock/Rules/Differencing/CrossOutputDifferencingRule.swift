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
      (`airlock check --history PATH`); tables whose dimensions are the same under other names
      (`age_group` and `age_band`, matched by four in five labels shared, three at least) or whose
      labels are written another way (`0 to 15` and `0-15`) are aligned first, and the finding
      names the match:

      - **Nested populations**: when one table's population contains the other's (declared with the
        manifest's `subset_of: all.csv`, or inferred when every cell of one is at most the matching
        cell of the other), their difference is a table of the complement population. Each derived
        cell of 0 < d below the threshold is flagged, with its derivation: `all.csv 20-29 (150) −
        male.csv 20-29 (149) = 1`. Declared nesting fails; inferred nesting needs review, except
        for the same output (the same file name) released again with more data, a count to date
        that grows: what it added since the earlier release is the count of that period, and a
        rise below the threshold fails. A declared
        subset that is larger than its superset somewhere contradicts its declaration: review,
        naming the cells.
      - **Overlapping bands**: banded labels (`<20`, `20-39`, `70+`, `<25`) are parsed into intervals;
        counting up from the lowest band (or down from the highest) in both tables gives the count in
        each sliver between their cut points (`<25` − `<20` = the people aged 20–24). A sliver below
        the threshold fails.

      - **Linked tables**: a table and another over some of its dimensions (a two-way table of
        age by sex, and the one-way table of its age margins published as a second file) are one
        system of equations: each cell of the smaller table is the sum of the larger one's cells
        with its labels. Both tables' own margins and these links are audited together as
        `recoverable-suppression` (X001) audits one table (exact recovery, then LP intervals
        against its `min_width`), and a withheld cell that the two give away together, but neither
        alone, fails with the derivation across files: `by_sex.csv 0-15/Male = ages.csv 0-15 (125) −
        by_sex.csv 0-15/Female (120) = 5`. Dimensions are matched by name, or by their labels when
        the names differ (`age_band` and `age_group`; four in five labels shared, with `Unknown`,
        `Missing`, `Not stated` set aside; the finding names each such match); labels are compared in a canonical form
        (`0-15`, `0 to 15`, `0–15`, `[0,16)` are one band; `M`, `Male` and `Men` one category).
        A manifest may declare a mapping (`same_dimension_as: {age_group: "ages.csv:age_band"}`),
        which wins, and is review when the labels contradict it; or forbid one
        (`different_dimension_from`, `not_linked: [other.csv]`), taken on trust and shown to checkers.
        The release history takes part: a released table and a new one of another shape are
        audited together in both directions (the most recent 2,000 released tables of other
        shapes). Tables are linked only when some published cells show it (a cell of the smaller table equal
        to the sum of the larger one's) and none contradict it: a one-way table of another
        population is not linked.

      The threshold and its `<`/`≤` are those of `small-cell-count`.

      ## Why it is a disclosure risk
      No TRE output checker detects this today; checkers are told to "look out for differencing".
      OpenSAFELY's documentation shows a total and a male table leaving "1 female aged 21–30".

      ## References
      Hundepool et al. (2024) §5.2 (differencing of nested tables and recodings);
      GaussSuppression k-disclosure.
      """,
    fix:
      "round both outputs, suppress the cells whose difference is small in one of them, or use the same bands in every output",
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
        "the age margins of a two-way table, published as a second file",
        "age_band,sex,count\n0-15,Male,↓*\n0-15,Female,120\n16-64,Male,300\n16-64,Female,310",
        fileName: "by_sex.csv", companions: ["ages.csv": "age_group,count\n0 to 15,125\n16 to 64,610"]),
      Example(
        "three of five bands under another name, declared the same dimension",
        "age_band,sex,count\n0-15,Male,↓*\n0-15,Female,120\n16-64,Male,300\n16-64,Female,310\n65-74,Male,80\n65-74,Female,90\n75-84,Male,40\n75-84,Female,50\n85+,Male,20\n85+,Female,30",
        fileName: "by_sex.csv", manifest: "same_dimension_as:\n  age_band: \"ages.csv:age_group\"\n",
        companions: ["ages.csv": "age_group,count\n0 to 15,125\n16 to 64,610\n65 to 74,170"]),
      Example(
        "a one-way table of another population is not linked",
        "age_band,sex,count\n0-15,Male,*\n0-15,Female,120\n16-64,Male,300\n16-64,Female,310",
        fileName: "by_sex.csv", companions: ["ages.csv": "age_band,count\n0-15,140\n16-64,700"]),
      Example(
        "bands that leave a sliver of 3", "age_band,count\n<25,43\n25+,200", fileName: "b.csv", outputFinding: true,
        companions: ["a.csv": "age_band,count\n<20,40\n20+,203"]),
    ])

  let counts: CountThreshold

  init(parameters: RuleParameters, pack: RulePack) { counts = CountThreshold(pack: pack) }

  /// The finding for a withheld cell of `table` that linked tables give away.
  func finding(linked derivation: LinkedTablesAudit.Derivation, in table: ComparableTable) -> Finding {
    let position = table.positions?[derivation.key]
    return finding(
      derivation.outcome, file: table.source, line: position?.line, column: position?.column,
      columnName: position?.columnName,
      cell: derivation.key.isEmpty
        ? nil
        : zip(table.dimensions, derivation.key.split(separator: "\u{1F}", omittingEmptySubsequences: false)).map {
          Finding.Coordinate(dimension: $0.0, label: $0.1 == "\u{2211}" ? "Total" : String($0.1))
        },
      reason: "linked tables: \(derivation.reason)")
  }

  /// The review of an output whose declared mapping (`same_dimension_as`) its labels contradict.
  func finding(declaredMapping reason: String, in file: String) -> Finding {
    finding(.review, file: file, reason: "linked tables: \(reason)")
  }

  /// Findings on `table` from comparing it with every table in `others`.
  func findings(for table: ComparableTable, against others: [ComparableTable]) -> [Finding] {
    let audit = CrossOutputAudit(threshold: counts.threshold, inclusive: counts.inclusive)
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
