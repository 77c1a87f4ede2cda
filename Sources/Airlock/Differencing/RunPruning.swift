import Foundation

/// Which pairs of a run's tables of one signature the cross-output audit (`CrossOutputAudit`)
/// can find something in, decided from their cells as vectors, as the release history decides
/// for released tables (``ReleaseHistory/SignatureIndex``): the same conditions, in memory.
///
/// The audit reports nested populations only when the two tables share at least half the keys of
/// the smaller, one is at most the other on every shared key (not equal), and some shared key
/// differs by 0 < |d| ≤ the threshold; and overlapping bands only in a dimension whose label sets
/// differ and all parse as bands. A pair meeting none of these gives nothing, and is skipped.
/// Declared nesting (`subset_of`), and tables whose keys cannot be indexed exactly (a repeated
/// dimension name, a malformed key), are always compared. Keys are interned per signature, so
/// that a pair costs a pass over integers and doubles, never a string lookup.
struct RunPruning {
  let threshold: Double
  let inclusive: Bool
  /// Per table: its keys as ids (sorted-dimension order, sorted), its values in that order, the
  /// labels and whether they are bands per dimension; `nil` when it cannot be indexed exactly.
  private var packed: [Packed?] = []
  /// Per signature, the id of every key seen.
  private var ids: [String: [String: Int32]] = [:]
  /// Scratch: the current table's position of each key id (-1 elsewhere).
  private var positions: [Int32] = []

  private struct Packed {
    var keys: [Int32]
    var values: [Double]
    var labels: [Set<String>]
    var banded: [Bool]
  }

  init(tables: [ComparableTable?], threshold: Int, inclusive: Bool) {
    self.threshold = Double(threshold)
    self.inclusive = inclusive
    for table in tables {
      guard let table else {
        packed.append(nil)
        continue
      }
      let sorted = table.sortedCells()
      guard sorted.isExact else {
        packed.append(nil)
        continue
      }
      var interned = ids[table.signature] ?? [:]
      let keys = sorted.keys.map { key -> Int32 in
        if let known = interned[key] { return known }
        let id = Int32(interned.count)
        interned[key] = id
        return id
      }
      ids[table.signature] = interned
      let parsed = ReleaseHistory.SignatureIndex.labels(of: sorted.keys, dimensions: table.dimensions.count)
      packed.append(Packed(keys: keys, values: sorted.values, labels: parsed.labels, banded: parsed.banded))
    }
    positions = [Int32](repeating: -1, count: ids.values.map(\.count).max() ?? 0)
  }

  /// The tables among `others` (of `table`'s signature) that share at least half the keys of the
  /// smaller of the two: compared cell by cell already, so not aligned again under other
  /// spellings. Tables that cannot be indexed exactly are never in it.
  mutating func sharingHalfTheKeys(with table: Int, among others: [Int]) -> Set<Int> {
    guard let mine = packed[table] else { return [] }
    for (position, key) in mine.keys.enumerated() { positions[Int(key)] = Int32(position) }
    defer { for key in mine.keys { positions[Int(key)] = -1 } }
    return Set(
      others.filter { other in
        guard let theirs = packed[other] else { return false }
        let shared = theirs.keys.reduce(0) { $0 + (positions[Int($1)] >= 0 ? 1 : 0) }
        return shared * 2 >= min(mine.keys.count, theirs.keys.count)
      })
  }

  /// The tables among `others` (indices, all of `table`'s signature) that the audit may find
  /// something in together with `table`, in their order.
  mutating func candidates(for table: Int, among others: [Int]) -> [Int] {
    guard let mine = packed[table] else { return others }
    for (position, key) in mine.keys.enumerated() { positions[Int(key)] = Int32(position) }
    defer { for key in mine.keys { positions[Int(key)] = -1 } }
    let anyBanded = mine.banded.contains(true)
    return others.filter { other in
      guard let theirs = packed[other] else { return true }
      if anyBanded,
        mine.banded.indices.contains(where: {
          mine.banded[$0] && theirs.banded[$0] && mine.labels[$0] != theirs.labels[$0]
        })
      {
        return true
      }
      var shared = 0
      var below = true
      var above = true
      var small = false
      for (j, key) in theirs.keys.enumerated() {
        let position = positions[Int(key)]
        guard position >= 0 else { continue }
        shared += 1
        let new = mine.values[Int(position)]
        let old = theirs.values[j]
        if !(new <= old) { below = false }
        if !(old <= new) { above = false }
        let difference = abs(new - old)
        if difference > 0 && (inclusive ? difference <= threshold : difference < threshold) { small = true }
      }
      guard shared > 0, shared * 2 >= min(mine.keys.count, theirs.keys.count) else { return false }
      return small && below != above
    }
  }
}
