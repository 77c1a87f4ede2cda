import CClp
import Synchronization

/// How much work the differencing audit has done in this process, for benchmarks.
public enum AuditStatistics {
  /// Linear programs solved so far by the `recoverable-suppression` audit (and anything else that
  /// asks for feasibility intervals).
  public static var linearProgramsSolved: Int { LinearProgram.solvedInProcess.load(ordering: .relaxed) }
}

/// Bounds on one variable's value found by linear programming.
public struct Interval: Sendable, Equatable, CustomStringConvertible {
  public var lower: Double
  public var upper: Double

  public var width: Double { upper - lower }
  public var description: String {
    "[\(formatNumber(lower)), \(upper >= LinearProgram.infinity ? "∞" : formatNumber(upper))]"
  }
}

/// The attacker's problem: the tightest bounds on each unknown cell given the table's equations,
/// solved with COIN-OR CLP (at most two LPs per cell, minimise and maximise, in one model per group
/// of cells linked by equations).
final class LinearProgram {
  static let infinity = 1e30

  enum Outcome: Equatable {
    case intervals([Interval])
    case infeasible
  }

  /// Equations `Σ coefficient · x = rhs` over `variables` unknowns, each with bounds.
  struct Equation {
    var terms: [(variable: Int, coefficient: Double)]
    var rhs: Double
    /// Allowed slack either side (for rounded tables); 0 for exact margins.
    var tolerance: Double = 0
  }

  /// How many LPs were solved, for the benchmark.
  private(set) var solved = 0 {
    didSet { Self.solvedInProcess.add(solved - oldValue, ordering: .relaxed) }
  }

  /// The largest magnitude the solver is given: past it doubles no longer hold whole counts exactly.
  static let largestValue = 1e15

  /// Whether any bound or equation holds a value the solver must not be given.
  static func tooLarge(lower: [Double], upper: [Double], equations: [Equation]) -> Bool {
    !(equations.allSatisfy { equation in
      abs(equation.rhs) < largestValue && abs(equation.tolerance) < largestValue
        && equation.terms.allSatisfy { abs($0.coefficient) < largestValue }
    } && lower.allSatisfy { abs($0) < largestValue } && upper.allSatisfy { abs($0) < largestValue || $0 >= infinity })
  }

  /// LPs solved by every program of this process (for benchmarks).
  static let solvedInProcess = Atomic<Int>(0)

  /// After `intervals`: the lowest and highest value each variable took in the optimal solutions
  /// found (`nil` when no LP of its component was solved). Its true interval contains this range.
  private(set) var seen: [Interval?] = []

  /// The feasibility interval of every variable (or only of `targets`: the others keep their
  /// a-priori bounds).
  ///
  /// The equations are split into independent components (unknowns linked through equations),
  /// each solved with its own model, warm-started from one LP to the next by changing only the
  /// objective. Every LP's optimal solution is a feasible point, so the range of values each
  /// variable has taken so far lies inside its interval: when `settled` accepts that range
  /// (lowest, highest seen) the variable's LPs are skipped, and its returned interval is that
  /// inner range, not the exact one. With `settled` `nil` every target gets both LPs.
  func intervals(
    variables: Int, lower: [Double], upper: [Double], equations: [Equation], of targets: [Int]? = nil,
    settled: ((_ variable: Int, _ inner: Interval) -> Bool)? = nil
  ) -> Outcome {
    guard variables > 0 else { return .intervals([]) }
    seen = [Interval?](repeating: nil, count: variables)
    // CLP asserts (aborting the process) when values reach 1e100 during pivoting; a fuzzer found a
    // 117-digit count that got there. Past 1e15 doubles no longer hold whole counts exactly: the
    // caller (the audit) reviews such tables; here, claim nothing rather than run the solver.
    guard !Self.tooLarge(lower: lower, upper: upper, equations: equations) else {
      return .intervals(zip(lower, upper).map { Interval(lower: $0, upper: $1) })
    }
    seen = [Interval?](repeating: nil, count: variables)
    var result = (0..<variables).map { Interval(lower: lower[$0], upper: upper[$0]) }
    let wanted = targets.map(Set.init)
    var linked = LinkedUnknowns(count: variables, equations: equations)
    func root(_ x: Int) -> Int { linked.group(of: x) }
    var members: [Int: [Int]] = [:]
    for variable in 0..<variables { members[root(variable), default: []].append(variable) }
    var rowsOf: [Int: [Int]] = [:]
    for (row, equation) in equations.enumerated() {
      guard let first = equation.terms.first else { continue }
      rowsOf[root(first.variable), default: []].append(row)
    }
    // Components in order of their first variable, so that the order of LPs is reproducible.
    for component in members.keys.sorted(by: { members[$0]![0] < members[$1]![0] }) {
      let vars = members[component]!
      guard wanted.map({ w in vars.contains(where: { w.contains($0) }) }) ?? true else { continue }
      let rows = rowsOf[component] ?? []
      var local: [Int: Int] = [:]
      for (index, variable) in vars.enumerated() { local[variable] = index }
      let sub = rows.map { row in
        Equation(
          terms: equations[row].terms.map { (local[$0.variable]!, $0.coefficient) }, rhs: equations[row].rhs,
          tolerance: equations[row].tolerance)
      }
      let (outcome, observed) = solve(
        variables: vars.count, lower: vars.map { lower[$0] }, upper: vars.map { upper[$0] }, equations: sub,
        targets: vars.indices.filter { wanted?.contains(vars[$0]) ?? true },
        settled: settled.map { settled in { settled(vars[$0], $1) } })
      guard case .intervals(let intervals) = outcome else { return .infeasible }
      for (index, variable) in vars.enumerated() {
        result[variable] = intervals[index]
        seen[variable] = observed?[index]
      }
    }
    return .intervals(result)
  }

