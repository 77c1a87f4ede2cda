import Foundation

/// A published number and how it was rounded: a value printed with k decimals is anything within
/// half a unit of its last digit (`2.35` is anything in [2.345, 2.355]).
struct RoundedValue: Sendable, Equatable {
  let value: Double
  let half: Double

  init(_ value: Double, half: Double) {
    self.value = value
    self.half = half
  }

  /// `value` with as many decimals as it has: the fewest that write it exactly. A value printed
  /// with trailing zeros (`2.10`) is read with fewer decimals, so the tolerance is wider than the
  /// tool's, never narrower: the true table is always among the candidates.
  init(printed value: Double) {
    var decimals = 0
    while decimals < 12 {
      let scale = pow(10, Double(decimals))
      if abs((value * scale).rounded() / scale - value) <= abs(value) * 1e-12 { break }
      decimals += 1
    }
    self.init(value, half: 0.5 * pow(10, -Double(decimals)))
  }

  var lower: Double { value - half }
  var upper: Double { value + half }

  /// Whether `x` prints as this value (a relative 1e-9 of slack for floating point).
  func contains(_ x: Double) -> Bool { x.isFinite && abs(x - value) <= half + abs(value) * 1e-9 + 1e-12 }
}

/// Solves a published odds or risk ratio (with its confidence interval, if given) and the group
/// totals beside it back to the 2×2 tables it could have come from.
///
/// The table is exposed cases `a`, exposed non-cases `b`, unexposed cases `c` and unexposed
/// non-cases `d`. The odds ratio is ad / bc with Woolf's interval exp(ln OR ± z·√(1/a + 1/b + 1/c
/// + 1/d)) (the Wald interval of a logistic regression on one binary exposure is the same); the
/// risk ratio is (a / (a + b)) / (c / (c + d)) with Katz's interval exp(ln RR ± z·√(1/a − 1/(a+b)
/// + 1/c − 1/(c+d))); z is 1.959964 or 1.96 (tools print either). A table with a zero cell has no
/// finite ratio, so it is taken with the Haldane–Anscombe correction (0.5 added to every cell), as
/// tools that print a ratio for it do.
///
/// With the row totals (exposed, unexposed) known, or for an odds ratio the column totals (cases,
/// non-cases) instead, one cell is free: `a` is iterated over its range and, for each, the cells
/// the ratio allows are solved in closed form (the ratio is monotone in `c`) and narrowed by the
/// interval's standard error (a quadratic in `c`), then checked exactly. The search is bounded by
/// the totals (up to about 10^6 each) and by `budget` exact checks.
struct TwoByTwoBackSolver {
  enum Measure: String, Sendable {
    case odds = "odds ratio"
    case risk = "risk ratio"
  }

  /// What is published beside the ratio: totals and any cells.
  struct Published: Sendable, Equatable {
    var exposed: Int?
    var unexposed: Int?
    var cases: Int?
    var noncases: Int?
    var total: Int?
    var a: Int?
    var b: Int?
    var c: Int?
    var d: Int?
  }

  /// The least and greatest value of each cell over a set of tables (`a`, `b`, `c`, `d`).
  struct Ranges: Sendable, Equatable {
    var low = [Int](repeating: .max, count: 4)
    var high = [Int](repeating: .min, count: 4)
    var isEmpty: Bool { low[0] > high[0] }

    mutating func add(_ cells: [Int]) {
      for i in 0..<4 {
        low[i] = min(low[i], cells[i])
        high[i] = max(high[i], cells[i])
      }
    }
  }

  enum Outcome: Sendable, Equatable {
    /// The tables consistent with the ratio and the totals (`ratioOnly`), and of those the ones
    /// consistent with the interval too (`withInterval`, empty when no interval is given or none fits).
    case solved(ratioOnly: Ranges, withInterval: Ranges)
    /// The totals published do not fix enough of the table for a search (say which).
    case undetermined(String)
    /// The published totals contradict each other.
    case inconsistent(String)
    /// More than `budget` checks: too many tables to search.
    case tooMany
  }

  static let cellNames = ["exposed cases", "exposed non-cases", "unexposed cases", "unexposed non-cases"]
  static let zs = [1.959964, 1.96]

  let measure: Measure
  let ratio: RoundedValue
  let interval: (lower: RoundedValue, upper: RoundedValue)?
  var budget = 20_000_000

