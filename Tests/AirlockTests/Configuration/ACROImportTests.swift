import Foundation
import Testing

@testable import Airlock

/// `rules import-acro` keeps every setting: a pack converted from an ACRO configuration gives, on
/// the same tables and evidence, the cell verdicts ACRO 1.0.2 gives (its formulas as ACRO 1.0.2 documents
/// them, written out independently below).
@Suite struct ACROImportTests {
  /// ACRO's settings, as its configuration file holds them.
  struct Settings {
    var threshold = 10
    var nkN = 2
    var nkK = 0.90
    var p = 0.10
    var dof = 10

    var yaml: String {
      """
      safe_threshold: \(threshold)
      safe_dof_threshold: \(dof)
      safe_nk_n: \(nkN)
      safe_nk_k: \(nkK)
      safe_pratio_p: \(p)
      check_missing_values: False
      survival_safe_threshold: 10
      zeros_are_disclosive: True
      safe_round_base: 5
      federated: false
      blocked_extensions: [.svg, .gph]

      """
    }

    /// ACRO 1.0.2's verdict on a sum (or mean) cell: MinimumThreshold (`n < t`), NK
    /// (`top_n_sum / sum >= k`) and PPercent (`(sum − top1 − top2) / top1 < p`, n ≤ 2 always).
    func sumFails(sum: Double, n: Int, tops: [Double]) -> Bool {
      if n < threshold { return true }
      if sum > 0 && tops.prefix(nkN).reduce(0, +) / sum >= nkK { return true }
      if n <= 2 { return true }
      let top1 = tops[0]
      // ACRO sets p to 0 when every contribution is zero, so the cell fails.
      let ratio = top1 == 0 ? 0 : (sum - top1 - tops[1]) / top1
      return ratio < p
    }

    /// MinimumDoF on a standard deviation: its degrees of freedom are the cell's count − 1.
    func spreadFails(n: Int) -> Bool { n - 1 < dof }
  }

  /// ACRO 1.0.2's shipped `default.yaml`, and a stricter TRE's.
  static let shipped = Settings()
  static let strict = Settings(nkK: 0.50, p: 0.25, dof: 20)

  /// Sum cells: (n, top1, top2, sum), around every boundary of both settings.
  static let sums: [(n: Int, top1: Double, top2: Double, sum: Double)] = [
    (40, 120, 90, 1000),  // spread out
    (40, 700, 250, 1000),  // 95%: both fail
    (40, 600, 300, 1000),  // exactly 90%: ACRO fails at ≥
    (40, 400, 200, 1000),  // 60%: only k 0.50 fails
    (40, 300, 199, 1000),  // 49.9%: p 0.25 (remainder 501 ≥ 75) passes, k 0.50 passes
    (30, 500, 300, 1000),  // 80%: only k 0.50; remainder 200 ≥ 0.25 × 500 passes p
    (30, 400, 60, 500),  // remainder 40 < 0.10 × 400: p fails
    (30, 200, 100, 400),  // remainder 100 ≥ 0.25 × 200 = 50; 75% fails k 0.50
    (9, 10, 9, 100),  // under the threshold
    (10, 12, 11, 100),  // exactly the threshold passes
    (12, 30, 25, 200),  // remainder 145; 27.5%
    (15, 350, 340, 1000),  // 69%: only k 0.50; remainder 310 vs p 0.25 × 350 = 87.5 passes
  ]

  /// Standard deviations: the count behind each.
  static let spreads = [9, 10, 11, 15, 20, 21, 25, 40]

  func convertedPack(_ settings: Settings) throws -> RulePack {
    let yaml = try ACROImport.convert(text: settings.yaml, file: "default.yaml", name: "acro").yaml
    return try RulePackLoader.load(text: yaml, file: "acro.yaml")
  }

  /// Lines (1-based, the header is line 1) with a failing finding in column `field`.
  func failingLines(_ result: OutputResult, field: Int) -> Set<Int> {
    Set(result.findings.filter { $0.outcome == .fail && $0.column == field }.compactMap(\.line))
  }

