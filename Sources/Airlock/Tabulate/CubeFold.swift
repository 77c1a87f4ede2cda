import Foundation

/// The cube's cells and what is folded into them (`airlock tabulate`).
///
/// Two kinds of evidence are folded differently. What comes from records (`n`, `n_missing`,
/// `sum`, the weighted total, `min`, `max`, `n_distinct`) is folded per full cell, and each margin
/// adds up the full cells below it. What comes from units (`n_units`, `sum_abs`, `n_negative`,
/// `top1…topK`) cannot be added up that way, since a unit may be in several full cells of one
/// margin: each unit's total in each full cell is folded once, and the unit's total in a margin
/// cell is the sum of its totals in the full cells below it, emitted once per grouping set
/// (``emit(unit:)``). Sums are exact (``ExactSum``) and top contributions break ties by decimals,
/// so the order in which units are emitted (input order, sorted input, spilled partitions) does
/// not change a byte of the result.
struct CubeFold {
  /// Per cell: what comes from records.
  struct RecordTotals {
    var n = 0
    var missing = 0
    var sum = ExactSum()
    var weighted = ExactSum()
    var smallest: TabulateNumber?
    var greatest: TabulateNumber?
    /// Distinct values by their bits (0 for both zeros).
    var distinct = DistinctSet()
    /// Every value (kept only for a standard deviation or a median).
    var values: [TabulateNumber] = []
    /// How many values (without keeping them).
    var valueCount = 0

    /// Adds `other`'s records (a full cell below a margin).
    mutating func merge(_ other: RecordTotals) {
      n += other.n
      missing += other.missing
      sum.add(other.sum)
      weighted.add(other.weighted)
      if let low = other.smallest,
        smallest == nil || smallest!.double > low.double
          || (smallest!.double == low.double && low.decimals > smallest!.decimals)
      {
        smallest = low
      }
      if let high = other.greatest, greatest == nil || high.ranksAbove(greatest!) { greatest = high }
      distinct.formUnion(other.distinct)
      values += other.values
      valueCount += other.valueCount
    }
  }

  /// Per cell: what comes from units' totals in it.
  struct UnitTotals {
    var units = 0
    var sumAbs = ExactSum()
    var negatives = 0
    /// The k largest absolute totals, largest first.
    var top: [TabulateNumber] = []

    /// One unit's total in the cell.
    @inline(__always)
    mutating func add(_ total: ExactSum, k: Int) {
      units += 1
      let magnitude = total.magnitude
      sumAbs.add(magnitude)
      if total.isNegative { negatives += 1 }
      // Only a total that may rank among the k largest is turned into a number.
      if top.count == k, let last = top.last, magnitude.approximate < last.double * (1 - 1e-9) { return }
      insert(magnitude.number, k: k)
    }

    @inline(__always)
    mutating func insert(_ magnitude: TabulateNumber, k: Int) {
      guard top.count < k || magnitude.ranksAbove(top[k - 1]) else { return }
      let at = top.firstIndex { magnitude.ranksAbove($0) } ?? top.count
      top.insert(magnitude, at: at)
      if top.count > k { top.removeLast() }
    }
  }

  let statistic: TabulateRequest.Statistic
  let keepsValues: Bool
  /// Top contributions kept.
  let k: Int
  /// The grouping sets: bit d set means dimension d is a margin.
  let masks: [Int]
  let dimensionCount: Int

  /// Per full cell: its key and record totals.
  var cellKeys: [[Int32]] = []
  var cellTotals: [RecordTotals] = []
  /// Per full cell and grouping set (cell × masks.count + m): its cell of that set ("slot").
  var slotOf: [Int32] = []
  /// Per slot: its key (``Tabulator/margin`` where a dimension is totalled) and unit totals.
  var slotKeys: [[Int32]] = []
  var slotIndex: [[Int32]: Int32] = [:]
  var unitTotals: [UnitTotals] = []

  /// Scratch for ``emit(unit:)``: per slot, its place among the current unit's slots (-1: none).
  private var slotPlace: [Int32] = []
  private var placeSlots: [Int32] = []
  private var placeTotals: [ExactSum] = []

