import Foundation
import Testing

@testable import Airlock

/// Issue 17, part 1: linked tables audited together (a margin table published beside its table).
@Suite struct LinkedTablesTests {
  private func run(_ files: [String: String]) -> CheckReport {
    let folder = temporaryFolder()
    for (name, text) in files { write(text, to: name, in: folder) }
    return Checker(pack: pack()).check(paths: [folder.path])
  }

  private func linked(_ report: CheckReport) -> [Finding] {
    report.results.flatMap(\.findings).filter { $0.code == "X002" && $0.reason.hasPrefix("linked tables") }
  }

  private let bySex = "age_band,sex,count\n0-15,Male,*\n0-15,Female,120\n16-64,Male,300\n16-64,Female,310\n"

  @Test func aMarginTableGivesBackAWithheldCell() {
    let findings = linked(run(["by_sex.csv": bySex, "ages.csv": "age_band,count\n0-15,125\n16-64,610\n"]))
    #expect(findings.count == 1)
    #expect(
      findings.first?.reason.contains("by_sex.csv 0-15/Male = ages.csv 0-15 (125) − by_sex.csv 0-15/Female (120) = 5")
        == true)
    #expect(findings.first?.line == 2 && findings.first?.column == 3)
  }

  @Test(arguments: [
    ("age_group", "0 to 15", "16 to 64"), ("Age", "0–15", "16–64"), ("age", "\"[0,16)\"", "\"[16,65)\""),
    ("age_band", " 0-15 ", "16-64"),
  ])
  func dimensionsAndBandsAreMatchedByContent(name: String, first: String, second: String) {
    let findings = linked(run(["by_sex.csv": bySex, "ages.csv": "\(name),count\n\(first),125\n\(second),610\n"]))
    #expect(findings.count == 1, "\(name) \(first)")
  }

  @Test func categorySynonymsAreOneCategory() {
    let byAge = "sex,age_band,count\nM,0-15,*\nM,16-64,300\nF,0-15,120\nF,16-64,310\n"
    let findings = linked(run(["by_age.csv": byAge, "sexes.csv": "sex,count\nMale,*\nFemale,430\n"]))
    // Female 430 = 120 + 310; Male = 300 + M/0-15, and the sexes table withholds Male: not recoverable.
    #expect(findings.isEmpty)
    let published = linked(run(["by_age.csv": byAge, "sexes.csv": "sex,count\nMale,304\nFemale,430\n"]))
    #expect(published.first?.reason.contains("= 4") == true)
  }

  @Test func narrowedByTheTablesTogether() {
    // 0-15 is 125 in all; both sexes withheld in by_sex, with a width-2 range left: Male in [0, 2].
    let twoWay =
      "age_band,sex,count\n0-15,Male,*\n0-15,Female,*\n16-64,Male,300\n16-64,Female,310\nTotal,Male,302\nTotal,Female,433\n"
    let findings = linked(run(["by_sex.csv": twoWay, "ages.csv": "age_band,count\n0-15,125\n16-64,610\n"]))
    // Male = 302 − 300 = 2 and Female = 433 − 310 = 123 by by_sex's own margins (X001), so the link adds nothing.
    #expect(findings.isEmpty)
  }

  @Test func safeLookAlikesAreNotLinked() {
    // Another population: its published cells do not add up to by_sex's.
    #expect(linked(run(["by_sex.csv": bySex, "ages.csv": "age_band,count\n0-15,140\n16-64,700\n"])).isEmpty)
    // Both withheld: 0-15 Male and Female are [0, 125] each.
    let both = bySex.replacingOccurrences(of: "0-15,Female,120", with: "0-15,Female,*")
    #expect(linked(run(["by_sex.csv": both, "ages.csv": "age_band,count\n0-15,125\n16-64,610\n"])).isEmpty)
    // An unrelated dimension: not linked.
    #expect(linked(run(["by_sex.csv": bySex, "regions.csv": "region,count\nNorth,125\nSouth,610\n"])).isEmpty)
  }

  @Test func linkedTablesThatContradictEachOtherAreReviewNotPassed() {
    // 16-64 agrees (300 + 310 = 610), but 0-15 would need Male = 110 − 120 < 0: before, nothing
    // was said and both passed.
    let report = run(["by_sex.csv": bySex, "ages.csv": "age_band,count\n0-15,110\n16-64,610\n"])
    let findings = report.results.flatMap(\.findings).filter { $0.code == "X002" }
    #expect(findings.count == 1 && findings.first?.outcome == .review)
    #expect(findings.first?.reason.contains("no values of their withheld cells fit both") == true)
  }

  @Test func canonicalLabels() {
    #expect(LinkedTablesAudit.canonical("0-15") == LinkedTablesAudit.canonical("0 to 15"))
    #expect(LinkedTablesAudit.canonical("0–15") == LinkedTablesAudit.canonical("[0,16)"))
    #expect(LinkedTablesAudit.canonical("Under 16") == LinkedTablesAudit.canonical("<16"))
    #expect(LinkedTablesAudit.canonical("65+") == LinkedTablesAudit.canonical("65 and over"))
    #expect(LinkedTablesAudit.canonical("0-15") == LinkedTablesAudit.canonical("Aged 0 to 15"))
    #expect(LinkedTablesAudit.canonical("65+") == LinkedTablesAudit.canonical("65 years and over"))
    #expect(LinkedTablesAudit.canonical("M") == LinkedTablesAudit.canonical("Male"))
    #expect(LinkedTablesAudit.canonical("North") != LinkedTablesAudit.canonical("South"))
  }
}
