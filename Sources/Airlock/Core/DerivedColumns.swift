import Foundation

/// The percentages, proportions, rates and cumulative columns of a long table, and the counts they
/// are computed from. `derived-count` (C011) and `cumulative-count` (C012) judge the counts they
/// give back; `airlock protect` recomputes them from the protected counts.
///
/// A share's denominator is decided in this order (docs/outputs.md, "Percentages and rates"):
/// 1. declared in the manifest (`denominators:`);
/// 2. found from the numbers: a count column of which the share is the same fraction, row by row,
///    of the total of the table or of each category of a dimension;
/// 3. a column named as a denominator (`population`, `denominator`, `person_years`, ...);
/// 4. otherwise not known: each count column is tried as the denominator, and a finding that not
///    every reading makes is `review`.
struct DerivedColumns {
  /// How a share's denominator was decided.
  enum Basis: Equatable {
    case declared, arithmetic, name, unconfirmed
  }

  /// What a share is a fraction of.
  enum Denominator: Equatable {
    /// A column of the same row (a count, or person-time for a rate); `numerator` is the count
    /// column the share is computed from, when the row publishes it.
    case column(Int, numerator: Int?)
    /// The total of the cells that have the same labels in `dimensions` (none: the table's total)
    /// of count column `numerator`.
    case group(dimensions: [Int], numerator: Int)
  }

  /// One way of reading a share column.
  struct Reading: Equatable {
    /// 100 for a percentage, 1 for a proportion, 1,000 for a rate per 1,000.
    var scale: Double
    var denominator: Denominator
    var basis: Basis
  }

  /// A percentage, proportion or rate column.
  struct Share {
    let measure: Int
    /// Digits printed after the decimal point (the most any of its values shows).
    let decimals: Int
    /// A printed value `p` stands for anything in `[p - halfWidth, p + halfWidth]`.
    var halfWidth: Double { DerivedColumns.halfWidth(decimals) }
    /// One reading when airlock knows the denominator; several when it does not.
    let readings: [Reading]
  }

  /// A cumulative count or percentage column.
  struct Cumulative {
    let measure: Int
    /// The ordered dimension it accumulates along.
    let along: Int
    /// The dimensions whose combinations each have a running total of their own.
    let within: [Int]
    /// The column of per-step values it is the running total of, when published.
    let steps: Int?
    let decimals: Int
  }

  private(set) var shares: [Share] = []
  private(set) var cumulatives: [Cumulative] = []
  /// Share columns airlock could not read, with why (review).
  private(set) var unresolved: [(measure: Int, reason: String)] = []
  /// Cumulative columns airlock could not read, with why (review).
  private(set) var unresolvedCumulatives: [(measure: Int, reason: String)] = []

  /// How far a published count may be from the true one: half the rounding base in a pack that
  /// rounds, 0 otherwise.
  let countUncertainty: Double

  init(table: Table, countUncertainty: Double) {
    self.countUncertainty = countUncertainty
    guard table.layout == .long, table.cellCount > 0 else { return }
    let declaration = table.declaration
    let declaredCumulative = Set((declaration?.cumulative ?? []).map(\.label))
    for measure in table.measures.indices {
      let name = table.measures[measure].name
      let role = table.measures[measure].role
      let isCumulative = declaredCumulative.contains(name) || NamingConventions.cumulativeBase(of: name) != nil
      if isCumulative, role == .count || role == .percentage {
        cumulative(measure, in: table)
      } else if role == .percentage {
        share(measure, in: table, declaration: declaration)
      }
    }
  }

  /// How far a published count may be from the true one under `pack`'s rounding.
  static func uncertainty(_ pack: RulePack) -> Double {
    let rounding = pack.parameters(of: RoundingRule.self)
    guard rounding.isEnabled else { return 0 }
    switch rounding[RoundingRule.scheme] {
    case "base": return Double(rounding[RoundingRule.base]) / 2
    case "midpoint6": return 3
    default: return 0
    }
  }

  /// Digits after the decimal point of the values of `measure` (at most 9).
  static func decimals(of measure: Int, in table: Table) -> Int {
    var most = min(9, table.printedDecimals[measure] ?? 0)
    for cell in 0..<table.cellCount {
      guard case .number(let value) = table.values[measure][cell] else { continue }
      var digits = most
      while digits < 9 {
        let scaled = value * pow(10, Double(digits))
        if abs(scaled - scaled.rounded()) <= 1e-6 * max(1, abs(scaled)) * 1e-3 { break }
        digits += 1
      }
      most = max(most, digits)
      if most == 9 { break }
    }
    return most
  }

  /// Digits after the decimal point of `value` as the shortest writing shows them (at most 9).
  static func decimals(of value: Double) -> Int {
    var digits = 0
    while digits < 9 {
      let scaled = value * pow(10, Double(digits))
      if abs(scaled - scaled.rounded()) <= 1e-9 * max(1, abs(scaled)) { break }
      digits += 1
    }
    return digits
  }

