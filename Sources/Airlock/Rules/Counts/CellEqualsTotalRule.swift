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

  private struct Group {
    var margin: Double?
    var sum: Double = 0
    var categories = 0
    var withheld = false

    mutating func add(_ value: CellValue, isMargin: Bool) {
      switch (value, isMargin) {
      case (.number(let number), true): margin = number
      case (.number(let number), false):
        sum += number
        categories += 1
      case (_, true): break  // a withheld margin: the total is the sum, if every cell is published
      case (_, false):
        withheld = true
        categories += 1
      }
    }
  }

  static let kinds: Set<OutputKind> = [.frequency]

  func check(_ table: Table, into sink: inout FindingSink) {
    let cellCount = table.cellCount
    guard !table.dimensions.isEmpty else { return }
    let marginCell = (0..<cellCount).map { table.isMargin($0) }
    for (measureIndex, measure) in table.measures.enumerated() where measure.role == .count {
      let values = table.values[measureIndex]
      for d in table.dimensions.indices {
        let dimension = table.dimensions[d]
        let categories = (0..<dimension.labels.count).filter { !dimension.isMarginLabel[$0] }.count
        guard categories >= 2 else { continue }
        // Group cells by their labels in every other dimension.
        var groups: [GroupKey: Group] = [:]
        func key(of cell: Int) -> GroupKey {
          var key = GroupKey()
          for other in table.dimensions.indices where other != d { key.append(table.keys[other][cell]) }
          return key
        }
        for cell in 0..<cellCount where !table.structuralZeroCells.contains(cell) {
          // A structural zero is not a category anyone could be in.
          let isMarginLabel = dimension.isMarginLabel[Int(table.keys[d][cell])]
          groups[key(of: cell), default: Group()].add(values[cell], isMargin: isMarginLabel)
        }
        for cell in 0..<cellCount where !dimension.isMarginLabel[Int(table.keys[d][cell])] {
          guard case .number(let value) = values[cell], value > 0, let group = groups[key(of: cell)],
            group.categories >= 2
          else { continue }
          let total: Double? = group.margin ?? (group.withheld ? nil : group.sum)
          guard let total, value == total else { continue }
          guard sink.wants(Self.description.code) else {
            sink.count(Self.description.code, .fail)
            continue
          }
          let scope = group.margin != nil ? "its published total" : "the sum of its group"
          let inMargin = marginCell[cell] ? " (a margin)" : ""
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
