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
  /// Cells absent from the file (a category row left out beside a published margin), numbered
  /// from the table's cell count up: their labels in every dimension.
  var absent: [Int: [UInt32]] = [:]

  /// A system of `equations` over `unknownCount` unknowns of at least 0 (linked tables).
  init(unknownCount: Int, equations: [LinearProgram.Equation]) {
    unknowns = Array(0..<unknownCount)
    self.equations = equations
    lower = Array(repeating: 0, count: unknownCount)
    upper = Array(repeating: LinearProgram.infinity, count: unknownCount)
  }

  /// Builds the equations of `measure` of `table`. `tolerance` is the slack per term for rounded
  /// tables. With `absentAreUnknowns`, a category absent from a sum is an unknown count (at least
  /// 0: a sparse export leaves out its zero rows) rather than a reason to drop the equation.
  init(
    table: Table, measure: Int, markerRanges: [Int: ClosedRange<Int>], tolerancePerTerm: Double,
    absentAreUnknowns: Bool = false
  ) {
    let values = table.values[measure]
    var variableOf: [Int: Int] = [:]
    func key(_ cell: Int) -> [UInt32] { table.dimensions.indices.map { table.keys[$0][cell] } }
    var cellAt: [[UInt32]: Int] = [:]
    for cell in 0..<table.cellCount where cellAt[key(cell)] == nil { cellAt[key(cell)] = cell }
    // Repeated cells keep their first row: the table-structure rule (C010) asks about the rest.

    let sums = table.dimensions.indices.flatMap { d in
      Self.groups(of: table, dimension: d).map { (d, $0.parent, $0.children) }
    }
    for (d, parent, children) in sums {
      for cell in 0..<table.cellCount where table.keys[d][cell] == parent {
        var parts: [Int] = []
        var complete = true
        var partKey = key(cell)
        for category in children {
          partKey[d] = category
          if let part = cellAt[partKey] {
            parts.append(part)
          } else if absentAreUnknowns {
            let part = table.cellCount + absent.count
            absent[part] = partKey
            cellAt[partKey] = part
            parts.append(part)
          } else {
            complete = false
            break
          }
        }
        // A missing category row means the table does not show the whole sum: no equation.
        guard complete else { continue }
        var terms: [(Int, Double)] = []
        var rhs = 0.0
        for (cell, coefficient) in [(cell, 1.0)] + parts.map({ ($0, -1.0) }) {
          if cell < table.cellCount, case .number(let value) = values[cell] {
            rhs -= coefficient * value
          } else {
            let variable =
              variableOf[cell]
              ?? {
                let next = unknowns.count
                variableOf[cell] = next
                unknowns.append(cell)
                var range: ClosedRange<Int>? = nil
                if cell < table.cellCount, case .withheld(let marker) = values[cell] { range = markerRanges[marker] }
                lower.append(Double(range?.lowerBound ?? 0))
                upper.append(range.map { Double($0.upperBound) } ?? LinearProgram.infinity)
                return next
              }()
            terms.append((variable, coefficient))
          }
        }
        let tolerance = tolerancePerTerm * Double(parts.count + 1)
        if terms.isEmpty {
          let sum = parts.compactMap { $0 < table.cellCount ? values[$0].number : nil }.reduce(0, +)
          // Sums of decimals (magnitudes) are compared to a few parts in a billion.
          if abs(rhs) > tolerance + 1e-9 * max(1, abs(sum)), let total = values[cell].number {
            inconsistencies.append((cell, total, sum))
          }
          continue
        }
        equations.append(LinearProgram.Equation(terms: terms, rhs: rhs, tolerance: tolerance))
        sources.append((cell, parts))
      }
    }
  }

  /// The sums dimension `d` of `table` defines, as label ids: each parent is the total of its
  /// children. Without a declared hierarchy, the one margin label (`Total`) totals every other
  /// label. With one (`hierarchy:` in the manifest), each declared parent totals its declared
  /// children, and the margin label totals the codes that have no parent. A dimension with several
  /// margin labels and no declaration defines no sums.
  static func groups(of table: Table, dimension d: Int) -> [(parent: UInt32, children: [UInt32])] {
    if let found = table.foundSums, d < found.count, let sums = found[d] { return sums }
    let dimension = table.dimensions[d]
    let margins = (0..<dimension.labels.count).filter { dimension.isMarginLabel[$0] }.map(UInt32.init)
    let categories = (0..<dimension.labels.count).filter { !dimension.isMarginLabel[$0] }.map(UInt32.init)
    guard let hierarchy = table.declaration?.hierarchies.first(where: { $0.dimension.label == dimension.name }) else {
      guard margins.count == 1, !categories.isEmpty else { return [] }
      return [(margins[0], categories)]
    }
    var result: [(parent: UInt32, children: [UInt32])] = []
    var hasParent = Set<UInt32>()
    for group in hierarchy.groups {
      // Codes are validated against the table when it is read; skip rather than trap.
      guard let parent = dimension.labels.id(of: group.parent.label) else { continue }
      let children = group.children.compactMap { dimension.labels.id(of: $0.label) }
      guard children.count == group.children.count else { continue }
      hasParent.formUnion(children)
      result.append((parent, children))
    }
    let roots = categories.filter { !hasParent.contains($0) }
    if margins.count == 1, !roots.isEmpty, !result.contains(where: { $0.parent == margins[0] }) {
      result.append((margins[0], roots))
    }
    return result
  }
}
