import Foundation
import Testing

@testable import Airlock

@Suite struct SummaryStatisticTests {
  @Test func modesNeedTheThresholdToo() {
    // ACRO runs no threshold on modes.
    let result = check("group,n,mode\nA,3,2\nB,40,5\n")
    #expect(result.findings.contains { $0.code == "S001" && $0.line == 2 && $0.columnName == "mode" })
  }

  @Test func spreadsAreJudgedCellByCell() {
    // ACRO's std grid marks every non-zero cell; airlock marks exactly the cells with n − 1 < 10.
    let result = check("group,n,sd\nA,10,1.2\nB,11,0.9\nC,200,1.1\n")
    #expect(result.findings.filter { $0.code == "S001" }.map(\.line) == [2])
  }

  @Test func minAndMaxFailUnlessDesignLimits() {
    let folder = temporaryFolder()
    let path = write("cohort,n,min,max\nSchool,400,11,16\n", to: "ages.csv", in: folder)
    #expect(checkFile(path).findings.filter { $0.code == "S002" }.count == 2)
    write(
      "design_limits: [min, max]\ndesign_limits_reason: set by the study design\n", to: "ages.airlock.yaml", in: folder)
    #expect(!checkFile(path).findings.contains { $0.code == "S002" })
    write("design_limits: [max]\ndesign_limits_reason: set by the study design\n", to: "ages.airlock.yaml", in: folder)
    #expect(checkFile(path).findings.filter { $0.code == "S002" }.map(\.columnName) == ["min"])
  }

  @Test func percentileEqualToAnEvidenceMaximumIsFlagged() {
    let folder = temporaryFolder()
    let path = write("group,n,p95\nA,40,97\nB,50,80\n", to: "ages.csv", in: folder)
    write("group,max\nA,97\nB,99\n", to: "ages.evidence.csv", in: folder)
    #expect(checkFile(path).findings.filter { $0.code == "S003" }.map(\.line) == [2])
  }

  @Test func summaryWithoutCountsNeedsReview() {
    let result = check("group,mean,median\nA,3.2,3\n")
    #expect(result.outcome == .review)
    #expect(result.findings.contains { $0.code == "S001" && $0.outcome == .review })
  }
}

@Suite struct ModelTests {
  @Test func acroRegressionExampleFails() {
    // ACRO 1.0.2: ols with n = 12 and k = 3 has 9 residual degrees of freedom.
    let result = check("term,estimate,std_error,n_obs,df_resid\nconst,1.0,0.2,12,9\nx1,0.5,0.1,12,9\nx2,0.2,0.1,12,9\n")
    #expect(result.findings.contains { $0.code == "D001" && $0.outcome == .fail && $0.reason.contains("9 residual") })
  }

  @Test func degreesOfFreedomDerivedFromTermsWhenParametersAreMissing() {
    func model(observations: Int) -> String {
      "term,estimate,n_obs\n" + (0..<5).map { "t\($0),0.1,\(observations)" }.joined(separator: "\n") + "\n"
    }
    // 14 observations − 5 terms = 9 residual degrees of freedom.
    #expect(
      check(model(observations: 14)).findings.contains {
        $0.code == "D001" && $0.outcome == .fail && $0.reason.contains("has 9 residual")
      })
    #expect(!check(model(observations: 100)).findings.contains { $0.code == "D001" })
  }

  @Test func datashieldLimitsParametersToAThirdOfObservations() throws {
    let text = "term,estimate,n_obs,df_resid\n" + (0..<4).map { "t\($0),0.1,10,10" }.joined(separator: "\n") + "\n"
    #expect(!check(text).findings.contains { $0.code == "D002" })
    #expect(
      check(text, pack: try RulePackLoader.load("datashield")).findings.contains {
        $0.code == "D002" && $0.outcome == .fail
      })
  }

  @Test func modelWithoutSizeNeverPasses() {
    let result = check("term,estimate,std_error\nconst,1.0,0.2\n")
    #expect(result.outcome == .review)
  }
}
