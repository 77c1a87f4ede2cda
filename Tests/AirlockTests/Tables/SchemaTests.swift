import Foundation
import Testing

@testable import Airlock

@Suite struct SchemaTests {
  @Test func conventionalNamesMakeALongFrequencyTable() {
    let result = check("region,sex,count\nNorth,F,12\nNorth,M,15\n")
    #expect(result.kind == .frequency)
    #expect(result.layout == .long)
    #expect(result.outcome == .pass)
  }

  @Test func unnamedIntegerColumnsMakeACrosstab() {
    let result = check("ethnicity,Vaccinated,Unvaccinated\nAsian,420,88\nWhite,1880,3\n")
    #expect(result.layout == .wide)
    let finding = result.findings.first { $0.code == "C001" }
    #expect(
      finding?.cell == [
        .init(dimension: "ethnicity", label: "White"), .init(dimension: "column", label: "Unvaccinated"),
      ])
  }

  @Test func crosstabWithAnEmptyCornerHeader() {
    let result = check(",Male,Female\n18-39,42,3\n40-59,58,61\n")
    #expect(result.error == nil)
    #expect(result.layout == .wide)
    #expect(result.findings.contains { $0.code == "C001" && $0.line == 2 && $0.column == 3 })
  }

  @Test func undeclaredIntegersAreReadAsCounts() {
    // The conservative reading: an unknown integer column is a count, so small values fail.
    let result = check("practice,widgets\nP1,3\nP2,40\n")
    #expect(result.findings.contains { $0.code == "C001" && $0.line == 2 })
  }

  @Test func yearsAndAgesStayDimensions() {
    let result = check("year,age,count\n2020,40,12\n2021,41,15\n")
    #expect(result.outcome == .pass)
  }

  @Test func unknownDecimalsMustBeDeclared() {
    let result = check("region,score\nNorth,0.42\nSouth,0.58\n")
    #expect(result.outcome == .review)
    #expect(result.findings.map(\.code) == ["C000"])
    #expect(result.findings[0].reason.contains("declare this output"))
  }

  @Test func labelsOnlyMustBeDeclared() {
    #expect(check("region,name\nNorth,a\nSouth,b\n").findings.map(\.code) == ["C000"])
  }

  @Test func otherKindsAreRecognisedAndNeverPassUnchecked() {
    let cases: [(String, OutputKind)] = [
      ("term,estimate,std_error\nage,0.1,0.01\n", .model),
      ("time,n_at_risk,n_events\n0,100,3\n", .survival),
      ("bin_lo,bin_hi,count\n0,10,40\n", .histogram),
      ("group,n,mean,sd\nA,40,3.2,1.1\n", .summary),
      ("region,sum\nNorth,12000\n", .magnitude),
    ]
    for (text, kind) in cases {
      let result = check(text)
      #expect(result.kind == kind, "\(text)")
      #expect(result.outcome != .pass, "\(kind) must not pass before its rules exist")
    }
  }

  @Test func manifestDeclaresColumnsAndMargins() {
    let folder = temporaryFolder()
    let path = write("area,people\nA,40\nB,30\nEverywhere,70\n", to: "t.csv", in: folder)
    write(
      "kind: frequency\ndimensions: [area]\ncounts: [people]\nmargins: [Everywhere]\n", to: "t.airlock.yaml", in: folder
    )
    let result = checkFile(
      path, pack: pack(rule: "small-cell-count", ["threshold": .integer(71), "margins": .boolean(false)]))
    #expect(result.declared)
    // The margin is exempt, the two cells are not.
    #expect(result.findings.filter { $0.code == "C001" }.map(\.line) == [2, 3])
  }

  /// The one-probe memo of quiet cells is kept apart for margins: a value exempt as a margin is
  /// still caught in an ordinary cell, whichever comes first, and in each value column.
  @Test func aValueQuietInAMarginIsStillCheckedInAnOrdinaryCell() {
    let folder = temporaryFolder()
    let path = write(
      "area,people,visits\nEverywhere,40,40\nA,40,40\nB,90,90\nEverywhere,90,90\nC,40,90\n", to: "t.csv", in: folder)
    write(
      "kind: frequency\ndimensions: [area]\ncounts: [people, visits]\nmargins: [Everywhere]\n", to: "t.airlock.yaml",
      in: folder)
    let result = checkFile(
      path, pack: pack(rule: "small-cell-count", ["threshold": .integer(50), "margins": .boolean(false)]))
    let small = result.findings.filter { $0.code == "C001" }.map { "\($0.line ?? 0):\($0.column ?? 0)" }
    // Lines 3 and 6 hold 40 outside a margin (people is field 2, visits field 3).
    #expect(small.sorted() == ["3:2", "3:3", "6:2"])
  }

  @Test func folderManifestDeclaresByFileName() {
    let folder = temporaryFolder()
    let path = write("region,score\nNorth,12\nSouth,40\n", to: "scores.csv", in: folder)
    write("outputs:\n  scores.csv:\n    counts: [score]\n    dimensions: [region]\n", to: "airlock.yaml", in: folder)
    let result = checkFile(path)
    #expect(result.declared)
    #expect(result.outcome == .pass)
  }

  @Test func badManifestIsAConfigurationErrorWithItsPosition() {
    let folder = temporaryFolder()
    let path = write("region,count\nNorth,12\n", to: "t.csv", in: folder)
    write("kind: frequency\ncolumns: [count]\n", to: "t.airlock.yaml", in: folder)
    let error = checkFile(path).error
    #expect(error?.kind == .configuration)
    #expect(error?.line == 2)
    #expect(error?.message.contains("columns: unknown key") == true)
  }

  @Test func manifestNamingAMissingColumnFails() {
    let folder = temporaryFolder()
    let path = write("region,count\nNorth,12\n", to: "t.csv", in: folder)
    write("counts: [n]\n", to: "t.airlock.yaml", in: folder)
    #expect(checkFile(path).error?.message.contains("column 'n' is not in") == true)
  }

  @Test func structuralZeroColumnExemptsZeros() {
    let result = check(
      "sex,condition,count,structural_zero\nMale,pregnancy,0,yes\nFemale,pregnancy,40,no\nFemale,other,30,no\n")
    #expect(!result.findings.contains { $0.code == "C002" })
  }

  @Test func suppressionMarkersAreWithheldNotErrors() {
    let result = check("region,count\nA,*\nB,c\nC,[REDACTED]\nD,\nE,40\n", pack: pack())
    #expect(result.error == nil)
    #expect(!result.findings.contains { $0.code == "C004" })
  }

  @Test func findingsAreCappedPerRuleButCounted() {
    let rows = (0..<3000).map { "R\($0),3" }.joined(separator: "\n")
    let result = check("region,count\n" + rows + "\n")
    #expect(result.findings.filter { $0.code == "C001" }.count == 1000)
    #expect(result.omitted == [.init(code: "C001", count: 2000, worst: .fail)])
    #expect(result.count(.fail) == 3000)
  }

  /// Past the limit, findings the checker already knows for a value are counted without asking the
  /// rules again: the counts per code are those of asking every time (values 3 and 7 raise C001,
  /// 0 raises C002, -2 raises C004; only C001 passes the limit of 1,000).
  @Test func knownFindingsPastTheLimitAreCountedPerCode() {
    let values = [3, 0, -2, 7, 40]
    let rows = (0..<5000).map { "R\($0),\(values[$0 % 5])" }.joined(separator: "\n")
    let result = check("region,count\n" + rows + "\n")
    #expect(result.findings.filter { $0.code == "C001" }.count == 1000)
    #expect(result.findings.filter { $0.code == "C002" }.count == 1000)
    #expect(result.findings.filter { $0.code == "C004" }.count == 1000)
    #expect(result.omitted == [.init(code: "C001", count: 1000, worst: .fail)])
    #expect(result.count(.fail) == 4000)
  }
}
