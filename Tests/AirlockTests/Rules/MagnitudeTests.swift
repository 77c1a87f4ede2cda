import Foundation
import Testing

@testable import Airlock

private func codes(_ result: OutputResult, line: Int) -> [String] {
  result.findings.filter { $0.line == line }.map { "\($0.code):\($0.outcome.rawValue)" }.sorted()
}

/// Edge cases of the magnitude rules, and ACRO's weaknesses that apply to summary files.
@Suite struct MagnitudeTests {
  @Test func acroWorkedExampleCellsFailEveryRuleTheyShould() {
    // ACRO's bundled test data (acro 1.0.2): 2010/R/G has 8 charities, sum 46.544M, top1 36.645M, top2 8.073M;
    // 2010/N has 59 charities whose grants are all 0.
    let result = check(
      "year,grant_type,sum,n,top1,top2\n2010,R/G,46544000,8,36645000,8073000\n2010,N,0,59,0,0\n2010,G,6144000,120,900000,850000\n"
    )
    #expect(codes(result, line: 2).contains("M001:fail"))
    #expect(codes(result, line: 2).contains("M002:fail"))
    #expect(codes(result, line: 2).contains("M003:fail"))
    // ACRO passes the all-zero cell's (n, k) check (0/0) and fails it only through its p-ratio quirk;
    // airlock fails it for the right reason: every contribution is known.
    #expect(
      result.findings.contains {
        $0.line == 3 && $0.code == "M003" && $0.reason.contains("every one of the 59 contributions is zero")
      })
    #expect(codes(result, line: 4).isEmpty)
  }

  @Test func oneNegativeValueDoesNotSwitchDominanceOffForTheTable() {
    // ACRO: one negative anywhere skips dominance for the whole table.
    let result = check(
      "sector,sum,n,top1,top2,n_negative,sum_abs\nRetail,1000,40,950,20,0,\nFarming,500,30,100,90,1,700\n")
    #expect(codes(result, line: 2).contains("M001:fail"))
    #expect(!codes(result, line: 3).contains("M001:fail"))
  }

  @Test func negativeContributionsUseAbsoluteValues() {
    // Net total 100, but the absolute contributions total 2000, 1900 of them from two units.
    let result = check("sector,sum,n,top1,top2,n_negative,sum_abs\nEnergy,100,30,1000,900,5,2000\n")
    #expect(codes(result, line: 2).contains("M001:fail"))
  }

  @Test func negativesWithoutAbsoluteTotalNeedReview() {
    let result = check("sector,sum,n,top1,top2,n_negative\nEnergy,100,30,60,50,5\n")
    let finding = result.findings.first { $0.code == "M001" }
    #expect(finding?.outcome == .review)
    #expect(finding?.reason.contains("sum_abs") == true)
  }

  @Test func exactlyKPercentPassesUnlessInclusive() {
    let text = "sector,sum,n,top1,top2\nRetail,1000,40,500,400\n"
    #expect(!check(text).findings.contains { $0.code == "M001" })
    let strict = pack(rule: "nk-dominance", ["inclusive": .boolean(true)])
    #expect(check(text, pack: strict).findings.contains { $0.code == "M001" && $0.outcome == .fail })
  }

  @Test func unitsNotRecordsForTheThreshold() {
    // ACRO: 48 rows of 8 charities pass a threshold of 10.
    let result = check("grant_type,sum,n,n_units,top1,top2\nR/G,46544000,48,8,3000000,2900000\n")
    #expect(result.findings.contains { $0.code == "M003" && $0.reason.contains("8 contributing distinct units") })
  }

  @Test func missingValuesDoNotCountTowardTheThreshold() {
    // ACRO: 11 rows with 2 non-missing values pass the threshold.
    let result = check("group,mean,n,n_missing,top1,top2\nA,40,11,9,45,35\nB,30,50,0,60,55\n")
    #expect(
      result.findings.contains { $0.code == "S001" && $0.line == 2 && $0.reason.contains("statistic of 2 people") })
    #expect(!result.findings.contains { $0.code == "S001" && $0.line == 3 })
  }

  @Test func weightedTotalsAgainstUnweightedContributions() {
    // Unweighted top two are 80% of the unweighted sum, but 96% of the weighted total.
    let text = "region,sum,n,top1,top2,weighted_total\nNorth,1000,40,500,300,830\n"
    #expect(check(text).findings.contains { $0.code == "M001" && $0.outcome == .fail })
    #expect(!check("region,sum,n,top1,top2\nNorth,1000,40,500,300\n").findings.contains { $0.code == "M001" })
  }

  @Test func sidecarEvidenceFileIsJoinedByLabels() {
    let folder = temporaryFolder()
    let path = write("sector,sum\nRetail,1000\nFarming,800\n", to: "sales.csv", in: folder)
    write("sector,n,top1,top2\nFarming,25,100,80\nRetail,40,700,250\n", to: "sales.evidence.csv", in: folder)
    let result = checkFile(path)
    #expect(result.findings.filter { $0.code == "M001" }.map(\.line) == [2])
    #expect(!result.findings.contains { $0.outcome == .review })
  }

  @Test func evidenceFilesAmongOutputsMayNotBeReleased() {
    let folder = temporaryFolder()
    write("sector,sum\nRetail,1000\n", to: "sales.csv", in: folder)
    write("sector,n,top1,top2\nRetail,40,100,90\n", to: "sales.evidence.csv", in: folder)
    let report = Checker(pack: pack()).check(paths: [folder.path])
    let evidence = report.results.first { $0.file.hasSuffix("sales.evidence.csv") }
    #expect(evidence?.findings.contains { $0.code == "E001" && $0.outcome == .fail } == true)
  }

  @Test func malformedEvidenceIsAnInputError() {
    let folder = temporaryFolder()
    let path = write("sector,sum\nRetail,1000\n", to: "sales.csv", in: folder)
    write("sector,n,top1\nRetail,forty,100\n", to: "sales.evidence.csv", in: folder)
    let error = checkFile(path).error
    #expect(error?.description.hasSuffix("sales.evidence.csv:2:8: evidence 'n' is not a number") == true)
  }

  /// Two columns that name one piece of evidence (`N` and `n`) are an error, not a guess at which
  /// counts; an empty evidence field is missing evidence, and the rules then ask for review.
  @Test func repeatedOrEmptyEvidenceIsNeverGuessed() {
    let folder = temporaryFolder()
    let path = write("sector,sum\nRetail,1000\nFarming,800\n", to: "sales.csv", in: folder)
    write("sector,N,top1,n\nRetail,40,100,2\n", to: "sales.evidence.csv", in: folder)
    #expect(checkFile(path).error?.description.hasSuffix("sales.evidence.csv:1:15: evidence 'n' repeats 'N'") == true)
    write("sector,n,top1,top2\nFarming,25,100,80\nRetail,,700,250\n", to: "sales.evidence.csv", in: folder)
    let result = checkFile(path)
    #expect(result.error == nil)
    #expect(result.findings.filter { $0.outcome == .review }.map(\.line) == [2])
    #expect(!result.findings.contains { $0.line == 3 && $0.outcome != .pass })
  }

  @Test func evidenceKeyedByFewerDimensionsIsNeverLentToEveryCell() {
    // One row per region would give North's contributors to both of its sectors' cells.
    let folder = temporaryFolder()
    let path = write("region,sector,sum\nNorth,Retail,1000\nNorth,Farming,900\n", to: "sales.csv", in: folder)
    write("region,n,top1,top2\nNorth,400,20,19\n", to: "sales.evidence.csv", in: folder)
    let result = checkFile(path)
    #expect(result.outcome != .pass)
    #expect(
      result.error?.description.hasSuffix(
        "sales.evidence.csv:1:1: evidence file lacks the output's dimension column(s) sector; each row must name its cell by region, sector"
      ) == true)
    write(
      "region,sector,n,top1,top2\nNorth,Retail,400,20,19\nNorth,Farming,300,20,19\n", to: "sales.evidence.csv",
      in: folder)
    #expect(checkFile(path).outcome == .pass)
  }

  @Test func magnitudeWithoutEvidenceNeverPasses() {
    let result = check("sector,sum\nRetail,1000\n")
    #expect(result.outcome == .review)
    #expect(Set(result.findings.map(\.code)).isSuperset(of: ["M001", "M002", "M003"]))
  }

  @Test func coalitionOfTwo() {
    let text = "sector,sum,n,top1,top2,top3\nRetail,1000,40,400,300,280\n"
    #expect(!check(text).findings.contains { $0.code == "M002" })
    let coalition = pack(rule: "p-percent", ["coalition": .integer(2)])
    #expect(check(text, pack: coalition).findings.contains { $0.code == "M002" && $0.outcome == .fail })
  }

  @Test func absPackAppliesBothPairs() throws {
    let abs = try RulePackLoader.load("abs-datalab")
    #expect(abs.rules["nk-dominance"]![NKDominanceRule.pairs] == ["1:50", "2:67"])
    #expect(check("sector,sum,n,top1,top2\nRetail,1000,40,550,20\n", pack: abs).findings.contains { $0.code == "M001" })
    #expect(!check("sector,sum,n,top1,top2\nRetail,1000,40,550,20\n").findings.contains { $0.code == "M001" })
  }

  @Test func badPairIsAConfigurationError() {
    #expect(throws: AirlockError.self) {
      try RulePackLoader.load(
        text: "format: 1\nname: x\nversion: '1'\nrules:\n  nk-dominance:\n    pairs: [\"2-90\"]\n", file: "x.yaml")
    }
  }
}
