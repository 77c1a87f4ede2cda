/// What an output is, which decides the rules that apply to it.
public enum OutputKind: String, Codable, Sendable, CaseIterable {
  /// Counts of units by category (a frequency table or crosstab).
  case frequency
  /// Sums or totals of a magnitude (income, cost) by category.
  case magnitude
  /// Means, standard deviations, medians, percentiles, minima, maxima or modes by group.
  case summary
  /// A coefficient table from a statistical model.
  case model
  /// A Kaplan-Meier or life table.
  case survival
  /// Counts per bin of a continuous variable.
  case histogram
}

/// How a table lays out its cells.
public enum Layout: String, Codable, Sendable, CaseIterable {
  /// One row per cell: label columns, then value columns.
  case long
  /// A crosstab: row labels, then one column per category of a second dimension.
  case wide
}

/// What a column of an output holds.
public enum ColumnRole: String, Codable, Sendable, CaseIterable {
  /// Category labels: a coordinate of each cell.
  case dimension
  /// Unweighted counts of units.
  case count
  /// Percentages, proportions or rates derived from counts.
  case percentage
  /// Sums or totals of a magnitude.
  case magnitude
  /// A summary statistic (mean, sd, median, percentile, min, max, mode).
  case statistic
  /// A column of a model, survival or histogram output whose rules come with its kind.
  case other
  /// Supporting evidence for the rules (never released by default).
  case evidence
  /// A per-row flag declaring the row's zeros structural.
  case structuralZeroFlag
}
