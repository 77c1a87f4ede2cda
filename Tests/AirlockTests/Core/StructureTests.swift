import Foundation
import Testing

@testable import Airlock

/// What the structure detector finds, and how, on tables written the ways tools write them.
@Suite struct StructureTests {
  private func structure(_ text: String, pack: RulePack = pack(), manifest: String? = nil) -> TableStructure? {
    let folder = temporaryFolder()
    let path = write(text, to: "t.csv", in: folder)
    if let manifest { write(manifest, to: "t.airlock.yaml", in: folder) }
    return checkFile(path, pack: pack).structure
  }

  private func margins(_ structure: TableStructure?) -> [String] {
    (structure?.margins ?? []).map { "\($0.dimension):\($0.label):\($0.source.rawValue)" }.sorted()
  }

  @Test func pandasCrosstabWithMarginsAll() {
    // pd.crosstab(df.region, df.sex, margins=True).to_csv()
    let found = structure("region,F,M,All\nNorth,20,22,42\nSouth,31,30,61\nAll,51,52,103\n")
    #expect(margins(found) == ["column:All:label+arithmetic", "region:All:label+arithmetic"])
  }

  @Test func rAddmarginsSum() {
    // write.csv(addmargins(table(df$region, df$sex))): R names both margins `Sum`.
    let found = structure("region,F,M,Sum\nNorth,20,22,42\nSouth,31,30,61\nSum,51,52,103\n")
    #expect(
      found?.margins.contains { $0.dimension == "region" && $0.label == "Sum" } == true, "\(String(describing: found))")
  }

  @Test func roundedTablesAreReadWithinHalfABaseATerm() throws {
    // OpenSAFELY rounds every cell and the totals separately: 15 + 25 = 40 published as 45.
    let opensafely = try RulePackLoader.load("opensafely")
    let text = "region,count\nA,15\nB,25\nC,35\nAll ages,80\n"
    #expect(margins(structure(text, pack: opensafely)) == ["region:All ages:label+arithmetic"])
    // Without the pack's rounding the same numbers are not a sum: read as a category, and asked about.
    #expect(structure(text)?.margins.isEmpty == true)
  }

  @Test func aDuplicatedTotalUnderTwoLabels() {
    // Both `Total` and `All` are the sum: each is a margin, neither is dropped.
    let found = structure("region,count\nA,20\nB,30\nTotal,50\nAll,50\n")
    #expect(margins(found) == ["region:All:label+arithmetic", "region:Total:label+arithmetic"])
  }

  @Test func zerosDoNotMakeACategoryATotal() {
    // A1 equals the one other non-zero cell in its row: that confirms nothing.
    let found = structure("region,age_band,count\nA,young,0\nA,old,128\nA,All,128\nB,young,31\nB,old,0\nB,All,31\n")
    #expect(margins(found) == ["age_band:All:suspected"])
  }

  @Test func nestedCodesAreSubtotals() {
    let found = structure("code,count\nE11,30\nE11.2,12\nE11.9,18\nE10,42\nE10.1,20\nE10.9,22\nTotal,72\n")
    #expect(found?.subtotals.map(\.parent) == ["E11", "E10"])
    #expect(margins(found) == ["code:Total:label+arithmetic"])
    // `Northumberland` is not under `North`.
    #expect(StructureDetector.nests("North/Leeds", under: "North"))
    #expect(StructureDetector.nests("North - Leeds", under: "North"))
    #expect(!StructureDetector.nests("Northumberland", under: "North"))
  }

  @Test func aRowThatHappensToEqualTheTwoAfterItIsNotASubtotal() {
    let found = structure("group,count\nA,50\nB,20\nC,30\nD,15\n")
    #expect(found?.subtotals.isEmpty == true)
    #expect(found?.margins.isEmpty == true)
  }

  @Test func aDeclaredCategoryIsNotAskedAbout() {
    let found = structure("answer,count\nPartial,20\nNone,22\nTotal,50\n", manifest: "categories: [Total]\n")
    #expect(found?.disagreements.isEmpty == true)
    let undeclared = structure("answer,count\nPartial,20\nNone,22\nTotal,50\n")
    #expect(undeclared?.disagreements.map(\.label) == ["Total"])
  }

  @Test func aLargeDimensionWithoutTotalsIsNotAskedAbout() {
    // 500 diagnosis codes by sex, no margins: nothing suggests totals, so nothing is unsearched
    // (before, any dimension of over 400 labels was review).
    var rows = ["code,sex,n"]
    for code in 0..<500 {
      for sex in ["F", "M"] { rows.append("X\(code),\(sex),\(20 + (code * 7 + sex.count) % 50)") }
    }
    let result = check(rows.joined(separator: "\n") + "\n")
    #expect(result.structure?.unsearched.isEmpty == true)
    #expect(!result.findings.contains { $0.code == "C010" })
  }

  @Test func repeatedCellsAreCountedAndTheFirstKept() {
    var rows = ["region,age_band,count"]
    for i in 0..<30 { rows.append("R\(i % 5),A\(i % 3),\(10 + i)") }
    let found = structure(rows.joined(separator: "\n") + "\n")
    // 30 rows over 15 cells.
    #expect(found?.repeatedCellCount == 15)
    #expect(found?.repeatedCells.count == 15)
    #expect(found?.repeatedCells.first?.firstLine == 2 && found?.repeatedCells.first?.secondLine == 17)
  }
}
