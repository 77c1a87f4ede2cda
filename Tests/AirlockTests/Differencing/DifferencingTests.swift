import Foundation
import Testing

@testable import Airlock

private func audit(_ text: String, minWidth: Double = 3, base: String = "default") -> [Finding] {
  check(text, pack: pack(base, rule: "recoverable-suppression", ["min_width": .number(minWidth)]))
    .findings.filter { $0.code == "X001" }
}

/// Audits `text` with a sidecar manifest and evidence file beside it (magnitude tables keep the true
/// values of withheld cells in the evidence).
private func audit(
  _ text: String, manifest: String? = nil, evidence: String? = nil, pack: RulePack = pack()
) -> OutputResult {
  let folder = temporaryFolder()
  let path = write(text, to: "t.csv", in: folder)
  if let manifest { write(manifest, to: "t.airlock.yaml", in: folder) }
  if let evidence { write(evidence, to: "t.evidence.csv", in: folder) }
  var result = checkFile(path, pack: pack)
  result.findings = result.findings.filter { $0.code == "X001" }
  return result
}

/// A region hierarchy (North = Leeds + York, South = Bristol + Exeter) crossed with sex.
private let regions = """
  region,Male,Female,Total
  North,13,17,30
  North/Leeds,5,7,12
  North/York,8,10,18
  South,20,22,42
  South/Bristol,9,11,20
  South/Exeter,11,11,22
  Total,33,39,72

  """
private let regionHierarchy = """
  hierarchy:
    region:
      North: [North/Leeds, North/York]
      South: [South/Bristol, South/Exeter]

  """

@Suite struct DifferencingTests {
  @Test func handbookExample3() {
    // Hundepool et al. (2024) ch. 4, Example 3 (Geurts 1992, Table 10): X11 ∈ [3, 6].
    let table = "group,1,2,Total\n1,*,*,7\n2,*,*,3\n3,3,3,6\nTotal,9,7,16\n"
    let findings = audit(table, minWidth: 100)
    let reasons = Dictionary(uniqueKeysWithValues: findings.map { ("\($0.line!):\($0.column!)", $0.reason) })
    #expect(reasons.count == 4)
    #expect(reasons["2:2"]?.contains("narrowed to [3, 6]") == true, "X11")
    #expect(reasons["2:3"]?.contains("narrowed to [1, 4]") == true, "X12")
    #expect(reasons["3:2"]?.contains("narrowed to [0, 3]") == true, "X21")
    #expect(reasons["3:3"]?.contains("narrowed to [0, 3]") == true, "X22")
    // Every interval is 3 wide: enough for the default minimum width of 3.
    #expect(audit(table).isEmpty)
  }

  @Test func hierarchyRecoversACellFromItsSubtotal() {
    let table = regions.replacingOccurrences(of: "North/Leeds,5,7,12", with: "North/Leeds,*,7,12")
    let declared = audit(table, manifest: regionHierarchy).findings
    // Leeds/Male = Leeds/Total − Leeds/Female also holds without the hierarchy; withhold the row
    // total too, so that only North − York gives it back.
    #expect(declared.count == 1)
    let deeper = audit(
      table.replacingOccurrences(of: "North/Leeds,*,7,12", with: "North/Leeds,*,7,*"), manifest: regionHierarchy
    ).findings
    #expect(deeper.count == 2)
    #expect(deeper.contains { $0.reason.contains("North/Leeds/Male = North/Male (13) − North/York/Male (8) = 5") })
    // Undeclared, the subtotals are found from the numbers (North = the two rows after it), and
    // give the same cells back.
    let undeclared = audit(
      table.replacingOccurrences(of: "North/Leeds,*,7,12", with: "North/Leeds,*,7,*"), manifest: nil)
    #expect(undeclared.findings.map(\.reason) == deeper.map(\.reason))
    #expect(undeclared.structure?.subtotals.map(\.parent) == ["North", "South"])
  }

  @Test func intervalsThroughAHierarchy() {
    var table = regions
    for row in ["North/Leeds,5,7,12", "North/York,8,10,18"] {
      let parts = row.split(separator: ",")
      table = table.replacingOccurrences(of: row, with: "\(parts[0]),*,*,\(parts[3])")
    }
    // Inside North: a + b = 12, c + d = 18, a + c = 13, b + d = 17.
    let findings = audit(
      table, manifest: regionHierarchy, pack: pack(rule: "recoverable-suppression", ["min_width": .number(100)])
    ).findings
    let reasons = Dictionary(uniqueKeysWithValues: findings.map { ("\($0.line!):\($0.column!)", $0.reason) })
    #expect(reasons["3:2"]?.contains("[0, 12]") == true)
    #expect(reasons["3:3"]?.contains("[0, 12]") == true)
    #expect(reasons["4:2"]?.contains("[1, 13]") == true)
    #expect(reasons["4:3"]?.contains("[5, 17]") == true)
    #expect(audit(table, manifest: regionHierarchy).findings.isEmpty)
  }