  // MARK: Shares

  /// Count columns named as denominators, and person-time columns.
  static func isDenominator(_ measure: Measure) -> Bool {
    NamingConventions.denominatorNames.contains(measure.normalizedName)
      || NamingConventions.personTimeNames.contains(measure.normalizedName)
  }

  private mutating func share(_ measure: Int, in table: Table, declaration: OutputDeclaration?) {
    let name = table.measures[measure].name
    let decimals = Self.decimals(of: measure, in: table)
    let halfWidth = Self.halfWidth(decimals)
    let counts = table.measures.indices.filter {
      table.measures[$0].role == .count && NamingConventions.cumulativeBase(of: table.measures[$0].name) == nil
    }
    let denominators = table.measures.indices.filter { Self.isDenominator(table.measures[$0]) && $0 != measure }
    let numerators = counts.filter { !Self.isDenominator(table.measures[$0]) }
    let scales = Self.scales(of: measure, in: table, declaration: declaration)
    func found(_ readings: [Reading]) { shares.append(Share(measure: measure, decimals: decimals, readings: readings)) }
    // A share of a column of its own row: with the count column it agrees with as numerator, or
    // none (then the multiplier must be known).
    func ofColumn(_ column: Int, basis: Basis) {
      for scale in scales {
        if let numerator = numerators.first(where: {
          agrees(measure, numerator: $0, denominator: column, scale: scale, halfWidth: halfWidth, in: table)
        }) {
          return found([Reading(scale: scale, denominator: .column(column, numerator: numerator), basis: basis)])
        }
      }
      guard scales.count == 1 else {
        unresolved.append(
          (
            measure,
            "the multiplier of '\(name)' is not known: name it (rate_per_1000) or declare it (multipliers: {\(name): 1000})"
          ))
        return
      }
      found([Reading(scale: scales[0], denominator: .column(column, numerator: nil), basis: basis)])
    }

    // 1. Declared.
    if let declared = declaration?.denominators.first(where: { $0.column.label == name })?.denominator.label {
      if let column = table.measure(named: declared) { return ofColumn(column, basis: .declared) }
      let grouping = declared == "total" ? [] : table.dimensions.firstIndex { $0.name == declared }.map { [$0] } ?? []
      for scale in scales {
        for numerator in numerators
        where confirms(measure, numerator: numerator, grouping: grouping, scale: scale, halfWidth: halfWidth, in: table)
        {
          return found([
            Reading(scale: scale, denominator: .group(dimensions: grouping, numerator: numerator), basis: .declared)
          ])
        }
      }
      unresolved.append(
        (
          measure,
          "'\(name)' is declared a share of \(declared == "total" ? "the table's total" : "each category of '\(declared)'"), but no count column gives it"
        ))
      return
    }

    // 2. Found from the numbers: the share of a count column within some grouping.
    for scale in scales {
      for numerator in numerators {
        for grouping in Self.groupings(of: table)
        where confirms(measure, numerator: numerator, grouping: grouping, scale: scale, halfWidth: halfWidth, in: table)
        {
          return found([
            Reading(scale: scale, denominator: .group(dimensions: grouping, numerator: numerator), basis: .arithmetic)
          ])
        }
      }
    }

    // 3. A column named as a denominator.
    if let column = denominators.first { return ofColumn(column, basis: .name) }

    // 4. Not known: every count column may be the denominator.
    guard !numerators.isEmpty else { return }  // no count at all: percentage-without-count (C007)
    found(
      scales.flatMap { scale in
        numerators.map { Reading(scale: scale, denominator: .column($0, numerator: nil), basis: .unconfirmed) }
      })
  }

  /// The multipliers a share column may have: declared, stated by its name (`per_1000`), 1 for
  /// a proportion, 100 for a percentage, and both when a "percentage" holds only values up to 1.
  static func scales(of measure: Int, in table: Table, declaration: OutputDeclaration?) -> [Double] {
    let name = table.measures[measure].normalizedName
    if let declared = declaration?.multipliers.first(where: { $0.column.label == table.measures[measure].name }) {
      return [declared.multiplier]
    }
    if let stated = NamingConventions.rateMultiplier(of: name) { return [stated] }
    let proportion = ["proportion", "prop", "fraction", "share"].contains {
      name == $0 || name.hasSuffix("_" + $0) || name.hasPrefix($0 + "_")
    }
    if proportion { return [1] }
    var largest = 0.0
    for cell in 0..<table.cellCount {
      if case .number(let value) = table.values[measure][cell] { largest = max(largest, abs(value)) }
    }
    let percent = name.contains("pct") || name.contains("percent") || name.contains("%") || name == "cum"
    // A column named as a percentage is one, even when every value is under 1 (a rare condition).
    if percent { return [100] }
    // `rate`, `prevalence`, `incidence`: the multiplier is not stated.
    if largest <= 1 && largest > 0 { return [1, 100, 1_000, 10_000, 100_000] }
    return [100, 1_000, 10_000, 100_000]
  }

