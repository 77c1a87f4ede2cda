/// Exact recovery of withheld cells, without a solver: first by repeatedly solving equations with
/// one unknown (which gives a readable chain of subtractions), then by exact rational elimination
/// (reduced row echelon form) for cells pinned down only by several equations together.
struct ExactRecovery {
  /// A recovered unknown: its value and how.
  struct Recovered {
    var value: Double
    /// The equation index that gave it by subtraction, or `nil` when elimination did.
    var equation: Int?
  }

  private(set) var recovered: [Int: Recovered] = [:]

  /// Recovers what `system` pins down: by subtraction, then by elimination over all its equations.
  init(_ system: TableEquations) {
    substitute(system)
    eliminate(
      system.equations.indices.filter { system.equations[$0].tolerance == 0 }, variables: system.unknowns.count,
      of: system)
  }

  /// Recovers by subtraction only; `eliminate(_:where:)` may follow.
  init(subtractingOnly system: TableEquations) {
    substitute(system)
  }

  /// Repeatedly solves the equations with one unknown left (a chain of subtractions).
  private mutating func substitute(_ system: TableEquations) {
    var known: [Int: Double] = [:]
    var progress = true
    while progress {
      progress = false
      for (index, equation) in system.equations.enumerated() where equation.tolerance == 0 {
        let open = equation.terms.filter { known[$0.variable] == nil }
        guard open.count == 1 else { continue }
        let rest = equation.terms.filter { known[$0.variable] != nil }.reduce(0) {
          $0 + $1.coefficient * known[$1.variable]!
        }
        let value = (equation.rhs - rest) / open[0].coefficient
        known[open[0].variable] = value
        recovered[open[0].variable] = Recovered(value: value, equation: index)
        progress = true
      }
    }
  }

  /// Exact rational elimination, separately over each group of unknowns linked by exact equations
  /// (a variable is pinned down by the equations of its own group only), skipping the groups in
  /// which `candidate` accepts no unknown not yet recovered: the audit passes the unknowns that
  /// feasible solutions have not already shown to vary.
  mutating func eliminate(_ system: TableEquations, where candidate: (Int) -> Bool) {
    let exact = system.equations.indices.filter { system.equations[$0].tolerance == 0 }
    // Only integers that fit: the conversions below trap otherwise (a fuzzer found a margin of 8e48).
    guard
      system.equations.allSatisfy({ equation in
        equation.tolerance != 0
          || (equation.rhs == equation.rhs.rounded() && abs(equation.rhs) < 1e12
            && equation.terms.allSatisfy { $0.coefficient == $0.coefficient.rounded() && abs($0.coefficient) < 1e12 })
      })
    else { return }
    let n = system.unknowns.count
    var linked = LinkedUnknowns(count: n, equations: exact.map { system.equations[$0] })
    func root(_ x: Int) -> Int { linked.group(of: x) }
    var wanted = Set<Int>()
    for variable in 0..<n where recovered[variable] == nil && candidate(variable) { wanted.insert(root(variable)) }
    var groups: [Int: [Int]] = [:]
    for index in exact {
      guard let first = system.equations[index].terms.first, wanted.contains(root(first.variable)) else { continue }
      groups[root(first.variable), default: []].append(index)
    }
    for equations in groups.values { eliminate(equations, variables: n, of: system) }
  }

  /// Reduced row echelon form of `equations` (indices of exact equations of `system`), over the
  /// unknowns they mention; records every unknown whose row has no free unknown left.
  private mutating func eliminate(_ equations: [Int], variables n: Int, of system: TableEquations) {
    guard !equations.isEmpty else { return }
    let exact = equations.map { system.equations[$0] }
    guard exact.allSatisfy({ $0.rhs == $0.rhs.rounded() && abs($0.rhs) < 1e12 }) else { return }
    // Local columns: the unknowns these equations mention, in variable order.
    let columns = Set(exact.flatMap { $0.terms.map(\.variable) }).sorted()
    var local: [Int: Int] = [:]
    for (index, variable) in columns.enumerated() { local[variable] = index }
    let m = columns.count
    var rows: [[Rational]] = exact.map { equation in
      var row = [Rational](repeating: .zero, count: m + 1)
      // A cell appears once per equation (a margin and its distinct parts).
      for term in equation.terms { row[local[term.variable]!] = Rational(Int(term.coefficient)) }
      row[m] = Rational(Int(equation.rhs.rounded()))
      return row
    }
    var pivotRow = 0
    var pivots: [(row: Int, column: Int)] = []
    for column in 0..<m where pivotRow < rows.count {
      guard let found = (pivotRow..<rows.count).first(where: { !rows[$0][column].isZero }) else { continue }
      rows.swapAt(pivotRow, found)
      guard let inverse = rows[pivotRow][column].inverse else { return }
      for k in 0...m where !rows[pivotRow][k].isZero {
        guard let value = rows[pivotRow][k] * inverse else { return }
        rows[pivotRow][k] = value
      }
      for other in rows.indices where other != pivotRow && !rows[other][column].isZero {
        let factor = rows[other][column]
        for k in 0...m where !rows[pivotRow][k].isZero {
          guard let product = factor * rows[pivotRow][k], let difference = rows[other][k] - product else { return }
          rows[other][k] = difference
        }
      }
      pivots.append((pivotRow, column))
      pivotRow += 1
    }
    for (row, column) in pivots where recovered[columns[column]] == nil {
      let others = (0..<m).filter { $0 != column && !rows[row][$0].isZero }
      if others.isEmpty { recovered[columns[column]] = Recovered(value: rows[row][m].doubleValue, equation: nil) }
    }
  }
}

/// An exact fraction of machine integers; every operation reports overflow as `nil`.
struct Rational: Equatable {
  var numerator: Int
  var denominator: Int

  static let zero = Rational(0)

  init(_ value: Int) {
    numerator = value
    denominator = 1
  }

  init?(_ numerator: Int, _ denominator: Int) {
    guard denominator != 0 else { return nil }
    var a = abs(numerator)
    var b = abs(denominator)
    while b != 0 { (a, b) = (b, a % b) }
    let divisor = max(a, 1)
    let sign = denominator < 0 ? -1 : 1
    self.numerator = sign * numerator / divisor
    self.denominator = abs(denominator) / divisor
  }

  var isZero: Bool { numerator == 0 }
  var doubleValue: Double { Double(numerator) / Double(denominator) }
  var inverse: Rational? { isZero ? nil : Rational(denominator, numerator) }

  static func - (lhs: Rational, rhs: Rational) -> Rational? {
    let (a, o1) = lhs.numerator.multipliedReportingOverflow(by: rhs.denominator)
    let (b, o2) = rhs.numerator.multipliedReportingOverflow(by: lhs.denominator)
    let (d, o3) = lhs.denominator.multipliedReportingOverflow(by: rhs.denominator)
    let (n, o4) = a.subtractingReportingOverflow(b)
    guard !(o1 || o2 || o3 || o4) else { return nil }
    return Rational(n, d)
  }

  static func * (lhs: Rational, rhs: Rational) -> Rational? {
    let (n, o1) = lhs.numerator.multipliedReportingOverflow(by: rhs.numerator)
    let (d, o2) = lhs.denominator.multipliedReportingOverflow(by: rhs.denominator)
    guard !(o1 || o2) else { return nil }
    return Rational(n, d)
  }
}
