/// The additive structure of a table: every published margin equals the sum of the cells it
/// totals, written as equations over the withheld cells (the unknowns).
struct TableEquations {
  /// The cells (indices into the table) that are unknown, in variable order.
  var unknowns: [Int] = []
  /// Equations over the unknowns; published cells are folded into the right-hand side.
  var equations: [LinearProgram.Equation] = []
  /// For each equation, the margin cell and the cells it totals (for explaining a recovery).
  var sources: [(margin: Int, parts: [Int])] = []
  /// Equations whose published cells do not add up: (margin cell, published total, sum of parts).
  var inconsistencies: [(margin: Int, total: Double, sum: Double)] = []
  /// Bounds of each unknown, from its marker.
  var lower: [Double] = []
  var upper: [Double] = []

  /// Builds the equations of `measure` of `table`. `tolerance` is the slack per term for rounded tables.
  init(table: Table, measure: Int, markerRanges: [Int: ClosedRange<Int>], tolerancePerTerm: Double) {
    let values = table.values[measure]
    var variableOf: [Int: Int] = [:]
    func key(_ cell: Int) -> [UInt32] { table.dimensions.indices.map { table.keys[$0][cell] } }
    var cellAt: [[UInt32]: Int] = [:]
    for cell in 0..<table.cellCount { cellAt[key(cell)] = cell }

    for (d, dimension) in table.dimensions.enumerated() {
      let margins = (0..<dimension.labels.count).filter { dimension.isMarginLabel[$0] }
      let categories = (0..<dimension.labels.count).filter { !dimension.isMarginLabel[$0] }
      guard margins.count == 1, categories.count >= 1 else { continue }
      let marginLabel = UInt32(margins[0])
      for cell in 0..<table.cellCount where table.keys[d][cell] == marginLabel {
        var parts: [Int] = []
        var complete = true
        var partKey = key(cell)
        for category in categories {
          partKey[d] = UInt32(category)
          guard let part = cellAt[partKey] else {
            complete = false
            break
          }
          parts.append(part)
        }
        // A missing category row means the table does not show the whole sum: no equation.
        guard complete else { continue }
        var terms: [(Int, Double)] = []
        var rhs = 0.0
        for (cell, coefficient) in [(cell, 1.0)] + parts.map({ ($0, -1.0) }) {
          if case .number(let value) = values[cell] {
            rhs -= coefficient * value
          } else {
            let variable =
              variableOf[cell]
              ?? {
                let next = unknowns.count
                variableOf[cell] = next
                unknowns.append(cell)
                var range: ClosedRange<Int>? = nil
                if case .withheld(let marker) = values[cell] { range = markerRanges[marker] }
                lower.append(Double(range?.lowerBound ?? 0))
                upper.append(range.map { Double($0.upperBound) } ?? LinearProgram.infinity)
                return next
              }()
            terms.append((variable, coefficient))
          }
        }
        let tolerance = tolerancePerTerm * Double(parts.count + 1)
        if terms.isEmpty {
          let sum = parts.compactMap { values[$0].number }.reduce(0, +)
          if abs(rhs) > tolerance + 1e-9, let total = values[cell].number {
            inconsistencies.append((cell, total, sum))
          }
          continue
        }
        equations.append(LinearProgram.Equation(terms: terms, rhs: rhs, tolerance: tolerance))
        sources.append((cell, parts))
      }
    }
  }
}
