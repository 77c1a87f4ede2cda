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
      group, whose total is the grand total. Subtotals count too, found or declared (`North` =
      `Leeds` + `York`, areas indented under their region): a child equal to its published parent
      is everyone in the parent.

      ## Why it is a disclosure risk
      Class (group) attribute disclosure: knowing someone is in the group tells you their category,
      without identifying anyone. A 100% cell is the mirror image of a sampling zero.

      ## References
      Hundepool et al. (2024) ch. 5 ("group disclosure, a much neglected threat"); ONS SRS ("full
      cells represent a class disclosure risk"); OpenSAFELY (0% and 100% may be disclosive).
      """,
    fix:
      "combine this category with another, or suppress the cell and its margin, so that the group is not all in one category",
    examples: [
      Example("mixed rows pass", "group,Yes,No,Total\nA,20,30,50\nB,15,40,55\nTotal,35,70,105"),
      Example("everyone in group B said yes", "group,Yes,No,Total\nA,20,30,50\nB,↓15,0,15\nC,5,10,15\nTotal,40,40,80"),
      Example(
        "everyone in the North lives in Leeds (areas indented under their region)",
        "region,count\nNorth,30\n  Leeds,↓30\n  York,0\nSouth,42\n  Bristol,20\n  Exeter,22"),
      Example(
        "without margins the total is the sum",
        "ward,outcome,count\nW1,alive,40\nW1,dead,12\nW2,alive,↓25\nW2,dead,0\nW3,alive,30\nW3,dead,11"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  /// One row or column: the cell of its published margin (-1 when none), the sum of its published
  /// categories, how many categories it has (counting stops at 2) and whether one is withheld.
  /// 16 bytes, since a large table has millions of groups.
  private struct Group {
    var sum: Double = 0
    var marginCell: Int32 = -1
    var categories: UInt8 = 0
    var withheld = false

    mutating func add(_ value: CellValue, cell: Int, isMargin: Bool) {
      switch (value, isMargin) {
      case (.number, true): marginCell = Int32(truncatingIfNeeded: cell)
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
    func total(_ values: PackedValues) -> Double? {
      marginCell >= 0 ? values[Int(marginCell)].number : (withheld ? nil : sum)
    }
  }

  static let kinds: Set<OutputKind> = [.frequency]

  func check(_ table: Table, into sink: inout FindingSink) {
    // Count columns that total one another (`Males, Females, Persons`) are one more dimension.
    let table = table.countView?.table ?? table
    let cellCount = table.cellCount
    guard !table.dimensions.isEmpty else { return }
    guard cellCount < Int(Int32.max) else {
      // Never reached in practice (the cell store would not fit in memory first); never a pass.
      return sink.add(finding(.review, file: table.file, reason: "too many cells (over 2^31) to check groups"))
    }
    let structuralZeros = table.structuralZeroCells
    for measureIndex in table.measures.indices where table.isAdditiveCount(measureIndex) {
      let values = table.values[measureIndex]
      for d in table.dimensions.indices {
        let dimension = table.dimensions[d]
        let categories = (0..<dimension.labels.count).filter { !dimension.isMarginLabel[$0] }.count
        guard categories >= 2 else { continue }
        let grouping = TableGrouping(table, along: d)
        var groups = [Group](repeating: Group(), count: grouping.count)
        var labels = table.keys[d].sequentialReader()
        grouping.forEachCell(table) { cell, group in
          // A structural zero is not a category anyone could be in.
          if !structuralZeros.isEmpty && structuralZeros.contains(cell) { return }
          groups[group].add(values[cell], cell: cell, isMargin: dimension.isMarginLabel[Int(labels.id(of: cell))])
        }
        labels = table.keys[d].sequentialReader()
        grouping.forEachCell(table) { cell, group in
          guard !dimension.isMarginLabel[Int(labels.id(of: cell))], case .number(let value) = values[cell], value > 0
          else { return }
          let group = groups[group]
          // A group with a published margin has every category of the dimension, shown or not (a
          // sparse export leaves its zero rows out).
          guard group.categories >= 2 || (group.marginCell >= 0 && categories >= 2), let total = group.total(values),
            value == total
          else { return }
          record(.fail, into: &sink) {
            let scope = group.marginCell >= 0 ? "its published total" : "the sum of its group"
            let inMargin = table.isMargin(cell) ? " (a margin)" : ""
            return finding(
              .fail, table: table, cell: cell, measure: measureIndex,
              reason:
                "cell\(inMargin) equals \(scope) across '\(dimension.name)' (\(formatNumber(value))): everyone in the group is in this category"
            )
          }
        }
        // Subtotals, found or declared (`North` = `Leeds` + `York`, areas indented under their
        // region): a child equal to its parent's published count is everyone in the parent.
        let sums = TableEquations.groups(of: table, dimension: d).filter {
          !dimension.isMarginLabel[Int($0.parent)] && $0.children.count >= 2
        }
        guard !sums.isEmpty else { continue }
        let wanted = Set(sums.flatMap { [$0.parent] + $0.children })
        var byGroup: [Int: [UInt32: Int]] = [:]
        labels = table.keys[d].sequentialReader()
        grouping.forEachCell(table) { cell, group in
          let id = labels.id(of: cell)
          if wanted.contains(id) { byGroup[group, default: [:]][id] = cell }
        }
        for (_, cells) in byGroup.sorted(by: { $0.key < $1.key }) {
          for sum in sums {
            guard let parentCell = cells[sum.parent], case .number(let total) = values[parentCell], total > 0 else {
              continue
            }
            // A structural zero is not a category anyone could be in; a child the file leaves
            // out is one all the same.
            let live = sum.children.filter { child in cells[child].map { !structuralZeros.contains($0) } ?? true }
            guard live.count >= 2 else { continue }
            for child in sum.children {
              guard let cell = cells[child], !structuralZeros.contains(cell), case .number(let value) = values[cell],
                value == total
              else { continue }
              record(.fail, into: &sink) {
                let parent = dimension.labels.labels[Int(sum.parent)].trimmingWhitespace()
                return finding(
                  .fail, table: table, cell: cell, measure: measureIndex,
                  reason:
                    "cell equals its subtotal '\(parent)' across '\(dimension.name)' (\(formatNumber(value))): everyone in '\(parent)' is in this category"
                )
              }
            }
          }
        }
      }
    }
  }
}
