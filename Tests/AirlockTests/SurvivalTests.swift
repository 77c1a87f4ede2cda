import Foundation
import Testing

@testable import Airlock

/// Survival and life tables (V001–V003).
@Suite struct SurvivalTests {
  private func codes(_ result: OutputResult, _ code: String) -> [String] {
    result.findings.filter { $0.code == code }.map { "\($0.line ?? 0):\($0.column ?? 0):\($0.outcome.rawValue)" }
  }

  private func checkDeclared(_ text: String, manifest: String, pack: RulePack = pack()) -> OutputResult {
    let folder = temporaryFolder()
    let path = write(text, to: "s.csv", in: folder)
    write(manifest, to: "s.airlock.yaml", in: folder)
    return checkFile(path, pack: pack)
  }

  /// A Kaplan-Meier table of 5,000 people with steps of 600 or more (ACRO 1.0.2 fails it).
  static let largeSafeTable: String = {
    var lines = ["time,n_at_risk,n_events,n_censored,surv,lower,upper"]
    var atRisk = 5000
    var surv = 1.0
    for step in 0..<7 {
      let events = 400 + 10 * step, censored = 200
      lines.append("\(step * 30),\(atRisk),\(events),\(censored),\(surv),\(surv - 0.01),\(min(1, surv + 0.01))")
      surv *= 1 - Double(events) / Double(atRisk)
      atRisk -= events + censored
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  @Test func aLargeSafeTablePasses() {
    let result = check(Self.largeSafeTable)
    #expect(result.kind == .survival)
    #expect(result.findings.isEmpty, "\(result.findings.map(\.reason))")
    #expect(result.outcome == .pass)
  }

  @Test func stepsBelowTheThresholdFailNamingTheRow() {
    let result = check("time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,2,1\n60,157,25,5\n90,127,20,10\n")
    #expect(codes(result, "V001") == ["4:2:fail"])
    #expect(result.findings.first { $0.code == "V001" }?.reason.contains("only 3 left the risk set") == true)
    // Exactly the threshold passes; the threshold is a parameter.
    #expect(codes(check("time,n_at_risk\n0,200\n30,190\n"), "V001").isEmpty)
    #expect(codes(check("time,n_at_risk\n0,200\n30,191\n"), "V001") == ["3:2:fail"])
    let lowered = check("time,n_at_risk\n0,200\n30,191\n", pack: pack(rule: "survival-step", ["threshold": .integer(5)]))
    #expect(codes(lowered, "V001").isEmpty)
  }

  @Test func unchangedRowsAndTheTailAreNotStepFindings() {
    // Nobody left between 30 and 60: nothing revealed. 15 → 9 leaves 6 (fail); 9 → 4 is in the tail (V002 only).
    let result = check("time,n_at_risk\n0,200\n30,100\n60,100\n90,15\n120,9\n150,4\n")
    #expect(codes(result, "V001") == ["6:2:fail"])
    #expect(codes(result, "V002") == ["6:2:fail", "7:2:fail"])
  }

  @Test func tailRowsFailAndZeroAtRiskIsNotTail() {
    let result = check("time,n_at_risk,n_events,n_censored\n0,40,10,20\n30,10,5,5\n60,0,0,0\n")
    #expect(codes(result, "V002").isEmpty, "10 at risk is not below 10; 0 at risk is nobody")
    // Steps of 30 and 10; the 5 events among the 10 leaving are explained, not flagged (risk-set).
    #expect(codes(result, "V001") == ["3:3:pass"], "steps of 30 and 10")
    let tail = check("time,n_at_risk\n0,40\n30,9\n", pack: pack(rule: "survival-tail", ["threshold": .integer(9)]))
    #expect(codes(tail, "V002").isEmpty)
  }

  @Test func withoutAtRiskTheEventsAndCensoredAreTheStep() {
    let result = checkDeclared(
      "time,n_events,n_censored\n0,30,10\n30,2,1\n60,0,0\n", manifest: "kind: survival\n")
    #expect(codes(result, "V001") == ["3:2:fail"])
    let eventsOnly = checkDeclared("time,n_events\n0,30\n30,40\n", manifest: "kind: survival\n")
    #expect(eventsOnly.findings.contains { $0.code == "V001" && $0.line == nil && $0.outcome == .review })
    #expect(eventsOnly.outcome != .pass)
  }

  @Test func curveOnlyColumnsAreNotCoveredWithoutCounts() {
    let result = checkDeclared("time,surv,lower,upper\n0,1,1,1\n30,0.9,0.85,0.95\n", manifest: "kind: survival\n")
    #expect(result.findings.contains { $0.code == "C009" && $0.reason.contains("'surv'") })
    #expect(result.outcome == .review)
  }

  @Test func strataAreSeparateCurves() {
    // A label column named as a dimension gives one curve per label.
    let text = "group,time,n_at_risk\nA,0,200\nA,30,150\nB,0,100\nB,30,95\n"
    let result = check(text)
    #expect(codes(result, "V001") == ["5:3:fail"], "only group B's step of 5")
    #expect(!result.findings.contains { $0.code == "C009" })
    // Undeclared strata in one set of columns: time goes back, review (never a silent pass).
    let undeclared = check("time,n_at_risk\n0,200\n30,150\n0,300\n30,250\n")
    #expect(codes(undeclared, "V001") == ["4:1:review"])
    // An unlabelled rise in n_at_risk with time still increasing: review.
    let rise = check("time,n_at_risk\n0,200\n30,150\n60,170\n")
    #expect(codes(rise, "V001") == ["4:2:review"])
    // A text column the rules do not know needs review.
    let arm = check("arm,time,n_at_risk\nA,0,200\nA,30,150\n")
    #expect(arm.findings.contains { $0.code == "C009" && $0.reason.contains("'arm'") })
  }

  @Test func theLastRowsEventsAreItsStep() {
    let result = check("time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,2,1\n")
    #expect(codes(result, "V001") == ["3:3:fail"])
    #expect(codes(check("time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,0,0\n"), "V001").isEmpty)
  }

  @Test func withheldAtRiskNeedsReview() {
    let result = check("time,n_at_risk\n0,200\n30,*\n60,100\n")
    #expect(codes(result, "V001") == ["3:2:review"])
    #expect(result.outcome == .review)
  }

  @Test func rSurvfitNamesAreRecognised() {
    let result = check("time,n.risk,n.event,n.censor,surv,std.err,lower,upper\n0,200,30,10,1,0,1,1\n30,160,4,2,0.85,0.02,0.8,0.9\n60,154,20,10,0.83,0.02,0.79,0.88\n")
    #expect(result.kind == .survival)
    #expect(codes(result, "V001") == ["4:2:fail"])
    #expect(!result.findings.contains { $0.code == "C009" })
  }

  @Test func midpointSixOnlyInTheOpenSAFELYPack() throws {
    let text = "time,n_at_risk,n_events,n_censored\n0,201,33,9\n30,159,40,20\n"
    #expect(codes(check(text), "V003").isEmpty, "off in the default pack")
    let opensafely = check(text, pack: try RulePackLoader.load("opensafely"))
    #expect(codes(opensafely, "V003") == ["3:3:fail", "3:4:fail"])
    #expect(try RulePackLoader.load("opensafely").parameters(of: SurvivalRoundingRule.self).isEnabled)
    #expect(try !RulePackLoader.load("default").parameters(of: SurvivalRoundingRule.self).isEnabled)
  }
}
