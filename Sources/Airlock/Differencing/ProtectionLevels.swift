import Foundation

/// The pack's magnitude sensitivity rules (`nk-dominance`, `p-percent`) as the differencing audit
/// needs them: the protection level of a withheld cell, and whether the union of several withheld
/// cells is itself sensitive. A rule the pack disables plays no part.
struct MagnitudeSensitivity {
  /// What the audit needs to know of one withheld magnitude cell, from its evidence.
  struct Need {
    /// The cell's true value X (evidence `weighted_total`, else `sum`).
    var value: Double
    var contributors: Double?
    /// The upper protection level, used for the lower one too; 0 or less when the cell is not
    /// sensitive (then only exact recovery matters).
    var level: Double
    /// The rule that sets the level, for the finding: "the (2, 90%) rule".
    var rule: String
  }

  let pairs: [(n: Int, k: Double)]
  let inclusive: Bool
  /// The p of the p% rule (already p* = 100 · p / q), or `nil` when the rule is off.
  let p: Double?
  let coalition: Int

  init(pack: RulePack) {
    let nk = pack.parameters(of: NKDominanceRule.self)
    let dominance = nk.isEnabled ? NKDominanceRule(parameters: nk, pack: pack) : nil
    pairs = dominance?.pairs ?? []
    inclusive = dominance?.inclusive ?? false
    let pp = pack.parameters(of: PPercentRule.self)
    let percent = pp.isEnabled ? PPercentRule(parameters: pp, pack: pack) : nil
    p = percent?.p
    coalition = percent?.coalition ?? 1
  }

  /// The protection level of a cell with `evidence` (Handbook, "Upper protection levels"):
  /// (n, k): (100 / k) · (x1 + … + xn) − X; p%: (p / 100) · x1 − (X − x1 − … − x(c+1)). The
  /// largest over the rules applies. `nil` when the evidence gives no value X.
  func need(_ evidence: CellEvidence) -> Need? {
    guard let value = evidence.weightedTotal ?? evidence.total else { return nil }
    let few = { (n: Int) in evidence.contributors.map { $0 > 0 && $0 <= Double(n) } ?? false }
    var best: (level: Double, rule: String)?
    for (n, k) in pairs {
      let tops = (1...n).map { evidence.top($0).map(abs) }
      // n or fewer contributors hold the whole cell.
      let held = few(n) ? abs(value) : tops.contains(where: { $0 == nil }) ? nil : tops.compactMap { $0 }.reduce(0, +)
      guard let held else { continue }
      let level = 100 / k * held - value
      if best == nil || level > best!.level { best = (level, "the (\(n), \(formatNumber(k))%) rule") }
    }
    if let p, let x1 = evidence.top(1).map(abs) {
      let tops = (1...(coalition + 1)).map { evidence.top($0).map(abs) }
      let others =
        few(coalition + 1) ? 0 : tops.contains(where: { $0 == nil }) ? nil : value - tops.compactMap { $0 }.reduce(0, +)
      if let others {
        let level = p / 100 * x1 - others
        if best == nil || level > best!.level { best = (level, "the p% rule (p = \(formatNumber(p)))") }
      }
    }
    return Need(value: value, contributors: evidence.contributors, level: best?.level ?? 0, rule: best?.rule ?? "")
  }

  /// Whether the union of cells with `evidence` is sensitive, as a plain-language reason, or `nil`.
  /// The contributions are merged as if distinct contributors (a contributor present in several
  /// cells only makes the union more concentrated than this finds). `nil` too when a cell lacks
  /// its total or its largest contribution.
  func breach(of evidence: [CellEvidence]) -> String? {
    var total = 0.0
    var merged: [Double] = []
    for cell in evidence {
      guard let value = cell.weightedTotal ?? cell.total, cell.top(1) != nil else { return nil }
      total += value
      merged += cell.top.compactMap { $0.map(abs) }
    }
    guard total > 0 else { return nil }
    merged.sort(by: >)
    for (n, k) in pairs {
      let share = merged.prefix(n).reduce(0, +) / total * 100
      if inclusive ? share >= k : share > k {
        return
          "the largest \(n) contributor\(n == 1 ? "" : "s") hold \(String(format: "%.1f", share))% of their sum, over the (\(n), \(formatNumber(k))%) limit"
      }
    }
    if let p, let x1 = merged.first, x1 > 0 {
      let others = total - merged.prefix(coalition + 1).reduce(0, +)
      if others < p / 100 * x1 {
        return
          "the contributions other than the largest \(coalition + 1) are \(String(format: "%.1f", max(0, others) / x1 * 100))% of the largest, under p = \(formatNumber(p))%"
      }
    }
    return nil
  }
}
