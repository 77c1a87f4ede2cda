/// Flags models with too few residual degrees of freedom.
struct ResidualDegreesOfFreedomRule: TableRule {
  static let description = RuleDescription(
    code: "D001", name: "residual-degrees-of-freedom",
    summary: "A model with few residual degrees of freedom is close to a lookup table of its data.",
    rationale: """
      ## What it checks
      A model output (a coefficient table: `term`, `estimate`, ...) must say how much data it rests
      on: `df_resid`, or `n_obs` with `n_params` (else the number of term rows), as columns or in its
      manifest. It fails when the residual degrees of freedom are below `threshold`, and needs review
      when it cannot tell.

      ## Why it is a disclosure risk
      With as many parameters as observations the coefficients reproduce the data; with few spare
      degrees of freedom, individual values can be recovered.

      ## References
      ACRO `safe_dof_threshold` (10) on `df_resid`; ESSnet guidelines (df ≥ 10); ABS DataLab.
      """,
    fix: "fit the model on more observations or fewer parameters, or give its n_obs and df_resid",
    parameters: [
      ParameterSpec("threshold", .integer, default: .integer(10), "the fewest residual degrees of freedom", range: 1...1_000_000),
    ],
    examples: [
      Example("plenty of data", "term,estimate,std_error,n_obs,df_resid\nintercept,1.2,0.1,500,497\nage,0.03,0.01,500,497"),
      Example("nine spare degrees of freedom", "term,estimate,std_error,n_obs,n_params\nintercept,1.2,0.1,12,3\nage,0.03,0.01,12,3\nsex,0.5,0.2,12,3", outputFinding: true),
      Example("a model that does not say its size", "term,estimate,std_error\nintercept,1.2,0.1", outcome: .review, outputFinding: true),
      Example(
        "the size in the manifest", "term,estimate,std_error\nintercept,1.2,0.1\nage,0.03,0.01",
        manifest: "kind: model\nn_obs: 400\nn_params: 2\n"),
    ])

  let threshold: Int

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = parameters.integer("threshold")
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
    guard df < Double(threshold) else { return }
    sink.add(
      finding(.fail, file: table.file, reason: "the model has \(formatNumber(df)) residual degrees of freedom, below \(threshold)"))
  }
}
