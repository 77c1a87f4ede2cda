import Foundation

/// A simple secondary-suppression heuristic, to compare `airlock protect` with: hypercube-style
/// suppression (after τ-ARGUS's GHMITER, much simplified).
///
/// Primary suppression is the same as `protect`'s: every published count a rule of the pack flags.
/// Then, for each withheld cell, among the hypercubes through it (in a table of two dimensions, the
/// rectangles whose other three corners are cells of other rows and columns; of three dimensions,
/// the 2×2×2 cubes) the one whose newly withheld corners add up to the least is withheld, provided
/// it leaves the cell a feasibility interval at least `min_width` of `recoverable-suppression`
/// wide. Values can slide along a hypercube (+t on one diagonal, −t on the other) without changing
/// any margin, so its corners can only be bounded by the smallest corner of each sign; more
/// suppression elsewhere only widens that. The table is then audited with the pack, and cells the
/// audit still flags get another hypercube, until the audit passes or nothing more can be done.
///
/// Unlike ``Protector`` this does not throw when the result still fails: the report's `check` says
/// whether the heuristic produced a safe table.
public struct HypercubeSuppression {
  public let pack: RulePack
  /// The narrowest feasibility interval a withheld count may have (`recoverable-suppression`'s `min_width`).
  public let minWidth: Double

  /// A heuristic that protects with `pack`'s rules.
  public init(pack: RulePack) {
    self.pack = pack
    minWidth = pack.parameters(of: RecoverableSuppressionRule.self)[RecoverableSuppressionRule.minWidth]
  }

  /// Tables with more cells (counting every combination of labels) than this are refused.
  public static let cellLimit = 5_000_000

  /// Protects the table at `input` with hypercubes, writing the result to `output`.
  /// - Returns: the changes, the information loss and the audit of the result (`check.outcome`).
  /// - Throws: when `input` cannot be read or is not a frequency table.
  public func protect(input: String, output: String) throws(AirlockError) -> Protector.Report {
    var table: Table?
    let checker = OutputChecker(pack: pack, rules: pack.enabledRules(), limits: ReadLimits(), findingLimit: 100_000)
    let first = checker.check(path: input, keeping: true, table: &table)
    if let error = first.error { throw error }
    guard let table, table.kind == .frequency, table.measures.contains(where: { $0.role == .count }) else {
      throw AirlockError(
        .usage, file: input,
        "the hypercube heuristic handles frequency tables (counts); this output is a \(first.kind?.rawValue ?? "table")"
      )
    }
    let raw = try RawTable(path: input)
    let marker = Protector.marker(pack)
    let counts = table.measures.indices.filter { table.measures[$0].role == .count }
    let slots = Protector.slots(of: table, counts: counts)
    var values = slots.values
    let grid = try Grid(table: table, file: input)
    var changes: [Protector.Change] = []
    func change(_ kind: Protector.Change.Kind, _ slot: Protector.Slot, _ why: String) {
      changes.append(
        Protector.Change(
          kind: kind, line: table.line(ofCell: slot.cell),
          column: table.field(ofCell: slot.cell, measure: slot.measure),
          cell: table.coordinates(ofCell: slot.cell), why: why))
    }
    // The true counts (the heuristic knows them; the attacker does not).
    let truth = values
    var used: [Protector.Slot: Set<[Int]>] = [:]

    var report = Protector.Report(check: first)
    let (scratch, candidate) = try Protector.candidatePath(for: input)
    defer { try? FileManager.default.removeItem(at: scratch) }
    var result = first
    for round in 1...50 {
      report.rounds = round
      var needs: [Protector.Slot] = []
      for finding in result.findings where finding.outcome != .pass {
        guard let line = finding.line, let column = finding.column, let slot = slots.slotAt["\(line):\(column)"] else {
          continue
        }
        if let value = values[slot], value != nil {
          values[slot] = .some(nil)
          change(.primary, slot, "\(finding.code) \(finding.rule)")
        }
        needs.append(slot)
      }
      var progress = false
      var seen = Set<Protector.Slot>()
      for slot in needs where seen.insert(slot).inserted {
        guard
          let cube = grid.cheapestCube(
            through: slot, values: values, truth: truth, excluding: used[slot] ?? [], minWidth: minWidth)
        else { continue }
        used[slot, default: []].insert(cube.partners)
        progress = true
        let name = table.dimensions.indices.map { table.label(ofCell: slot.cell, dimension: $0) }.joined(separator: "/")
        for corner in cube.corners where values[corner] != .some(nil) {
          values[corner] = .some(nil)
          change(.secondary, corner, "completes the hypercube of \(name)")
        }
      }
      try raw.write(to: candidate, values: values, slotAt: slots.slotAt, marker: marker)
      result = checker.check(path: candidate)
      if let error = result.error { throw error }
      report.check = result
      if result.outcome == .pass || !progress { break }
    }
    try raw.write(to: output, values: values, slotAt: slots.slotAt, marker: marker)
    report.changes = changes
    Protector.account(&report, table: table, counts: counts, values: values)
    return report
  }

