import Foundation
import Testing

@testable import Airlock

/// Ratios and models (issue 16 item 4): event and case counts, the 2×2 table behind an odds or
/// risk ratio, and model sizes that must agree. Tables as R (broom), Stata (parmest) and pandas
/// (statsmodels) write them.
@Suite struct RatioAndModelTests {
  private func findings(_ result: OutputResult, _ code: String) -> [String] {
    result.findings.filter { $0.code == code }.map { "\($0.line ?? 0):\($0.column ?? 0):\($0.outcome.rawValue)" }
  }

  // MARK: Event and case counts

  @Test func eventCountsInAStataParmestTableAreCounts() {
    // parmest, eform saving(...), then export delimited, with the events per level added.
    let disclosive = check(
      "parm,estimate,stderr,z,p,min95,max95,events,N\n1.smoker,2.14,0.45,3.6,0.0003,1.41,3.25,4,460\n_cons,0.31,0.05,-7.2,0.0001,0.22,0.43,121,460\n"
    )
    #expect(disclosive.kind == .model)
    #expect(findings(disclosive, "C001") == ["2:8:fail"])
    let safe = check(
      "parm,estimate,stderr,z,p,min95,max95,events,N\n1.smoker,2.14,0.45,3.6,0.0003,1.41,3.25,40,460\n_cons,0.31,0.05,-7.2,0.0001,0.22,0.43,121,460\n"
    )
    #expect(findings(safe, "C001").isEmpty && findings(safe, "C002").isEmpty)
  }

  @Test func casesControlsAndExposedGroupsAreCounts() {
    // A pandas/statsmodels table with the 2×2 cells beside each term.
    let text =
      "term,coef,std_err,exposed_cases,unexposed_cases,controls,exposed,n_obs,df_resid\nsmoker,0.76,0.21,3,117,340,0,460,458\n"
    let result = check(text)
    #expect(findings(result, "C001") == ["2:4:fail"])
    #expect(findings(result, "C002") == ["2:7:fail"])
    let columns = result.columns?.filter { $0.role == .count }.map(\.name) ?? []
    #expect(columns == ["exposed_cases", "unexposed_cases", "controls", "exposed"])
    let safe = check(
      "term,coef,std_err,exposed_cases,unexposed_cases,controls,exposed,n_obs,df_resid\nsmoker,0.76,0.21,30,117,340,120,460,458\n"
    )
    #expect(safe.outcome == .pass, "\(safe.findings.map(\.reason))")
  }

  // MARK: Model sizes