  init(statistic: TabulateRequest.Statistic, k: Int, dimensionCount: Int, margins: Bool) {
    self.statistic = statistic
    self.keepsValues = statistic == .sd || statistic == .median
    self.k = k
    self.dimensionCount = dimensionCount
    masks = margins ? Array(0..<(1 << dimensionCount)) : [0]
  }

  /// Adds a full cell (its index is the next one) and its cells in every grouping set.
  mutating func addCell(_ key: [Int32]) {
    cellKeys.append(key)
    cellTotals.append(RecordTotals())
    for mask in masks {
      let projected = key.enumerated().map { d, label in mask & (1 << d) != 0 ? Tabulator.margin : label }
      if let known = slotIndex[projected] {
        slotOf.append(known)
      } else {
        let slot = Int32(slotKeys.count)
        slotKeys.append(projected)
        slotIndex[projected] = slot
        unitTotals.append(UnitTotals())
        slotPlace.append(-1)
        slotOf.append(slot)
      }
    }
  }

  /// Folds one record's value (nil: missing) and weight into its full cell.
  @inline(__always)
  mutating func fold(cell: Int, value: TabulateNumber?, weight: TabulateNumber?) {
    cellTotals[cell].n += 1
    if statistic == .count {
      if let weight { cellTotals[cell].weighted.add(weight) }
      return
    }
    guard let value else {
      cellTotals[cell].missing += 1
      return
    }
    cellTotals[cell].sum.add(value)
    cellTotals[cell].valueCount += 1
    if keepsValues { cellTotals[cell].values.append(value) }
    if let weight { cellTotals[cell].weighted.add(value.multiplied(by: weight)) }
    if let low = cellTotals[cell].smallest {
      if value.double < low.double || (value.double == low.double && value.decimals > low.decimals) {
        cellTotals[cell].smallest = value
      }
    } else {
      cellTotals[cell].smallest = value
    }
    if let high = cellTotals[cell].greatest {
      if value.ranksAbove(high) { cellTotals[cell].greatest = value }
    } else {
      cellTotals[cell].greatest = value
    }
    cellTotals[cell].distinct.insert(value.double == 0 ? 0 : value.double.bitPattern)
  }

  /// A record that is its own unit (no `--unit`): its value is its unit's total in its cell.
  @inline(__always)
  mutating func emitRecord(cell: Int, value: TabulateNumber) {
    var total = ExactSum()
    total.add(value)
    let base = cell * masks.count
    for m in masks.indices { unitTotals[Int(slotOf[base + m])].add(total, k: k) }
  }

  /// One unit's totals in the full cells it has records in (`cells[i]`, `totals[i]`; `totals`
  /// empty for a count): per grouping set, its total in each cell of the set is the sum of its
  /// totals in the full cells below, and counts once there.
  mutating func emit(cells: UnsafeBufferPointer<Int32>, totals: UnsafeBufferPointer<ExactSum>) {
    let count = statistic == .count
    let sets = masks.count
    for m in 0..<sets {
      for (i, cell) in cells.enumerated() {
        let slot = Int(slotOf[Int(cell) * sets + m])
        let place = slotPlace[slot]
        if place < 0 {
          slotPlace[slot] = Int32(placeSlots.count)
          placeSlots.append(Int32(slot))
          if !count { placeTotals.append(totals[i]) }
        } else if !count {
          placeTotals[Int(place)].add(totals[i])
        }
      }
      for (j, slot) in placeSlots.enumerated() {
        if count {
          unitTotals[Int(slot)].units += 1
        } else {
          unitTotals[Int(slot)].add(placeTotals[j], k: k)
        }
        slotPlace[Int(slot)] = -1
      }
      placeSlots.removeAll(keepingCapacity: true)
      placeTotals.removeAll(keepingCapacity: true)
    }
  }

  /// Per slot, the record totals of the full cells below it (in full-cell order).
  func slotRecordTotals() -> [RecordTotals] {
    var result = [RecordTotals](repeating: RecordTotals(), count: slotKeys.count)
    let sets = masks.count
    for (cell, totals) in cellTotals.enumerated() {
      for m in 0..<sets { result[Int(slotOf[cell * sets + m])].merge(totals) }
    }
    return result
  }
}
