/// Flags withheld cells that the table's own margins give back, exactly or within a narrow interval.
struct RecoverableSuppressionRule: TableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let minWidth = RuleParameter<Double>(
    "min_width", default: 3, "the narrowest feasibility interval a withheld count may have", range: 0...1_000_000)

  static let description = RuleDescription(
    code: "X001", name: "recoverable-suppression",
    summary: "A withheld cell that the margins give back, exactly or nearly, is not protected.",
    rationale: """
      ## What it checks
      The audit of a table's suppression pattern. Every margin equals the
      sum of the cells it totals, in every dimension of tables of one, two or three dimensions.
      Margins are found from the numbers, whatever they are called (`Total`, `All`, `Persons`, a
      blank label; see `table-structure`, C010): a category whose cells equal the sum of the
      others wherever all are published, and a label that reads as a total where no row can
      confirm or rule it out (it can only add equations). Count columns that total one another
      (`Males, Females, Persons`; `n_male, n_female, n_total`) are a dimension of their own.
      Subtotals in the middle of a dimension (a row equal to the sum of the run of rows after or
      before it) are found the same way, and so are hierarchies the labels state: areas indented
      under their region (spaces, tabs, non-breaking spaces, `- ` bullets), codes under codes
      (`North/Leeds` under `North`, `E11.9` or `E119` under `E11`), used when the numbers do not
      contradict them. A declared `hierarchy:` (region → area, see `docs/outputs.md`) wins over
      what is found. From these equations airlock finds:

      - every withheld cell that can be **recovered exactly**, by subtraction (the chain is shown:
        `sex=Female, region=A = (Total) − (Male) = 4`) or by exact rational elimination over several
        equations: fail;
      - the **feasibility interval** [L, U] of every other withheld cell, by linear programming with
        COIN-OR CLP (minimise and maximise each cell subject to the equations, cells ≥ 0, and the
        bounds a marker states, such as `<10`), compared with the cell's protection level:
        - a **count** fails when U − L is below `min_width` (τ-ARGUS's frequency safety range; the
          default 3 is its FREQ(3, 30%) on a small count);
        - a **magnitude** (a `sum` column) whose evidence (`NAME.evidence.csv`: `sum`, `n`, `top1`…)
          shows it sensitive fails when U − X or X − L is below its protection level, the largest
          of the pack's rules: (n, k) dominance, UPL = (100 / k) · (x1 + … + xn) − X; p%, UPL =
          (p / 100) · x1 − (X − x1 − x2) (Handbook, "Upper protection levels"; the lower level is
          taken equal to the upper). A magnitude without evidence only fails when exact; one whose
          evidence `sum` lies outside its interval needs review (the evidence contradicts the table);
      - the **singleton check**: the only contributor to a withheld magnitude cell (evidence `n` or
        `n_units` of 1) knows its value; fixing it, the sensitive cells in its equations are
        audited again, and fail if they become exact or narrower than their protection level;
      - the **union-dominance check** (sdcTable UserSupport#160): where a published margin totals
        several withheld magnitude cells, their sum is known, so the dominance and p% rules are
        applied to their merged top contributions over their summed totals (as if every
        contribution came from a different contributor; shared contributors only make it worse);
      - published cells that **do not add up** to their margins: review (the table is reported, not
        guessed at). For rounded counts (`rounding` rule with a base) each term may be off by half
        the base. Sums must add up exactly, and are only audited when some cell of the column is
        withheld.

      The LP relaxation is exact for two-dimensional tables (their constraint matrix is totally
      unimodular); for three dimensions and hierarchies an integer attacker may do slightly better.
      An equation is only formed when every category of the margin is present in the table. Counts
      get no singleton check: one person in a cell does not know that nobody else is in it.

      Findings quote the intervals and values for the review record; like every finding, they
      leave the TRE only in the value-free form of the SARIF and JUnit reports.

      ## Why it is a disclosure risk
      Suppressing small cells is not enough: a lone suppressed cell in a row with a published total is
      recovered by subtraction. This is what secondary suppression exists for, and what output
      checkers are told to "look out for". A magnitude cell can also be disclosed approximately: an
      upper bound close to its value tells the second-largest contributor how much the largest holds.

      ## References
      Hundepool et al. (2024) ch. 4, secondary protection, protection levels, Example 3 and the
      singleton problem; τ-ARGUS Audit; sdcTable `attack()` and UserSupport#160.
      """,
    fix:
      "suppress more cells so that every withheld cell shares each of its rows and columns with another withheld cell (or use `airlock protect`), or drop the margins",
    parameters: [
      RecoverableSuppressionRule.minWidth.spec
    ],
    examples: [
      Example("two withheld cells in every line", "region,Male,Female,Total\nA,*,*,20\nB,*,*,31\nTotal,25,26,51"),
      Example("a lone withheld cell", "region,Male,Female,Total\nA,16,↓*,20\nB,12,19,31\nTotal,28,23,51"),
      Example(
        "withheld cells pinned down by two equations",
        "region,Male,Female,Total\nA,↓*,↓*,20\nB,12,↓*,31\nTotal,28,23,51"),
      Example("one dimension with a total", "age_band,count\n18-39,40\n40-59,↓*\nTotal,52"),
      Example(
        "a narrow interval", "region,Male,Female,Total\nA,↓<10,↓*,12\nB,↓*,↓*,12\nTotal,20,4,24",
        parameters: ["min_width": .number(5)]),
      Example(
        "a total that is called Persons: found from the numbers",
        "age_band,Males,Females,Persons\n0-15,20,↓*,42\n16-64,30,31,61\nPersons,50,53,103"),
      Example("a blank-labelled total row", "region,count\nNorth,40\nSouth,↓*\nEast,12\n,60"),
      Example(
        "the Handbook's Example 3: X11 lies in [3, 6], and every interval is 3 wide",
        "group,1,2,Total\n1,*,*,7\n2,*,*,3\n3,3,3,6\nTotal,9,7,16"),
      Example(
        "areas indented under their region, no hierarchy declared: York = North − Leeds",
        "area,count\nNorth,30\n  Leeds,12\n  York,↓*\nSouth,42\n  Bristol,20\n  Exeter,22"),
      Example(
        "ICD-10 codes without their dot: E119 = E11 − E110",
        "diagnosis,count\nE11,30\nE110,12\nE119,↓*\nI10,42\nI100,20\nI109,22"),
      Example(
        "a declared hierarchy: York = North − Leeds", "area,count\nNorth,30\nLeeds,12\nYork,↓*\nSouth,42\nTotal,72",
        manifest: "hierarchy:\n  area:\n    North: [Leeds, York]"),
      Example(
        "a dominated magnitude 15 below its upper bound, where the (2, 90%) rule needs 25.56",
        "sector,sum\nA,↓*\nB,*\nC,500\nTotal,845",
        companions: [
          "example.evidence.csv": "sector,sum,n,top1,top2,top3\nA,330,3,300,20,10\nB,15,5,6,4,2\nC,500,20,60,50,40"
        ]),
      Example(
        "a magnitude 60 below its upper bound keeps its protection level",
        "sector,sum\nA,*\nB,*\nC,455\nTotal,845",
        companions: [
          "example.evidence.csv": "sector,sum,n,top1,top2,top3\nA,330,3,300,20,10\nB,60,5,20,15,10\nC,455,20,60,50,40"
        ]),
      Example(
        "singleton: the only contributor to A/North learns B/South",
        "sector,region,sum\nA,North,*\nA,South,*\nA,Total,1050\nB,North,*\nB,South,↓*\nB,Total,1050\nTotal,North,1050\nTotal,South,1050\nTotal,Total,2100",
        companions: [
          "example.evidence.csv":
            "sector,region,sum,n,top1,top2\nA,North,50,1,50,\nA,South,1000,40,40,30\nB,North,1000,40,40,30\nB,South,50,2,30,20"
        ]),
      Example(
        "union dominance: A and B together are 90.8% two contributors'",
        "sector,sum\nA,↓*\nB,*\nC,400\nTotal,1000",
        companions: ["example.evidence.csv": "sector,sum,n,top1,top2\nA,500,10,450,20\nB,100,2,95,5\nC,400,30,30,20"]),
    ])

  let minWidth: Double
  let markerRanges: [Int: ClosedRange<Int>]
  let tolerancePerTerm: Double
  let zeroMarkers: Set<Int>
  let sensitivity: MagnitudeSensitivity
  /// Solves as the audit did before its faster solve (tests compare the two).
  var reference = false

  init(parameters: RuleParameters, pack: RulePack) {
    minWidth = parameters[Self.minWidth]
    zeroMarkers = Set(pack.zeroMarkers.compactMap { pack.markers.firstIndex(of: $0) })
    var ranges: [Int: ClosedRange<Int>] = [:]
    for (index, marker) in pack.markers.enumerated() {
      if let range = ValueParser.impliedRange(of: marker) { ranges[index] = range }
    }
    for index in zeroMarkers { ranges[index] = 0...0 }
    markerRanges = ranges
    let rounding = pack.parameters(of: RoundingRule.self)
    tolerancePerTerm =
      rounding.isEnabled && rounding[RoundingRule.scheme] == "base"
      ? Double(rounding[RoundingRule.base]) / 2
      : rounding.isEnabled && rounding[RoundingRule.scheme] == "midpoint6" ? 3 : 0
    sensitivity = MagnitudeSensitivity(pack: pack)
  }

  static let kinds: Set<OutputKind> = [.frequency, .magnitude]

  func check(_ table: Table, into sink: inout FindingSink) {
    if let view = table.countView?.table {
      // Count columns that total one another (`Males, Females, Persons`) are one more dimension.
      audit(view, measure: 0, magnitude: false, into: &sink)
    }
    guard table.dimensions.indices.contains(where: { !TableEquations.groups(of: table, dimension: $0).isEmpty }) else {
      return
    }
    for (measure, description) in table.measures.enumerated() {
      switch description.role {
      case .count:
        guard table.countView == nil, !table.isCumulative(measure) else { continue }
        audit(table, measure: measure, magnitude: false, into: &sink)
      case .magnitude:
        // Sums are audited when they withhold something: published decimals that were rounded
        // before they were added up are not a differencing risk.
        guard (0..<table.cellCount).contains(where: { table.values[measure][$0].number == nil }) else { continue }
        audit(table, measure: measure, magnitude: true, into: &sink)
      default:
        continue
      }
    }
  }

  /// The audit of one measure: exact recovery, feasibility intervals against the protection
  /// levels, then (for magnitudes) the singleton and union-dominance checks. At most one finding
  /// per cell: the first problem found.
  private func audit(_ table: Table, measure: Int, magnitude: Bool, into sink: inout FindingSink) {
    // The pack's rounding applies to counts; sums are published as they are.
    // A count row left out beside its published margin is an unknown like a withheld cell.
    let system = TableEquations(
      table: table, measure: measure, markerRanges: markerRanges, tolerancePerTerm: magnitude ? 0 : tolerancePerTerm,
      absentAreUnknowns: !magnitude)
    if let first = system.inconsistencies.first {
      sink.add(
        finding(
          .review, file: table.file,
          reason:
            "\(system.inconsistencies.count) margin\(system.inconsistencies.count == 1 ? "" : "s") do not equal the sum of their cells (first: \(name(first.margin, table)) is \(formatNumber(first.total)), its cells add up to \(formatNumber(first.sum))): the differencing audit cannot run",
          fix:
            "publish margins that are the sums of the published cells (or declare the rounding scheme), then check again"
        ))
      return
    }
    guard !system.unknowns.isEmpty, !system.equations.isEmpty else { return }
    if LinearProgram.tooLarge(lower: system.lower, upper: system.upper, equations: system.equations) {
      // Never a pass: the audit cannot say what such numbers give away.
      sink.add(
        finding(
          .review, file: table.file,
          reason: "values of 10^15 or more: the differencing audit cannot run exactly",
          fix: "check the values (counts this large are likely an error), then review the withheld cells by hand"))
      return
    }
    let (exact, lp) = reference ? referenceSolve(system) : solve(system, magnitude: magnitude)
    if exact.recovered.contains(where: {
      system.lower[$0.key] - 1e-9 > $0.value.value || $0.value.value > system.upper[$0.key] + 1e-9
    }) {
      sink.add(contradiction(table))
      return
    }
    var reasons: [Int: String] = [:]
    var reviews: [Int: String] = [:]
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
      reasons[variable] = "withheld cell can be recovered exactly: \(how)"
    }
    let open = system.unknowns.indices.filter { exact.recovered[$0] == nil }
    // What each withheld magnitude cell needs: its true value and protection level (from evidence).
    var needs: [Int: MagnitudeSensitivity.Need] =
      magnitude
      ? Dictionary(
        uniqueKeysWithValues: system.unknowns.indices.compactMap { variable in
          sensitivity.need(CellEvidence.of(cell: system.unknowns[variable], in: table)).map { (variable, $0) }
        }) : [:]
    if !open.isEmpty {
      switch lp {
      case .infeasible:
        sink.add(contradiction(table))
        return
      case .intervals(let intervals):
        for variable in open {
          if let need = needs[variable], let problem = misfit(need, intervals[variable]) {
            // Evidence that contradicts the table cannot show the cell safe: review it, and audit
            // the rest as if it had no evidence.
            reviews[variable] = problem
            needs[variable] = nil
            continue
          }
          if let problem = protectionProblem(intervals[variable], need: needs[variable], magnitude: magnitude) {
            reasons[variable] = "withheld cell can be \(problem)"
          }
        }
      }
    }
    if magnitude {
      singletonCheck(system: system, needs: needs, table: table, reasons: &reasons)
      unionCheck(system: system, table: table, measure: measure, reasons: &reasons)
    }
    for (variable, reason) in reasons.sorted(by: { $0.key < $1.key }) {
      let cell = system.unknowns[variable]
      if let labels = system.absent[cell] {
        // An absent row recovered as 0 is the zero a sparse export leaves out; anything else is
        // a count the file does not show but gives away.
        if let value = recoveredValues[cell], value == 0 { continue }
        if exact.recovered[variable] == nil, absentZeroOnly(variable, system: system, lp: lp) { continue }
        reportAbsent(labels, table: table, sink: &sink, reason: reason)
        continue
      }
      report(.fail, cell: cell, measure: measure, table: table, sink: &sink, reason: reason)
    }
    for (variable, reason) in reviews.sorted(by: { $0.key < $1.key }) where reasons[variable] == nil {
      guard system.absent[system.unknowns[variable]] == nil else { continue }
      report(.review, cell: system.unknowns[variable], measure: measure, table: table, sink: &sink, reason: reason)
    }
  }

  /// Exact recovery and feasibility intervals of `system`. Subtraction first; then the LPs, one
  /// model per group of linked unknowns, skipping a count whose feasible solutions so far already
  /// span `min_width` (its interval can only be wider, so it passes either way); then exact
  /// elimination, only over the groups of equations that hold an unknown no feasible solution has
  /// shown to vary (an unknown the equations pin down takes one value in every solution). An
  /// infeasible system leaves elimination out: it is a contradiction either way.
  private func solve(_ system: TableEquations, magnitude: Bool) -> (ExactRecovery, LinearProgram.Outcome) {
    var exact = ExactRecovery(subtractingOnly: system)
    // Contradicted subtractions are reported before any LP, as the whole elimination used to be.
    if exact.recovered.contains(where: {
      system.lower[$0.key] - 1e-9 > $0.value.value || $0.value.value > system.upper[$0.key] + 1e-9
    }) {
      return (exact, .infeasible)
    }
    let program = LinearProgram()
    let minWidth = minWidth
    let outcome = program.intervals(
      variables: system.unknowns.count, lower: system.lower, upper: system.upper, equations: system.equations,
      of: system.unknowns.indices.filter { exact.recovered[$0] == nil },
      settled: magnitude
        ? nil : { _, inner in (inner.upper + 5e-7).rounded(.down) - (inner.lower - 5e-7).rounded(.up) >= minWidth })
    guard case .intervals = outcome else {
      // Exactly what the whole elimination finds, as before: values it pins down outside their
      // bounds are the contradiction reported.
      exact.eliminate(system) { _ in true }
      return (exact, outcome)
    }
    let seen = program.seen
    exact.eliminate(system) { variable in !(seen[variable].map { $0.width > 1e-6 } ?? false) }
    return (exact, outcome)
  }

  /// The audit's solve as it was before `solve(_:magnitude:)`: elimination over the whole system,
  /// then both LPs for every unknown in one model. Kept to check the faster solve against.
  private func referenceSolve(_ system: TableEquations) -> (ExactRecovery, LinearProgram.Outcome) {
    let exact = ExactRecovery(system)
    if exact.recovered.contains(where: {
      system.lower[$0.key] - 1e-9 > $0.value.value || $0.value.value > system.upper[$0.key] + 1e-9
    }) {
      return (exact, .infeasible)
    }
    return (
      exact,
      LinearProgram().referenceIntervals(
        variables: system.unknowns.count, lower: system.lower, upper: system.upper, equations: system.equations)
    )
  }

  /// Why a withheld magnitude's evidence does not fit its feasibility interval, or `nil`.
  private func misfit(_ need: MagnitudeSensitivity.Need, _ interval: Interval) -> String? {
    let slack = 1e-7 * max(1, abs(need.value))
    guard need.value < interval.lower - slack || need.value > interval.upper + slack else { return nil }
    let upper = interval.upper >= LinearProgram.infinity ? "∞" : amount(interval.upper)
    return
      "the evidence gives this withheld cell a total of \(amount(need.value)), outside what the margins allow ([\(amount(interval.lower)), \(upper)]): its protection cannot be judged"
  }

  /// Why `interval` does not protect a cell, or `nil` when it does. Counts are whole numbers, so
  /// their interval is rounded inwards and must be at least `min_width` wide; a magnitude with
  /// evidence must keep its protection level from both bounds (Handbook, "Upper protection
  /// levels"; the lower level is taken equal to the upper), and without evidence must not be exact.
  private func protectionProblem(_ raw: Interval, need: MagnitudeSensitivity.Need?, magnitude: Bool) -> String? {
    guard magnitude else {
      // The solver's bounds are exact only to its tolerance (43.999999999999986 for 44): within
      // 1e-6 of a whole number they are that number, then rounded inwards.
      let interval = Interval(lower: (raw.lower - 1e-6).rounded(.up), upper: (raw.upper + 1e-6).rounded(.down))
      guard interval.width < minWidth else { return nil }
      return interval.width < 0.5
        ? "recovered exactly by linear programming: it is \(formatNumber(interval.lower))"
        : "narrowed to \(interval) by the margins, narrower than \(formatNumber(minWidth))"
    }
    let scale = max(1, abs(raw.lower), abs(need?.value ?? 0))
    if raw.width <= 1e-7 * scale { return "recovered exactly by linear programming: it is \(amount(raw.lower))" }
    guard let need, need.level > 0 else { return nil }
    let above = raw.upper - need.value
    let below = need.value - raw.lower
    guard above < need.level - 1e-7 * scale || below < need.level - 1e-7 * scale else { return nil }
    let upper = raw.upper >= LinearProgram.infinity ? "∞" : amount(raw.upper)
    return
      "narrowed to [\(amount(raw.lower)), \(upper)] by the margins: its value is \(amount(below)) above the lower bound and \(upper == "∞" ? "unbounded" : amount(above)) below the upper, where \(need.rule) needs \(amount(need.level)) on each side (its protection level: the bound lets a contributor estimate another's value too closely)"
  }

  /// The singleton check (PS2): the only contributor to a withheld magnitude cell knows its value.
  /// Each such cell is fixed at its value in turn, and the others are audited again; a sensitive
  /// cell that this makes recoverable, or narrower than its protection level, fails.
  private func singletonCheck(
    system: TableEquations, needs: [Int: MagnitudeSensitivity.Need], table: Table, reasons: inout [Int: String]
  ) {
    let singletons = needs.filter { $0.value.contributors == 1 }.keys.sorted()
    for singleton in singletons {
      let value = needs[singleton]!.value
      var fixed = system
      fixed.lower[singleton] = value
      fixed.upper[singleton] = value
      fixed.equations.append(LinearProgram.Equation(terms: [(singleton, 1)], rhs: value))
      // Only the cells that share a chain of equations with the singleton can change, and only
      // sensitive ones matter (or those without evidence, which cannot be shown safe).
      let related = connected(to: singleton, in: system).filter {
        $0 != singleton && reasons[$0] == nil && (needs[$0].map { $0.level > 0 } ?? true)
      }
      guard !related.isEmpty else { continue }
      let who = "the only contributor to \(name(system.unknowns[singleton], table)) knows its value"
      let exact = ExactRecovery(fixed)
      var rest: [Int] = []
      for variable in related {
        if let recovered = exact.recovered[variable] {
          reasons[variable] =
            "withheld cell can be recovered exactly by a contributor: \(who), and with it this cell is \(amount(recovered.value)) (singleton check)"
        } else {
          rest.append(variable)
        }
      }
      guard !rest.isEmpty,
        case .intervals(let intervals) = LinearProgram().intervals(
          variables: fixed.unknowns.count, lower: fixed.lower, upper: fixed.upper, equations: fixed.equations, of: rest)
      else { continue }
      for variable in rest {
        if let problem = protectionProblem(intervals[variable], need: needs[variable], magnitude: true) {
          reasons[variable] =
            "withheld cell can be \(problem), once a contributor uses what it knows: \(who) (singleton check)"
        }
      }
    }
  }

  /// The union-dominance check (sdcTable UserSupport#160): where a published margin totals several
  /// withheld cells, their sum is known exactly, so the dominance and p% rules apply to the union
  /// of their contributions (the merged top contributions, and the sum of their totals).
  private func unionCheck(system: TableEquations, table: Table, measure: Int, reasons: inout [Int: String]) {
    let values = table.values[measure]
    var seen = Set<[Int]>()
    for (index, source) in system.sources.enumerated()
    where system.equations[index].tolerance == 0 && values[source.margin].number != nil {
      let withheld = source.parts.filter { values[$0].number == nil }
      guard withheld.count >= 2, seen.insert(withheld).inserted else { continue }
      let evidence = withheld.map { CellEvidence.of(cell: $0, in: table) }
      guard let breach = sensitivity.breach(of: evidence) else { continue }
      // The finding goes on the cell holding the largest contribution.
      let largest = zip(withheld, evidence).max { ($0.1.top(1).map(abs) ?? 0) < ($1.1.top(1).map(abs) ?? 0) }!.0
      guard let variable = system.unknowns.firstIndex(of: largest), reasons[variable] == nil else { continue }
      let names = withheld.map { name($0, table) }
      reasons[variable] =
        "the withheld cells \(names.joined(separator: ", ")) add up to a known total (\(name(source.margin, table)) less its published cells): taken together, \(breach) (union dominance)"
    }
  }

  /// The unknowns linked to `variable` through the equations, itself included.
  private func connected(to variable: Int, in system: TableEquations) -> [Int] {
    var seen: Set<Int> = [variable]
    var frontier = [variable]
    while let next = frontier.popLast() {
      for equation in system.equations where equation.terms.contains(where: { $0.variable == next }) {
        for term in equation.terms where seen.insert(term.variable).inserted { frontier.append(term.variable) }
      }
    }
    return seen.sorted()
  }

  /// A magnitude for a reason: whole numbers as they are, others to two decimals.
  private func amount(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? formatNumber(value) : String(format: "%.2f", value)
  }

  private func contradiction(_ table: Table) -> Finding {
    finding(
      .review, file: table.file,
      reason: "the table's markers contradict its margins (no values fit both): the differencing audit cannot run",
      fix: "check the suppression markers and margins")
  }

  private func name(_ cell: Int, _ table: Table) -> String {
    guard cell < table.cellCount else { return "(a row not in the file)" }
    return table.dimensions.indices.map { table.label(ofCell: cell, dimension: $0) }.joined(separator: "/")
  }

  /// Whether an absent cell's interval is exactly [0, 0]: the zero a sparse export leaves out.
  private func absentZeroOnly(_ variable: Int, system: TableEquations, lp: LinearProgram.Outcome) -> Bool {
    guard case .intervals(let intervals) = lp, variable < intervals.count else { return false }
    return intervals[variable].upper < 0.5
  }

  /// Reports a count the file leaves out (no row for it) but its margins give away.
  private func reportAbsent(_ labels: [UInt32], table: Table, sink: inout FindingSink, reason: String) {
    record(.fail, into: &sink) {
      let coordinates = table.dimensions.indices.map {
        Finding.Coordinate(
          dimension: table.dimensions[$0].name, label: table.dimensions[$0].labels.labels[Int(labels[$0])])
      }
      let location = coordinates.map { "\($0.dimension)=\($0.label)" }.joined(separator: ", ")
      return finding(
        .fail, file: table.file, cell: coordinates,
        reason: "the row for \(location) is left out of the file, but its count "
          + reason.replacingOccurrences(of: "withheld cell ", with: ""))
    }
  }

  private func chain(
    for cell: Int, source: (margin: Int, parts: [Int]), table: Table, measure: Int, value: Double,
    recovered: [Int: Double]
  ) -> String {
    let values = table.values[measure]
    func term(_ cell: Int) -> String {
      if cell < table.cellCount, let published = values[cell].number {
        return name(cell, table) + " (\(formatNumber(published)))"
      }
      return name(cell, table) + " (\(formatNumber(recovered[cell] ?? .nan)), recovered)"
    }
    if cell == source.margin {
      return "\(name(cell, table)) = " + source.parts.map(term).joined(separator: " + ") + " = \(formatNumber(value))"
    }
    let others = source.parts.filter { $0 != cell }
    return "\(name(cell, table)) = \(term(source.margin))" + others.map { " − " + term($0) }.joined()
      + " = \(formatNumber(value))"
  }

  private func report(
    _ outcome: Outcome, cell: Int, measure: Int, table: Table, sink: inout FindingSink, reason: String
  ) {
    record(outcome, into: &sink) { finding(outcome, table: table, cell: cell, measure: measure, reason: reason) }
  }
}
