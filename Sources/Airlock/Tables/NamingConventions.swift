/// The documented column-naming conventions airlock uses to infer an output's kind and column
/// roles when no sidecar manifest declares them (see `docs/outputs.md`).
public enum NamingConventions {
  /// Column names read as unweighted counts.
  public static let countNames: Set<String> = [
    "count", "counts", "n", "freq", "frequency", "num", "number", "patients", "people", "persons",
    "cases", "numerator", "denominator", "population", "obs", "observations", "records", "total_count",
    "n_patients", "n_people", "n_persons", "n_cases", "count_patients",
    // Cumulative counts (SAS PROC FREQ `CumFrequency`), and SAS's and Stata's `_FREQ_`.
    "cumfrequency", "cumfreq", "cum_freq", "cum_frequency", "cumulative_frequency", "cum_count", "cumulative_count",
    "_freq_",
  ]
  /// Column names read as percentages, proportions or rates.
  public static let percentageNames: Set<String> = [
    "percent", "percentage", "pct", "%", "proportion", "prop", "share", "rate", "per_cent", "prevalence",
    "incidence", "fraction",
    // Stata `tabulate`'s `Cum.` (a cumulative percentage).
    "cum",
  ]
  /// Column names read as magnitudes (sums of a value over contributors).
  public static let magnitudeNames: Set<String> = ["sum", "amount", "value_sum", "total_value"]
  /// Column names read as summary statistics.
  public static let statisticNames: Set<String> = [
    "mean", "average", "avg", "sd", "std", "stdev", "std_dev", "variance", "var", "median", "min",
    "max", "minimum", "maximum", "mode", "iqr", "range", "q1", "q3", "lower_quartile", "upper_quartile",
  ]
  /// Column names of model coefficient tables.
  public static let modelTermNames: Set<String> = ["term", "variable", "parameter", "covariate", "parm"]
  /// Column names of model estimates.
  public static let modelEstimateNames: Set<String> = [
    "estimate", "coef", "coefficient", "beta", "odds_ratio", "hazard_ratio", "risk_ratio", "or", "hr", "rr",
  ]
  /// Column names that count people in a model or ratio table (events, cases and controls,
  /// exposed and unexposed groups): counts there, judged by the count rules, whatever
  /// `role(ofHeader:)` says of them elsewhere. See ``isModelCount(_:)`` for the `n_*` and `*_cases` spellings.
  public static let modelCountNames: Set<String> = [
    "events", "event", "deaths", "cases", "controls", "noncases", "non_cases", "exposed", "unexposed",
    "exposed_cases", "unexposed_cases", "exposed_controls", "unexposed_controls", "exposed_noncases",
    "unexposed_noncases", "exposed_non_cases", "unexposed_non_cases", "exposed_events", "unexposed_events",
    "case", "control", "at_risk", "nevents", "ncases", "ncontrols",
  ]

  /// Whether a normalized column name of a model or ratio table counts people: one of
  /// ``modelCountNames``, or a name ending in a count word (`treated_events`, `exposed_cases`).
  public static func isModelCount(_ name: String) -> Bool {
    if modelCountNames.contains(name) { return true }
    return ["_events", "_cases", "_controls", "_noncases", "_non_cases", "_deaths"].contains { name.hasSuffix($0) }
  }

