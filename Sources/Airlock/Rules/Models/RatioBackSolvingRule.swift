/// Flags an odds or risk ratio whose interval and group totals give back a small cell of the 2×2
/// table behind it.
struct RatioBackSolvingRule: TableRule {
  static let description = RuleDescription(
    code: "D005", name: "ratio-back-solving",
    summary:
      "An odds or risk ratio published with its interval and group totals can give back the 2×2 table behind it.",
    rationale: """
      ## What it checks
      A row that publishes an odds ratio (`odds_ratio`, `or`) or a risk ratio (`risk_ratio`, `rr`,
      `relative_risk`; an `estimate` or `exp_coef` is tried as either), optionally its confidence
      interval (`conf_low`/`conf_high`, broom's `conf.low`/`conf.high`, Stata parmest's
      `min95`/`max95`, `lower_ci`/`upper_ci`, `lcl`/`ucl`), and some of the totals of its 2×2 table:
      exposed and unexposed (`n_exposed`, `exposed`, `n_unexposed`, `unexposed`), cases and
      non-cases (`n_cases`, `cases`, `n_controls`, `controls`, `non_cases`), the grand total
      (`n_total`), or cells (`exposed_cases`, `unexposed_cases`, ...).

      Every 2×2 table of whole numbers with those totals is tried: with the exposed and unexposed
      totals known (or, for an odds ratio, the case and non-case totals) one cell is free; it is
      iterated, and the others are solved from the totals and the ratio (the ratio is monotone in
      the second cell, and the interval's standard error is a quadratic in it). A table is kept when
      it prints as the published numbers: a value printed with k decimals is anything within half a
      unit of its last digit (`2.35` is [2.345, 2.355]; a value whose trailing zeros were dropped is
      given the wider tolerance). The odds ratio's interval is Woolf's, exp(ln OR ± 1.96·√(1/a + 1/b
      + 1/c + 1/d)) (the Wald interval of a logistic regression on one binary exposure); the risk
      ratio's is Katz's, exp(ln RR ± 1.96·√(1/a − 1/(a+b) + 1/c − 1/(c+d))); z is 1.959964 or 1.96.
      A table with a zero cell is taken with the Haldane–Anscombe correction (0.5 added to each cell).
      When no table matches the interval (a profile-likelihood or exact interval), the ratio alone is
      used.

      `cases` and `controls` (`n_cases`, `events`, ...) may be the table's totals or the row's own
      cells: when a baseline row (ratio 1) publishes its cases and controls and the row's own with
      the baseline's print as the ratio, the whole 2×2 table is published (a "Table 2") and the
      count rules judge its cells; when nothing says which (no exposed and unexposed totals), they
      are read as totals and what would fail needs **review** instead.

      The row **fails** when, in every table kept, some cell is below the pack's count threshold
      (`small-cell-count`; a zero counts when `zero-cell` is on or `include_zero` is set), or when a
      cell is pinned to one value and the pack rounds counts (`rounding`) but that value is not
      rounded. It **passes**, saying which cells the tables leave open, when many tables remain or
      the cells they pin are allowed counts; it needs **review** when no table fits (the ratio is
      adjusted or computed otherwise, and a person must judge it), when the totals contradict each
      other, or when there are too many tables to search (unless the interval alone shows that
      every cell is at least the threshold: Woolf's SE² = 1/a + 1/b + 1/c + 1/d ≥ 1/cell, so every
      cell is at least 1/SE²). Hazard ratios rest on person-time and
      are not back-solved.

      ## Why it is a disclosure risk
      An odds ratio and its interval are two equations in the four cells of a 2×2 table; with the
      group totals beside them the cells can be solved back, and a small cell is disclosed as surely
      as if it had been published. About 30% of OpenSAFELY's rejections are statistics computed
      from unrounded counts.

      ## References
      Woolf (1955) for the odds ratio's interval; Katz et al. (1978) for the risk ratio's;
      common output-checking guidance on odds, risk and hazard ratios (treat each as the
      underlying 2×2 table);
      ACRO statbarn CalculatedRatios; OpenSAFELY output checking.
      """,
    fix:
      "publish the ratio without the group totals, or with an interval and totals computed from rounded counts, or combine groups so that every cell of the 2×2 table reaches the threshold",
    examples: [
      Example(
        "a Table 2 publishes its cells, judged by the count rules",
        "exposure,cases,controls,odds_ratio,conf_low,conf_high\nNo,40,200,1.00,,\nYes,25,60,2.08,1.19,3.64"),
      Example(
        "a ratio without its totals is not back-solved", "term,odds_ratio,conf_low,conf_high\nsmoker,2.1,1.4,3.2"),
      Example(
        "the totals and the ratio pin exposed cases to 6",
        "term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed,n_cases,n_controls\nsmoker,↓1.84,0.66,5.14,40,160,20,180"
      ),
      Example(
        "large groups leave the cells open (explained, not flagged)",
        "term,odds_ratio,conf_low,conf_high,n_exposed,n_unexposed\nsmoker,↓1.59,1.34,1.88,2000,3000", outcome: .pass),
    ])

