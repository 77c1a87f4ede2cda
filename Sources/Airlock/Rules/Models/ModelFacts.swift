/// What a model output says about its size: observations, parameters and residual degrees of
/// freedom, from its columns or its manifest.
struct ModelFacts {
  var observations: Double?
  var parameters: Double?
  var residualDegreesOfFreedom: Double?
  /// The number of term rows (a lower bound on the parameters when `n_params` is not given).
  var terms: Int

  init(_ table: Table) {
    func smallest(_ name: String) -> Double? {
      guard let measure = table.measure(named: name) else { return nil }
      return (0..<table.cellCount).compactMap { table.values[measure][$0].number }.min()
    }
    let declared = table.declaration
    observations = smallest("n_obs") ?? smallest("nobs") ?? declared?.observations.map(Double.init)
    parameters = smallest("n_params") ?? declared?.parameters.map(Double.init)
    residualDegreesOfFreedom = smallest("df_resid") ?? smallest("df_residual") ?? declared?.residualDegreesOfFreedom.map(Double.init)
    terms = table.cellCount
  }

  /// The residual degrees of freedom, given or derived (n_obs − n_params, or n_obs − terms).
  var degreesOfFreedom: Double? {
    if let residualDegreesOfFreedom { return residualDegreesOfFreedom }
    guard let observations else { return nil }
    return observations - (parameters ?? Double(terms))
  }

  /// Whether `column` of a model output is judged through the model's degrees of freedom.
  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.kind == .model && schema.roles[column] == .other
  }
}
