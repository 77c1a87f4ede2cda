import Foundation
import Testing

@testable import Airlock

/// Issue 17: the linked-tables audit compares only the pairs its index keeps; on generated runs
/// it must derive exactly what trying every pair derives.
@Suite struct LinkIndexTests {
  /// A table from labelled cells (`nil` for a withheld one).
  private func table(_ source: String, _ dimensions: [String], _ cells: [([String], Int?)]) -> ComparableTable {
    var result = ComparableTable(source: source, dimensions: dimensions, cells: [:])
    var withheld = Set<String>()
    for (labels, value) in cells {
      let key = labels.joined(separator: "\u{1F}")
      if let value { result.cells[key] = Double(value) } else { withheld.insert(key) }
    }
    result.withheld = withheld
    return result
  }

  /// A run of linked groups: a two-way table (sometimes with margins, sometimes three-way), its
  /// one-way margins under other names and spellings, margins of a neighbouring group's table,
  /// tables of other populations, and near misses (a margin one off). Cells are withheld at random.
  private func run(_ rng: inout SplitMix) -> (tables: [ComparableTable], released: Int) {
    let bandSpellings = [["0-9", "10-19", "20-29", "30+"], ["0 to 9", "10 to 19", "20 to 29", "30 and over"]]
    var tables: [ComparableTable] = []
    var grids: [[[Int]]] = []
    let groupCount = Int.random(in: 2...5, using: &rng)
    for g in 0..<groupCount {
      let rows = Int.random(in: 2...4, using: &rng)
      let columns = Int.random(in: 2...4, using: &rng)
      let grid = (0..<rows).map { _ in (0..<columns).map { _ in Int.random(in: 1...40, using: &rng) } }
      grids.append(grid)
      func hidden() -> Bool { Int.random(in: 0..<6, using: &rng) == 0 }
      let withMargins = Bool.random(using: &rng)
      var cells: [([String], Int?)] = []
      for r in 0..<rows {
        for c in 0..<columns { cells.append((["R\(r)", bandSpellings[0][c]], hidden() ? nil : grid[r][c])) }
        if withMargins { cells.append((["R\(r)", "\u{2211}"], hidden() ? nil : grid[r].reduce(0, +))) }
      }
      if withMargins {
        for c in 0..<columns {
          cells.append((["\u{2211}", bandSpellings[0][c]], hidden() ? nil : grid.reduce(0) { $0 + $1[c] }))
        }
      }
      tables.append(table("g\(g)_two_way.csv", ["region", "age_band"], cells))
      if Bool.random(using: &rng) {
        // The same counts split by sex: a three-way table whose margin over sex is the two-way one.
        var three: [([String], Int?)] = []
        for r in 0..<rows {
          for c in 0..<columns {
            let male = Int.random(in: 0...grid[r][c], using: &rng)
            three.append((["R\(r)", bandSpellings[0][c], "Male"], hidden() ? nil : male))
            three.append((["R\(r)", bandSpellings[0][c], "Female"], hidden() ? nil : grid[r][c] - male))
          }
        }
        tables.append(table("g\(g)_by_sex.csv", ["region", "age_band", "sex"], three))
      }
      let spelling = bandSpellings[Int.random(in: 0...1, using: &rng)]
      tables.append(
        table(
          "g\(g)_by_region.csv", [["area", "region"][Int.random(in: 0...1, using: &rng)]],
          (0..<rows).map { r in
            (["R\(r)"], hidden() ? nil : grid[r].reduce(0, +) + (Int.random(in: 0..<5, using: &rng) == 0 ? 1 : 0))
          }))
      tables.append(
        table(
          "g\(g)_by_age.csv", ["age_group"],
          (0..<columns).map { c in ([spelling[c]], hidden() ? nil : grid.reduce(0) { $0 + $1[c] }) }))
      if Bool.random(using: &rng) {
        tables.append(
          table(
            "g\(g)_other.csv", ["region"], (0..<rows).map { r in (["R\(r)"], Int.random(in: 1...100, using: &rng)) }))
      }
    }
    // A margin of another group's table, filed under this group's name.
    if groupCount > 1, let grid = grids.last {
      tables.append(table("cross.csv", ["region"], grid.indices.map { r in (["R\(r)"], grid[r].reduce(0, +)) }))
    }
    tables.shuffle(using: &rng)
    return (tables, Int.random(in: 0...2, using: &rng))
  }

