/// Flags withheld cells that the table's own margins give back, exactly or within a narrow interval.
struct RecoverableSuppressionRule: TableRule {
  static let description = RuleDescription(
    code: "X001", name: "recoverable-suppression",
    summary: "A withheld cell that the margins give back, exactly or nearly, is not protected.",
    rationale: """
      ## What it checks
      The audit of a table's suppression pattern. Every published margin (`Total`, `All`) equals the
      sum of the cells it totals, in every dimension of tables of one, two or three dimensions. From
      these equations airlock finds:

      - every withheld cell that can be **recovered exactly**, by subtraction (the chain is shown:
        `sex=Female, region=A = (Total) − (Male) = 4`) or by exact rational elimination over several
        equations: fail;
      - the **feasibility interval** [L, U] of every other withheld cell, by linear programming with
        COIN-OR CLP (minimise and maximise each cell subject to the equations, cells ≥ 0, and the
        bounds a marker states, such as `<10`): fail when U − L is below `min_width` (τ-ARGUS's
        frequency safety range; the default 3 is its FREQ(3, 30%) on a small count);
      - published cells that **do not add up** to their margins: review (the table is reported, not
        guessed at). For rounded tables (`rounding` rule with a base) each term may be off by half
        the base.

      The LP relaxation is exact for two-dimensional tables (their constraint matrix is totally
      unimodular); for three dimensions an integer attacker may do slightly better. An equation is
      only formed when every category of the margin is present in the table.

      ## Why it is a disclosure risk
      Suppressing small cells is not enough: a lone suppressed cell in a row with a published total is
      recovered by subtraction. This is what secondary suppression exists for, and what output
      checkers are told to "look out for".

      ## References
      Hundepool et al. (2024) ch. 4, secondary protection and audit; τ-ARGUS Audit; sdcTable
      `attack()`; `sdc-rules.md` §2.2.
      """,
    fix: "suppress more cells so that every withheld cell shares each of its rows and columns with another withheld cell (or use `airlock protect`), or drop the margins",
    parameters: [
      ParameterSpec("min_width", .number, default: .number(3), "the narrowest feasibility interval a withheld count may have", range: 0...1_000_000),
    ],
    examples: [
      Example("two withheld cells in every line", "region,Male,Female,Total\nA,*,*,20\nB,*,*,31\nTotal,25,26,51"),
      Example("a lone withheld cell", "region,Male,Female,Total\nA,16,↓*,20\nB,12,19,31\nTotal,28,23,51"),
      Example("withheld cells pinned down by two equations", "region,Male,Female,Total\nA,↓*,↓*,20\nB,12,↓*,31\nTotal,28,23,51"),
      Example("one dimension with a total", "age_band,count\n18-39,40\n40-59,↓*\nTotal,52"),
      Example(
        "a narrow interval", "region,Male,Female,Total\nA,↓<10,↓*,12\nB,↓*,↓*,12\nTotal,20,4,24",
        parameters: ["min_width": .number(5)]),
      Example("margins that do not add up", "region,Male,Female,Total\nA,10,12,22\nB,15,20,36\nTotal,25,32,57", outcome: .review, outputFinding: true),
    ])

  let minWidth: Double
  let markerRanges: [Int: ClosedRange<Int>]
  let tolerancePerTerm: Double
  let zeroMarkers: Set<Int>

  init(parameters: RuleParameters, pack: RulePack) {
    minWidth = parameters.number("min_width")
    zeroMarkers = Set(pack.zeroMarkers.compactMap { pack.markers.firstIndex(of: $0) })
    var ranges: [Int: ClosedRange<Int>] = [:]
    for (index, marker) in pack.markers.enumerated() {
      if let range = ValueParser.impliedRange(of: marker) { ranges[index] = range }
    }
    for index in zeroMarkers { ranges[index] = 0...0 }
    markerRanges = ranges
    let rounding = pack.parameters(of: RoundingRule.self)
    tolerancePerTerm =
      rounding.isEnabled && rounding.string("scheme") == "base" ? Double(rounding.integer("base")) / 2
      : rounding.isEnabled && rounding.string("scheme") == "midpoint6" ? 3 : 0
  }

