/// Flags a cell that holds the whole of its row's or column's total: everyone in the group is in one category.
struct CellEqualsTotalRule: TableRule {
  static let description = RuleDescription(
    code: "C003", name: "cell-equals-total",
    summary: "A cell equal to its row or column total discloses the category of everyone in the group.",
    rationale: """
      ## What it checks
      For every dimension, cells that share all other labels form a group (a row or a column of a
      crosstab). The group's total is its published margin (`Total`, `All`, ...) or, without one, the
      sum of its cells when none is withheld. A non-zero cell equal to that total, in a group of two
      or more categories, fails: the other categories are all zero. Declared structural zeros are
      not categories anyone could be in, so they do not count. A one-dimensional table is one
      group, whose total is the grand total.

      ## Why it is a disclosure risk
      Class (group) attribute disclosure: knowing someone is in the group tells you their category,
      without identifying anyone. A 100% cell is the mirror image of a sampling zero.

      ## References
      Hundepool et al. (2024) ch. 5 ("group disclosure, a much neglected threat"); ONS SRS ("full
      cells represent a class disclosure risk"); OpenSAFELY (0% and 100% may be disclosive).
      """,
    fix: "combine this category with another, or suppress the cell and its margin, so that the group is not all in one category",
    examples: [
      Example("mixed rows pass", "group,Yes,No,Total\nA,20,30,50\nB,15,40,55\nTotal,35,70,105"),
      Example("everyone in group B said yes", "group,Yes,No,Total\nA,20,30,50\nB,↓15,0,15\nC,5,10,15\nTotal,40,40,80"),
      Example("without margins the total is the sum", "ward,outcome,count\nW1,alive,40\nW1,dead,12\nW2,alive,↓25\nW2,dead,0\nW3,alive,30\nW3,dead,11"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  /// One row or column: its published margin (NaN when none), the sum of its published
  /// categories, how many categories it has (counting stops at 2) and whether one is withheld.
  private struct Group {
    var margin: Double = .nan
    var sum: Double = 0
    var categories: UInt8 = 0
    var withheld = false

    mutating func add(_ value: CellValue, isMargin: Bool) {
      switch (value, isMargin) {
      case (.number(let number), true): margin = number
      case (.number(let number), false):
        sum += number
        if categories < 2 { categories += 1 }
      case (_, true): break  // a withheld margin: the total is the sum, if every cell is published
      case (_, false):
        withheld = true
        if categories < 2 { categories += 1 }
      }
    }

    /// The group's total: its margin, or the sum when every category is published.
    var total: Double? { !margin.isNaN ? margin : (withheld ? nil : sum) }
  }

  static let kinds: Set<OutputKind> = [.frequency]

  /// For every cell, the index of its group along dimension `d` (the cells sharing all its other
  /// labels), and the number of groups. Dense tables number groups by their labels directly (no
  /// hashing); sparse ones through a dictionary.
  private static func groups(_ table: Table, along d: Int) -> (count: Int, index: (Int) -> Int) {
    var strides = Array(repeating: 0, count: table.dimensions.count)
    var count = 1
    for other in table.dimensions.indices where other != d {
      strides[other] = count
      let (product, overflow) = count.multipliedReportingOverflow(by: max(1, table.dimensions[other].labels.count))
      count = overflow ? Int.max : product
    }
    if count <= max(1 << 16, 2 * table.cellCount) {
      let others = table.dimensions.indices.filter { $0 != d }
      return (count, { cell in others.reduce(0) { $0 + Int(table.keys[$1][cell]) * strides[$1] } })
    }
    var numbers: [GroupKey: Int32] = [:]
    var indices = [Int32](repeating: 0, count: table.cellCount)
    for cell in 0..<table.cellCount {
      var key = GroupKey()
      for other in table.dimensions.indices where other != d { key.append(table.keys[other][cell]) }
      indices[cell] = numbers[key, default: Int32(numbers.count)]
      if Int(indices[cell]) == numbers.count { numbers[key] = indices[cell] }
    }
    return (numbers.count, { Int(indices[$0]) })
  }

  func check(_ table: Table, into sink: inout FindingSink) {
    let cellCount = table.cellCount
    guard !table.dimensions.isEmpty else { return }
    let structuralZeros = table.structuralZeroCells
    for (measureIndex, measure) in table.measures.enumerated() where measure.role == .count {
      let values = table.values[measureIndex]
      for d in table.dimensions.indices {
        let dimension = table.dimensions[d]
        let categories = (0..<dimension.labels.count).filter { !dimension.isMarginLabel[$0] }.count
        guard categories >= 2 else { continue }
        let (groupCount, groupOf) = Self.groups(table, along: d)
        var groups = [Group](repeating: Group(), count: groupCount)
        let keys = table.keys[d]
        for cell in 0..<cellCount {
          // A structural zero is not a category anyone could be in.
          if !structuralZeros.isEmpty && structuralZeros.contains(cell) { continue }
          groups[groupOf(cell)].add(values[cell], isMargin: dimension.isMarginLabel[Int(keys[cell])])
        }
        for cell in 0..<cellCount where !dimension.isMarginLabel[Int(keys[cell])] {
          guard case .number(let value) = values[cell], value > 0 else { continue }
          let group = groups[groupOf(cell)]
          guard group.categories >= 2, let total = group.total, value == total else { continue }
          guard sink.wants(Self.description.code) else {
            sink.count(Self.description.code, .fail)
            continue
          }
          let scope = !group.margin.isNaN ? "its published total" : "the sum of its group"
          let inMargin = table.isMargin(cell) ? " (a margin)" : ""
          sink.add(
            finding(
              .fail, table: table, cell: cell, measure: measureIndex,
              reason: "cell\(inMargin) equals \(scope) across '\(dimension.name)' (\(formatNumber(value))): everyone in the group is in this category"
            ))
        }
      }
    }
  }
}

/// The labels of a cell in every dimension but one, as a hashable key.
struct GroupKey: Hashable {
  private var packed: UInt64 = 0
  private var shift: UInt64 = 0
  private var overflow: [UInt32] = []

  init() {}

  mutating func append(_ id: UInt32) {
    if shift <= 32 && overflow.isEmpty {
      packed |= UInt64(id) << shift
      shift += 32
    } else {
      overflow.append(id)
    }
  }
}