  @Test func nestedHierarchyLevels() {
    // Total = North + South; North = Leeds + York; Leeds = Leeds/East + Leeds/West.
    let table = "area,count\nNorth,30\nLeeds,12\nLeeds/East,*\nLeeds/West,*\nYork,18\nSouth,42\nTotal,72\n"
    let manifest = "hierarchy:\n  area:\n    North: [Leeds, York]\n    Leeds: [Leeds/East, Leeds/West]\n"
    #expect(audit(table, manifest: manifest).findings.isEmpty)
    let york = audit(table.replacingOccurrences(of: "York,18", with: "York,*"), manifest: manifest).findings
    #expect(york.count == 1 && york[0].reason.contains("York = North (30) − Leeds (12) = 18"))
  }

  @Test func hierarchyAcrossTheColumnsOfACrosstab() {
    // Adults = 16-64 + 65+; Total = 0-15 + Adults.
    let table = "region,0-15,16-64,65+,Adults,Total\nA,12,*,15,40,52\nB,20,*,31,61,81\nTotal,32,55,46,101,133\n"
    let manifest = "columns_dimension: age\nhierarchy:\n  age:\n    Adults: [16-64, 65+]\n"
    let findings = audit(table, manifest: manifest).findings
    #expect(findings.count == 2)
    #expect(
      findings.first?.reason.contains("A/16-64 = A/Adults (40) − A/65+ (15) = 25") == true, "\(findings.map(\.reason))")
  }

  @Test(arguments: [
    (
      "hierarchy:\n  region:\n    North: [North/Leeds, North/Leds]\n",
      "hierarchy.region.North.[1]: unknown code 'North/Leds'"
    ),
    ("hierarchy:\n  place:\n    North: [North/Leeds]\n", "hierarchy.place: 'place' is not a dimension"),
    ("hierarchy:\n  region:\n    North: [South]\n    South: [North]\n", "cycle"),
    ("hierarchy:\n  region:\n    North: [North/Leeds]\n    South: [North/Leeds]\n", "already a child of 'North'"),
    ("hierarchy:\n  region:\n    North: []\n", "at least one child"),
    ("hierarchy:\n  region:\n    North: [Total]\n", "a margin can only be a parent"),
  ])
  func hierarchyDeclarationsAreValidated(manifest: String, message: String) throws {
    let result = audit(regions, manifest: manifest)
    let error = try #require(result.error)
    #expect(error.kind == .configuration)
    #expect(error.message.contains(message), "\(error.message)")
  }

  @Test func magnitudeCellsMustKeepTheirProtectionLevel() {
    // Handbook Example 4: X = 330 from 300, 20 and 10. Under (1, 85%), UPL = (100 / 85) · 300 − 330 = 22.94.
    let nk = pack(rule: "nk-dominance", ["pairs": .strings(["1:85"])])
    let table = "sector,sum\nA,*\nB,*\nC,500\nTotal,845\n"
    let evidence = "sector,sum,n,top1,top2,top3\nA,330,3,300,20,10\nB,15,5,6,4,2\nC,500,20,60,50,40\n"
    let findings = audit(table, evidence: evidence, pack: nk).findings
    // A ∈ [0, 345]: an upper bound only 15 above 330 tells its largest contributor's rivals too much.
    #expect(findings.count == 1)
    #expect(findings.first?.line == 2)
    #expect(findings.first?.reason.contains("narrowed to [0, 345]") == true)
    #expect(
      findings.first?.reason.contains("the (1, 85%) rule needs 22.94 on each side") == true, "\(findings.map(\.reason))"
    )
    // With a larger partner the upper bound is 60 above: protected.
    let wider = audit(
      "sector,sum\nA,*\nB,*\nC,455\nTotal,845\n",
      evidence: "sector,sum,n,top1,top2,top3\nA,330,3,300,20,10\nB,60,5,20,15,10\nC,455,20,60,50,40\n", pack: nk)
    #expect(wider.error == nil && wider.findings.isEmpty, "\(wider.findings.map(\.reason))")
  }

  @Test func evidenceThatContradictsTheMarginsNeedsReview() {
    // A + B = 345, but the evidence says A alone is 400.
    let result = audit(
      "sector,sum\nA,*\nB,*\nC,500\nTotal,845\n",
      evidence: "sector,sum,n,top1,top2,top3\nA,400,3,300,20,10\nB,15,5,6,4,2\nC,500,20,60,50,40\n")
    #expect(result.findings.count == 1)
    #expect(result.findings.first?.outcome == .review)
    #expect(
      result.findings.first?.reason.contains("outside what the margins allow ([0, 345])") == true,
      "\(result.findings.map(\.reason))")
  }

  @Test func magnitudeWithoutEvidenceIsOnlyCheckedForExactRecovery() {
    #expect(audit("sector,sum\nA,*\nB,*\nC,500\nTotal,845\n").findings.isEmpty)
    let lone = audit("sector,sum\nA,*\nB,15\nC,500\nTotal,845.5\n").findings
    #expect(lone.count == 1 && lone[0].reason.contains("= 330.5"))
  }

  @Test func singletonKnowsItsOwnValue() {
    // A/North has one contributor; B/South two. In the rectangle A/North = B/South, so the
    // single contributor of A/North learns B/South exactly. The intervals alone are wide.
    let table = """
      sector,region,sum
      A,North,*
      A,South,*
      A,Total,1050
      B,North,*
      B,South,*
      B,Total,1050
      Total,North,1050
      Total,South,1050
      Total,Total,2100

      """
    let evidence = """
      sector,region,sum,n,top1,top2
      A,North,50,1,50,
      A,South,1000,40,40,30
      B,North,1000,40,40,30
      B,South,50,2,30,20

      """
    let findings = audit(table, evidence: evidence).findings
    #expect(findings.count == 1)
    #expect(findings.first?.line == 6)
    #expect(findings.first?.reason.contains("the only contributor to A/North knows its value") == true)
    #expect(findings.first?.reason.contains("singleton check") == true)
    // Two contributors in A/North: nobody knows a cell outright.
    let pair = evidence.replacingOccurrences(of: "A,North,50,1,50,", with: "A,North,50,2,30,20")
    #expect(audit(table, evidence: pair).findings.isEmpty)
  }

  @Test func unionOfWithheldCellsIsDominated() {
    // A + B = 600 is known. A alone is protected by its interval [0, 600], but together the
    // largest two contributions (450 in A, 95 in B) are 90.8% of 600, over (2, 90%).
    let table = "sector,sum\nA,*\nB,*\nC,400\nTotal,1000\n"
    let evidence = "sector,sum,n,top1,top2\nA,500,10,450,20\nB,100,2,95,5\nC,400,30,30,20\n"
    let findings = audit(table, evidence: evidence).findings
    #expect(findings.count == 1)
    #expect(findings.first?.line == 2)
    #expect(findings.first?.reason.contains("union dominance") == true)
    #expect(findings.first?.reason.contains("90.8% of their sum") == true, "\(findings.map(\.reason))")
    let spread = evidence.replacingOccurrences(of: "B,100,2,95,5", with: "B,100,2,60,40")
    #expect(audit(table, evidence: spread).findings.isEmpty)
  }

  @Test func feasibilityIntervalsOfARectangleOfSuppressions() {
    // a + b = 20, c + d = 31, a + c = 25, b + d = 26: a ∈ [0, 20], b ∈ [0, 20], c ∈ [5, 25], d ∈ [6, 26].
    let findings = audit("region,Male,Female,Total\nA,*,*,20\nB,*,*,31\nTotal,25,26,51\n", minWidth: 100)
    let reasons = Dictionary(uniqueKeysWithValues: findings.map { ("\($0.line!):\($0.column!)", $0.reason) })
    #expect(reasons["2:2"]?.contains("[0, 20]") == true)
    #expect(reasons["2:3"]?.contains("[0, 20]") == true)
    #expect(reasons["3:2"]?.contains("[5, 25]") == true)
    #expect(reasons["3:3"]?.contains("[6, 26]") == true)
    #expect(audit("region,Male,Female,Total\nA,*,*,20\nB,*,*,31\nTotal,25,26,51\n").isEmpty)
  }

  @Test func markerBoundsTightenTheInterval() {
    // With "<10" the attacker knows A/Male is 1..9, so A/Female = 20 − A/Male is 11..19.
    let findings = audit("region,Male,Female,Total\nA,<10,*,20\nB,*,*,31\nTotal,25,26,51\n", minWidth: 100)
    #expect(findings.first { $0.line == 2 && $0.column == 3 }?.reason.contains("[11, 19]") == true)
  }

  @Test func recoversThroughAChainAndShowsIt() {
    let findings = audit("region,Male,Female,Total\nA,*,*,20\nB,12,*,31\nTotal,28,23,51\n")
    #expect(findings.count == 3)
    #expect(findings.contains { $0.reason.hasSuffix("A/Female = A/Total (20) − A/Male (16, recovered) = 4") })
  }

  @Test func threeDimensionalTable() {
    var rows = ["sex,age,region,count"]
    for sex in ["F", "M", "Total"] {
      for age in ["young", "old", "Total"] {
        for region in ["N", "S", "Total"] {
          let base = ["F": 10, "M": 20][sex] ?? 30
          let extra = ["young": 1, "old": 2][age] ?? 3
          let factor = ["N": 1, "S": 2][region] ?? 3
          rows.append("\(sex),\(age),\(region),\(base * extra * factor)")
        }
      }
    }
    // Withhold one interior cell: every margin through it gives it back.
    rows[1] = "F,young,N,*"
    let findings = audit(rows.joined(separator: "\n") + "\n")
    #expect(findings.count == 1)
    #expect(findings[0].reason.contains("= 10"))
  }

  @Test func marginsThatDoNotAddUpAreReportedNotGuessed() {
    // The Total column is not the sum of its row in B (35, not 36): a category, asked about (C010);
    // the Total row adds up, and still gives back A/Female.
    let result = check("region,Male,Female,Total\nA,10,*,22\nB,15,20,36\nTotal,25,32,58\n")
    let structure = result.findings.filter { $0.code == "C010" }
    #expect(
      structure.count == 1 && structure[0].outcome == .review && structure[0].reason.contains("'Total' in 'column'"))
    let audit = result.findings.filter { $0.code == "X001" }
    #expect(audit.count == 1 && audit[0].outcome == .fail && audit[0].reason.contains("= 12"))
    // Every total off: nothing is read as a margin, and both are asked about.
    let off = check("region,Male,Female,Total\nA,10,12,22\nB,15,20,36\nTotal,25,32,57\n")
    #expect(off.findings.filter { $0.code == "C010" }.count == 2)
    #expect(off.outcome == .review)
  }

  @Test func roundedTablesAllowHalfABasePerTerm() throws {
    // OpenSAFELY rounds cells and totals separately: 15 + 25 = 40, published total 45 is within tolerance.
    let opensafely = try RulePackLoader.load("opensafely")
    let result = check("region,Male,Female,Total\nA,15,25,45\nB,20,30,50\nTotal,35,55,95\n", pack: opensafely)
    #expect(!result.findings.contains { $0.code == "X001" })
  }

  @Test func contradictoryMarkersAreReported() {
    // "<10" cannot be 15.
    let findings = audit("region,count\nA,<10\nB,12\nTotal,27\n")
    #expect(findings.count == 1)
    #expect(findings[0].outcome == .review)
  }

  @Test func aMarginOverMissingCategoriesIsReportedNotGuessed() {
    // Region B's rows are missing, so the region totals are not sums of the rows shown: the
    // region Total is asked about (C010), and the sex totals, which do add up, still give A/F back.
    let result = check("region,sex,count\nA,F,*\nA,M,12\nA,Total,20\nTotal,F,30\nTotal,M,40\nTotal,Total,70\n")
    #expect(
      result.findings.contains {
        $0.code == "C010" && $0.outcome == .review && $0.reason.contains("'Total' in 'region'")
      })
    let audit = result.findings.filter { $0.code == "X001" }
    #expect(
      audit.count == 1 && audit[0].outcome == .fail && audit[0].reason.contains("A/F = A/Total (20) − A/M (12) = 8"))
  }

  @Test func solverCountsItsLinearPrograms() {
    let program = LinearProgram()
    let result = program.intervals(
      variables: 2, lower: [0, 0], upper: [LinearProgram.infinity, LinearProgram.infinity],
      equations: [.init(terms: [(0, 1), (1, 1)], rhs: 10)])
    #expect(result == .intervals([Interval(lower: 0, upper: 10), Interval(lower: 0, upper: 10)]))
    #expect(program.solved == 4)
  }

  /// Numbers past 10^15 are not whole counts in doubles and crash the solver: the audit says it
  /// cannot run (review), never passes the withheld cells.
  @Test func hugeValuesNeedReviewNotAPass() {
    // Four withheld cells, no single unknown in any line: the equations hold the huge totals.
    let result = check(
      "group,Yes,No,Total\nA,*,*,30000000000000020\nB,*,*,70\nTotal,60,30000000000000030,30000000000000090\n")
    let audit = result.findings.filter { $0.code == "X001" }
    #expect(audit.contains { $0.outcome == .review && $0.reason.contains("10^15") })
    #expect(result.outcome != .pass)
  }
}