  /// The table's cells laid out densely by label indices, for enumerating hypercubes.
  struct Grid {
    let sizes: [Int]
    let strides: [Int]
    /// The cell at each position (-1: the table has no such cell).
    let cellAt: [Int32]
    let keys: [[Int]]
    /// Per dimension: its category labels (margins excluded), or `nil` when the dimension has no
    /// single margin, so that no equation runs along it and a hypercube need not extend along it.
    let categories: [[Int]?]
    let isMargin: [[Bool]]

    init(table: Table, file: String) throws(AirlockError) {
      sizes = table.dimensions.map { $0.isMarginLabel.count }
      var strides: [Int] = []
      var total = 1
      for size in sizes {
        strides.append(total)
        total *= max(size, 1)
        guard total <= HypercubeSuppression.cellLimit else {
          throw AirlockError(.usage, file: file, "the table is too large for the hypercube heuristic")
        }
      }
      self.strides = strides
      var cellAt = [Int32](repeating: -1, count: total)
      var keys: [[Int]] = []
      for cell in 0..<table.cellCount {
        let key = table.dimensions.indices.map { Int(table.keys[$0][cell]) }
        keys.append(key)
        cellAt[zip(key, strides).reduce(0) { $0 + $1.0 * $1.1 }] = Int32(cell)
      }
      self.cellAt = cellAt
      self.keys = keys
      isMargin = table.dimensions.map { $0.isMarginLabel }
      categories = table.dimensions.map { dimension in
        let margins = dimension.isMarginLabel.filter { $0 }.count
        let categories = dimension.isMarginLabel.indices.filter { !dimension.isMarginLabel[$0] }
        return margins == 1 && !categories.isEmpty ? categories : nil
      }
    }

    struct Cube {
      /// The other label in each dimension (the cell's own where the cube does not extend).
      var partners: [Int]
      var corners: [Protector.Slot]
    }

    /// The hypercube through `slot` whose published corners add up to the least, among those that
    /// leave an interval at least `minWidth` wide and are not in `excluding`.
    func cheapestCube(
      through slot: Protector.Slot, values: [Protector.Slot: Double?], truth: [Protector.Slot: Double?],
      excluding: Set<[Int]>,
      minWidth: Double
    ) -> Cube? {
      let key = keys[slot.cell]
      let extending = key.indices.filter { categories[$0] != nil }
      // Partners: other categories; a margin's partner is a category (and shares its sign).
      let choices: [[Int]] = extending.map { d in categories[d]!.filter { $0 != key[d] } }
      guard !extending.isEmpty, choices.allSatisfy({ !$0.isEmpty }) else { return nil }
      let cornerCount = 1 << extending.count
      var best: (cost: Double, partners: [Int])?
      var pick = Array(repeating: 0, count: extending.count)
      var partners = key
      outer: while true {
        for (i, d) in extending.enumerated() { partners[d] = choices[i][pick[i]] }
        if !excluding.contains(partners) {
          var cost = 0.0
          var minPositive = Double.infinity
          var minNegative = Double.infinity
          var valid = true
          for corner in 0..<cornerCount {
            var position = 0
            var sign = 1.0
            for d in key.indices { position += key[d] * strides[d] }
            for (i, d) in extending.enumerated() where corner & (1 << i) != 0 {
              position += (partners[d] - key[d]) * strides[d]
              if !isMargin[d][key[d]] { sign = -sign }
            }
            let cell = Int(cellAt[position])
            guard cell >= 0 else {
              valid = false
              break
            }
            let cornerSlot = Protector.Slot(cell: cell, measure: slot.measure)
            let value = (truth[cornerSlot] ?? nil) ?? 0
            if let published = values[cornerSlot] ?? nil { cost += published }
            if sign > 0 { minPositive = min(minPositive, value) } else { minNegative = min(minNegative, value) }
            if let best, cost >= best.cost {
              valid = false
              break
            }
          }
          if valid && minPositive + minNegative >= minWidth { best = (cost, partners) }
        }
        // Next combination.
        var i = 0
        while i < pick.count {
          pick[i] += 1
          if pick[i] < choices[i].count { continue outer }
          pick[i] = 0
          i += 1
        }
        break
      }
      guard let best else { return nil }
      var corners: [Protector.Slot] = []
      for corner in 0..<cornerCount {
        var position = 0
        for d in key.indices {
          let i = extending.firstIndex(of: d)
          position += (i.map { corner & (1 << $0) != 0 } ?? false ? best.partners[d] : key[d]) * strides[d]
        }
        corners.append(Protector.Slot(cell: Int(cellAt[position]), measure: slot.measure))
      }
      return Cube(partners: best.partners, corners: corners)
    }
  }
}