  /// One component: a single model, the objective changed from one LP to the next.
  private func solve(
    variables: Int, lower: [Double], upper: [Double], equations: [Equation], targets: [Int],
    settled: ((Int, Interval) -> Bool)?
  ) -> (Outcome, [Interval]?) {
    let model = Clp_newModel()!
    defer { Clp_deleteModel(model) }
    Clp_setLogLevel(model, 0)
    load(model, variables: variables, lower: lower, upper: upper, equations: equations)
    var result = (0..<variables).map { Interval(lower: lower[$0], upper: upper[$0]) }
    // The lowest and highest value each variable has taken in a solution so far.
    var seen: [Interval]? = nil
    var objective = [Double](repeating: 0, count: variables)
    var last: Int? = nil
    // Every minimum first, then every maximum: consecutive LPs of the same sense start from a
    // basis close to their optimum, which saves most of the simplex iterations.
    var minimum: [Int: Double] = [:]
    for sense in [1.0, -1.0] {
      for variable in targets where sense > 0 || minimum[variable] != nil {
        if let settled, let seen {
          let inner = Interval(lower: minimum[variable] ?? seen[variable].lower, upper: seen[variable].upper)
          if settled(variable, inner) {
            result[variable] = inner
            continue
          }
        }
        if last != variable {
          if let last { objective[last] = 0 }
          objective[variable] = 1
          Clp_chgObjCoefficients(model, objective)
          last = variable
        }
        Clp_setObjSense(model, sense)
        _ = Clp_primal(model, 0)
        solved += 1
        let bound: Double
        switch Clp_status(model) {
        case 0:
          let solution = Clp_getColSolution(model)!
          bound = solution[variable]
          if seen == nil { seen = (0..<variables).map { Interval(lower: solution[$0], upper: solution[$0]) } }
          for j in 0..<variables {
            let x = solution[j]
            if x < seen![j].lower { seen![j].lower = x }
            if x > seen![j].upper { seen![j].upper = x }
          }
        case 1:
          return (.infeasible, seen)
        case 2:
          // Unbounded: only possible upwards (lower bounds are finite).
          bound = sense > 0 ? lower[variable] : Self.infinity
          if sense < 0, seen != nil { seen![variable].upper = Self.infinity }
        default:
          // Stopped on limits or numerical trouble: claim nothing tighter than the a-priori bounds.
          bound = sense > 0 ? lower[variable] : upper[variable]
        }
        if sense > 0 {
          minimum[variable] = bound
        } else {
          result[variable] = Interval(lower: minimum[variable]!, upper: bound)
        }
      }
    }
    return (.intervals(result), seen)
  }

  /// Loads the equations into `model` as a column-major sparse matrix, with a zero objective.
  private func load(
    _ model: UnsafeMutableRawPointer, variables: Int, lower: [Double], upper: [Double], equations: [Equation]
  ) {
    var columns = [[(row: Int32, value: Double)]](repeating: [], count: variables)
    for (row, equation) in equations.enumerated() {
      for term in equation.terms { columns[term.variable].append((Int32(row), term.coefficient)) }
    }
    var start: [CoinBigIndex] = [0]
    var index: [Int32] = []
    var value: [Double] = []
    for column in columns {
      for entry in column {
        index.append(entry.row)
        value.append(entry.value)
      }
      start.append(CoinBigIndex(index.count))
    }
    let objective = [Double](repeating: 0, count: variables)
    let rowLower = equations.map { $0.rhs - $0.tolerance }
    let rowUpper = equations.map { $0.rhs + $0.tolerance }
    Clp_loadProblem(
      model, Int32(variables), Int32(equations.count), start, index, value, lower, upper, objective, rowLower, rowUpper)
  }

  /// The straightforward solve the audit used before components and settled ranges: one model of
  /// the whole system, both LPs for every target. Kept to check `intervals` against.
  func referenceIntervals(
    variables: Int, lower: [Double], upper: [Double], equations: [Equation], of targets: [Int]? = nil
  ) -> Outcome {
    guard variables > 0 else { return .intervals([]) }
    let model = Clp_newModel()!
    defer { Clp_deleteModel(model) }
    Clp_setLogLevel(model, 0)
    load(model, variables: variables, lower: lower, upper: upper, equations: equations)
    var objective = [Double](repeating: 0, count: variables)
    var result: [Interval] = []
    let wanted = targets.map(Set.init)
    for variable in 0..<variables {
      guard wanted?.contains(variable) ?? true else {
        result.append(Interval(lower: lower[variable], upper: upper[variable]))
        continue
      }
      var bounds: [Double] = []
      for sense in [1.0, -1.0] {
        objective = [Double](repeating: 0, count: variables)
        objective[variable] = 1
        Clp_chgObjCoefficients(model, objective)
        Clp_setObjSense(model, sense)
        _ = Clp_primal(model, 0)
        solved += 1
        switch Clp_status(model) {
        case 0:
          bounds.append(Clp_getColSolution(model)[variable])
        case 1:
          return .infeasible
        case 2:
          bounds.append(sense > 0 ? lower[variable] : Self.infinity)
        default:
          bounds.append(sense > 0 ? lower[variable] : upper[variable])
        }
      }
      result.append(Interval(lower: bounds[0], upper: bounds[1]))
    }
    return .intervals(result)
  }
}