  @Test(arguments: [("shipped", shipped), ("strict", strict)])
  func sumCellsGetACROsVerdicts(name: String, settings: Settings) throws {
    let pack = try convertedPack(settings)
    let folder = temporaryFolder()
    let output =
      "sector,sum\n" + Self.sums.indices.map { "S\($0),\(formatNumber(Self.sums[$0].sum))" }.joined(separator: "\n")
      + "\n"
    let evidence =
      "sector,n,top1,top2\n"
      + Self.sums.indices.map { i in
        let s = Self.sums[i]
        return "S\(i),\(s.n),\(formatNumber(s.top1)),\(formatNumber(s.top2))"
      }.joined(separator: "\n") + "\n"
    write(evidence, to: "t.evidence.csv", in: folder)
    write("kind: magnitude\ndimensions: [sector]\nmagnitudes: [sum]\n", to: "t.airlock.yaml", in: folder)
    let result = checkFile(write(output, to: "t.csv", in: folder), pack: pack)
    #expect(result.error == nil)
    let expected = Set(
      Self.sums.indices.filter { i in
        let s = Self.sums[i]
        return settings.sumFails(sum: s.sum, n: s.n, tops: [s.top1, s.top2])
      }.map { $0 + 2 })
    #expect(
      failingLines(result, field: 2) == expected,
      "\(name): \(result.findings.map { "\($0.line ?? 0) \($0.code) \($0.reason)" })")
    // The settings differ on these tables, so the test can tell one from the other.
    #expect(Self.sums.contains { settings.sumFails(sum: $0.sum, n: $0.n, tops: [$0.top1, $0.top2]) })
  }

  @Test(arguments: [("shipped", shipped), ("strict", strict)])
  func standardDeviationsGetACROsVerdicts(name: String, settings: Settings) throws {
    let pack = try convertedPack(settings)
    let rows = Self.spreads.enumerated().map { "G\($0.offset),\($0.element),1.5" }
    let result = check("group,n,sd\n" + rows.joined(separator: "\n") + "\n", pack: pack)
    let expected = Set(Self.spreads.indices.filter { settings.spreadFails(n: Self.spreads[$0]) }.map { $0 + 2 })
    #expect(
      failingLines(result, field: 3) == expected,
      "\(name): \(result.findings.map { "\($0.line ?? 0) \($0.code) \($0.reason)" })")
  }

  @Test(arguments: [(shipped, 11, true), (shipped, 12, false), (strict, 21, true), (strict, 22, false)])
  func modelsGetACROsVerdicts(settings: Settings, observations: Int, fails: Bool) throws {
    // Two parameters: df_resid = n − 2; ACRO fails df_resid < safe_dof_threshold.
    let text =
      "term,estimate,std_error,n_obs,n_params\nintercept,1.2,0.1,\(observations),2\nage,0.03,0.01,\(observations),2\n"
    let result = check(text, pack: try convertedPack(settings))
    #expect(result.findings.contains { $0.code == "D001" && $0.outcome == .fail } == fails)
  }

  @Test func everySettingBecomesAParameter() throws {
    var settings = Self.strict
    settings.threshold = 12
    let yaml = settings.yaml
      .replacingOccurrences(of: "check_missing_values: False", with: "check_missing_values: True")
      .replacingOccurrences(of: "survival_safe_threshold: 10", with: "survival_safe_threshold: 15")
      .replacingOccurrences(of: "zeros_are_disclosive: True", with: "zeros_are_disclosive: False")
      .replacingOccurrences(of: "safe_round_base: 5", with: "safe_round_base: 3")
    let pack = try RulePackLoader.load(
      text: try ACROImport.convert(text: yaml, file: "x.yaml", name: "x").yaml, file: "x.yaml")
    #expect(pack.rules["small-cell-count"]![SmallCellCountRule.threshold] == 12)
    #expect(pack.rules["statistic-threshold"]![StatisticThresholdRule.threshold] == 12)
    #expect(pack.rules["magnitude-contributors"]![MagnitudeContributorsRule.threshold] == 12)
    #expect(pack.rules["nk-dominance"]![NKDominanceRule.pairs] == ["2:50"])
    #expect(pack.rules["nk-dominance"]![NKDominanceRule.inclusive])
    #expect(pack.rules["p-percent"]![PPercentRule.p] == 25)
    #expect(pack.rules["residual-degrees-of-freedom"]![ResidualDegreesOfFreedomRule.threshold] == 20)
    #expect(pack.rules["statistic-threshold"]![StatisticThresholdRule.spreadThreshold] == 20)
    #expect(pack.rules["survival-step"]![SurvivalStepRule.threshold] == 15)
    #expect(pack.rules["magnitude-contributors"]![MagnitudeContributorsRule.missingValues])
    #expect(!pack.rules["zero-cell"]!.isEnabled)
    #expect(pack.rules["rounding"]![RoundingRule.base] == 3)
    #expect(pack.rules["unsupported-file"]![UnsupportedFileRule.failExtensions].contains(".gph"))
  }

  /// ACRO 1.0.2 fails a zero count whatever `zeros_are_disclosive` says: 0 is below the threshold.
  @Test(arguments: ["True", "False"])
  func zerosFailEitherWay(flag: String) throws {
    let yaml = Self.shipped.yaml.replacingOccurrences(
      of: "zeros_are_disclosive: True", with: "zeros_are_disclosive: \(flag)")
    let pack = try RulePackLoader.load(
      text: try ACROImport.convert(text: yaml, file: "x.yaml", name: "x").yaml, file: "x.yaml")
    let result = check("region,count\nNorth,0\nSouth,40\nEast,35\n", pack: pack)
    let zeros = result.findings.filter { $0.outcome == .fail && ["C001", "C002"].contains($0.code) }
    #expect(zeros.map(\.line) == [2])
    #expect(zeros.first?.code == (flag == "True" ? "C002" : "C001"))
  }

  @Test func missingValuesAreReviewedWhenTheSettingSaysSo() throws {
    let yaml = Self.shipped.yaml.replacingOccurrences(
      of: "check_missing_values: False", with: "check_missing_values: True")
    let pack = try RulePackLoader.load(
      text: try ACROImport.convert(text: yaml, file: "x.yaml", name: "x").yaml, file: "x.yaml")
    let result = check("sector,mean,n,n_missing,top1,top2\nRetail,50,40,2,90,80\nFarming,20,30,0,40,35\n", pack: pack)
    let reviewed = result.findings.filter { $0.code == "M003" && $0.outcome == .review }
    #expect(reviewed.map(\.line) == [2])
    // Off (ACRO's default), missing values are not reviewed.
    #expect(
      !check("sector,mean,n,n_missing,top1,top2\nRetail,50,40,2,90,80\n", pack: try convertedPack(Self.shipped))
        .findings.contains { $0.code == "M003" })
  }

  @Test(arguments: [
    ("federated: true\n", "'federated'"),
    ("safe_p_percent: 0.1\n", "'safe_p_percent'"),
    ("safe_threshold: 10\nfederated: true\nsafe_p_percent: 0.1\n", "'federated', 'safe_p_percent'"),
  ])
  func unmappedKeysAreErrorsUnlessAllowed(text: String, named: String) throws {
    #expect {
      try ACROImport.convert(text: text, file: "x.yaml", name: "x")
    } throws: { error in
      let error = error as! AirlockError
      return error.kind == .configuration && error.line != nil
        && error.message.contains("no airlock equivalent for \(named)")
    }
    let conversion = try ACROImport.convert(text: text, file: "x.yaml", name: "x", allowUnmapped: true)
    #expect(conversion.unmapped.count == named.components(separatedBy: ", ").count)
    #expect(try RulePackLoader.load(text: conversion.yaml, file: "x.yaml").name == "x")
  }

  @Test func anNKSettingNeedsItsPair() {
    #expect(throws: AirlockError.self) { try ACROImport.convert(text: "safe_nk_k: 0.5\n", file: "x.yaml", name: "x") }
    #expect(throws: AirlockError.self) {
      try ACROImport.convert(text: "safe_pratio_p: 10\n", file: "x.yaml", name: "x")
    }
  }
}
