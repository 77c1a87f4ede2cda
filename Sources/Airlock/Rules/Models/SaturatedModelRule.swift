/// Asks for review of models whose terms are all categorical: a saturated table in disguise.
struct SaturatedModelRule: TableRule {
  static let description = RuleDescription(
    code: "D003", name: "saturated-model",
    summary: "A model on categorical terms only can reproduce its table's cell means.",
    rationale: """
      ## What it checks
      A model whose every term (besides the intercept) is a level of a categorical variable
      (patsy's `C(sex)[T.M]` or `sex[T.M]`, R's `factor(sex)M`), or whose manifest says
      `saturated: true`, needs review: with interactions, its coefficients reproduce the cell means of
      the underlying table, which must then pass the table rules.

      ## Why it is a disclosure risk
      It is a frequency or magnitude table published as coefficients, with none of the table checks.

      ## References
      Handbook on SDC ch. 6.
      """,
    fix: "check the underlying table (its counts and means) as an output in its own right, or add continuous terms",
    examples: [
      Example(
        "a continuous term",
        "term,estimate,n_obs,df_resid\nIntercept,1.2,400,397\nC(sex)[T.M],0.3,400,397\nage,0.02,400,397"),
      Example(
        "levels only",
        "term,estimate,n_obs,df_resid\nIntercept,1.2,400,396\nC(sex)[T.M],0.3,400,396\nC(region)[T.North],0.1,400,396",
        outcome: .review, outputFinding: true),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  /// Whether a term names a level of a categorical variable.
  static func isCategorical(_ term: String) -> Bool {
    term.contains("[T.") || term.hasPrefix("C(") || term.hasPrefix("factor(") || term.contains(":C(")
  }

  static let kinds: Set<OutputKind> = [.model]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.kind == .model else { return }
    var saturated = table.declaration?.saturated ?? false
    if table.declaration?.saturated == nil,
      let termDimension = table.dimensions.firstIndex(where: {
        NamingConventions.modelTermNames.contains(NamingConventions.normalized($0.name))
      })
    {
      let terms = table.dimensions[termDimension].labels.labels.filter {
        !["intercept", "(intercept)", "const"].contains($0.lowercased())
      }
      saturated = !terms.isEmpty && terms.allSatisfy(Self.isCategorical)
    }
    guard saturated else { return }
    sink.add(
      finding(
        .review, file: table.file,
        reason: "every term is categorical: the model may reproduce the cell means of a table that has not been checked"
      ))
  }
}
