import Foundation

/// Flags bands of one dimension that nest (`0-15` beside `0-17`): their difference is the count
/// of a band no row publishes.
struct OverlappingBandsRule: TableRule {
  static let description = RuleDescription(
    code: "X003", name: "overlapping-bands",
    summary: "Two bands of one table that nest give away the count of their difference.",
    rationale: """
      ## What it checks
      Banded labels of one dimension (`0-15`, `0 to 19`, `Under 16`, `65+`, `85 and over`,
      `[0,16)`, `(15,20]`) are read as intervals. When one band lies inside another in the same
      table (`0-15` beside `0-17`, `65+` beside `85+`), the difference of their cells, in each
      combination of the other dimensions, is the count of the people in the larger band but not
      the smaller (`0-17` − `0-15` = ages 16–17). A difference below the threshold fails, with its
      derivation: `0-17 (44) − 0-15 (40) = 4`. Bands that do not nest, and a dimension's margin,
      are left to the other rules.

      ## Why it is a disclosure risk
      Differencing needs no second file: a table that publishes two cut points of one variable
      publishes the sliver between them. The same check across outputs is X002's.

      ## References
      Hundepool et al. (2024) ch. 4 (differencing).
      """,
    fix: "publish one set of bands that do not overlap, or suppress the bands whose difference is small",
    examples: [
      Example("bands that do not overlap pass", "age_band,count\n0-15,40\n16-17,12\n18-64,300"),
      Example("0-17 beside 0-15 publishes 16-17", "age_band,count\n0-15,40\n0-17,↓44\n18-64,300"),
      Example(
        "65+ beside 85 and over", "age_band,sex,count\n65+,F,↓120\n85 and over,F,115\n65+,M,90\n85 and over,M,60"),
    ])

  let threshold: CountThreshold

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = CountThreshold(pack: pack)
  }

  static let kinds: Set<OutputKind> = [.frequency]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.layout == .long, table.cellCount > 0 else { return }
    let counts = table.measures.indices.filter { table.isAdditiveCount($0) }
    guard !counts.isEmpty else { return }
    for d in table.dimensions.indices {
      let dimension = table.dimensions[d]
      var bands: [(label: UInt32, band: Band)] = []
      for label in 0..<dimension.labels.count where !dimension.isMarginLabel[label] {
        if let band = LinkedTablesAudit.band(dimension.labels.labels[label]) { bands.append((UInt32(label), band)) }
      }
      guard bands.count >= 2 else { continue }
      var nested: [(inner: UInt32, outer: UInt32)] = []
      for outer in bands {
        for inner in bands where outer.band.strictlyContains(inner.band) { nested.append((inner.label, outer.label)) }
      }
      guard !nested.isEmpty else { continue }
      // Each cell by its labels in the other dimensions and its label in this one.
      var cellAt: [[UInt32]: Int] = [:]
      for cell in 0..<table.cellCount {
        cellAt[table.dimensions.indices.map { table.keys[$0][cell] }] = cell
      }
      for cell in 0..<table.cellCount {
        let key = table.dimensions.indices.map { table.keys[$0][cell] }
        for pair in nested where key[d] == pair.outer {
          var innerKey = key
          innerKey[d] = pair.inner
          guard let innerCell = cellAt[innerKey] else { continue }
          for measure in counts {
            guard case .number(let outerValue) = table.values[measure][cell],
              case .number(let innerValue) = table.values[measure][innerCell]
            else { continue }
            let difference = outerValue - innerValue
            guard difference >= 1, !threshold.allows(difference) else { continue }
            let outerLabel = dimension.labels.labels[Int(pair.outer)]
            let innerLabel = dimension.labels.labels[Int(pair.inner)]
            report(
              .fail, table: table, cell: cell, measure: measure, into: &sink,
              reason:
                "\(outerLabel) (\(formatNumber(outerValue))) − \(innerLabel) (\(formatNumber(innerValue))) = \(formatNumber(difference)): the part of '\(outerLabel)' outside '\(innerLabel)' is a count of \(formatNumber(difference)), \(threshold.inclusive ? "at or below" : "below") the threshold of \(threshold.threshold)"
            )
          }
        }
      }
    }
  }
}