  /// The groupings a share may be taken within: the whole table, then each dimension, then each
  /// pair (for tables of three or more dimensions).
  static func groupings(of table: Table) -> [[Int]] {
    let dimensions = Array(table.dimensions.indices)
    var result: [[Int]] = [[]]
    if dimensions.count >= 2 { result += dimensions.map { [$0] } }
    if dimensions.count >= 3 {
      for a in dimensions { for b in dimensions where b > a { result.append([a, b]) } }
    }
    return result
  }

  /// Whether the share in `measure` is `numerator / denominator × scale` on every row that
  /// publishes all three (and there is at least one).
  func agrees(_ measure: Int, numerator: Int, denominator: Int, scale: Double, halfWidth: Double, in table: Table)
    -> Bool
  {
    var seen = false
    for cell in 0..<table.cellCount {
      guard case .number(let share) = table.values[measure][cell],
        case .number(let count) = table.values[numerator][cell],
        case .number(let total) = table.values[denominator][cell], total > 0
      else { continue }
      let u = countUncertainty
      let low = scale * max(0, count - u) / (total + u)
      let high = scale * (count + u) / max(total - u, 1e-9)
      if share + halfWidth < low * (1 - 1e-9) || share - halfWidth > high * (1 + 1e-9) { return false }
      seen = true
    }
    return seen
  }

  /// The cells of each group of `grouping`: cells with the same labels in those dimensions.
  static func groups(of table: Table, grouping: [Int]) -> [[Int]] {
    var index: [[UInt32]: Int] = [:]
    var groups: [[Int]] = []
    for cell in 0..<table.cellCount {
      let key = grouping.map { table.keys[$0][cell] }
      if let at = index[key] {
        groups[at].append(cell)
      } else {
        index[key] = groups.count
        groups.append([cell])
      }
    }
    return groups
  }

  /// The group's total cell: margins in every dimension outside the grouping.
  static func totalCell(of group: [Int], grouping: [Int], in table: Table) -> Int? {
    let others = table.dimensions.indices.filter { !grouping.contains($0) }
    guard !others.isEmpty else { return nil }
    return group.first { cell in others.allSatisfy { table.dimensions[$0].isMarginLabel[Int(table.keys[$0][cell])] } }
  }

  /// Whether the share is, in every group of `grouping`, the same fraction of the count in every
  /// row: the rows imply one denominator per group. Needs a group with two rows that say so.
  func confirms(_ measure: Int, numerator: Int, grouping: [Int], scale: Double, halfWidth: Double, in table: Table)
    -> Bool
  {
    var informative = false
    for group in Self.groups(of: table, grouping: grouping) {
      guard
        let bounds = denominatorBounds(
          group: group, measure: measure, numerator: numerator, scale: scale, halfWidth: halfWidth, in: table)
      else {
        return false
      }
      if bounds.rows >= 2 { informative = true }
      // A published total cell must lie within what the rows imply; without one, the rows that
      // publish a share must add up to no more than it (a share of non-missing answers leaves
      // the missing row without a share), and to it when every row publishes one.
      let totalCell = Self.totalCell(of: group, grouping: grouping, in: table)
      if let totalCell, case .number(let value) = table.values[numerator][totalCell] {
        if value + countUncertainty < bounds.low * (1 - 1e-9) || value - countUncertainty > bounds.high * (1 + 1e-9) {
          return false
        }
      } else if totalCell == nil {
        let others = table.dimensions.indices.filter { !grouping.contains($0) }
        let inner = group.filter { cell in
          others.allSatisfy { !table.dimensions[$0].isMarginLabel[Int(table.keys[$0][cell])] }
        }
        var sum = 0.0
        var everyRow = true
        for cell in inner {
          guard case .number(let count) = table.values[numerator][cell] else {
            everyRow = false
            continue
          }
          if table.values[measure][cell].number != nil { sum += count } else { everyRow = false }
        }
        let spread = countUncertainty * Double(inner.count)
        if sum - spread > bounds.high * (1 + 1e-9) + 1e-9 { return false }
        if everyRow && sum + spread < bounds.low * (1 - 1e-9) - 1e-9 { return false }
      }
    }
    return informative
  }

