import Foundation
import Testing

@testable import Airlock

/// The audit's faster solve (components, LPs skipped for counts already shown wide enough,
/// elimination only where a solution did not vary) must report what the whole-system solve reports.
@Suite struct AuditSolveTests {
  /// `text` with each count withheld with probability `share` (margins too, more rarely), some as `<10`.
  private func withhold(_ text: String, share: Double, _ rng: inout SplitMix) -> String {
    var lines = text.split(separator: "\n").map(String.init)
    for index in lines.indices.dropFirst() {
      var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let isMargin = fields.contains("Total")
      for f in fields.indices where Int(fields[f]) != nil {
        guard Double.random(in: 0..<1, using: &rng) < (isMargin ? share / 4 : share) else { continue }
        fields[f] = Int(fields[f])! < 10 && Bool.random(using: &rng) ? "<10" : "*"
      }
      lines[index] = fields.joined(separator: ",")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `text` protected by `airlock protect`, then `restored` of its withheld counts published again
  /// (which leaves some cells narrow or exact, and the rest of the pattern wide).
  private func protectedThenOpened(_ text: String, restored: Int, _ rng: inout SplitMix) throws -> String {
    let folder = temporaryFolder()
    let input = write(text, to: "t.csv", in: folder)
    let output = folder.appendingPathComponent("protected.csv").path
    _ = try Protector(pack: pack(), method: .suppress).protect(input: input, output: output)
    let original = text.split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    var lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    var withheld = lines.indices.flatMap { l in lines[l].indices.filter { lines[l][$0] == "*" }.map { (l, $0) } }
    withheld.shuffle(using: &rng)
    for (l, f) in withheld.prefix(restored) { lines[l][f] = original[l][f] }
    return lines.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  private func findings(_ text: String, pack: RulePack, reference: Bool) -> [String] {
    let path = write(text, to: "t.csv", in: temporaryFolder())
    var table: Table?
    let checker = OutputChecker(pack: pack, rules: pack.enabledRules(), limits: ReadLimits(), findingLimit: 100_000)
    _ = checker.check(path: path, keeping: true, table: &table)
    guard let table else { return ["no table"] }
    var rule = RecoverableSuppressionRule(parameters: pack.parameters(of: RecoverableSuppressionRule.self), pack: pack)
    rule.reference = reference
    var sink = FindingSink(limit: 100_000)
    rule.check(table, into: &sink)
    return sink.findings.map { "\($0.outcome) \($0.line ?? 0):\($0.column ?? 0) \($0.reason)" }
  }

  @Test func sameFindingsAsTheWholeSystemSolve() throws {
    var narrowed = 0
    var eliminated = 0
    var passed = 0
    var tables: [String] = []
    for seed in 0..<44 {
      var rng = SplitMix(state: UInt64(seed) &* 7919 &+ 17)
      if seed >= 40 {
        // Two 2×2 blocks joined by one cell: every line holds two withheld cells, yet the joining
        // cell is pinned down (rows 0–1 less columns 0–1), which only elimination finds.
        var lines = twoDimensional(rows: 4, columns: 4, &rng).split(separator: "\n").map {
          $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        for (row, column) in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)] {
          lines[row + 1][column + 1] = "*"
        }
        tables.append(lines.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
        continue
      }
      let text =
        seed % 2 == 0
        ? twoDimensional(rows: Int.random(in: 2...9, using: &rng), columns: Int.random(in: 2...9, using: &rng), &rng)
        : threeDimensional((0..<3).map { _ in Int.random(in: 2...5, using: &rng) }, &rng)
      let table =
        seed % 3 == 0
        ? withhold(text, share: [0.1, 0.2, 0.35, 0.5][seed % 4], &rng)
        : try protectedThenOpened(text, restored: seed % 4, &rng)
      tables.append(table)
    }
    for table in tables {
      for minWidth in [1.0, 3.0, 8.0] {
        let pack = pack(rule: "recoverable-suppression", ["min_width": .number(minWidth)])
        let fast = findings(table, pack: pack, reference: false)
        let reference = findings(table, pack: pack, reference: true)
        #expect(fast == reference, "min_width \(minWidth):\n\(table)")
        narrowed += reference.filter { $0.contains("narrowed") }.count
        eliminated += reference.filter { $0.contains("elimination") }.count
        if reference.isEmpty { passed += 1 }
      }
    }
    // The tables exercise every kind of verdict.
    #expect(
      narrowed > 0 && eliminated > 0 && passed > 0,
      "\(narrowed) narrowed, \(eliminated) by elimination, \(passed) passing")
  }
}