  static let oddsNames: Set<String> = ["odds_ratio", "or", "oddsratio", "crude_or"]
  static let riskNames: Set<String> = ["risk_ratio", "rr", "relative_risk", "riskratio", "crude_rr"]
  static let eitherNames: Set<String> = ["estimate", "exp_coef", "exp(coef)", "exp_b", "exp(b)", "exp_beta"]
  static let lowerNames: Set<String> = [
    "conf_low", "conf.low", "lower", "lower_ci", "ci_lower", "ci_low", "lcl", "ll", "min95", "lower95", "lower_95",
    "lower.95", "lower_.95", "or_lower", "rr_lower", "lci", "lower_cl", "ci_lo", "lo95", "lb",
  ]
  static let upperNames: Set<String> = [
    "conf_high", "conf.high", "upper", "upper_ci", "ci_upper", "ci_high", "ucl", "ul", "max95", "upper95", "upper_95",
    "upper.95", "upper_.95", "or_upper", "rr_upper", "uci", "upper_cl", "ci_hi", "hi95", "ub",
  ]
  /// Case and control columns that may be a row's own cells rather than the table's totals.
  static let ambiguousCases: Set<String> = ["n_cases", "cases", "n_events", "events"]
  static let ambiguousControls: Set<String> = [
    "n_controls", "controls", "n_noncases", "noncases", "non_cases", "n_non_cases",
  ]

  static var totals: [(WritableKeyPath<TwoByTwoBackSolver.Published, Int?>, Set<String>)] {
    [
      (\.exposed, ["n_exposed", "exposed", "exposed_total", "n_exp", "total_exposed"]),
      (\.unexposed, ["n_unexposed", "unexposed", "unexposed_total", "n_unexp", "total_unexposed"]),
      (\.cases, ["n_cases", "cases", "n_events", "events", "total_cases"]),
      (\.noncases, ["n_controls", "controls", "n_noncases", "noncases", "non_cases", "n_non_cases", "total_controls"]),
      (\.total, ["n_total", "total_n"]),
      (\.a, ["exposed_cases", "n_exposed_cases", "cases_exposed", "exposed_events", "n_exposed_events"]),
      (\.b, ["exposed_controls", "n_exposed_controls", "exposed_noncases", "exposed_non_cases", "n_exposed_noncases"]),
      (\.c, ["unexposed_cases", "n_unexposed_cases", "cases_unexposed", "unexposed_events", "n_unexposed_events"]),
      (
        \.d,
        [
          "unexposed_controls", "n_unexposed_controls", "unexposed_noncases", "unexposed_non_cases",
          "n_unexposed_noncases",
        ]
      ),
    ]
  }

