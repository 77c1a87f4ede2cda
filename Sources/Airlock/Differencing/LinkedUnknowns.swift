/// The unknowns of a set of equations, grouped by the equations they share (union-find): two
/// unknowns are in one group when a chain of equations links them. Each group can be solved alone.
struct LinkedUnknowns {
  private var parent: [Int]

  /// Groups `count` unknowns by the terms of `equations`.
  init(count: Int, equations: some Sequence<LinearProgram.Equation>) {
    parent = Array(0..<count)
    for equation in equations {
      guard let first = equation.terms.first else { continue }
      let a = group(of: first.variable)
      for term in equation.terms.dropFirst() {
        let b = group(of: term.variable)
        if a != b { parent[b] = a }
      }
    }
  }

  /// The representative of the group of unknown `x`.
  mutating func group(of x: Int) -> Int {
    var x = x
    while parent[x] != x {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }
}
