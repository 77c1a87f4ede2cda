/// What a model output says about its size: observations, parameters and residual degrees of
/// freedom, from its columns or its manifest, and whether they agree.
struct ModelFacts {
  var observations: Double?
  var parameters: Double?
  var residualDegreesOfFreedom: Double?
  /// The number of term rows (a lower bound on the parameters when `n_params` is not given).
  var terms: Int
  /// Where the published sizes disagree (`df_resid` above `n_obs − n_params + 1`): what was
  /// published, and the smallest residual degrees of freedom that could be true.
  var mismatch: (reason: String, smallest: Double)?

  static let observationNames = ["n_obs", "nobs", "n.obs"]
  static let residualNames = ["df_resid", "df_residual", "df.residual", "df.resid"]

  init(_ table: Table) {
    func column(_ names: [String]) -> Int? { names.lazy.compactMap { table.measure(named: $0) }.first }
    func smallest(_ names: [String]) -> Double? {
      guard let measure = column(names) else { return nil }
      return (0..<table.cellCount).compactMap { table.values[measure][$0].number }.min()
    }
    let declared = table.declaration
    observations = smallest(Self.observationNames) ?? declared?.observations.map(Double.init)
    parameters = smallest(["n_params"]) ?? declared?.parameters.map(Double.init)
    residualDegreesOfFreedom = smallest(Self.residualNames) ?? declared?.residualDegreesOfFreedom.map(Double.init)
    terms = table.cellCount
    mismatch = Self.mismatch(table, column(Self.observationNames), column(["n_params"]), column(Self.residualNames))
  }

  /// The first row (or the manifest) whose `df_resid` exceeds `n_obs − n_params + 1`. One more
  /// than `n_obs − n_params` is allowed: tools differ on whether `n_params` counts the intercept
  /// (statsmodels' `df_model` does not) or a scale parameter (R's `logLik` df does). Without
  /// `n_params`, a table of one model (one `n_obs` throughout) has at least its term rows.
  private static func mismatch(_ table: Table, _ nObs: Int?, _ nParams: Int?, _ dfResid: Int?)
    -> (reason: String, smallest: Double)?
  {
    let declared = table.declaration
    let observationValues = nObs.map { m in Set((0..<table.cellCount).compactMap { table.values[m][$0].number }) }
    let oneModel = (observationValues?.count ?? 1) <= 1
    var worst: (reason: String, smallest: Double)?
    for cell in 0..<max(table.cellCount, 1) {
      func value(_ measure: Int?) -> Double? {
        guard let measure, cell < table.cellCount else { return nil }
        return table.values[measure][cell].number
      }
      guard let n = value(nObs) ?? declared?.observations.map(Double.init),
        let r = value(dfResid) ?? declared?.residualDegreesOfFreedom.map(Double.init)
      else { continue }
      let given = value(nParams) ?? declared?.parameters.map(Double.init)
      guard let p = given ?? (oneModel ? Double(table.cellCount) : nil) else { continue }
      guard r > n - p + 1 else { continue }
      let smallest = max(0, n - p - 1)
      let what = given != nil ? "n_params \(formatNumber(p))" : "\(formatNumber(p)) term rows"
      let line = cell < table.cellCount && (nObs != nil || dfResid != nil) ? " (line \(table.line(ofCell: cell)))" : ""
      let reason =
        "df_resid \(formatNumber(r)) is more than n_obs \(formatNumber(n)) − \(what) allows\(line) (at most \(formatNumber(n - p + 1)), one more for the intercept convention): the published sizes disagree, so the model is judged by the smallest that could be true, \(formatNumber(smallest))"
      if worst == nil || smallest < worst!.smallest { worst = (reason, smallest) }
    }
    return worst
  }

  /// The residual degrees of freedom to judge: given or derived (n_obs − n_params, or n_obs −
  /// terms), and never more than the smallest that could be true when the sizes disagree.
  var degreesOfFreedom: Double? {
    var df = residualDegreesOfFreedom
    if df == nil, let observations { df = observations - (parameters ?? Double(terms)) }
    if let mismatch { df = min(df ?? mismatch.smallest, mismatch.smallest) }
    return df
  }

  /// Whether `column` of a model output is judged through the model's degrees of freedom.
  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.kind == .model && schema.roles[column] == .other
  }
}