  /// The ratio and standard error of its logarithm for one table (Haldane-corrected with a zero).
  static func ratio(_ measure: Measure, _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> (ratio: Double, se: Double)? {
    let corrected = a == 0 || b == 0 || c == 0 || d == 0
    let k = corrected ? 0.5 : 0
    let (x, y, z, w) = (Double(a) + k, Double(b) + k, Double(c) + k, Double(d) + k)
    switch measure {
    case .odds:
      return (x * w / (y * z), (1 / x + 1 / y + 1 / z + 1 / w).squareRoot())
    case .risk:
      let variance = 1 / x - 1 / (x + y) + 1 / z - 1 / (z + w)
      guard variance >= 0 else { return nil }
      return ((x / (x + y)) / (z / (z + w)), variance.squareRoot())
    }
  }

  /// Whether the table prints as the published ratio, and whether as its interval too.
  func consistent(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> (ratio: Bool, interval: Bool) {
    guard let (r, se) = Self.ratio(measure, a, b, c, d), ratio.contains(r) else { return (false, false) }
    guard let interval else { return (true, false) }
    let log = Foundation.log(r)
    let fits = Self.zs.contains { z in
      interval.lower.contains(exp(log - z * se)) && interval.upper.contains(exp(log + z * se))
    }
    return (true, fits)
  }

  /// Fills in the totals the published ones imply (N = exposed + unexposed = cases + non-cases, and
  /// a + b = exposed and so on), or says which contradict each other.
  static func resolve(_ p: Published) -> (resolved: Published?, contradiction: String?) {
    var p = p
    func fill(_ x: inout Int?, _ y: Int?, _ z: Int?, _ op: (Int, Int) -> Int) -> Bool {
      guard x == nil, let y, let z else { return false }
      x = op(y, z)
      return true
    }
    for _ in 0..<8 {
      var changed = false
      // Sums: total = exposed + unexposed = cases + non-cases; exposed = a + b, and so on.
      let sums:
        [(WritableKeyPath<Published, Int?>, WritableKeyPath<Published, Int?>, WritableKeyPath<Published, Int?>)] = [
          (\.total, \.exposed, \.unexposed), (\.total, \.cases, \.noncases), (\.exposed, \.a, \.b),
          (\.unexposed, \.c, \.d), (\.cases, \.a, \.c), (\.noncases, \.b, \.d),
        ]
      for (sum, x, y) in sums {
        changed = fill(&p[keyPath: sum], p[keyPath: x], p[keyPath: y], +) || changed
        changed = fill(&p[keyPath: x], p[keyPath: sum], p[keyPath: y], -) || changed
        changed = fill(&p[keyPath: y], p[keyPath: sum], p[keyPath: x], -) || changed
      }
      if !changed { break }
    }
    let all: [(String, Int?)] = [
      ("exposed", p.exposed), ("unexposed", p.unexposed), ("cases", p.cases), ("non-cases", p.noncases),
      ("total", p.total), ("exposed cases", p.a), ("exposed non-cases", p.b), ("unexposed cases", p.c),
      ("unexposed non-cases", p.d),
    ]
    if let negative = all.first(where: { ($0.1 ?? 0) < 0 }) { return (nil, "\(negative.0) would be negative") }
    let checks: [(String, Int?, Int?, Int?)] = [
      ("exposed + unexposed ≠ total", p.total, p.exposed, p.unexposed),
      ("cases + non-cases ≠ total", p.total, p.cases, p.noncases),
      ("the cells do not add up to the exposed total", p.exposed, p.a, p.b),
      ("the cells do not add up to the unexposed total", p.unexposed, p.c, p.d),
      ("the cells do not add up to the cases", p.cases, p.a, p.c),
      ("the cells do not add up to the non-cases", p.noncases, p.b, p.d),
    ]
    for (what, sum, x, y) in checks {
      if let sum, let x, let y, sum != x + y { return (nil, what) }
    }
    return (p, nil)
  }

  /// Every 2×2 table consistent with the published ratio, interval and totals, as ranges per cell.
  func solve(_ published: Published) -> Outcome {
    let resolution = Self.resolve(published)
    guard var p = resolution.resolved else { return .inconsistent(resolution.contradiction ?? "") }
    // Rows are the exposure groups; an odds ratio is the same for the transposed table, so with
    // only the case and non-case totals the table is solved transposed.
    var transposed = false
    if p.exposed == nil || p.unexposed == nil {
      guard measure == .odds, p.cases != nil, p.noncases != nil else {
        return .undetermined(
          measure == .odds
            ? "neither the exposed and unexposed totals nor the case and non-case totals are published"
            : "the exposed and unexposed totals are not both published")
      }
      p = Published(
        exposed: p.cases, unexposed: p.noncases, cases: p.exposed, noncases: p.unexposed, total: p.total,
        a: p.a, b: p.c, c: p.b, d: p.d)
      transposed = true
    }
    guard let e = p.exposed, let u = p.unexposed else { return .undetermined("no totals") }
    var ratioOnly = Ranges()
    var withInterval = Ranges()
    var checks = 0
    func visit(_ a: Int, _ c: Int) -> (Bool, Bool) {
      checks += 1
      let (b, d) = (e - a, u - c)
      if let known = p.d, known != d { return (false, false) }
      if let known = p.b, known != b { return (false, false) }
      let fits = consistent(a, b, c, d)
      let cells = transposed ? [a, c, b, d] : [a, b, c, d]
      if fits.ratio { ratioOnly.add(cells) }
      if fits.interval { withInterval.add(cells) }
      return fits
    }
    var aRange = 0...e
    if let known = p.a { aRange = known...known }
    if let k = p.cases { aRange = max(aRange.lowerBound, k - u)...min(aRange.upperBound, k) }
    guard aRange.lowerBound <= aRange.upperBound else {
      return .solved(ratioOnly: ratioOnly, withInterval: withInterval)
    }
    // Too long a search is known before it starts: each value of a costs at least one check, or
    // three when c is free too.
    let cFixed = p.c != nil || p.cases != nil
    if aRange.count * (cFixed ? 1 : 3) > budget { return .tooMany }
    let seRange = standardErrorRange()
    for a in aRange {
      if checks > budget { return .tooMany }
      let b = e - a
      if let known = p.c ?? p.cases.map({ $0 - a }) {
        if known >= 0 && known <= u { _ = visit(a, known) }
        continue
      }
      // The tables with a zero cell are taken with the correction: check them one by one.
      let zeroRow = a == 0 || b == 0
      if zeroRow {
        for c in 0...u {
          if checks > budget { return .tooMany }
          _ = visit(a, c)
        }
        continue
      }
      _ = visit(a, 0)
      if u > 0 { _ = visit(a, u) }
      guard u >= 2 else { continue }
      // The ratio falls as c rises: the c that print as the ratio form one interval.
      let (x, y, n) = (Double(a), Double(b), Double(u))
      let (cLow, cHigh): (Double, Double)
      switch measure {
      case .odds:
        cLow = x * n / (ratio.upper * (1 + 1e-9) * y + x)
        cHigh = x * n / (max(ratio.lower * (1 - 1e-9), 1e-300) * y + x)
      case .risk:
        cLow = x * n / (Double(e) * ratio.upper * (1 + 1e-9))
        cHigh = x * n / (Double(e) * max(ratio.lower * (1 - 1e-9), 1e-300))
      }
      guard !cLow.isNaN, !cHigh.isNaN else { continue }
      let low = max(1, Int(min(max(cLow, 0), n).rounded(.down)) - 1)
      let high = min(u - 1, cHigh > n ? u - 1 : Int(cHigh.rounded(.up)) + 1)
      guard low <= high else { continue }
      // Ratio only: the least and greatest such c (the interval between them all fit).
      var first: Int?
      for c in low...high where visitRatio(a, c, &checks, e, u, &ratioOnly, transposed, p) {
        first = c
        break
      }
      guard let first else { continue }
      for c in stride(from: high, to: first, by: -1) where visitRatio(a, c, &checks, e, u, &ratioOnly, transposed, p) {
        break
      }
      // With the interval: narrow c by the standard error, then scan in from both ends.
      guard interval != nil, let seRange else { continue }
      for window in Self.standardErrorWindows(measure, a: a, b: b, u: u, e: e, se: seRange, within: first...high) {
        var found: Int?
        for c in window {
          if checks > budget { return .tooMany }
          if visit(a, c).1 {
            found = c
            break
          }
        }
        guard let found else { continue }
        for c in stride(from: window.upperBound, to: found, by: -1) {
          if checks > budget { return .tooMany }
          if visit(a, c).1 { break }
        }
      }
    }
    return .solved(ratioOnly: ratioOnly, withInterval: withInterval)
  }

  /// Checks the ratio alone for one table (adding it to the ratio-only ranges).
  private func visitRatio(
    _ a: Int, _ c: Int, _ checks: inout Int, _ e: Int, _ u: Int, _ ranges: inout Ranges, _ transposed: Bool,
    _ p: Published
  ) -> Bool {
    checks += 1
    let (b, d) = (e - a, u - c)
    if let known = p.d, known != d { return false }
    guard let (r, _) = Self.ratio(measure, a, b, c, d), ratio.contains(r) else { return false }
    ranges.add(transposed ? [a, c, b, d] : [a, b, c, d])
    return true
  }

  /// The least any cell of a table that prints as the published interval can be: for an odds
  /// ratio, SE² = 1/a + 1/b + 1/c + 1/d ≥ 1/cell, so every cell is at least 1/SE². `nil` for a
  /// risk ratio (Katz's SE bounds only the cases) or without an interval.
  func smallestCellForInterval() -> Double? {
    guard measure == .odds, let se = standardErrorRange(), se.upperBound > 0 else { return nil }
    return 1 / (se.upperBound * se.upperBound)
  }

  /// The standard errors of the log ratio that print as the published interval (with either z).
  private func standardErrorRange() -> ClosedRange<Double>? {
    guard let interval, interval.lower.lower > 0 || interval.lower.upper > 0 else { return nil }
    let lowMin = max(interval.lower.lower, 1e-300)
    let lowMax = max(interval.lower.upper, 1e-300)
    let widthMin = log(max(interval.upper.lower, 1e-300)) - log(lowMax)
    let widthMax = log(interval.upper.upper) - log(lowMin)
    let low = max(0, widthMin / (2 * 1.96)) * (1 - 1e-6)
    let high = widthMax / (2 * 1.959964) * (1 + 1e-6)
    return high >= low ? low...high : nil
  }

  /// The values of c within `range` whose standard error can be in `se` (one or two windows,
  /// widened by one each side for floating point).
  static func standardErrorWindows(
    _ measure: Measure, a: Int, b: Int, u: Int, e: Int, se: ClosedRange<Double>, within range: ClosedRange<Int>
  ) -> [ClosedRange<Int>] {
    let (x, y, n) = (Double(a), Double(b), Double(u))
    let fixed = measure == .odds ? 1 / x + 1 / y : 1 / x - 1 / Double(e) - 1 / n
    // g(c) is the part of the variance that depends on c: 1/c + 1/(u − c) (odds), 1/c (risk).
    let gMax = se.upperBound * se.upperBound - fixed
    let gMin = se.lowerBound * se.lowerBound - fixed
    guard gMax > 0 else { return [] }
    var pieces: [(Double, Double)] = []
    switch measure {
    case .odds:
      // 1/c + 1/(n − c) ≤ gMax ⇔ c(n − c) ≥ n / gMax; ≥ gMin ⇔ c(n − c) ≤ n / gMin.
      let disc = n * n - 4 * n / gMax
      guard disc >= 0 else { return [] }
      let (inLow, inHigh) = ((n - disc.squareRoot()) / 2, (n + disc.squareRoot()) / 2)
      let disc2 = gMin > 0 ? n * n - 4 * n / gMin : -1
      if disc2 > 0 {
        let (outLow, outHigh) = ((n - disc2.squareRoot()) / 2, (n + disc2.squareRoot()) / 2)
        pieces = [(inLow, min(outLow, inHigh)), (max(outHigh, inLow), inHigh)]
      } else {
        pieces = [(inLow, inHigh)]
      }
    case .risk:
      // 1/c ≤ gMax ⇔ c ≥ 1/gMax; 1/c ≥ gMin ⇔ c ≤ 1/gMin.
      pieces = [(1 / gMax, gMin > 0 ? 1 / gMin : n)]
    }
    var windows: [ClosedRange<Int>] = []
    for (low, high) in pieces where low <= high {
      // Clamped to [0, n] before becoming integers (a tiny variance makes 1/g infinite).
      func clamp(_ x: Double) -> Double { x.isNaN ? 0 : min(max(x, 0), n) }
      let l = max(range.lowerBound, Int(clamp(low).rounded(.down)) - 1)
      let h = min(range.upperBound, Int(clamp(high).rounded(.up)) + 1)
      if l <= h { windows.append(l...h) }
    }
    if windows.count == 2 && windows[0].upperBound >= windows[1].lowerBound {
      windows = [windows[0].lowerBound...max(windows[0].upperBound, windows[1].upperBound)]
    }
    return windows
  }
}
