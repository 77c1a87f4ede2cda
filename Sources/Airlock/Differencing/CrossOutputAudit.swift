import Foundation

/// Differencing across outputs: two tables over nested populations (everyone, and everyone but one
/// group), or over the same population with different bands (`<20` and `<25`), give away what
/// neither publishes. The audit derives those hidden cells and applies the threshold to them.
struct CrossOutputAudit {
  let threshold: Int
  let inclusive: Bool

  /// A hidden cell derived from two tables.
  struct Derivation: Equatable {
    /// The cell's key in the table the finding is reported on (`nil`: the whole table).
    var key: String?
    var value: Double
    var explanation: String
    var outcome: Outcome
  }

  func isSmall(_ value: Double) -> Bool {
    value > 0 && (inclusive ? value <= Double(threshold) : value < Double(threshold))
  }

  /// Hidden cells that `newer` and `older` together disclose, reported on `newer`.
  ///
  /// `ReleaseHistory.SignatureIndex` skips released tables by the guards of `nested` and `banded`
  /// below (shared keys, nesting, a small difference, differing band labels): a new way to
  /// disclose must be reflected there too, or released tables that show it would be skipped.
  func derive(newer: ComparableTable, older: ComparableTable) -> [Derivation] {
    guard newer.signature == older.signature, newer.source != older.source else { return [] }
    let permutation = newer.dimensions.map { older.dimensions.firstIndex(of: $0)! }
    var olderCells: [String: Double] = [:]
    for (key, value) in older.cells {
      let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
      guard parts.count == older.dimensions.count else { continue }
      olderCells[permutation.map { parts[$0] }.joined(separator: "\u{1F}")] = value
    }
    return nested(newer, older, olderCells) + banded(newer, older, olderCells)
  }

  private func name(_ path: String) -> String { (path as NSString).lastPathComponent }

