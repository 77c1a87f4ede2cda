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
      let events = 400 + 10 * step
      let censored = 200
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
    let lowered = check(
      "time,n_at_risk\n0,200\n30,191\n", pack: pack(rule: "survival-step", ["threshold": .integer(5)]))
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
    let result = check(
      "time,n.risk,n.event,n.censor,surv,std.err,lower,upper\n0,200,30,10,1,0,1,1\n30,160,4,2,0.85,0.02,0.8,0.9\n60,154,20,10,0.83,0.02,0.79,0.88\n"
    )
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

/// Survival steps whose events are counts (`events: counts`, OpenSAFELY and ONS practice) or
/// only the fall in the risk set (`risk-set`, ACRO): issue 16 item 5.
@Suite struct SurvivalEventPolicyTests {
  private func v001(_ result: OutputResult, column: Int? = nil) -> [Int] {
    result.findings.filter { $0.code == "V001" && $0.outcome == .fail && (column == nil || $0.column == column) }
      .compactMap(\.line)
  }

  /// R's `summary(survfit(...))` as a data frame: 2 events hidden among 14 leaving the risk set.
  static let hidden =
    "time,n.risk,n.event,n.censor,surv\n0,200,30,10,0.850\n30,160,2,12,0.839\n60,146,25,5,0.695\n90,116,20,10,0.575\n"

  @Test func eachBuiltInPackSaysWhetherEventsAreCounts() throws {
    let expected = [
      "default": "risk-set", "opensafely": "counts", "nhs-digital": "counts", "ukllc": "counts",
      "datashield": "risk-set",
      "abs-datalab": "risk-set", "genes-and-health": "risk-set", "ukbiobank": "risk-set",
    ]
    for (name, policy) in expected {
      let pack = try RulePackLoader.load(name)
      #expect(pack.parameters(of: SurvivalStepRule.self)[SurvivalStepRule.events] == policy, "\(name)")
      let root = packageRoot
      let text = try String(contentsOf: root.appendingPathComponent("rules/\(name).yaml"), encoding: .utf8)
      #expect(text.contains("# Survival:"), "rules/\(name).yaml cites its survival policy")
    }
  }