  /// The denominators the rows of a group allow (`count × scale / share`, intersected over the
  /// rows that publish both), or `nil` when they allow none. Margin rows take part: a total's
  /// share is 100%.
  func denominatorBounds(group: [Int], measure: Int, numerator: Int, scale: Double, halfWidth: Double, in table: Table)
    -> (low: Double, high: Double, rows: Int)?
  {
    var low = 0.0
    var high = Double.infinity
    var rows = 0
    for cell in group {
      guard case .number(let share) = table.values[measure][cell],
        case .number(let count) = table.values[numerator][cell]
      else { continue }
      let u = countUncertainty
      if share - halfWidth <= 0 {
        // A share that may be 0 allows any denominator, but only if its count may be 0.
        if count - u > 0 && share + halfWidth <= 0 { return nil }
        continue
      }
      guard count + u > 0 else { return nil }
      low = max(low, scale * max(0, count - u) / (share + halfWidth))
      high = min(high, scale * (count + u) / (share - halfWidth))
      if low > high * (1 + 1e-9) + 1e-9 { return nil }
      if !table.isMargin(cell) || rows == 0 { rows += 1 }
    }
    return (low, high, rows)
  }

  // MARK: Cumulative columns

  /// Names of ordered dimensions (time, in the main).
  static let orderedNames = [
    "week", "month", "date", "year", "day", "period", "time", "quarter", "wave", "epoch", "interval",
  ]

  private mutating func cumulative(_ measure: Int, in table: Table) {
    let name = table.measures[measure].name
    let dimensions = table.dimensions.indices
    let timeLike = dimensions.filter { d in
      let dimension = NamingConventions.normalized(table.dimensions[d].name)
      return Self.orderedNames.contains {
        dimension == $0 || dimension.hasPrefix($0 + "_") || dimension.hasSuffix("_" + $0)
      }
    }
    // Dimensions that vary, counting as one those whose labels go one to one (SAS writes a
    // variable's code and its formatted label side by side).
    let varying = dimensions.filter { d in
      (0..<table.dimensions[d].labels.count).filter { !table.dimensions[d].isMarginLabel[$0] }.count > 1
    }
    let along: Int
    let within: [Int]
    if timeLike.count == 1 {
      along = timeLike[0]
      within = varying.filter { $0 != along }
    } else if varying.count == 1 || (dimensions.count == 1) {
      along = varying.first ?? 0
      within = []
    } else if !varying.isEmpty,
      Self.groups(of: table, grouping: varying).count == Self.groups(of: table, grouping: [varying[0]]).count,
      varying.allSatisfy({
        Self.groups(of: table, grouping: [$0]).count == Self.groups(of: table, grouping: [varying[0]]).count
      })
    {
      along = varying[0]
      within = []
    } else {
      unresolvedCumulatives.append(
        (
          measure,
          "cannot tell along which dimension '\(name)' accumulates (give the table one time dimension, or publish the per-step counts instead)"
        ))
      return
    }
    let decimals = Self.decimals(of: measure, in: table)
    let role = table.measures[measure].role
    let candidates = table.measures.indices.filter {
      $0 != measure && table.measures[$0].role == role
        && NamingConventions.cumulativeBase(of: table.measures[$0].name) == nil
    }
    var cumulative = Cumulative(measure: measure, along: along, within: within, steps: nil, decimals: decimals)
    let halfWidth = Self.halfWidth(decimals)
    cumulative = Cumulative(
      measure: measure, along: along, within: within,
      steps: candidates.first { steps in
        stepsAgree(
          cumulative, steps: steps,
          tolerance: 2 * halfWidth + 3 * countUncertainty + Self.halfWidth(Self.decimals(of: steps, in: table)),
          in: table)
      },
      decimals: decimals)
    cumulatives.append(cumulative)
  }

  static func halfWidth(_ decimals: Int) -> Double { decimals >= 9 ? 1e-9 : 0.5 * pow(10, -Double(decimals)) }

  /// The runs of a cumulative column: per combination of the other dimensions, its cells along
  /// the ordered dimension in file order, margins of that dimension left out.
  static func runs(of cumulative: Cumulative, in table: Table) -> [[Int]] {
    groups(of: table, grouping: cumulative.within).map { cells in
      cells.filter { !table.dimensions[cumulative.along].isMarginLabel[Int(table.keys[cumulative.along][$0])] }
    }
  }

  /// Whether the differences between published steps of `cumulative` are the values of `steps`.
  func stepsAgree(_ cumulative: Cumulative, steps: Int, tolerance: Double, in table: Table) -> Bool {
    var seen = false
    for run in Self.runs(of: cumulative, in: table) {
      var previous: Double? = 0
      for cell in run {
        guard case .number(let value) = table.values[cumulative.measure][cell] else {
          previous = nil
          continue
        }
        if let before = previous, case .number(let step) = table.values[steps][cell] {
          if abs(value - before - step) > tolerance + 1e-9 { return false }
          seen = true
        }
        previous = value
      }
    }
    return seen
  }
}
