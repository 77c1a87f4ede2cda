/// Flags models with too few residual degrees of freedom.
struct ResidualDegreesOfFreedomRule: TableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let threshold = RuleParameter<Int>(
    "threshold", default: 10, "the fewest residual degrees of freedom", range: 1...1_000_000)

  static let description = RuleDescription(
    code: "D001", name: "residual-degrees-of-freedom",
    summary: "A model with few residual degrees of freedom is close to a lookup table of its data.",
    rationale: """
      ## What it checks
      A model output (a coefficient table: `term`, `estimate`, ...) must say how much data it rests
      on: `df_resid`, or `n_obs` with `n_params` (else the number of term rows), as columns or in its
      manifest. It fails when the residual degrees of freedom are below `threshold`, and needs review
      when it cannot tell.

      The three must agree: `df_resid` may be at most `n_obs − n_params + 1` (one more, because
      tools differ on whether `n_params` counts the intercept or a scale parameter); without
      `n_params`, a table of one model has at least its term rows. When they disagree the output
      needs **review** naming the mismatch, and the threshold is applied to the smallest value that
      could be true, `n_obs − n_params − 1`: a large `df_resid` beside a small `n_obs` is never
      trusted.

      ## Why it is a disclosure risk
      With as many parameters as observations the coefficients reproduce the data; with few spare
      degrees of freedom, individual values can be recovered.

      ## References
      ACRO `safe_dof_threshold` (10) on `df_resid`; ESSnet guidelines (df ≥ 10); ABS DataLab.
      """,
    fix: "fit the model on more observations or fewer parameters, or give its n_obs and df_resid",
    parameters: [
      ResidualDegreesOfFreedomRule.threshold.spec
    ],
    examples: [
      Example(
        "plenty of data", "term,estimate,std_error,n_obs,df_resid\nintercept,1.2,0.1,500,497\nage,0.03,0.01,500,497"),
      Example(
        "nine spare degrees of freedom",
        "term,estimate,std_error,n_obs,n_params\nintercept,1.2,0.1,12,3\nage,0.03,0.01,12,3\nsex,0.5,0.2,12,3",
        outputFinding: true),
      Example(
        "df_resid larger than n_obs allows",
        "term,estimate,std_error,n_obs,n_params,df_resid\nintercept,1.2,0.1,500,3,5000\nage,0.03,0.01,500,3,5000",
        outcome: .review, outputFinding: true),
      Example(
        "a model that does not say its size", "term,estimate,std_error\nintercept,1.2,0.1", outcome: .review,
        outputFinding: true),
      Example(
        "the size in the manifest", "term,estimate,std_error\nintercept,1.2,0.1\nage,0.03,0.01",
        manifest: "kind: model\nn_obs: 400\nn_params: 2\n"),
    ])

  let threshold: Int

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = parameters[Self.threshold]
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool { ModelFacts.covers(schema, column: column) }

  static let kinds: Set<OutputKind> = [.model]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.kind == .model else { return }
    let facts = ModelFacts(table)
    guard let df = facts.degreesOfFreedom else {
      sink.add(
        finding(
          .review, file: table.file,
          reason: "the model does not say how much data it rests on (df_resid, or n_obs and n_params)",
          fix: "add n_obs and df_resid (or n_params) as columns or in the manifest"))
      return
    }
    if let mismatch = facts.mismatch {
      // A large df_resid beside a small n_obs is never trusted: a person must see which is wrong.
      sink.add(
        finding(
          .review, file: table.file, reason: mismatch.reason,
          fix: "publish n_obs, n_params and df_resid as the model reports them (df_resid = n_obs − n_params)"))
    }
    guard df < Double(threshold) else { return }
    sink.add(
      finding(
        .fail, file: table.file,
        reason: "the model has \(formatNumber(df)) residual degrees of freedom, below \(threshold)"))
  }
}
