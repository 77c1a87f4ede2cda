/// Asks for review of odds, risk and hazard ratios published without their underlying counts.
struct RatioWithoutCountsRule: OutputRule {
  static let description = RuleDescription(
    code: "D004", name: "ratio-without-counts",
    summary: "Odds, risk and hazard ratios need their underlying counts.",
    rationale: """
      ## What it checks
      A model or table that publishes odds, risk or hazard ratios (`odds_ratio`, `hazard_ratio`,
      `risk_ratio`, `or`, `hr`, `rr`, `exp_coef`) needs count columns beside them, which the count
      rules then judge; without them it needs review.

      ## Why it is a disclosure risk
      An odds ratio and its confidence interval let the 2×2 table behind it be solved back; about
      30% of OpenSAFELY's rejections are derived statistics from unrounded counts.

      ## References
      ACRO statbarn CalculatedRatios; OpenSAFELY output checking.
      """,
    fix: "publish the counts behind each ratio (exposed and unexposed cases and non-cases) so they can be checked",
    examples: [
      Example(
        "ratios with their counts", "term,odds_ratio,n_cases,n_controls,n_obs,df_resid\nsmoker,2.1,120,340,460,458"),
      Example(
        "ratios alone", "term,odds_ratio,conf_low,conf_high\nsmoker,2.1,1.4,3.2", outcome: .review, outputFinding: true),
    ])

  static let ratioNames: Set<String> = [
    "odds_ratio", "hazard_ratio", "risk_ratio", "or", "hr", "rr", "exp_coef", "exp(coef)",
  ]

  init(parameters: RuleParameters, pack: RulePack) {}

  func check(_ schema: TableSchema, into sink: inout FindingSink) {
    let ratios = schema.header.filter { Self.ratioNames.contains(NamingConventions.normalized($0)) }
    guard !ratios.isEmpty, !schema.roles.contains(.count) else { return }
    sink.add(
      finding(
        .review, file: schema.file,
        reason:
          "ratios (\(ratios.map { "'\($0)'" }.joined(separator: ", "))) are published without the counts behind them"))
  }
}