  private func nested(_ newer: ComparableTable, _ older: ComparableTable, _ olderCells: [String: Double])
    -> [Derivation]
  {
    let shared = newer.cells.keys.filter { olderCells[$0] != nil }
    guard !shared.isEmpty, shared.count * 2 >= min(newer.cells.count, olderCells.count) else { return [] }
    let declaredNewerInOlder = newer.subsetOf.map { name($0) == name(older.source) } ?? false
    let declaredOlderInNewer = older.subsetOf.map { name($0) == name(newer.source) } ?? false
    let newerBelow = shared.allSatisfy { newer.cells[$0]! <= olderCells[$0]! }
    let olderBelow = shared.allSatisfy { olderCells[$0]! <= newer.cells[$0]! }
    guard declaredNewerInOlder || declaredOlderInNewer || (newerBelow != olderBelow) else { return [] }
    let newerIsSubset = declaredNewerInOlder || (!declaredOlderInNewer && newerBelow)
    let declared = declaredNewerInOlder || declaredOlderInNewer
    // The same output released again with more data (a count to date that grows): what it
    // added since the earlier release is the count of that period.
    let rerelease = !declared && name(newer.source) == name(older.source) && !newerIsSubset
    var result: [Derivation] = []
    // A declared subset larger than its superset somewhere: the declaration is contradicted, and
    // whatever it was meant to explain needs a person.
    if declared && !(newerIsSubset ? newerBelow : olderBelow) {
      let larger = shared.sorted().filter { key in
        newerIsSubset ? newer.cells[key]! > olderCells[key]! : olderCells[key]! > newer.cells[key]!
      }
      let (subsetName, supersetName) =
        newerIsSubset ? (name(newer.source), name(older.source)) : (name(older.source), name(newer.source))
      let cells = larger.prefix(3).map(ComparableTable.describe).joined(separator: ", ")
      result.append(
        Derivation(
          key: newerIsSubset ? larger.first : nil, value: 0,
          explanation:
            "\(subsetName) is declared a subset of \(supersetName) (subset_of), but is larger in \(larger.count) cell\(larger.count == 1 ? "" : "s") (\(cells)): the declaration is contradicted by the data",
          outcome: .review))
    }
    for key in shared.sorted() {
      let (big, small) = newerIsSubset ? (olderCells[key]!, newer.cells[key]!) : (newer.cells[key]!, olderCells[key]!)
      let difference = big - small
      guard isSmall(difference) else { continue }
      let (bigName, smallName) =
        newerIsSubset ? (name(older.source), name(newer.source)) : (name(newer.source), name(older.source))
      let label = ComparableTable.describe(key)
      if rerelease {
        result.append(
          Derivation(
            key: key, value: difference,
            explanation:
              "\(name(newer.source)) \(label) grew from \(formatNumber(small)) in its earlier release (\(older.source)) to \(formatNumber(big)): the \(formatNumber(difference)) added since is a count of that period",
            outcome: .fail))
        continue
      }
      result.append(
        Derivation(
          key: key, value: difference,
          explanation:
            "\(bigName) \(label) (\(formatNumber(big))) − \(smallName) \(label) (\(formatNumber(small))) = \(formatNumber(difference))\(declared ? "" : " (the populations look nested: every cell of one is at most the other's)")",
          outcome: declared ? .fail : .review))
    }
    return result
  }

  private func banded(_ newer: ComparableTable, _ older: ComparableTable, _ olderCells: [String: Double])
    -> [Derivation]
  {
    let count = newer.dimensions.count
    func split(_ key: String) -> [String] {
      key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    }
    let newerKeys = newer.cells.keys.map(split)
    let olderKeys = olderCells.keys.map(split)
    var result: [Derivation] = []
    for d in 0..<count {
      let newerLabels = Set(newerKeys.map { $0[d] }).subtracting(["\u{2211}"])
      let olderLabels = Set(olderKeys.map { $0[d] }).subtracting(["\u{2211}"])
      guard newerLabels != olderLabels, !newerLabels.isEmpty, !olderLabels.isEmpty else { continue }
      let newerBands = newerLabels.compactMap { label in Band(label).map { (label, $0) } }
      let olderBands = olderLabels.compactMap { label in Band(label).map { (label, $0) } }
      guard newerBands.count == newerLabels.count, olderBands.count == olderLabels.count else { continue }
      // Groups: the labels of every other dimension.
      var groups = Set<[String]>()
      for key in newerKeys {
        var g = key
        g.remove(at: d)
        groups.insert(g)
      }
      for group in groups.sorted(by: { $0.joined() < $1.joined() }) {
        func value(_ cells: [String: Double], _ label: String) -> Double? {
          var key = group
          key.insert(label, at: d)
          return cells[key.joined(separator: "\u{1F}")]
        }
        let newerSeries = newerBands.map { ($0.0, $0.1, value(newer.cells, $0.0)) }.sorted { $0.1.low < $1.1.low }
        let olderSeries = olderBands.map { ($0.0, $0.1, value(olderCells, $0.0)) }.sorted { $0.1.low < $1.1.low }
        guard newerSeries.allSatisfy({ $0.2 != nil }), olderSeries.allSatisfy({ $0.2 != nil }) else { continue }
        let published = Set((newerSeries + olderSeries).map { "\($0.1.low)-\($0.1.high)" })
        var reported = Set<String>()
        // Cumulative counts from the bottom band up: both start at the same low edge.
        for (fromAbove, direction) in [(false, "from below"), (true, "from above")] {
          let a = fromAbove ? Array(newerSeries.reversed()) : newerSeries
          let b = fromAbove ? Array(olderSeries.reversed()) : olderSeries
          guard let firstA = a.first, let firstB = b.first,
            fromAbove ? firstA.1.high == firstB.1.high : firstA.1.low == firstB.1.low
          else { continue }
          var sumA = 0.0
          for (indexA, bandA) in a.enumerated() {
            sumA += bandA.2!
            var sumB = 0.0
            for (indexB, bandB) in b.enumerated() {
              sumB += bandB.2!
              let edgeA = fromAbove ? bandA.1.low : bandA.1.high
              let edgeB = fromAbove ? bandB.1.low : bandB.1.high
              guard edgeA != edgeB, edgeA.isFinite, edgeB.isFinite else { continue }
              let sliver = "\(min(edgeA, edgeB))-\(max(edgeA, edgeB))"
              guard !published.contains(sliver), !reported.contains(sliver) else { continue }
              let difference = abs(sumA - sumB)
              guard isSmall(difference) else { continue }
              reported.insert(sliver)
              let labelsA = a[0...indexA].map(\.0).joined(separator: " + ")
              let labelsB = b[0...indexB].map(\.0).joined(separator: " + ")
              let low = formatNumber(min(edgeA, edgeB))
              let high = formatNumber(max(edgeA, edgeB) - 1)
              let groupText =
                group.isEmpty ? "" : " (\(group.map { $0 == "\u{2211}" ? "Total" : $0 }.joined(separator: "/")))"
              let (bigName, bigLabels, big, smallName, smallLabels, small) =
                sumA > sumB
                ? (name(newer.source), labelsA, sumA, name(older.source), labelsB, sumB)
                : (name(older.source), labelsB, sumB, name(newer.source), labelsA, sumA)
              result.append(
                Derivation(
                  key: nil, value: difference,
                  explanation:
                    "\(bigName) \(bigLabels) (\(formatNumber(big))) − \(smallName) \(smallLabels) (\(formatNumber(small))) = \(formatNumber(difference)) in the band \(low)–\(high)\(groupText), counted \(direction)",
                  outcome: .fail))
            }
          }
        }
      }
    }
    return result
  }
}