  /// A whole check of a folder of linked groups (two-way tables, their margins under other
  /// names and spellings, tables of other cohorts, the same table re-spelt, one of them the
  /// subset of another) gives the same report with the index and the pruning of same-signature
  /// pairs (`RunPruning`) as trying every pair.
  @Test func aCheckGivesTheSameFindingsWithAndWithoutTheIndex() throws {
    var rng = SplitMix(state: 4217)
    let bands = ["0-9", "10-19", "20-29", "30+"]
    let written = ["0 to 9", "10 to 19", "20 to 29", "30 and over"]
    for round in 0..<4 {
      let folder = temporaryFolder()
      for g in 0..<6 {
        let grid = (0..<4).map { _ in (0..<4).map { _ in Int.random(in: 5...60, using: &rng) } }
        var lines = ["region,age_band,count"]
        for r in 0..<4 {
          for a in 0..<4 {
            lines.append("R\(r),\(bands[a]),\(Int.random(in: 0..<5, using: &rng) == 0 ? "*" : String(grid[r][a]))")
          }
        }
        write(lines.joined(separator: "\n") + "\n", to: "g\(g)_two_way.csv", in: folder)
        let spelling = g % 2 == 0 ? bands : written
        write(
          "age_group,count\n"
            + (0..<4).map { a in "\(spelling[a]),\(grid.reduce(0) { $0 + $1[a] })" }.joined(separator: "\n") + "\n",
          to: "g\(g)_by_age.csv", in: folder)
        write(
          "area,count\n" + (0..<4).map { r in "R\(r),\(grid[r].reduce(0, +))" }.joined(separator: "\n") + "\n",
          to: "g\(g)_by_region.csv", in: folder)
        // Another cohort, and a subset of this one (each cell a little smaller).
        write(
          "region,age_band,count\n"
            + (0..<16).map { i in "R\(i / 4),\(bands[i % 4]),\(Int.random(in: 5...60, using: &rng))" }.joined(
              separator: "\n") + "\n",
          to: "g\(g)_other.csv", in: folder)
        write(
          "age_group,count\n"
            + (0..<4).map { a in "\(written[a]),\(grid.reduce(0) { $0 + $1[a] } - Int.random(in: 0...12, using: &rng))"
            }.joined(separator: "\n") + "\n",
          to: "g\(g)_subset.csv", in: folder)
      }
      var checker = Checker(pack: pack())
      let indexed = checker.check(paths: [folder.path])
      checker.indexesLinks = false
      let everyPair = checker.check(paths: [folder.path])
      let describe = { (report: CheckReport) in
        report.results.flatMap { result in
          result.findings.map { "\(result.file) \($0.code) \($0.outcome) \($0.reason)" }
        }
      }
      #expect(describe(indexed) == describe(everyPair), "round \(round)")
      #expect(
        describe(indexed).contains { $0.contains("X002") && $0.contains("linked tables") },
        "round \(round): something is linked")
      #expect(
        describe(indexed).contains { $0.contains("populations look nested") }, "round \(round): the subsets are found")
    }
  }

  @Test func theIndexKeepsEveryPairThatGivesSomethingAway() {
    var rng = SplitMix(state: 1717)
    let audit = LinkedTablesAudit(minWidth: 3)
    var found = 0
    var runsWithFindings = 0
    for round in 0..<80 {
      let (tables, released) = run(&rng)
      let indexed = audit.derive(tables, released: released)
      let everyPair = audit.derive(tables, released: released, indexed: false)
      #expect(indexed == everyPair, "round \(round): \(indexed.map(\.reason)) against \(everyPair.map(\.reason))")
      found += everyPair.count
      if !everyPair.isEmpty { runsWithFindings += 1 }
    }
    // The runs give cells away often, so the comparison is not between two empty lists.
    #expect(runsWithFindings >= 60, "\(runsWithFindings) runs with findings, \(found) findings")
  }
}