  /// Column names of survival tables.
  public static let survivalNames: Set<String> = [
    "n_at_risk", "at_risk", "n_risk", "n.risk", "n_event", "n_events", "n_censored",
    // Stata's `sts list, saving()`: `begin` is the number at risk.
    "begin",
  ]
  /// Column names of histogram bin edges.
  public static let histogramNames: Set<String> = [
    "bin_lo", "bin_hi", "bin_start", "bin_end", "bin_lower", "bin_upper",
  ]
  /// Column names of supporting evidence (see the magnitude rules).
  public static let evidenceNames: Set<String> = [
    "n_negative", "n_missing", "n_distinct", "n_units", "n_holdings", "weighted_total", "n_obs", "df_resid", "n_params",
    "sum_abs",
  ]
  /// Evidence that describes individual contributors: supporting data for the checker, never released.
  public static let privateEvidenceNames: Set<String> = [
    "n_negative", "n_missing", "n_distinct", "n_units", "n_holdings", "weighted_total", "sum_abs",
  ]
  /// Column names declaring structural zeros row by row.
  public static let structuralZeroNames: Set<String> = ["structural_zero", "is_structural_zero"]
  /// Column names that are dimensions even when every value is a number (years, ages, codes).
  public static let dimensionNames: Set<String> = [
    "year", "month", "week", "day", "date", "quarter", "period", "age", "age_band", "age_group", "ageband",
    "sex", "gender", "region", "area", "code", "group", "category", "ethnicity", "practice", "site",
    "decile", "quintile", "imd", "band", "level", "id", "label", "name", "time", "bin", "wave",
    // SAS output data sets: which margin a row is (`_TYPE_ = 10`) and which table.
    "_type_", "_table_", "table",
  ]

  /// The role a header implies on its own, or `nil` when the name says nothing.
  public static func role(ofHeader header: String) -> ColumnRole? {
    let name = normalized(header)
    if structuralZeroNames.contains(name) { return .structuralZeroFlag }
    if evidenceNames.contains(name) || isTopContribution(name) { return .evidence }
    if countNames.contains(name) || name.hasPrefix("n_") || name.hasSuffix("_count") || name.hasPrefix("count_")
      || name.hasPrefix("num_") || name.hasPrefix("number_of_") || name.hasSuffix("_n") || name.hasSuffix("_freq")
    {
      return .count
    }
    if percentageNames.contains(name) || name.hasSuffix("_pct") || name.hasSuffix("_percent") || name.hasPrefix("pct_")
      || name.hasPrefix("percent_") || name.hasSuffix("_rate") || name.hasSuffix("_proportion") || name.hasSuffix("%")
      || name.hasSuffix("percent")
    {
      return .percentage
    }
    // Rates named by their multiplier: `rate_per_1000`, `deaths_per_100k`, `per100000`.
    if rateMultiplier(of: name) != nil { return .percentage }
    // Cumulative columns not named above (`cum_cases`, `cumulative_deaths`) are counts.
    if let base = cumulativeBase(of: name) {
      return base.isEmpty ? .percentage : role(ofHeader: base) == .percentage ? .percentage : .count
    }
    if personTimeNames.contains(name) { return .other }
    if statisticNames.contains(name) || isPercentile(name) || isStatisticName(name) {
      return .statistic
    }
    if magnitudeNames.contains(name) || name.hasPrefix("sum_") || name.hasSuffix("_sum") || name.hasPrefix("total_") {
      return .magnitude
    }
    if dimensionNames.contains(name) || name.hasSuffix("_band") || name.hasSuffix("_group") || name.hasSuffix("_code")
      || name.hasSuffix("_name") || name.hasSuffix("_category")
    {
      return .dimension
    }
    return nil
  }

  /// Count columns that are the denominators of the percentages and rates beside them.
  public static let denominatorNames: Set<String> = [
    "population", "pop", "denominator", "denom", "n_total", "total_n", "n_denominator", "group_size", "eligible",
    "n_eligible", "list_size", "registered", "n_registered", "n_population", "population_size", "total_population",
  ]
  /// Person-time columns: the denominators of rates (not counts of people).
  public static let personTimeNames: Set<String> = [
    "person_years", "personyears", "pyears", "person_time", "persontime", "py", "pys", "person_days", "person_months",
    "person_weeks", "pyrs", "years_at_risk", "exposure_time",
  ]

