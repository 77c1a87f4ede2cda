import CClp

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
/// solved with COIN-OR CLP (two LPs per cell: minimise, then maximise).
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
  private(set) var solved = 0

  /// The feasibility interval of every variable.
  func intervals(variables: Int, lower: [Double], upper: [Double], equations: [Equation]) -> Outcome {
    guard variables > 0 else { return .intervals([]) }
    // CLP asserts (aborting the process) when values reach 1e100 during pivoting; a fuzzer found a
    // 117-digit count that got there. Past 1e15 doubles no longer hold whole counts exactly, so no
    // cell can be recovered exactly either: claim nothing rather than run the solver.
    let limit = 1e15
    guard
      equations.allSatisfy({ equation in
        abs(equation.rhs) < limit && abs(equation.tolerance) < limit && equation.terms.allSatisfy { abs($0.coefficient) < limit }
      }), lower.allSatisfy({ abs($0) < limit }), upper.allSatisfy({ abs($0) < limit || $0 >= Self.infinity })
    else { return .intervals(zip(lower, upper).map { Interval(lower: $0, upper: $1) }) }
    let model = Clp_newModel()!
    defer { Clp_deleteModel(model) }
    Clp_setLogLevel(model, 0)
    // Column-major sparse matrix.
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
    var objective = [Double](repeating: 0, count: variables)
    let rowLower = equations.map { $0.rhs - $0.tolerance }
    let rowUpper = equations.map { $0.rhs + $0.tolerance }
    Clp_loadProblem(
      model, Int32(variables), Int32(equations.count), start, index, value, lower, upper, objective, rowLower, rowUpper)
    var result: [Interval] = []
    for variable in 0..<variables {
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
          // Unbounded: only possible upwards (lower bounds are finite).
          bounds.append(sense > 0 ? lower[variable] : Self.infinity)
        default:
          // Stopped on limits or numerical trouble: claim nothing tighter than the a-priori bounds.
          bounds.append(sense > 0 ? lower[variable] : upper[variable])
        }
      }
      result.append(Interval(lower: bounds[0], upper: bounds[1]))
    }
    return .intervals(result)
  }
}
