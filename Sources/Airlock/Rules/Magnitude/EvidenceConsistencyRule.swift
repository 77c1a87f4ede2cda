import Foundation

/// Flags evidence that does not add up: the dominance rules believe evidence, so evidence that
/// contradicts itself or the published numbers is a claim airlock cannot trust.
struct EvidenceConsistencyRule: MagnitudeTableRule {
  static let description = RuleDescription(
    code: "E002", name: "evidence-consistency",
    summary: "Evidence must add up, among itself and with the published numbers, before the dominance rules trust it.",
    rationale: """
      ## What it checks
      For every published sum or mean with evidence (in the output or in `NAME.evidence.csv`):
      - the largest contributions come in order: `top1` ≥ `top2` ≥ … (by absolute value);
      - together they are at most the cell's absolute total (`sum_abs`, else `sum`, else the
        published sum or mean × n), so each `topK` is too;
      - `n` (and `n_units`) count at least as many contributors as there are non-zero `topK`, and
        `n_units` ≤ `n`;
      - the evidence `sum` agrees with the published sum (or the published `weighted_total`), and
        the evidence `sum` with the published mean × n, within the published rounding;
      - a number given both in the output and in the evidence file (`n`, `n_units`, `sum`, …) is the
        same in both.
      A mismatch needs review: the finding names the cell and the two numbers' roles, never their
      values. The published rounding is read from how the number is written: half a unit of its
      last decimal, or of its last non-zero digit for a whole number ending in zeros (at most 0.5%
      of it).

      A weighted total never dilutes dominance: the dominance rules compare the unweighted
      contributions with the smaller of `weighted_total` and the unweighted `sum`
      (`magnitude-contributors`, M003, fails a sum or mean whose contributions are all zero).

      ## Why it is a disclosure risk
      Evidence is what the researcher says of their own data. A `sum` twice the published total, a
      `weighted_total` twenty times it, or a `top1` smaller than `top2` can each make a dominated
      cell look safe.

      ## References
      Hundepool et al. (2024) ch. 4; docs/outputs.md (the evidence schema); issue 18.
      """,
    fix:
      "correct the evidence so that it describes the published cell (or the published cell so that it matches its evidence)",
    examples: [
      Example("evidence that adds up", "sector,sum,n,top1,top2\nRetail,1000,40,120,90\nFarming,800,25,100,80"),
      Example(
        "top2 larger than top1", "sector,sum,n,top1,top2\nRetail,↓1000,40,90,120\nFarming,800,25,100,80",
        outcome: .review),
      Example(
        "the largest two hold more than the total",
        "sector,sum,n,top1,top2\nRetail,↓1000,40,700,600\nFarming,800,25,100,80", outcome: .review),
      Example(
        "three top contributions but n of 2",
        "sector,sum,n,top1,top2,top3\nRetail,↓1000,2,400,300,200\nFarming,800,25,100,80,70", outcome: .review),
      Example(
        "more units than records",
        "sector,sum,n,n_units,top1,top2\nRetail,↓1000,40,41,120,90\nFarming,800,25,20,100,80", outcome: .review),
      Example(
        "a mean whose sum is not mean × n",
        "region,mean,n,sum,top1,top2\nNorth,↓50,20,4000,300,200\nSouth,20,30,600,50,40", outcome: .review),
      Example(
        "a rounded mean within its rounding",
        "region,mean,n,sum,top1,top2\nNorth,33.3,3,100,40,35\nSouth,20,30,600,50,40"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  static func covers(_ schema: TableSchema, column: Int) -> Bool { MagnitudeCell.covers(schema, column: column) }

  static let kinds: Set<OutputKind> = [.magnitude, .summary]

  /// The evidence names that may be given both in the output and in the evidence file.
  static let sharedNames = [
    "n", "n_units", "n_holdings", "sum", "sum_abs", "n_negative", "n_missing", "weighted_total",
  ]

  func check(_ table: Table, into sink: inout FindingSink) {
    let sidecar = table.sidecarEvidence
    for item in MagnitudeCell.all(in: table) {
      guard case .number(let published) = table.values[item.measure][item.cell] else { continue }
      let problems = Self.problems(item, published: published, table: table, sidecar: sidecar)
      guard !problems.isEmpty else { continue }
      record(.review, into: &sink) {
        finding(
          .review, table: table, cell: item.cell, measure: item.measure,
          reason: "the evidence does not add up: " + problems.joined(separator: "; "))
      }
    }
  }

  /// What does not add up in `item`'s evidence, each naming the two numbers' roles (no values).
  static func problems(_ item: MagnitudeCell, published: Double, table: Table, sidecar: EvidenceFile?) -> [String] {
    let evidence = item.evidence
    let isMean = table.measures[item.measure].role == .statistic
    let name = table.measures[item.measure].name
    var problems: [String] = []

    // The same number in the output and in the evidence file.
    if let sidecar, let row = sidecar.row(forCell: item.cell, in: table) {
      for shared in sharedNames {
        guard let measure = table.measure(named: shared), case .number(let own) = table.values[measure][item.cell],
          let filed = sidecar.value(shared, row: row)
        else { continue }
        if !agree(own, filed, tolerance: roundingTolerance(own)) {
          problems.append("the output's \(shared) and the evidence file's \(shared) differ")
        }
      }
    }

    // The largest contributions, in order and within the total.
    let tops = evidence.top.compactMap { $0 }.map(abs)
    for k in tops.indices.dropFirst() where tops[k] > tops[k - 1] {
      problems.append("top\(k + 1) is larger than top\(k)")
    }
    let records = evidence.records.map { $0 - (evidence.missing ?? 0) }
    let contributors = evidence.units ?? records
    var unweighted: (value: Double, role: String)?
    if let sum = evidence.total {
      unweighted = (sum, "the evidence sum")
    } else if isMean, let n = records ?? contributors {
      unweighted = (published * n, "the published \(name) × n")
    } else if !isMean && evidence.weightedTotal == nil {
      unweighted = (published, "the published \(name)")
    }
    let absoluteTotal: (value: Double, role: String)? =
      evidence.absoluteTotal.map { ($0, "sum_abs") } ?? ((evidence.negatives ?? 0) == 0 ? unweighted : nil)
    if let absoluteTotal, !tops.isEmpty {
      let together = tops.reduce(0, +)
      if together > absoluteTotal.value + roundingTolerance(absoluteTotal.value) * Double(tops.count) {
        problems.append(
          tops.count == 1
            ? "top1 is larger than \(absoluteTotal.role)"
            : "top1…top\(tops.count) add up to more than \(absoluteTotal.role)")
      }
    }

    // Counts: as many contributors as non-zero contributions, and units no more than records.
    let nonZero = tops.count { $0 > 0 }
    if let n = contributors, n < Double(nonZero) {
      problems.append(
        "\(evidence.units != nil ? "n_units" : "n") counts fewer contributors than the non-zero top contributions")
    }
    if let units = evidence.units, let records = evidence.records, units > records {
      problems.append("n_units is larger than n")
    }

    // The evidence against the published number.
    if let sum = evidence.total {
      // A mean divides by the records with a value (units may each hold several records).
      if isMean, let n = records ?? contributors, n > 0 {
        if !agree(sum / n, published, tolerance: roundingTolerance(published)) {
          problems.append("the evidence sum ÷ n disagrees with the published \(name)")
        }
      } else if !isMean && table.measure(named: "sum") != item.measure {
        // A published sum is the unweighted sum, or the weighted total beside it.
        let tolerance = roundingTolerance(published)
        if !agree(sum, published, tolerance: tolerance)
          && !(evidence.weightedTotal.map { agree($0, published, tolerance: tolerance) } ?? false)
        {
          problems.append("the evidence sum disagrees with the published \(name)")
        }
      }
    } else if !isMean, let weighted = evidence.weightedTotal,
      !agree(weighted, published, tolerance: roundingTolerance(published))
    {
      problems.append("weighted_total disagrees with the published \(name)")
    }
    return problems
  }

  /// Whether `a` and `b` are the same number within `tolerance` (and a relative 1e-9 for binary noise).
  static func agree(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
    abs(a - b) <= tolerance + 1e-9 * max(abs(a), abs(b))
  }

  /// How far a published number may be from the exact one, from how it is written: half a unit of
  /// its last decimal (33.3: 0.05); a whole number, half a unit of its last non-zero digit, at most
  /// 0.5% of it (46,544,000: 500; 1,000: 5), or 0.5.
  static func roundingTolerance(_ value: Double) -> Double {
    let magnitude = abs(value)
    func isWhole(_ x: Double) -> Bool { abs(x - x.rounded()) < 1e-6 + 1e-12 * x }
    guard isWhole(magnitude) else {
      for decimals in 1...6 where isWhole(magnitude * pow(10, Double(decimals))) {
        return 0.5 / pow(10, Double(decimals))
      }
      return 0.5e-6
    }
    var unit = 1.0
    while unit < 1e12, magnitude >= unit * 10, isWhole(magnitude / (unit * 10)) { unit *= 10 }
    return max(0.5, min(unit / 2, magnitude * 0.005))
  }

}
