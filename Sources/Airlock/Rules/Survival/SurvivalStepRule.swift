/// Flags steps of a survival table where fewer than the threshold leave the risk set.
struct SurvivalStepRule: TableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let threshold = RuleParameter<Int>(
    "threshold", default: 10, "the fewest people who may leave the risk set at one step", range: 1...1_000_000)
  static let events = RuleParameter<String>(
    "events", default: "risk-set",
    "risk-set: only the fall in the risk set matters (ACRO); counts: the events at each step are counts that must meet the pack's count threshold (OpenSAFELY, ONS)",
    choices: ["risk-set", "counts"])

  static let description = RuleDescription(
    code: "V001", name: "survival-step",
    summary: "A step of a survival curve where few people leave the risk set reveals their events.",
    rationale: """
      ## What it checks
      In a Kaplan-Meier or life table (`time` and `n_at_risk`, `n_events`, `n_censored`; R's
      `n.risk`, `n.event`, `n.censor` too), one curve per combination of labels, rows in file
      order: at each row t, at_risk(t−1) − at_risk(t) people left the risk set (events and
      censorings at the previous time), and that number must be at least `threshold`, else the
      row **fails** (ACRO 0.4's rule; ACRO 1.0.2 instead fails every survival output, even with
      steps of hundreds). A row where nobody left (at_risk unchanged) reveals nothing and passes.
      Steps that start inside the tail (at_risk(t−1) below the threshold) are left to
      `survival-tail` (V002), so a row is not reported twice. The last row's step has no next
      row to show it, so there n_events (+ n_censored) between 1 and threshold − 1 fails.

      Without an at-risk column, the people leaving at each row are n_events + n_censored, and a
      row where that is between 1 and threshold − 1 fails. With neither, the steps cannot be
      checked and the output needs **review**, as does a curve whose rows are not in time order
      (time goes back), whose at_risk rises (probably a second curve: declare its label column in
      the manifest's `dimensions`), or whose at_risk is withheld or not a number at some row.

      `events` says what else a step must satisfy. With `risk-set` (ACRO's
      `survival_safe_threshold` semantics) only the fall in the risk set matters: a row whose
      events are few but whose censorings make the fall reach the threshold passes, and the finding
      says so with its numbers (a pass, shown with `--verbose`). With `counts` (OpenSAFELY's
      `round_km`, which delays event times until each step holds enough events, and ONS practice)
      the events at each row are a count that must meet the pack's count threshold
      (`small-cell-count`'s `threshold` and `inclusive`): 1 to below it **fails**, whatever the
      censorings beside it, and the finding gives the events, the censorings and the fall. When the
      table publishes no events column, the events are worked out from the survival estimate,
      d = n_at_risk × (1 − S(t) / S(t−1)), to within its printed rounding: censoring hides the
      events in the fall of the risk set but not in the curve. When `survival-rounding` is on, a
      midpoint-6 value stands for its band of six (3 for 1 to 6) and fails only when every count
      in the band is below the threshold.

      ## Why it is a disclosure risk
      Each step of a survival curve is a frequency: a drop of one or two at a given time tells
      anyone who knows a patient was in the cohort when they died or were censored.

      ## References
      ACRO `survival_safe_threshold: 10` and `surv_func` (ACRO 1.0.2 always fails survival
      outputs); O'Keefe et al. (2012),
      cited by OpenSAFELY.
      """,
    fix:
      "group event times into intervals (a life table) so that every step removes at least the threshold from the risk set, or round the counts",
    parameters: [
      SurvivalStepRule.threshold.spec,
      SurvivalStepRule.events.spec,
    ],
    examples: [
      Example(
        "steps of 10 and more pass",
        "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,40,20\n60,100,25,5\n90,70,20,10"),
      Example(
        "a step of 3 fails", "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,2,1\n60,↓157,25,5\n90,127,20,10"),
      Example(
        "events hidden by censoring pass when only the risk set matters (explained)",
        "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,↓2,12\n60,146,25,5\n90,116,20,10", outcome: .pass),
      Example(
        "events are counts: 2 events fail although 14 left the risk set",
        "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,↓2,12\n60,146,25,5\n90,116,20,10",
        parameters: ["events": .string("counts")]),
      Example(
        "events worked out from the curve when no events column is published",
        "time,n_at_risk,surv\n0,200,1.000\n30,↓200,0.990\n60,↓180,0.979\n90,150,0.914",
        parameters: ["events": .string("counts")]),
      Example(
        "a second curve in the same columns needs review",
        "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,40,20\n↓0,150,30,10\n30,110,40,20", outcome: .review),
    ])

  let threshold: Int
  /// Whether the events at each step are counts that must meet the pack's count threshold.
  let eventsAreCounts: Bool
  let counts: CountThreshold
  /// Whether survival counts are midpoint-6 rounded in this pack (a value stands for a band of six).
  let midpoint6: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    threshold = parameters[Self.threshold]
    eventsAreCounts = parameters[Self.events] == "counts"
    counts = CountThreshold(pack: pack)
    midpoint6 = pack.parameters(of: SurvivalRoundingRule.self).isEnabled
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    guard schema.kind == .survival, stepsCheckable(schema) else { return false }
    let name = SurvivalColumns.name(schema, column)
    return SurvivalColumns.timeNames.contains(name) || SurvivalColumns.countNames.contains(name)
      || SurvivalColumns.curveNames.contains(name)
  }

  private static func stepsCheckable(_ schema: TableSchema) -> Bool { SurvivalColumns.stepsCheckable(schema) }

  static let kinds: Set<OutputKind> = [.survival]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.kind == .survival else { return }
    let columns = SurvivalColumns(table)
    guard columns.atRisk != nil || (columns.events != nil && columns.censored != nil) else {
      sink.add(
        finding(
          .review, file: table.file,
          reason:
            "a survival table without n_at_risk (or n_events and n_censored): its steps cannot be checked; publish the numbers at risk"
        ))
      return
    }
    for curve in SurvivalColumns.curves(table) {
      check(curve, table, columns, &sink)
      checkEvents(curve, table, columns, &sink)
    }
  }

  /// The largest number of events a published value can stand for (a midpoint-6 value, its band).
  private func largest(_ events: Double) -> Double {
    midpoint6 && events > 0 && events < 1e15 && events == events.rounded() && (Int(events) + 3) % 6 == 0
      ? events + 3 : events
  }

  /// The events at each row: with `counts`, a count that must meet the pack's count threshold;
  /// with `risk-set`, a pass that says when censorings hid a few events in the fall of the risk set.
  private func checkEvents(_ curve: [Int], _ table: Table, _ columns: SurvivalColumns, _ sink: inout FindingSink) {
    let comparison = counts.inclusive ? "at or below" : "below"
    guard let events = columns.events else {
      checkEventsFromCurve(curve, table, columns, &sink)
      return
    }
    for cell in curve {
      guard let e = table.values[events][cell].number, e > 0 else { continue }
      let c = columns.censored.flatMap { table.values[$0][cell].number }
      let n = columns.atRisk.flatMap { table.values[$0][cell].number }
      let context =
        (n.map { "of \(formatNumber($0)) at risk" } ?? "")
        + (c.map { (n == nil ? "" : ", ") + "with \(formatNumber($0)) censored" } ?? "")
      let left = e + (c ?? 0)
      if eventsAreCounts {
        guard !counts.allows(largest(e)) else { continue }
        let band = largest(e) != e ? " (a midpoint-6 value: at most \(formatNumber(largest(e))))" : ""
        add(
          .fail, table, cell, events,
          "\(formatNumber(e)) event\(e == 1 ? "" : "s") at this time\(band)\(context.isEmpty ? "" : " (\(context): \(formatNumber(left)) leave the risk set)"), \(comparison) the count threshold of \(counts.threshold): the pack counts the events at each step",
          &sink)
      } else if e < Double(threshold), left >= Double(threshold), let c, c > 0 {
        add(
          .pass, table, cell, events,
          "\(formatNumber(e)) events at this time are hidden among \(formatNumber(left)) leaving the risk set (\(formatNumber(c)) censored): the pack judges only the fall in the risk set (ACRO); a pack that counts events would fail this row",
          &sink)
      }
    }
  }

  /// Without an events column, the events at each row from the fall of the survival estimate:
  /// d = n_at_risk × (1 − S(t) / S(t−1)), over the values the printed estimates could have. With
  /// `counts` they must meet the count threshold; with `risk-set` a pass says when the fall of the
  /// risk set hides a few of them.
  private func checkEventsFromCurve(
    _ curve: [Int], _ table: Table, _ columns: SurvivalColumns, _ sink: inout FindingSink
  ) {
    let names = table.measures.map(\.normalizedName)
    guard let atRisk = columns.atRisk,
      let surv = names.firstIndex(where: { ["surv", "survival", "survivor", "km_estimate", "estimate"].contains($0) })
    else { return }
    // Estimates are printed to a fixed number of decimals, whose trailing zeros R and pandas drop
    // (0.990 as 0.99): the column's most decimals are its precision.
    let half = curve.compactMap { table.values[surv][$0].number.map { RoundedValue(printed: $0).half } }.min() ?? 0.5
    var previous: RoundedValue? = RoundedValue(1, half: 0)
    for (index, cell) in curve.enumerated() {
      guard let n = table.values[atRisk][cell].number, let value = table.values[surv][cell].number else {
        previous = nil
        continue
      }
      let s = RoundedValue(value, half: half)
      defer { previous = s }
      guard let p = previous, p.upper > 0 else { continue }
      // The fewest and most events the two printed estimates allow.
      let most = n * (1 - max(s.lower, 0) / p.upper)
      let fewest = n * (1 - s.upper / max(p.lower, 1e-12))
      let low = max(1, fewest.rounded(.up))
      let high = most.rounded(.down)
      let events =
        low == high ? "\(formatNumber(low)) events" : "between \(formatNumber(low)) and \(formatNumber(high)) events"
      if !eventsAreCounts {
        // ACRO's semantics: only the fall matters; say when it hides a few events the curve shows.
        guard high >= 1, low <= high, high < Double(threshold), index + 1 < curve.count,
          let next = table.values[atRisk][curve[index + 1]].number, n - next >= Double(threshold)
        else { continue }
        add(
          .pass, table, cell, atRisk,
          "the survival estimate falls from \(formatNumber(p.value)) to \(formatNumber(s.value)) with \(formatNumber(n)) at risk: \(events) at this time, hidden among the \(formatNumber(n - next)) leaving the risk set (\(formatNumber(n)) → \(formatNumber(next))); the pack judges only the fall in the risk set (ACRO), a pack that counts events would fail this row",
          &sink)
        continue
      }
      guard high >= 1, low <= high, !counts.allows(largest(high)) else { continue }
      add(
        .fail, table, cell, atRisk,
        "the survival estimate falls from \(formatNumber(p.value)) to \(formatNumber(s.value)) with \(formatNumber(n)) at risk: \(events) at this time (n_at_risk × (1 − S(t)/S(t−1))), \(counts.inclusive ? "at or below" : "below") the count threshold of \(counts.threshold): censoring hides them in the risk set, not in the curve",
        &sink)
    }
  }

  /// The last row's step has no next row to show it: its events (and censorings) are the step.
  private func checkLastRow(_ curve: [Int], _ table: Table, _ columns: SurvivalColumns, _ sink: inout FindingSink) {
    guard let cell = curve.last, let atRisk = columns.atRisk, let events = columns.events,
      let current = table.values[atRisk][cell].number, current >= Double(threshold),
      let e = table.values[events][cell].number
    else { return }
    let c = columns.censored.flatMap { table.values[$0][cell].number } ?? 0
    let left = e + c
    guard left > 0, left < Double(threshold) else { return }
    add(
      .fail, table, cell, events,
      "only \(formatNumber(left)) leave the risk set at the last time (\(columns.censored == nil ? "events" : "events and censored")), fewer than \(threshold)",
      &sink)
  }

  private func add(
    _ outcome: Outcome, _ table: Table, _ cell: Int, _ measure: Int, _ reason: String, _ sink: inout FindingSink
  ) {
    let fix = outcome == .pass ? "nothing to fix under this pack's survival policy (`events: risk-set`)" : nil
    record(outcome, into: &sink) {
      finding(outcome, table: table, cell: cell, measure: measure, reason: reason, fix: fix)
    }
  }

  private func check(_ curve: [Int], _ table: Table, _ columns: SurvivalColumns, _ sink: inout FindingSink) {
    defer { checkLastRow(curve, table, columns, &sink) }
    var previousTime: Double?
    var previousAtRisk: Double?
    for cell in curve {
      // Time order: a time that goes back starts another curve.
      var restart = false
      if let time = columns.time {
        let value = table.values[time][cell].number
        if let value, let previousTime, value < previousTime {
          add(
            .review, table, cell, time,
            "time goes back (\(formatNumber(previousTime)) → \(formatNumber(value))): rows out of order, or a second curve (declare its label column in dimensions)",
            &sink)
          restart = true
        }
        previousTime = value ?? previousTime
      }
      if let atRisk = columns.atRisk {
        guard let current = table.values[atRisk][cell].number else {
          add(
            .review, table, cell, atRisk,
            "n_at_risk is withheld or not a number: the steps around this row cannot be checked", &sink)
          previousAtRisk = nil
          continue
        }
        defer { previousAtRisk = current }
        guard let previous = previousAtRisk, !restart else { continue }
        if current > previous {
          add(
            .review, table, cell, atRisk,
            "n_at_risk rises (\(formatNumber(previous)) → \(formatNumber(current))): a second curve? declare its label column in dimensions",
            &sink)
          continue
        }
        let left = previous - current
        guard left > 0, left < Double(threshold), previous >= Double(threshold) else { continue }
        add(
          .fail, table, cell, atRisk,
          "only \(formatNumber(left)) left the risk set at this step (\(formatNumber(previous)) → \(formatNumber(current))), fewer than \(threshold)",
          &sink)
      } else if let events = columns.events, let censored = columns.censored {
        guard let e = table.values[events][cell].number, let c = table.values[censored][cell].number else {
          add(
            .review, table, cell, events,
            "n_events or n_censored is withheld or not a number: the step cannot be checked", &sink)
          continue
        }
        let left = e + c
        guard left > 0, left < Double(threshold) else { continue }
        add(
          .fail, table, cell, events,
          "only \(formatNumber(left)) left the risk set at this time (events and censored), fewer than \(threshold)",
          &sink)
      }
    }
  }
}
