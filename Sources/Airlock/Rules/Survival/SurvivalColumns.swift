/// The columns of a Kaplan-Meier or life table, found by their names (airlock's and R's, Stata's and
/// lifelines' usual ones).
struct SurvivalColumns {
  static let timeNames: Set<String> = ["time", "t", "timeline", "time_days", "time_months", "time_years", "interval"]
  static let atRiskNames: Set<String> = [
    "n_at_risk", "at_risk", "n_risk", "n.risk", "nrisk", "number_at_risk", "begin",
  ]
  static let eventNames: Set<String> = [
    "n_event", "n_events", "n.event", "events", "n_deaths", "deaths", "observed", "fail",
  ]
  static let censoredNames: Set<String> = ["n_censored", "n_censor", "n.censor", "censored", "n_lost", "lost"]
  static let curveNames: Set<String> = [
    "surv", "survival", "survivor", "km_estimate", "lower", "upper", "lower_ci", "upper_ci", "ci_lower", "ci_upper",
    "lcl", "ucl", "std_err", "std.err", "se", "cumhaz", "cum_hazard", "cumulative_incidence", "cum_inc",
    // broom::tidy(survfit): the survival estimate and its interval.
    "estimate", "std.error", "conf.low", "conf.high", "conf_low", "conf_high",
    // Stata's `sts list, saving()`: survivor function, its standard error and interval.
    "lb", "ub",
  ]
  /// The columns holding counts of people.
  static var countNames: Set<String> { atRiskNames.union(eventNames).union(censoredNames) }

  var time: Int?
  var atRisk: Int?
  var events: Int?
  var censored: Int?

  /// The measures of `table` by name.
  init(_ table: Table) {
    let names = table.measures.map { NamingConventions.normalized($0.name) }
    time = names.firstIndex(where: Self.timeNames.contains)
    atRisk = names.firstIndex(where: Self.atRiskNames.contains)
    events = names.firstIndex(where: Self.eventNames.contains)
    censored = names.firstIndex(where: Self.censoredNames.contains)
  }

  /// Whether the steps of the risk set can be checked from the columns of `schema`.
  static func stepsCheckable(_ schema: TableSchema) -> Bool {
    let names = Set(schema.header.map(NamingConventions.normalized))
    return !names.isDisjoint(with: atRiskNames)
      || (!names.isDisjoint(with: eventNames) && !names.isDisjoint(with: censoredNames))
  }

  /// The normalized name of `column` of `schema`.
  static func name(_ schema: TableSchema, _ column: Int) -> String {
    NamingConventions.normalized(schema.header[column])
  }

  /// The cells of `table` grouped by their labels (one curve per combination), in file order.
  static func curves(_ table: Table) -> [[Int]] {
    var groups: [GroupKey: Int] = [:]
    var result: [[Int]] = []
    for cell in 0..<table.cellCount {
      var key = GroupKey()
      for d in table.dimensions.indices { key.append(table.keys[d][cell]) }
      if let index = groups[key] {
        result[index].append(cell)
      } else {
        groups[key] = result.count
        result.append([cell])
      }
    }
    return result
  }
}
