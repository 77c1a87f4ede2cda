import Foundation
import Testing

@testable import Airlock

@Suite struct HistoryPruningTests {
  private static let root = packageRoot

  /// A history written before the packed cells existed opens, is migrated from its stored bodies,
  /// and its tables are still found.
  @Test func migratesAVersion1History() throws {
    let path = temporaryFolder().appendingPathComponent("history.db").path
    try FileManager.default.copyItem(
      atPath: Self.root.appendingPathComponent("Tests/Fixtures/history-v1.db").path, toPath: path)
    let history = try ReleaseHistory(path: path)
    #expect(try history.count() == 2)
    let folder = temporaryFolder()
    write("age_band,count\n20-29,149\n30-39,120\n", to: "male.csv", in: folder)
    write("region,sex,count\nA,F,38\nA,M,50\nB,F,60\nB,M,70\n", to: "some.csv", in: folder)
    var checker = Checker(pack: pack())
    checker.history = history
    let results = checker.check(paths: [folder.path]).results
    #expect(
      results[0].findings.contains {
        $0.code == "X002" && $0.reason.contains("all.csv 20-29 (150) − male.csv 20-29 (149) = 1")
      })
    #expect(
      results[1].findings.contains {
        $0.code == "X002" && $0.reason.contains("region-sex.csv A/F (40) − some.csv A/F (38) = 2")
      })
    // Reopening does not migrate again; tables added now are packed too.
    let reopened = try ReleaseHistory(path: path)
    try reopened.add(
      ComparableTable(source: "all-2.csv", dimensions: ["age_band"], cells: ["20-29": 152, "30-39": 125]))
    let index = try reopened.index(signature: "age_band")
    #expect(index.ids.count == 2 && index.keysetOf.allSatisfy { $0 >= 0 })
    #expect(index.keysets.count == 1)
  }

  /// Random tables built to hit every kind of cross-output disclosure (inferred and declared
  /// nesting, overlapping bands, partial key sets, dimensions in either order, malformed keys):
  /// comparing with the pruned candidates derives exactly what comparing with every released
  /// table derives.
  @Test(arguments: [1, 2, 3]) func pruningMissesNothing(seed: UInt64) throws {
    var rng = SplitMix(state: seed)
    let schemes = [
      ["<20", "20-39", "40-59", "60+"], ["<25", "25-39", "40-59", "60+"], ["<20", "20-39", "40+"], ["young", "old"],
    ]
    let sexes = ["F", "M", "\u{2211}"]
    var base: [String: Double] = [:]
    for scheme in schemes {
      for age in scheme + ["\u{2211}"] {
        for sex in sexes { base[age + "|" + sex] = Double(Int.random(in: 20...80, using: &rng)) }
      }
    }
    func makeTable(_ source: String, subsetOf: String?) -> ComparableTable {
      let scheme = schemes[Int.random(in: 0..<schemes.count, using: &rng)]
      let ageFirst = Bool.random(using: &rng)
      let shift = [0.0, -1, -3, -8, -9, -12, 1, 4, 9, 15][Int.random(in: 0..<10, using: &rng)]
      let mode = Int.random(in: 0..<4, using: &rng)
      var cells: [String: Double] = [:]
      for age in scheme + ["\u{2211}"] {
        for sex in sexes where Int.random(in: 0..<10, using: &rng) > 0 {
          var value = base[age + "|" + sex]!
          switch mode {
          case 0: value += shift  // the same shift everywhere: nested populations
          case 1: value += shift * Double(Int.random(in: 0...2, using: &rng))  // nested, uneven
          case 2: value += Double(Int.random(in: -12...12, using: &rng))  // unrelated
          default: value += Double(Int.random(in: 0...3, using: &rng)) * 0.5
          }
          cells[ageFirst ? age + "\u{1F}" + sex : sex + "\u{1F}" + age] = max(0, value)
        }
      }
      if Int.random(in: 0..<25, using: &rng) == 0 { cells["x\u{1F}y\u{1F}z"] = 5 }  // a malformed key
      return ComparableTable(
        source: source, dimensions: ageFirst ? ["age_band", "sex"] : ["sex", "age_band"], cells: cells,
        subsetOf: subsetOf)
    }
    let released = (0..<300).map { i in
      makeTable(
        "r\(i).csv",
        subsetOf: Int.random(in: 0..<20, using: &rng) == 0 ? "new\(Int.random(in: 0..<40, using: &rng)).csv" : nil)
    }
    let history = try ReleaseHistory(path: temporaryFolder().appendingPathComponent("history.db").path)
    try history.add(Array(released[..<150]))
    for table in released[150...] { try history.add(table) }
    let index = try history.index(signature: "age_band|sex")
    #expect(index.ids.count == released.count)
    var kept = 0
    var derived = 0
    for k in 0..<40 {
      let table = makeTable(
        "dir/new\(k).csv",
        subsetOf: Int.random(in: 0..<5, using: &rng) == 0 ? "r\(Int.random(in: 0..<300, using: &rng)).csv" : nil)
      for inclusive in [false, true] {
        let audit = CrossOutputAudit(threshold: 10, inclusive: inclusive)
        let all = released.flatMap { audit.derive(newer: table, older: $0) }
        let candidates = try history.candidates(for: table, in: index, threshold: 10, inclusive: inclusive)
        let pruned = candidates.flatMap { audit.derive(newer: table, older: $0) }
        #expect(pruned == all, "new\(k).csv, inclusive \(inclusive)")
        kept += candidates.count
        derived += all.count
      }
    }
    #expect(derived > 0)
    // The tables are built to disclose often (three of the four band schemes overlap), so about
    // half are kept; the benchmark's unrelated tables are nearly all ruled out.
    #expect(kept * 10 < 40 * 2 * released.count * 7, "the pruning should rule out many released tables")
  }
}