  static let kinds: Set<OutputKind> = [.frequency]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.dimensions.contains(where: { $0.isMarginLabel.contains(true) }) else { return }
    for (measure, description) in table.measures.enumerated() where description.role == .count {
      let system = TableEquations(table: table, measure: measure, markerRanges: markerRanges, tolerancePerTerm: tolerancePerTerm)
      if let first = system.inconsistencies.first {
        sink.add(
          finding(
            .review, file: table.file,
            reason: "\(system.inconsistencies.count) margin\(system.inconsistencies.count == 1 ? "" : "s") do not equal the sum of their cells (first: \(name(first.margin, table)) is \(formatNumber(first.total)), its cells add up to \(formatNumber(first.sum))): the differencing audit cannot run",
            fix: "publish margins that are the sums of the published cells (or declare the rounding scheme), then check again"))
        continue
      }
      guard !system.unknowns.isEmpty, !system.equations.isEmpty else { continue }
      let exact = ExactRecovery(system)
      if exact.recovered.contains(where: { system.lower[$0.key] - 1e-9 > $0.value.value || $0.value.value > system.upper[$0.key] + 1e-9 }) {
        sink.add(contradiction(table))
        continue
      }
      var recoveredValues: [Int: Double] = [:]
      for (variable, recovered) in exact.recovered { recoveredValues[system.unknowns[variable]] = recovered.value }
      for (variable, recovered) in exact.recovered.sorted(by: { $0.key < $1.key }) {
        let cell = system.unknowns[variable]
        let how: String
        if let equation = recovered.equation {
          how = chain(
            for: cell, source: system.sources[equation], table: table, measure: measure, value: recovered.value,
            recovered: recoveredValues)
        } else {
          how = "by elimination over the table's margins it equals \(formatNumber(recovered.value))"
        }
        report(.fail, cell: cell, measure: measure, table: table, sink: &sink, reason: "withheld cell can be recovered exactly: \(how)")
      }
      let open = system.unknowns.indices.filter { exact.recovered[$0] == nil }
      guard !open.isEmpty else { continue }
      switch LinearProgram().intervals(variables: system.unknowns.count, lower: system.lower, upper: system.upper, equations: system.equations) {
      case .infeasible:
        sink.add(contradiction(table))
      case .intervals(let intervals):
        for variable in open {
          // Counts are whole numbers: round the interval inwards.
          let interval = Interval(lower: intervals[variable].lower.rounded(.up), upper: intervals[variable].upper.rounded(.down))
          guard interval.width < minWidth else { continue }
          let cell = system.unknowns[variable]
          let what = interval.width < 0.5 ? "recovered exactly by linear programming: it is \(formatNumber(interval.lower))" : "narrowed to \(interval) by the margins, narrower than \(formatNumber(minWidth))"
          report(.fail, cell: cell, measure: measure, table: table, sink: &sink, reason: "withheld cell can be \(what)")
        }
      }
    }
  }

  private func contradiction(_ table: Table) -> Finding {
    finding(
      .review, file: table.file,
      reason: "the table's markers contradict its margins (no values fit both): the differencing audit cannot run",
      fix: "check the suppression markers and margins")
  }

  private func name(_ cell: Int, _ table: Table) -> String {
    table.dimensions.indices.map { table.label(ofCell: cell, dimension: $0) }.joined(separator: "/")
  }

  private func chain(
    for cell: Int, source: (margin: Int, parts: [Int]), table: Table, measure: Int, value: Double,
    recovered: [Int: Double]
  ) -> String {
    let values = table.values[measure]
    func term(_ cell: Int) -> String {
      if let published = values[cell].number { return name(cell, table) + " (\(formatNumber(published)))" }
      return name(cell, table) + " (\(formatNumber(recovered[cell] ?? .nan)), recovered)"
    }
    if cell == source.margin {
      return "\(name(cell, table)) = " + source.parts.map(term).joined(separator: " + ") + " = \(formatNumber(value))"
    }
    let others = source.parts.filter { $0 != cell }
    return "\(name(cell, table)) = \(term(source.margin))" + others.map { " − " + term($0) }.joined() + " = \(formatNumber(value))"
  }

  private func report(_ outcome: Outcome, cell: Int, measure: Int, table: Table, sink: inout FindingSink, reason: String) {
    guard sink.wants(Self.description.code) else { return sink.count(Self.description.code, outcome) }
    sink.add(finding(outcome, table: table, cell: cell, measure: measure, reason: reason))
  }
}
