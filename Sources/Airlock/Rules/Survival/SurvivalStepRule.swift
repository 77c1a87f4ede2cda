/// Flags steps of a survival table where fewer than the threshold leave the risk set.
struct SurvivalStepRule: TableRule {
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

      ## Why it is a disclosure risk
      Each step of a survival curve is a frequency: a drop of one or two at a given time tells
      anyone who knows a patient was in the cohort when they died or were censored.

      ## References
      `sdc-rules.md` §1 "Survival steps" (ACRO `survival_safe_threshold: 10`, `surv_func`) and
      §3; `acro.md` §3 and §8 (1.0.2 always fails survival outputs); O'Keefe et al. (2012),
      cited by OpenSAFELY.
      """,
    fix: "group event times into intervals (a life table) so that every step removes at least the threshold from the risk set, or round the counts",
    parameters: [
      ParameterSpec("threshold", .integer, default: .integer(10), "the fewest people who may leave the risk set at one step", range: 1...1_000_000)
    ],
    examples: [
      Example(
        "steps of 10 and more pass", "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,40,20\n60,100,25,5\n90,70,20,10"),
      Example(
        "a step of 3 fails", "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,2,1\n60,↓157,25,5\n90,127,20,10"),
      Example(
        "a second curve in the same columns needs review",
        "time,n_at_risk,n_events,n_censored\n0,200,30,10\n30,160,40,20\n↓0,150,30,10\n30,110,40,20", outcome: .review),
    ])

  let threshold: Int

  init(parameters: RuleParameters, pack: RulePack) { threshold = parameters.integer("threshold") }

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
          reason: "a survival table without n_at_risk (or n_events and n_censored): its steps cannot be checked; publish the numbers at risk"))
      return
    }
    for curve in SurvivalColumns.curves(table) { check(curve, table, columns, &sink) }
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

  private func add(_ outcome: Outcome, _ table: Table, _ cell: Int, _ measure: Int, _ reason: String, _ sink: inout FindingSink) {
    guard sink.wants(Self.description.code) else { return sink.count(Self.description.code, outcome) }
    sink.add(finding(outcome, table: table, cell: cell, measure: measure, reason: reason))
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
          add(.review, table, cell, atRisk, "n_at_risk is withheld or not a number: the steps around this row cannot be checked", &sink)
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
          add(.review, table, cell, events, "n_events or n_censored is withheld or not a number: the step cannot be checked", &sink)
          continue
        }
        let left = e + c
        guard left > 0, left < Double(threshold) else { continue }
        add(
          .fail, table, cell, events,
          "only \(formatNumber(left)) left the risk set at this time (events and censored), fewer than \(threshold)", &sink)
      }
    }
  }
}
