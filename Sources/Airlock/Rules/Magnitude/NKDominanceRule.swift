/// Flags magnitude cells dominated by their largest contributors: the (n, k) rule.
struct NKDominanceRule: MagnitudeTableRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let pairs = RuleParameter<[String]>(
    "pairs", default: ["2:90"], "the (n, k) pairs, as \"n:k\" with k a percentage",
    pattern: (#"[1-9][0-9]?:(100|[1-9]?[0-9](\.[0-9]+)?)"#, "an \"n:k\" pair such as \"2:90\""))
  static let inclusive = RuleParameter<Bool>(
    "inclusive", default: false, "fail at exactly k% too (≥ instead of >, as ACRO does)")

  static let description = RuleDescription(
    code: "M001", name: "nk-dominance",
    summary: "A total in which n contributors hold more than k% can be estimated closely by each of them.",
    rationale: """
      ## What it checks
      For every published sum, total or mean, and every (n, k) pair of the pack: the cell fails when
      x1 + … + xn > (k / 100) · X, where x1 ≥ x2 ≥ … are the largest contributions (evidence
      `top1`…`topn`) and X the cell's total (evidence `sum`, else the published sum, or mean × `n`).
      Several pairs may apply (ABS DataLab: (1, 50) and (2, 67)); any breach fails.

      Edge cases, decided:
      - **One or two contributors**: a cell with `n` ≤ the pair's n is 100% dominated and fails, even
        without `top` evidence.
      - **All-zero cells**: X = 0 is left to `magnitude-contributors` (M003), which fails them.
      - **Negative contributions**: the rule runs on absolute values (`top` evidence must be the
        largest absolute contributions, and `sum_abs` the total of absolute values). A cell with
        `n_negative` > 0 and no `sum_abs` needs review. One negative value never switches the rule
        off for the table, as it does in ACRO.
      - **Weighted data**: X is the smaller of the `weighted_total` and the unweighted `sum` (for a
        mean, mean × n); the contributions stay unweighted, and a weighted total never dilutes them
        (review without the unweighted total). E002 checks that the evidence adds up.
      - Missing `top` evidence needs review, naming what is missing; never pass.

      ## Why it is a disclosure risk
      The largest contributor can subtract its own value from the total and learn how much the
      rest hold; if it dominates, it learns the second largest closely.

      ## References
      Hundepool et al. (2024) ch. 4, "Sensitivity rules"; ACRO `check_nk_dominance` (uses ≥);
      ABS DataLab output rules.
      """,
    fix:
      "combine categories so that no few contributors dominate, or suppress the cell (and enough others that it cannot be recovered)",
    parameters: [
      NKDominanceRule.pairs.spec,
      NKDominanceRule.inclusive.spec,
    ],
    examples: [
      Example("a spread-out total passes", "sector,sum,n,top1,top2\nRetail,1000,40,120,90\nFarming,800,25,100,80"),
      Example("two firms hold 95%", "sector,sum,n,top1,top2\nRetail,↓1000,40,700,250\nFarming,800,25,100,80"),
      Example(
        "ABS pairs: one contributor over 50%", "sector,sum,n,top1,top2\nRetail,↓1000,40,510,20\nFarming,800,25,100,80",
        parameters: ["pairs": .strings(["1:50", "2:67"])]),
      Example(
        "two contributors always dominate", "sector,sum,n,top1,top2\nMining,↓5000,2,,\nRetail,1000,40,100,90",
        outcome: .fail),
      Example("missing top evidence needs review", "sector,sum,n\nRetail,↓1000,40", outcome: .review),
    ])

  let pairs: [(n: Int, k: Double)]
  let inclusive: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    pairs = parameters[Self.pairs].compactMap { text in
      let parts = text.split(separator: ":")
      guard parts.count == 2, let n = Int(parts[0]), let k = Double(parts[1]) else { return nil }
      return (n, k)
    }
    inclusive = parameters[Self.inclusive]
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool { MagnitudeCell.covers(schema, column: column) }

  static let kinds: Set<OutputKind> = [.magnitude, .summary]

  func check(_ table: Table, into sink: inout FindingSink) {
    for item in MagnitudeCell.all(in: table) {
      let evidence = item.evidence
      if let n = evidence.contributors, n > 0, let smallest = pairs.map(\.n).max(), n <= Double(smallest) {
        let pair = pairs.first { Double($0.n) >= n }!
        report(
          .fail, item, table, &sink,
          "\(formatNumber(n)) contributor\(n == 1 ? "" : "s"): the largest \(pair.n) hold 100% of the total (rule (\(pair.n), \(formatNumber(pair.k))%))"
        )
        continue
      }
      guard item.missing.isEmpty, let total = item.total else {
        report(.review, item, table, &sink, "missing evidence for dominance: \(item.missing.joined(separator: ", "))")
        continue
      }
      guard total > 0 else { continue }
      var breached: (Int, Double, Double)?
      var missing: [String] = []
      for (n, k) in pairs {
        let tops = (1...n).map { evidence.top($0) }
        if tops.contains(where: { $0 == nil }) {
          missing.append(contentsOf: (1...n).filter { evidence.top($0) == nil }.map { "top\($0)" })
          continue
        }
        let share = tops.compactMap { $0 }.map(abs).reduce(0, +) / total * 100
        if inclusive ? share >= k : share > k { breached = breached ?? (n, k, share) }
      }
      if let (n, k, share) = breached {
        report(
          .fail, item, table, &sink,
          "the largest \(n) contributor\(n == 1 ? "" : "s") hold \(String(format: "%.1f", share))% of the total, over the (\(n), \(formatNumber(k))%) limit"
        )
      } else if !missing.isEmpty {
        let names = Array(Set(missing)).sorted()
        report(.review, item, table, &sink, "missing evidence for dominance: \(names.joined(separator: ", "))")
      }
    }
  }
}