  @Test func aLargeDfResidBesideASmallNObsIsNeverTrusted() {
    // broom::tidy joined to glance(): nobs and df.residual. 480 residual df from 12 observations.
    let text =
      "term,estimate,std.error,statistic,p.value,nobs,df.residual,n_params\n(Intercept),1.2,0.3,4.0,0.001,12,480,3\nage,0.03,0.01,3.0,0.01,12,480,3\nsex,0.5,0.2,2.5,0.03,12,480,3\n"
    let result = check(text)
    let d001 = result.findings.filter { $0.code == "D001" }
    #expect(
      d001.contains { $0.outcome == .review && $0.reason.contains("df_resid 480") && $0.reason.contains("n_obs 12") })
    // Judged by the smallest that could be true: 12 − 3 − 1 = 8.
    #expect(d001.contains { $0.outcome == .fail && $0.reason.contains("has 8 residual") }, "\(d001.map(\.reason))")
  }

  @Test func sizesThatAgreeWithinTheInterceptConventionPass() {
    // statsmodels: df_model excludes the intercept, so df_resid = n − k − 1; R's logLik df counts
    // the scale, so df_resid = n − p + 1. Both agree.
    for df in [496, 497, 498] {
      let text = "term,estimate,n_obs,n_params,df_resid\nconst,1.2,500,3,\(df)\nx1,0.1,500,3,\(df)\n"
      #expect(!check(text).findings.contains { $0.code == "D001" }, "df_resid \(df)")
    }
    #expect(
      check("term,estimate,n_obs,n_params,df_resid\nconst,1.2,500,3,499\n").findings.contains {
        $0.code == "D001" && $0.outcome == .review
      })
  }

  @Test func withoutNParamsTheTermRowsBoundTheParametersOfOneModel() {
    let rows = (0..<6).map { "t\($0),0.1,20,18" }.joined(separator: "\n")
    // 6 term rows: df_resid 18 from n_obs 20 is more than 20 − 6 + 1 allows.
    #expect(
      check("term,estimate,n_obs,df_resid\n" + rows + "\n").findings.contains {
        $0.code == "D001" && $0.outcome == .review
      })
    // Stacked models with different n_obs: the rows are not one model's parameters.
    let stacked = (0..<6).map { "t\($0),0.1,\(20 + $0),18" }.joined(separator: "\n")
    #expect(
      !check("term,estimate,n_obs,df_resid\n" + stacked + "\n").findings.contains {
        $0.code == "D001" && $0.outcome == .review
      })
  }

  // MARK: Back-solving the 2×2 table

  @Test func aBroomOddsRatioWithItsGroupTotalsIsSolvedBack() {
    // broom::tidy(glm(..., family = binomial), exponentiate = TRUE, conf.int = TRUE), with the
    // group totals added by the researcher: a = 6 exposed cases.
    let text =
      "term,estimate,std.error,conf.low,conf.high,n_exposed,n_unexposed,n_cases,n_controls,nobs,df.residual\nsmoker,1.84,0.53,0.66,5.14,40,160,20,180,200,198\n"
    let result = check(text)
    let d005 = result.findings.filter { $0.code == "D005" }
    #expect(d005.count == 1 && d005[0].outcome == .fail, "\(d005.map(\.reason))")
    #expect(d005.first?.reason.contains("exposed cases = 6, below the threshold of 10") == true)
  }

  @Test func aRiskRatioIsSolvedWithKatzInterval() {
    // a = 5 of 100 exposed, c = 40 of 400 unexposed: RR 0.5, Katz interval 0.20 to 1.23.
    let small = "term,risk_ratio,lower_ci,upper_ci,n_exposed,n_unexposed\nexposed,0.50,0.20,1.23,100,400\n"
    let result = check(small)
    #expect(
      result.findings.contains { $0.code == "D005" && $0.outcome == .fail && $0.reason.contains("exposed cases") })
    // The same ratio from 10 times the people leaves many tables, none with a small cell.
    let large = "term,risk_ratio,lower_ci,upper_ci,n_exposed,n_unexposed\nexposed,0.50,0.38,0.67,1000,4000\n"
    let d005 = check(large).findings.filter { $0.code == "D005" }
    #expect(d005.count == 1 && d005[0].outcome == .pass, "\(d005.map(\.reason))")
  }

  @Test func aTable2PublishesItsCellsAndIsNotReadAsTotals() {
    // An epidemiologist's "Table 2": each exposure level with its cases and controls, the baseline
    // first. The row's cases and controls are its own cells, not the table's totals.
    let safe = check(
      "exposure,cases,controls,odds_ratio,conf_low,conf_high\nNo,40,200,1.00,,\nYes,25,60,2.08,1.19,3.64\n")
    #expect(!safe.findings.contains { $0.code == "D005" }, "\(safe.findings.map(\.reason))")
    #expect(!safe.findings.contains { $0.outcome == .fail })
    // A small cell of the same layout is a published count: the count rules fail it.
    let small = check(
      "exposure,cases,controls,odds_ratio,conf_low,conf_high\nNo,40,200,1.00,,\nYes,5,60,0.42,0.16,1.10\n")
    #expect(small.findings.contains { $0.code == "C001" && $0.line == 3 && $0.column == 2 })
    #expect(!small.findings.contains { $0.code == "D005" })
  }

  @Test func casesAndControlsThatMayBeTheRowsOwnCellsNeedReviewNotAFailure() {
    // Without the baseline's row, or exposed and unexposed totals, `cases` and `controls` may be
    // either: what the totals reading would fail is review.
    let result = check("term,odds_ratio,conf_low,conf_high,cases,controls\nsmoker,2.08,1.19,3.64,25,60\n")
    let d005 = result.findings.filter { $0.code == "D005" }
    #expect(
      d005.allSatisfy { $0.outcome != .fail }
        && d005.contains { $0.outcome == .review && $0.reason.contains("may be this row's own cells") },
      "\(d005.map(\.reason))")
  }

  @Test func groupsTooLargeToSearchPassOnlyWhenTheIntervalBoundsEveryCell() {
    // Ten million in each group: no search, but an interval this narrow needs every cell to be large.
    let narrow = check("term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed\nx,1.50,1.49,1.51,10000000,10000000\n")
    let d005 = narrow.findings.filter { $0.code == "D005" }
    #expect(d005.count == 1 && d005[0].outcome == .pass && d005[0].reason.contains("1/SE²"), "\(d005.map(\.reason))")
    // A wide interval bounds nothing: a person must look.
    let wide = check("term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed\nx,1.5,0.2,9.8,10000000,10000000\n")
    #expect(wide.findings.contains { $0.code == "D005" && $0.outcome == .review && $0.reason.contains("too many") })
  }

  @Test func extremeNumbersNeitherCrashNorPass() throws {
    let tables = [
      "term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed,n_cases\nx,1e308,1e-308,1e308,999999999,3,5\ny,1e-300,0,1e300,5,5,1\nz,2,1e-320,1e-310,10,10,10\n",
      "term,risk_ratio,conf_low,conf_high,n_exposed,n_unexposed\nx,1e-300,1e-310,1e-300,1000,1000\ny,5,1e-320,1e300,100,100\n",
      "time,n_at_risk,n_events,n_censored,surv\n0,1e300,1e300,3,1e-300\n30,1e308,-5,nan,0.5\n60,5,3,1e300,inf\n",
    ]
    for text in tables {
      for pack in [pack(), try RulePackLoader.load("opensafely"), try RulePackLoader.load("ukllc")] {
        let result = check(text, pack: pack)
        #expect(result.error == nil && result.outcome != .pass, "\(text)")
      }
    }
  }

  @Test func anAdjustedRatioThatFitsNoTableNeedsReview() {
    // An adjusted odds ratio far from any crude 2×2 ratio with these totals.
    let text =
      "term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed,n_cases,n_controls\nsmoker,40.0,30.0,50.0,100,100,100,100\n"
    #expect(
      check(text).findings.contains { $0.code == "D005" && $0.outcome == .review && $0.reason.contains("no 2×2 table") }
    )
  }

  @Test func totalsThatContradictEachOtherNeedReview() {
    let text =
      "term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed,n_cases,n_controls,n_total\nsmoker,2.0,1.2,3.1,100,100,50,160,200\n"
    #expect(
      check(text).findings.contains { $0.code == "D005" && $0.outcome == .review && $0.reason.contains("contradict") })
  }

  @Test func aPinnedCellThatIsNotRoundedFailsUnderARoundingPack() throws {
    // 30 exposed cases of 100: allowed as a count (above 7), but pinned and not a multiple of 5.
    let (or, low, high) = woolf(31, 69, 70, 130)
    let text =
      "term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed,n_cases,n_controls\nsmoker,\(print(or, 2)),\(print(low, 2)),\(print(high, 2)),100,200,101,199\n"
    let opensafely = try RulePackLoader.load("opensafely")
    let withRounding = check(text, pack: opensafely).findings.filter { $0.code == "D005" }
    #expect(
      withRounding.contains { $0.outcome == .fail && $0.reason.contains("not rounded to 5") },
      "\(withRounding.map(\.reason))")
    #expect(check(text).findings.filter { $0.code == "D005" }.allSatisfy { $0.outcome == .pass })
  }

  /// The odds ratio and Woolf's interval, with z as R's qnorm(0.975) and the Haldane correction
  /// for a zero cell (as the tools that print a ratio for one do).
  private func woolf(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> (Double, Double, Double) {
    let k = [a, b, c, d].contains(0) ? 0.5 : 0
    let (x, y, z, w) = (Double(a) + k, Double(b) + k, Double(c) + k, Double(d) + k)
    let or = x * w / (y * z)
    let se = (1 / x + 1 / y + 1 / z + 1 / w).squareRoot()
    return (or, exp(log(or) - 1.959964 * se), exp(log(or) + 1.959964 * se))
  }

  /// `value` printed with `decimals` decimals, as Stata's `%9.2f` (zeros kept) or R's `round()`
  /// (trailing zeros dropped) would.
  private func print(_ value: Double, _ decimals: Int, dropZeros: Bool = false) -> String {
    var text = String(format: "%.\(decimals)f", value)
    if dropZeros && text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text
  }

  /// Property: for random 2×2 tables, printed as tools print them with their margins, airlock fails
  /// the ratio exactly when the tables that print the same (found here by brute force over every
  /// table with those margins) all have some cell below the threshold; the true table is always
  /// among them.
  @Test func backSolvingFailsExactlyWhenEveryConsistentTablePinsACellBelowTheThreshold() throws {
    var outcomes: [Bool: Int] = [:]
    for seed in 0..<160 {
      if let failed = try backSolvingCase(seed: seed) { outcomes[failed, default: 0] += 1 }
    }
    // Both sides of the property are exercised: tables that give back a small cell and tables that do not.
    #expect(outcomes[true, default: 0] >= 15 && outcomes[false, default: 0] >= 15, "\(outcomes)")
  }

  /// One random table of the property above: whether airlock failed it (`nil` when skipped).
  private func backSolvingCase(seed: Int) throws -> Bool? {
    var rng = SplitMix(state: UInt64(seed) &* 0x9E37_79B9 &+ 11)
    func cell() -> Int {
      Int.random(in: 0..<4, using: &rng) == 0
        ? Int.random(in: 0...12, using: &rng) : Int.random(in: 5...90, using: &rng)
    }
    let (a, b, c, d) = (cell(), cell(), cell(), cell())
    guard a + b > 0, c + d > 0 else { return nil }
    let (or, low, high) = woolf(a, b, c, d)
    let decimals = Int.random(in: 1...3, using: &rng)
    let dropZeros = Bool.random(using: &rng)
    let allMargins = Bool.random(using: &rng)
    let withInterval = Int.random(in: 0..<5, using: &rng) != 0
    let printed = [or, low, high].map { print($0, decimals, dropZeros: dropZeros) }
    guard printed.allSatisfy({ Double($0)! > 0 }) else { return nil }  // a ratio printed as 0 is not judged
    var header = "term,odds_ratio"
    var row = "exposure,\(printed[0])"
    if withInterval {
      header += ",conf_low,conf_high"
      row += ",\(printed[1]),\(printed[2])"
    }
    header += ",n_exposed,n_unexposed"
    row += ",\(a + b),\(c + d)"
    if allMargins {
      header += ",n_cases,n_controls"
      row += ",\(a + c),\(b + d)"
    }
    // Ground truth: every table with the published margins, checked against the printed numbers.
    let ratio = RoundedValue(printed: Double(printed[0])!)
    let interval =
      withInterval ? (RoundedValue(printed: Double(printed[1])!), RoundedValue(printed: Double(printed[2])!)) : nil
    let solver = TwoByTwoBackSolver(measure: .odds, ratio: ratio, interval: interval)
    var ratioOnly: [[Int]] = []
    var both: [[Int]] = []
    for x in 0...(a + b) {
      for y in 0...(c + d) {
        if allMargins && x + y != a + c { continue }
        let table = [x, a + b - x, y, c + d - y]
        let fits = solver.consistent(table[0], table[1], table[2], table[3])
        if fits.ratio { ratioOnly.append(table) }
        if fits.interval { both.append(table) }
      }
    }
    #expect(ratioOnly.contains([a, b, c, d]), "the true table prints as the published ratio")
    let kept = both.isEmpty ? ratioOnly : both
    let below = (0..<4).contains { i in kept.allSatisfy { $0[i] < 10 } }
    let result = check(header + "\n" + row + "\n")
    let d005 = result.findings.filter { $0.code == "D005" }
    #expect(d005.count == 1, "\(header)\n\(row)\n\(d005.map(\.reason))")
    #expect(
      (d005.first?.outcome == .fail) == below,
      "\(header)\n\(row)\ntrue \([a, b, c, d]), kept \(kept.count)\n\(d005.map(\.reason))")
    #expect(d005.first?.outcome != .review, "\(header)\n\(row)\n\(d005.map(\.reason))")
    return below
  }
}
