import Foundation
import Testing

@testable import Airlock

private func audit(_ text: String, minWidth: Double = 3, base: String = "default") -> [Finding] {
  check(text, pack: pack(base, rule: "recoverable-suppression", ["min_width": .number(minWidth)]))
    .findings.filter { $0.code == "X001" }
}

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
    let findings = audit("region,Male,Female,Total\nA,10,*,22\nB,15,20,36\nTotal,25,32,58\n")
    #expect(findings.count == 1)
    #expect(findings[0].outcome == .review)
    #expect(findings[0].reason.contains("do not equal the sum of their cells"))
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
    // Region B's rows are missing, so the region totals are not sums of the rows shown.
    let findings = audit("region,sex,count\nA,F,*\nA,M,12\nA,Total,20\nTotal,F,30\nTotal,M,40\nTotal,Total,70\n")
    #expect(findings.count == 1)
    #expect(findings[0].outcome == .review)
  }

  @Test func solverCountsItsLinearPrograms() {
    let program = LinearProgram()
    let result = program.intervals(
      variables: 2, lower: [0, 0], upper: [LinearProgram.infinity, LinearProgram.infinity],
      equations: [.init(terms: [(0, 1), (1, 1)], rhs: 10)])
    #expect(result == .intervals([Interval(lower: 0, upper: 10), Interval(lower: 0, upper: 10)]))
    #expect(program.solved == 4)
  }
}
