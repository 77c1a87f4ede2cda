/// A table rule that reads the table's magnitude cells (``MagnitudeCell/all(in:)``), which the
/// checker then works out once for all such rules.
protocol MagnitudeTableRule: TableRule {}

/// The magnitude cells of a table: published sums or totals, and means (a mean is a sum divided by
/// its count), each with the cell's total X and its evidence.
struct MagnitudeCell {
  let cell: Int
  let measure: Int
  /// The total X the dominance rules compare contributions with (weighted or absolute where needed).
  let total: Double?
  let evidence: CellEvidence
  /// Evidence a rule needs that is missing, such as `sum_abs` for a cell with negative contributions.
  let missing: [String]

  /// Every published magnitude cell of `table` (worked out once per table when the checker has
  /// stored them in ``Table/magnitudeCells``, as it does for the rules that share them).
  static func all(in table: Table) -> [MagnitudeCell] {
    table.magnitudeCells ?? make(in: table)
  }

  /// Works out ``all(in:)``.
  static func make(in table: Table) -> [MagnitudeCell] {
    let measures = table.measures.indices.filter { isMagnitude(table.measures[$0]) }
    guard !measures.isEmpty else { return [] }
    var result: [MagnitudeCell] = []
    for cell in 0..<table.cellCount {
      let evidence = CellEvidence.of(cell: cell, in: table)
      for measure in measures {
        guard case .number(let published) = table.values[measure][cell] else { continue }
        var missing: [String] = []
        var total: Double?
        let isMean = table.measures[measure].role == .statistic
        if let weighted = evidence.weightedTotal {
          // The contributions are unweighted: a weighted total larger than their own total must not
          // dilute their dominance (a weighted_total 20 times the sum would hide a 95% share).
          let unweighted = evidence.total ?? (isMean ? evidence.contributors.map { published * $0 } : nil)
          total = unweighted.map { min(weighted, $0) }
          if total == nil { missing.append("sum (the unweighted total beside weighted_total)") }
        } else if let negatives = evidence.negatives, negatives > 0 {
          // Dominance on absolute values: one negative contribution must not switch the rules off.
          total = evidence.absoluteTotal
          if total == nil { missing.append("sum_abs (the cell has negative contributions)") }
        } else if let sum = evidence.total {
          total = sum
        } else if isMean {
          total = evidence.contributors.map { published * $0 }
          if total == nil { missing.append("n") }
        } else {
          total = published
        }
        result.append(MagnitudeCell(cell: cell, measure: measure, total: total, evidence: evidence, missing: missing))
      }
    }
    return result
  }

  /// Whether a measure is a linear aggregation the dominance rules apply to.
  static func isMagnitude(_ measure: Measure) -> Bool {
    if measure.role == .magnitude { return true }
    let name = measure.normalizedName
    return measure.role == .statistic
      && (["mean", "average", "avg"].contains(name) || name.hasPrefix("mean_") || name.hasSuffix("_mean"))
  }

  /// Whether the dominance rules judge column `column` of `schema`.
  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    isMagnitude(Measure(name: schema.header[column], role: schema.roles[column], field: column + 1))
  }
}

extension Rule {
  /// Adds this rule's finding on a magnitude cell; a review finding asks for the missing evidence.
  func report(_ outcome: Outcome, _ item: MagnitudeCell, _ table: Table, _ sink: inout FindingSink, _ reason: String) {
    record(outcome, into: &sink) {
      finding(
        outcome, table: table, cell: item.cell, measure: item.measure, reason: reason,
        fix: outcome == .review
          ? "add the missing evidence columns to the output or to NAME.evidence.csv (see docs/outputs.md)" : nil)
    }
  }
}