  @Test func eventsHiddenByCensoringPassUnderRiskSetAndFailAsCounts() throws {
    let riskSet = check(Self.hidden)
    #expect(v001(riskSet).isEmpty)
    let explained = riskSet.findings.first { $0.code == "V001" && $0.outcome == .pass }
    #expect(explained?.line == 3 && explained?.reason.contains("2 events at this time are hidden among 14") == true)
    let counts = check(Self.hidden, pack: try RulePackLoader.load("ukllc"))
    #expect(v001(counts) == [3])
    #expect(
      counts.findings.first { $0.code == "V001" }?.reason.contains(
        "2 events at this time (of 160 at risk, with 12 censored: 14 leave the risk set), below the count threshold of 10"
      ) == true)
  }

  @Test func broomTidySurvfitWithoutEventsIsJudgedFromTheCurve() throws {
    // broom::tidy(survfit) keeps n.event; a researcher who drops it still publishes the curve.
    let text =
      "time,n.risk,estimate,conf.low,conf.high\n10,300,0.99,0.98,1.00\n20,280,0.94,0.91,0.97\n30,250,0.89,0.85,0.93\n"
    let counts = check(text, pack: try RulePackLoader.load("ukllc"))
    #expect(
      counts.findings.contains { $0.code == "V001" && $0.line == 2 && $0.reason.contains("between 2 and 4 events") },
      "\(counts.findings.map(\.reason))")
    #expect(!counts.findings.contains { $0.code == "V001" && $0.line == 3 && $0.reason.contains("survival estimate") })
    #expect(!counts.findings.contains { $0.code == "C009" })
    // Under ACRO's risk-set semantics the curve's steps are not counted: the row passes, and the
    // finding gives the numbers (2 to 4 events hidden among the 20 leaving).
    let riskSet = check(text).findings.filter { $0.code == "V001" && $0.reason.contains("survival estimate") }
    #expect(
      riskSet.map(\.outcome) == [.pass] && riskSet[0].reason.contains("hidden among the 20 leaving"),
      "\(riskSet.map(\.reason))")
  }

  @Test func stataStsListIsASurvivalTable() throws {
    // `sts list, saving(km)` exported: begin (at risk), fail (events), lost (censored), survivor.
    let text =
      "time,begin,fail,lost,survivor,std_err,lb,ub\n30,200,12,3,0.9400,0.0168,0.8981,0.9657\n60,185,2,13,0.9298,0.0181,0.8853,0.9578\n90,170,15,5,0.8478,0.0256,0.7911,0.8903\n"
    let riskSet = check(text)
    #expect(riskSet.kind == .survival)
    #expect(riskSet.outcome == .pass, "\(riskSet.findings.map(\.reason))")
    #expect(riskSet.findings.contains { $0.code == "V001" && $0.outcome == .pass && $0.line == 3 })
    let counts = check(text, pack: try RulePackLoader.load("ukllc"))
    #expect(v001(counts) == [3])
  }

  @Test func aMidpointSixValueStandsForItsBand() throws {
    // opensafely: counts ≤ 7 fail; 3 stands for 1–6 (fails), 9 for 7–12 (may be 8 or more: passes).
    let text = "time,n_at_risk,n_events,n_censored\n0,201,9,3\n30,189,3,9\n60,177,15,9\n"
    let result = check(text, pack: try RulePackLoader.load("opensafely"))
    #expect(v001(result, column: 3) == [3], "\(result.findings.map(\.reason))")
  }

  /// Property with a ground truth: people with random event or censoring times, tabulated as a
  /// Kaplan-Meier table (R's summary convention); under `counts`, V001 fails exactly the rows whose
  /// events are 1 to 9, from the events column or, without it, from the curve printed to 6 decimals.
  @Test func countsPolicyFailsExactlyTheRowsWithFewEvents() throws {
    var flaggedRows = 0
    var rows = 0
    for seed in 0..<30 {
      let (expected, total) = try countsPolicyCase(seed: seed)
      flaggedRows += expected
      rows += total
    }
    // Both sides are exercised: rows with few events and rows with many.
    #expect(flaggedRows >= 10 && rows - flaggedRows >= 10, "\(flaggedRows) of \(rows)")
  }

  private func countsPolicyCase(seed: Int) throws -> (expected: Int, rows: Int) {
    var rng = SplitMix(state: UInt64(seed) &* 1_000_003 &+ 5)
    let people = Int.random(in: 80...300, using: &rng)
    let times = Int.random(in: 4...9, using: &rng)
    var events = [Int](repeating: 0, count: times)
    var censored = [Int](repeating: 0, count: times)
    for _ in 0..<people {
      let time = Int.random(in: 0..<times, using: &rng)
      if Bool.random(using: &rng) { events[time] += 1 } else { censored[time] += 1 }
    }
    var withEvents = ["time,n_at_risk,n_events,n_censored,surv"]
    var curveOnly = ["time,n_at_risk,surv"]
    var atRisk = people
    var surv = 1.0
    var expected: [Int] = []
    for t in 0..<times where atRisk > 0 {
      surv *= 1 - Double(events[t]) / Double(atRisk)
      let line = withEvents.count + 1
      if events[t] >= 1 && events[t] < 10 { expected.append(line) }
      withEvents.append("\(t + 1),\(atRisk),\(events[t]),\(censored[t]),\(String(format: "%.6f", surv))")
      curveOnly.append("\(t + 1),\(atRisk),\(String(format: "%.6f", surv))")
      atRisk -= events[t] + censored[t]
    }
    let ukllc = try RulePackLoader.load("ukllc")
    let fromColumn = check(withEvents.joined(separator: "\n") + "\n", pack: ukllc)
    let flagged = fromColumn.findings.filter { $0.code == "V001" && $0.columnName == "n_events" && $0.outcome == .fail }
    #expect(flagged.compactMap(\.line) == expected, "\(withEvents)")
    let fromCurve = check(curveOnly.joined(separator: "\n") + "\n", pack: ukllc)
    let derived = fromCurve.findings.filter { $0.code == "V001" && $0.reason.contains("survival estimate") }
    #expect(derived.compactMap(\.line) == expected, "\(curveOnly)\n\(derived.map(\.reason))")
    return (expected.count, withEvents.count - 1)
  }
}