  let threshold: CountThreshold
  let zerosDisclosive: Bool
  let roundingBase: Int?
  let midpoint6: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = CountThreshold(pack: pack)
    zerosDisclosive =
      pack.parameters(of: ZeroCellRule.self).isEnabled
      || pack.parameters(of: SmallCellCountRule.self)[SmallCellCountRule.includeZero]
    let rounding = pack.parameters(of: RoundingRule.self)
    let scheme = rounding.isEnabled ? rounding[RoundingRule.scheme] : "none"
    roundingBase = scheme == "base" ? rounding[RoundingRule.base] : nil
    midpoint6 = scheme == "midpoint6"
  }

  static let kinds: Set<OutputKind> = [.model, .frequency, .summary]

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    let names = schema.header.map(NamingConventions.normalized)
    let name = names[column]
    guard
      oddsNames.contains(name) || riskNames.contains(name) || eitherNames.contains(name)
        || lowerNames.contains(name) || upperNames.contains(name)
    else { return false }
    // Only where there are totals to solve with: a ratio alone is `ratio-without-counts`'s.
    return totals.contains { _, spellings in names.contains(where: spellings.contains) }
  }

  func check(_ table: Table, into sink: inout FindingSink) {
    let names = table.measures.map(\.normalizedName)
    func column(_ spellings: Set<String>) -> Int? { names.firstIndex(where: spellings.contains) }
    let ratioColumns: [(Int, [TwoByTwoBackSolver.Measure])] = [
      column(Self.oddsNames).map { ($0, [.odds]) }, column(Self.riskNames).map { ($0, [.risk]) },
      column(Self.eitherNames).map { ($0, [.odds, .risk]) },
    ].compactMap { $0 }
    let totalColumns = Self.totals.compactMap { path, spellings in column(spellings).map { (path, $0) } }
    guard let (ratioColumn, measures) = ratioColumns.first, !totalColumns.isEmpty else { return }
    let lower = column(Self.lowerNames)
    let upper = column(Self.upperNames)
    func interval(_ cell: Int) -> (Double, Double)? {
      lower.flatMap { l in
        upper.flatMap { u in
          table.values[l][cell].number.flatMap { lo in table.values[u][cell].number.map { hi in (lo, hi) } }
        }
      }
    }
    func count(_ measure: Int?, _ cell: Int) -> Int? {
      guard let measure, let number = table.values[measure][cell].number, number >= 0, number == number.rounded(),
        number < 1e9
      else { return nil }
      return Int(number)
    }
    // A reference row (1, with no interval or 1 to 1) is the baseline group, not a 2×2 table.
    let references = (0..<table.cellCount).filter { cell in
      table.values[ratioColumn][cell].number == 1 && (interval(cell) == nil || interval(cell)! == (1, 1))
    }
    // `cases` and `controls` beside a ratio are the table's totals or this row's own cells (a
    // "Table 2": each exposure level with its cases and controls, the baseline's in its own row).
    let casesColumn = column(Self.ambiguousCases)
    let controlsColumn = column(Self.ambiguousControls)
    for cell in 0..<table.cellCount where !references.contains(cell) {
      guard let value = table.values[ratioColumn][cell].number, value > 0, value.isFinite else { continue }
      var published = TwoByTwoBackSolver.Published()
      for (path, measure) in totalColumns {
        if let number = count(measure, cell) { published[keyPath: path] = number }
      }
      let ownCells = count(casesColumn, cell).flatMap { a in count(controlsColumn, cell).map { b in (a, b) } }
      if let (a, b) = ownCells,
        references.contains(where: { reference in
          guard let c = count(casesColumn, reference), let d = count(controlsColumn, reference) else { return false }
          return measures.contains {
            TwoByTwoBackSolver(measure: $0, ratio: RoundedValue(printed: value), interval: nil).consistent(a, b, c, d)
              .ratio
          }
        })
      {
        // The row and the baseline publish the whole 2×2 table: the count rules judge its cells.
        continue
      }
      // Read as totals only when nothing says which; then a failure needs a person, not a verdict.
      let ambiguous =
        (casesColumn != nil || controlsColumn != nil) && (published.exposed == nil || published.unexposed == nil)
      judge(table, cell, ratioColumn, value, interval(cell), published, measures, ambiguous: ambiguous, &sink)
    }
  }

  private func judge(
    _ table: Table, _ cell: Int, _ ratioColumn: Int, _ value: Double, _ interval: (Double, Double)?,
    _ published: TwoByTwoBackSolver.Published, _ measures: [TwoByTwoBackSolver.Measure], ambiguous: Bool,
    _ sink: inout FindingSink
  ) {
    let ratio = RoundedValue(printed: value)
    let rounded = interval.map { (RoundedValue(printed: $0.0), RoundedValue(printed: $0.1)) }
    let shown = Self.describe(published)
    var outcomes: [(TwoByTwoBackSolver.Measure, TwoByTwoBackSolver.Outcome)] = []
    for measure in measures {
      let outcome = TwoByTwoBackSolver(measure: measure, ratio: ratio, interval: rounded).solve(published)
      outcomes.append((measure, outcome))
      // An estimate read as an odds ratio that fits no table is tried as a risk ratio.
      if case .solved(let ratioOnly, _) = outcome, ratioOnly.isEmpty { continue }
      break
    }
    let (measure, outcome) = outcomes.last!
    let printed =
      "\(measure.rawValue) \(formatNumber(value))"
      + (interval.map { " (\(formatNumber($0.0)) to \(formatNumber($0.1)))" } ?? "")
    func add(_ outcome: Outcome, _ reason: String) {
      if outcome == .pass {
        return record(.pass, into: &sink) {
          finding(
            .pass, table: table, cell: cell, measure: ratioColumn, reason: reason,
            fix: "nothing to fix: no cell of the 2×2 table can be solved back below the threshold")
        }
      }
      guard ambiguous, outcome == .fail else {
        return report(outcome, table: table, cell: cell, measure: ratioColumn, into: &sink, reason: reason)
      }
      report(
        .review, table: table, cell: cell, measure: ratioColumn, into: &sink,
        reason: reason
          + " (reading the cases and controls as the table's totals: they may be this row's own cells, with the baseline's unpublished, so a person must check which)"
      )
    }
    switch outcome {
    case .undetermined(let why):
      add(.pass, "\(printed) with \(shown): \(why), so many 2×2 tables remain and no cell can be solved back")
    case .inconsistent(let why):
      add(.review, "\(printed) with \(shown): the totals contradict each other (\(why)); a person must check them")
    case .tooMany:
      // A narrow interval bounds every cell from below without a search.
      if let smallest = TwoByTwoBackSolver(measure: measure, ratio: ratio, interval: rounded).smallestCellForInterval(),
        threshold.allows(smallest.rounded(.up))
      {
        add(
          .pass,
          "\(printed) with \(shown): too many 2×2 tables to search, but Woolf's interval this narrow needs every cell to be at least 1/SE² = \(formatNumber(smallest.rounded(.up))), at least the threshold of \(threshold.threshold)"
        )
        return
      }
      add(
        .review,
        "\(printed) with \(shown): too many 2×2 tables to search; a person must check whether a cell can be solved back"
      )
    case .solved(let ratioOnly, let withInterval):
      guard !ratioOnly.isEmpty else {
        let what = measures.count > 1 ? "a crude odds or risk ratio" : "the crude \(measure.rawValue)"
        add(
          .review,
          "\(printed) with \(shown): no 2×2 table with these totals prints as \(what) (adjusted, or computed otherwise?); a person must judge whether its cells can be worked out"
        )
        return
      }
      let useInterval = !withInterval.isEmpty
      let ranges = useInterval ? withInterval : ratioOnly
      let basis =
        useInterval
        ? "every 2×2 table that prints as this ratio and its interval (Woolf's for an odds ratio, Katz's for a risk ratio) with these totals"
        : interval == nil
          ? "every 2×2 table that prints as this ratio with these totals"
          : "every 2×2 table that prints as this ratio with these totals (no table fits the interval as Woolf's or Katz's, so it was not used)"
      for i in 0..<4 {
        let (low, high) = (ranges.low[i], ranges.high[i])
        let span = low == high ? "= \(low)" : "between \(low) and \(high)"
        if !threshold.allows(Double(high)) && (high > 0 || zerosDisclosive) {
          let comparison = threshold.inclusive ? "at or below" : "below"
          add(
            .fail,
            "\(printed) with \(shown): \(basis) has \(TwoByTwoBackSolver.cellNames[i]) \(span), \(comparison) the threshold of \(threshold.threshold)"
          )
          return
        }
        if low == high, let base = roundingBase, low % base != 0 {
          add(
            .fail,
            "\(printed) with \(shown): \(basis) has \(TwoByTwoBackSolver.cellNames[i]) = \(low), not rounded to \(base): the ratio gives back an unrounded count"
          )
          return
        }
        if low == high, midpoint6, low != 0, (low + 3) % 6 != 0 {
          add(
            .fail,
            "\(printed) with \(shown): \(basis) has \(TwoByTwoBackSolver.cellNames[i]) = \(low), not a midpoint-6 value: the ratio gives back an unrounded count"
          )
          return
        }
      }
      let cells = (0..<4).map { i in
        "\(TwoByTwoBackSolver.cellNames[i]) \(ranges.low[i] == ranges.high[i] ? "= \(ranges.low[i])" : "\(ranges.low[i])–\(ranges.high[i])")"
      }.joined(separator: ", ")
      add(
        .pass,
        "\(printed) with \(shown): \(basis) has \(cells): every cell that can be solved back is at least the threshold of \(threshold.threshold)"
      )
    }
  }

  /// The totals published beside a ratio, as the finding names them.
  static func describe(_ p: TwoByTwoBackSolver.Published) -> String {
    let parts: [(String, Int?)] = [
      ("exposed", p.exposed), ("unexposed", p.unexposed), ("cases", p.cases), ("non-cases", p.noncases),
      ("in total", p.total), ("exposed cases", p.a), ("exposed non-cases", p.b), ("unexposed cases", p.c),
      ("unexposed non-cases", p.d),
    ]
    return parts.compactMap { name, value in value.map { "\($0) \(name)" } }.joined(separator: ", ")
  }
}
