/// The families of summary statistics, which decide the rules that apply.
enum SummaryStatistic: Equatable {
  /// Mean or average (a linear aggregation).
  case mean
  /// Standard deviation, variance, standard error: needs n − 1 degrees of freedom.
  case spread
  /// Median, quartiles, percentiles, IQR.
  case position
  /// Minimum, maximum or range: one person's value.
  case extreme
  /// The most common value.
  case mode

  /// The family of a column named `header`, if it is a summary statistic.
  init?(header: String) {
    let name = NamingConventions.normalized(header)
    func matches(_ names: Set<String>) -> Bool {
      names.contains(name) || names.contains { name.hasPrefix($0 + "_") || name.hasSuffix("_" + $0) }
    }
    if matches(["mean", "average", "avg"]) {
      self = .mean
    } else if matches(["sd", "std", "stdev", "std_dev", "variance", "var", "se", "sem", "std_error"]) {
      self = .spread
    } else if matches(["min", "max", "minimum", "maximum", "range"]) {
      self = .extreme
    } else if matches(["mode"]) {
      self = .mode
    } else if matches(["median", "iqr", "q1", "q3", "lower_quartile", "upper_quartile"])
      || NamingConventions.isPercentile(name)
      || name.split(separator: "_").contains(where: { NamingConventions.isPercentile(String($0)) })
    {
      self = .position
    } else {
      return nil
    }
  }

  /// The number of people behind `cell`'s row: evidence `n_units`, or `n` less `n_missing`, else the
  /// first count column.
  static func count(of cell: Int, in table: Table) -> Double? {
    if let contributors = CellEvidence.of(cell: cell, in: table).contributors { return contributors }
    if let measure = table.measures.firstIndex(where: { $0.role == .count }),
      case .number(let n) = table.values[measure][cell]
    {
      return n
    }
    return nil
  }
}