  /// The multiplier a rate's name states (`rate_per_1000` 1,000; `deaths_per_100k` 100,000;
  /// `per_100_000`; `per1m`), or `nil` when the name states none.
  public static func rateMultiplier(of name: String) -> Double? {
    // Words of the name: `Rate (per 100,000)` is rate, per, 100000.
    let parts = normalized(name).replacingOccurrences(of: ",", with: "")
      .split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    for (index, part) in parts.enumerated() where part.hasPrefix("per") {
      // `per_1000`, `per_100_000`, `per1000`, `per100k`, `per_1m`, `per_thousand`.
      var text = String(part.dropFirst(3))
      var next = index + 1
      if text.isEmpty, next < parts.count {
        text = parts[next]
        next += 1
      }
      if text == "thousand" { return 1_000 }
      if text == "million" { return 1_000_000 }
      while next < parts.count, parts[next] == "000" {
        text += parts[next]
        next += 1
      }
      // A unit after the number: `per_1000py`, `per100kpop`.
      for unit in ["pyrs", "pys", "py", "persons", "person", "people", "pop", "population"]
      where text.hasSuffix(unit) && text.count > unit.count {
        text.removeLast(unit.count)
        break
      }
      var scale = 1.0
      if text.hasSuffix("k") {
        scale = 1_000
        text.removeLast()
      } else if text.hasSuffix("m") {
        scale = 1_000_000
        text.removeLast()
      }
      guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = Double(text), value > 0 else { continue }
      return value * scale
    }
    return nil
  }

  /// For a cumulative column's name (`cum_cases`, `cumulative_deaths`, SAS's `CumFrequency` and
  /// `CumPercent`, Stata's `Cum.`), the name of what accumulates (empty for a bare `cum`);
  /// `nil` for any other name.
  public static func cumulativeBase(of name: String) -> String? {
    let name = normalized(name)
    if name == "cum" || name == "cumulative" { return "" }
    for prefix in ["cumulative_", "cum_", "cumul_"] where name.hasPrefix(prefix) && name.count > prefix.count {
      return String(name.dropFirst(prefix.count))
    }
    for whole in ["cumfreq", "cumfrequency", "cumcount"] where name == whole { return "count" }
    for whole in ["cumpercent", "cumpct", "cumprop", "cumproportion"] where name == whole { return "percent" }
    return nil
  }

  /// Lowercased, trimmed, with spaces and hyphens as underscores, without a trailing full stop
  /// (Stata's `Freq.`, `Cum.`).
  public static func normalized(_ header: String) -> String {
    var name = header.trimmingWhitespace().lowercased()
    if name.count > 1 && name.hasSuffix(".") { name.removeLast() }
    name = String(name.map { $0 == " " || $0 == "-" ? "_" : $0 })
    return name
  }

  /// Statistic words (`mean`, `sd`, `max`, `p25`, ...) as a prefix or suffix of a longer name, in
  /// the spellings pandas, dplyr, Stata `collapse` and SAS write: `max_age`, `age_max`, `sd_bmi`,
  /// `bmi_std`, `p25_los`, `los_p75`, `bmi_median`.
  static let statisticAffixes: Set<String> = [
    "mean", "avg", "average", "median", "sd", "std", "stdev", "std_dev", "var", "variance", "se", "sem", "min", "max",
    "minimum", "maximum", "iqr", "q1", "q3", "mode",
  ]

  /// Whether `name` is a statistic word joined to a variable name (see ``statisticAffixes``).
  static func isStatisticName(_ name: String) -> Bool {
    let parts = name.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
    guard parts.count >= 2 else { return false }
    for token in [parts[0], parts[parts.count - 1]] where statisticAffixes.contains(token) || isPercentile(token) {
      return true
    }
    // Two-word statistics: `std_dev_bmi`, `bmi_std_dev`.
    return name.hasPrefix("std_dev_") || name.hasSuffix("_std_dev")
  }

  static func isPercentile(_ name: String) -> Bool {
    // p5, p25, p50, p95, p99, pct25, percentile_90
    for prefix in ["percentile_", "pct", "p"] where name.hasPrefix(prefix) {
      let rest = name.dropFirst(prefix.count)
      if !rest.isEmpty && rest.allSatisfy(\.isASCIIDigit) { return true }
    }
    return false
  }

  static func isTopContribution(_ name: String) -> Bool {
    guard name.hasPrefix("top") else { return false }
    let rest = name.dropFirst(3)
    return !rest.isEmpty && rest.allSatisfy(\.isASCIIDigit)
  }
}

extension Character {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  func trimmingWhitespace() -> String {
    var slice = Substring(self)
    while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
    return String(slice)
  }
}
