import Foundation
import Testing

@testable import Airlock

@Suite struct CrossOutputTests {
  private func run(_ files: [String: String], history: ReleaseHistory? = nil) -> [String: OutputResult] {
    let folder = temporaryFolder()
    for (name, text) in files { write(text, to: name, in: folder) }
    var checker = Checker(pack: pack())
    checker.history = history
    let report = checker.check(paths: [folder.path])
    return Dictionary(uniqueKeysWithValues: report.results.map { (($0.file as NSString).lastPathComponent, $0) })
  }

  @Test func inferredNestingNeedsReviewWithTheDerivation() {
    let results = run([
      "a-all.csv": "age_band,count\n20-29,150\n30-39,200\n", "b-male.csv": "age_band,count\n20-29,149\n30-39,120\n",
    ])
    let finding = results["b-male.csv"]?.findings.first { $0.code == "X002" }
    #expect(finding?.outcome == .review)
    #expect(finding?.reason.contains("a-all.csv 20-29 (150) − b-male.csv 20-29 (149) = 1") == true)
    #expect(finding?.line == 2)
  }

  @Test func declaredNestingFails() {
    let results = run([
      "all.csv": "age_band,count\n20-29,150\n30-39,200\n", "male.csv": "age_band,count\n20-29,149\n30-39,120\n",
      "male.airlock.yaml": "subset_of: all.csv\n",
    ])
    #expect(results["male.csv"]?.findings.contains { $0.code == "X002" && $0.outcome == .fail } == true)
  }

  @Test func aSubsetLargerThanItsSupersetContradictsTheDeclaration() {
    // Declared backwards: "all" is the subset. Before, the declaration was trusted and nothing said.
    let results = run([
      "all.csv": "age_band,count\n20-29,150\n30-39,200\n", "male.csv": "age_band,count\n20-29,120\n30-39,120\n",
      "all.airlock.yaml": "subset_of: male.csv\n",
    ])
    let finding =
      results["all.csv"]?.findings.first { $0.code == "X002" }
      ?? results["male.csv"]?.findings.first { $0.code == "X002" }
    #expect(finding?.outcome == .review)
    #expect(
      finding?.reason.contains("all.csv is declared a subset of male.csv (subset_of), but is larger in 2 cells")
        == true, "\(String(describing: finding))")
    // Declared the right way round, a large difference passes.
    let honest = run([
      "all.csv": "age_band,count\n20-29,150\n30-39,200\n", "male.csv": "age_band,count\n20-29,120\n30-39,120\n",
      "male.airlock.yaml": "subset_of: all.csv\n",
    ])
    #expect(honest.values.allSatisfy { $0.outcome == .pass })
  }

  @Test func differencesAboveTheThresholdPass() {
    let results = run([
      "a.csv": "age_band,count\n20-29,150\n30-39,200\n", "b.csv": "age_band,count\n20-29,100\n30-39,120\n",
    ])
    #expect(results.values.allSatisfy { $0.outcome == .pass })
  }

  @Test func tablesOfOtherDimensionsAreNotCompared() {
    let results = run(["a.csv": "age_band,count\n20-29,150\n", "b.csv": "region,count\n20-29,149\n"])
    #expect(results.values.allSatisfy { $0.outcome == .pass })
  }

  @Test func alignsOverlappingBands() {
    let results = run([
      "a.csv": "age,count\n<20,40\n20-39,120\n40+,300\n", "b.csv": "age,count\n<25,43\n25-39,117\n40+,300\n",
    ])
    let finding = results["b.csv"]?.findings.first { $0.code == "X002" }
    #expect(finding?.outcome == .fail)
    #expect(finding?.reason.contains("= 3 in the band 20–24") == true)
  }

  @Test func bandsInEveryGroupOfASecondDimension() {
    let results = run([
      "a.csv": "sex,age,count\nF,<20,40\nF,20+,300\nM,<20,50\nM,20+,310\n",
      "b.csv": "sex,age,count\nF,<25,60\nF,25+,280\nM,<25,52\nM,25+,308\n",
    ])
    let findings = results["b.csv"]?.findings.filter { $0.code == "X002" } ?? []
    #expect(findings.count == 1)
    #expect(findings.first?.reason.contains("(M)") == true)
  }

  @Test func comparesWithEarlierReleases() throws {
    let history = try ReleaseHistory(path: temporaryFolder().appendingPathComponent("history.db").path)
    let released = temporaryFolder()
    write("age_band,count\n20-29,150\n30-39,200\n", to: "all.csv", in: released)
    for table in try ReleaseHistory.comparableTables(paths: [released.path], pack: pack()) { try history.add(table) }
    #expect(try history.count() == 1)
    let results = run(["male.csv": "age_band,count\n20-29,149\n30-39,120\n"], history: history)
    #expect(
      results["male.csv"]?.findings.contains { $0.code == "X002" && $0.reason.contains("all.csv 20-29 (150)") } == true)
    // A history of other dimensions is not a match.
    let unrelated = run(["region.csv": "region,count\nN,149\n"], history: history)
    #expect(unrelated["region.csv"]?.outcome == .pass)
  }

  @Test func parsesBands() {
    #expect(Band("<20") == Band(low: -.infinity, high: 20))
    #expect(Band("20-39") == Band(low: 20, high: 40))
    #expect(Band("70+") == Band(low: 70, high: .infinity))
    #expect(Band("20 to 24") == Band(low: 20, high: 25))
    #expect(Band("North") == nil)
  }
}

extension Band {
  init(low: Double, high: Double) {
    self = Band("0-0")!
    self.low = low
    self.high = high
  }
}
