/// Flags models with too many parameters for their observations (DataSHIELD's `nfilter.glm`).
struct ParameterShareRule: TableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let maxShare = RuleParameter<Double>(
    "max_share", default: 1, "the largest share of observations the parameters may be", range: 0.01...1)

  static let description = RuleDescription(
    code: "D002", name: "parameter-share",
    summary: "A model may not have more parameters than a set share of its observations.",
    rationale: """
      ## What it checks
      The number of parameters (`n_params`, else the term rows) divided by the observations
      (`n_obs`) must not exceed `max_share`. The default, 1, checks only that a model has fewer
      parameters than observations; the `datashield` pack sets DataSHIELD's 0.33.

      ## Why it is a disclosure risk
      A model with a parameter for every few observations can reproduce them.

      ## References
      DataSHIELD dsBase `glmDS2` (`nfilter.glm` = 0.33).
      """,
    fix: "fit fewer parameters or use more observations",
    parameters: [
      ParameterShareRule.maxShare.spec
    ],
    examples: [
      Example("few parameters", "term,estimate,n_obs\nintercept,1.2,100\nage,0.03,100"),
      Example(
        "a third of the observations", "term,estimate,n_obs\nintercept,1.2,5\nage,0.03,5",
        parameters: ["max_share": .number(0.33)], outputFinding: true),
    ])

  let maxShare: Double

  init(parameters: RuleParameters, pack: RulePack) {
    maxShare = parameters[Self.maxShare]
  }

  static let kinds: Set<OutputKind> = [.model]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.kind == .model else { return }
    let facts = ModelFacts(table)
    guard let observations = facts.observations, observations > 0 else { return }
    let parameters = facts.parameters ?? Double(facts.terms)
    let share = parameters / observations
    guard share > maxShare else { return }
    sink.add(
      finding(
        .fail, file: table.file,
        reason:
          "\(formatNumber(parameters)) parameters for \(formatNumber(observations)) observations (\(String(format: "%.2f", share))), over the limit of \(formatNumber(maxShare))"
      ))
  }
}
