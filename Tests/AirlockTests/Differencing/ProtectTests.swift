import Foundation
import Testing

@testable import Airlock

func randomCount(_ rng: inout SplitMix) -> Int {
  switch Int.random(in: 0..<10, using: &rng) {
  case 0: 0
  case 1, 2: Int.random(in: 1..<10, using: &rng)
  default: Int.random(in: 10..<200, using: &rng)
  }
}

/// A crosstab with row and column totals.
func twoDimensional(rows: Int, columns: Int, _ rng: inout SplitMix) -> String {
  var grid = (0..<rows).map { _ in (0..<columns).map { _ in randomCount(&rng) } }
  grid.append((0..<columns).map { c in grid.reduce(0) { $0 + $1[c] } })
  var lines = ["group," + (0..<columns).map { "C\($0)" }.joined(separator: ",") + ",Total"]
  for (index, row) in grid.enumerated() {
    lines.append(
      (index == rows ? "Total" : "R\(index)") + "," + row.map(String.init).joined(separator: ",")
        + ",\(row.reduce(0, +))")
  }
  return lines.joined(separator: "\n") + "\n"
}

/// A long table of three dimensions with every margin.
func threeDimensional(_ sizes: [Int], _ rng: inout SplitMix) -> String {
  var inner: [[Int]: Int] = [:]
  for a in 0..<sizes[0] { for b in 0..<sizes[1] { for c in 0..<sizes[2] { inner[[a, b, c]] = randomCount(&rng) } } }
  var lines = ["a,b,c,count"]
  for a in 0...sizes[0] {
    for b in 0...sizes[1] {
      for c in 0...sizes[2] {
        let total = inner.filter { key, _ in
          (a == sizes[0] || key[0] == a) && (b == sizes[1] || key[1] == b) && (c == sizes[2] || key[2] == c)
        }.values.reduce(0, +)
        func label(_ i: Int, _ n: Int, _ p: String) -> String { i == n ? "Total" : "\(p)\(i)" }
        lines.append("\(label(a, sizes[0], "a")),\(label(b, sizes[1], "b")),\(label(c, sizes[2], "c")),\(total)")
      }
    }
  }
  return lines.joined(separator: "\n") + "\n"
}

/// A crosstab whose rows are a two-level hierarchy (regions over areas), and its manifest.
private func hierarchical(_ rng: inout SplitMix) -> (table: String, manifest: String) {
  let columns = Int.random(in: 2...3, using: &rng)
  var rows: [(String, [Int])] = []
  var manifest = "hierarchy:\n  group:\n"
  var total = [Int](repeating: 0, count: columns)
  for region in 0..<Int.random(in: 2...3, using: &rng) {
    let areas = (0..<Int.random(in: 2...3, using: &rng)).map { _ in (0..<columns).map { _ in randomCount(&rng) } }
    let sum = (0..<columns).map { c in areas.reduce(0) { $0 + $1[c] } }
    rows.append(("R\(region)", sum))
    for (index, area) in areas.enumerated() { rows.append(("R\(region)/A\(index)", area)) }
    manifest += "    R\(region): [" + areas.indices.map { "R\(region)/A\($0)" }.joined(separator: ", ") + "]\n"
    total = zip(total, sum).map { $0 + $1 }
  }
  rows.append(("Total", total))
  var lines = ["group," + (0..<columns).map { "C\($0)" }.joined(separator: ",") + ",Total"]
  for (label, row) in rows {
    lines.append("\(label)," + row.map(String.init).joined(separator: ",") + ",\(row.reduce(0, +))")
  }
  return (lines.joined(separator: "\n") + "\n", manifest)
}

/// A long table of two dimensions with counts, each row's share of its region (as pandas
/// `groupby().transform("sum")` gives it, to two decimals), the regions' totals, and a running
/// total along the weeks: derived columns computed from the unprotected counts.
func withDerivedColumns(regions: Int, weeks: Int, _ rng: inout SplitMix) -> String {
  var lines = ["region,week,count,pct_of_region,cum_count"]
  for region in 0..<regions {
    let counts = (0..<weeks).map { _ in randomCount(&rng) }
    let total = counts.reduce(0, +)
    var running = 0
    for (week, count) in counts.enumerated() {
      running += count
      let share = total == 0 ? "0.00" : String(format: "%.2f", 100 * Double(count) / Double(total))
      lines.append("R\(region),\(week + 1),\(count),\(share),\(running)")
    }
  }
  return lines.joined(separator: "\n") + "\n"
}

@Suite struct ProtectTests {
  private func protectAndCheck(_ text: String, pack: RulePack, method: Protector.Method = .suppress) throws
    -> Protector.Report
  {
    let folder = temporaryFolder()
    let input = write(text, to: "t.csv", in: folder)
    let output = folder.appendingPathComponent("protected.csv").path
    let report = try Protector(pack: pack, method: method).protect(input: input, output: output)
    let result = checkFile(output, pack: pack)
    #expect(
      result.outcome == .pass,
      "\(text)\n->\n\((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")\n\(result.findings.map(\.reason))")
    return report
  }

  @Test(arguments: 0..<12)
  func randomTwoDimensionalTablesPassAfterProtection(seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 7919)
    let text = twoDimensional(
      rows: Int.random(in: 2...5, using: &rng), columns: Int.random(in: 2...5, using: &rng), &rng)
    _ = try protectAndCheck(text, pack: pack())
  }

  @Test(arguments: 0..<6)
  func randomThreeDimensionalTablesPassAfterProtection(seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 104_729)
    let text = threeDimensional([2, 3, 2], &rng)
    _ = try protectAndCheck(text, pack: pack())
  }

  /// Issue 16: protect's output passes check with percentages and running totals beside the
  /// counts, under suppression and under the OpenSAFELY pack's rounding; every derived value
  /// is recomputed from the protected counts or withheld.
  @Test(arguments: 0..<10)
  func tablesWithDerivedColumnsPassAfterProtection(seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 65_537)
    let text = withDerivedColumns(
      regions: Int.random(in: 2...3, using: &rng), weeks: Int.random(in: 3...5, using: &rng), &rng)
    for pack in [pack(), try RulePackLoader.load("opensafely")] {
      let report = try protectAndCheck(text, pack: pack)
      #expect(
        !report.changes.isEmpty
          || checkFile(write(text, to: "t.csv", in: temporaryFolder()), pack: pack).outcome == .pass)
    }
  }

  @Test(arguments: 0..<6)
  func opensafelyPackRedactsThenRounds(seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 31)
    let text = twoDimensional(rows: 3, columns: 3, &rng)
    _ = try protectAndCheck(text, pack: try RulePackLoader.load("opensafely"))
  }

  @Test(arguments: 0..<6)
  func roundingMethodPasses(seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 17)
    let text = twoDimensional(rows: 4, columns: 3, &rng)
    _ = try protectAndCheck(text, pack: pack(), method: .round)
  }

  @Test(arguments: [Protector.Method.suppress, .round], 0..<8)
  func randomHierarchicalTablesPassAfterProtection(method: Protector.Method, seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 6_700_417)
    let (text, manifest) = hierarchical(&rng)
    let folder = temporaryFolder()
    let input = write(text, to: "t.csv", in: folder)
    write(manifest, to: "t.airlock.yaml", in: folder)
    write(manifest, to: "protected.airlock.yaml", in: folder)
    let output = folder.appendingPathComponent("protected.csv").path
    // Rounding re-adds every subtotal and margin from the rounded cells, level by level.
    _ = try Protector(pack: pack(), method: method).protect(input: input, output: output)
    let result = checkFile(output)
    #expect(
      result.outcome == .pass,
      "\(text)\n->\n\((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")\n\(result.findings.map(\.reason))")
    // The subtotals are part of the audit: without the manifest they are found from the numbers.
    let regions = text.split(separator: "\n").map { String($0.split(separator: ",")[0]) }.filter {
      $0.hasPrefix("R") && !$0.contains("/")
    }
    let found = check(text).structure?.subtotals ?? []
    #expect(Set(found.map(\.parent)) == Set(regions), "\(text)\n\(found)")
    #expect(found.allSatisfy { subtotal in subtotal.children.allSatisfy { $0.hasPrefix(subtotal.parent + "/") } })
    #expect(check(text).structure?.margins.map(\.label) == ["Total", "Total"])
  }

  @Test func samplesPassAfterProtection() throws {
    let root = packageRoot
    for name in [
      "frequency/diagnosis_by_age_sex.csv", "frequency/outcome_by_ward.csv",
      "differencing/admissions_by_sex_region.csv", "frequency/vaccination_by_ethnicity.csv",
    ] {
      let text = try String(contentsOf: root.appendingPathComponent("samples/\(name)"), encoding: .utf8)
      _ = try protectAndCheck(text, pack: pack())
    }
  }

  @Test func reportsWhatChangedAndWhy() throws {
    let report = try protectAndCheck(
      "region,Male,Female,Total\nA,16,3,19\nB,12,19,31\nC,40,41,81\nTotal,68,63,131\n", pack: pack())
    let primary = report.changes.filter { $0.kind == .primary }
    #expect(primary.count == 1)
    #expect(primary[0].line == 2 && primary[0].column == 3 && primary[0].why == "C001 small-cell-count")
    #expect(report.changes.contains { $0.kind == .secondary })
    #expect(report.hiddenShare > 0 && report.hiddenShare < 0.5)
  }

  /// A long table of diagnoses by sex without margins: sex-specific diagnoses put a published zero
  /// beside a large count, which then equals its group's total (class disclosure caused by zeros).
  private func diagnosesBySex(_ rng: inout SplitMix, margins: Bool) -> (text: String, zeroBeside: Set<String>) {
    var lines = ["diagnosis,sex,n"]
    var zeroBeside: Set<String> = []
    var totals = [0, 0]
    for index in 0..<Int.random(in: 4...12, using: &rng) {
      var counts = [randomCount(&rng), randomCount(&rng)]
      if Int.random(in: 0..<3, using: &rng) == 0 {
        let zero = Int.random(in: 0...1, using: &rng)
        counts[zero] = 0
        counts[1 - zero] = Int.random(in: 10...400, using: &rng)
        zeroBeside.insert("D\(index),\(1 - zero == 0 ? "Female" : "Male")")
      }
      for (sex, count) in zip(["Female", "Male"], counts) { lines.append("D\(index),\(sex),\(count)") }
      totals = zip(totals, counts).map { $0 + $1 }
    }
    if margins { lines += ["Total,Female,\(totals[0])", "Total,Male,\(totals[1])"] }
    return (lines.joined(separator: "\n") + "\n", zeroBeside)
  }

  @Test func zerosAreWithheldRatherThanTheCellTheyMakeATotal() throws {
    // The issue's example (samples/protect/diagnosis_by_sex.csv): 31.8% of the total was hidden,
    // the prostate and cervical cancer counts among it; withholding the zeros and small cells passes.
    let root = packageRoot
    let text = try String(
      contentsOf: root.appendingPathComponent("samples/protect/diagnosis_by_sex.csv"), encoding: .utf8)
    let folder = temporaryFolder()
    let input = write(text, to: "t.csv", in: folder)
    let output = folder.appendingPathComponent("protected.csv").path
    let report = try Protector(pack: pack(), method: .suppress).protect(input: input, output: output)
    #expect(checkFile(output).outcome == .pass)
    #expect(report.hiddenCells == 5 && abs(report.hiddenShare - 0.014) < 0.0005, "\(report.hiddenShare)")
    let protected = try String(contentsOfFile: output, encoding: .utf8)
    #expect(protected.contains("Prostate cancer,Male,245") && protected.contains("Cervical cancer,Female,211"))
    #expect(protected.contains("Prostate cancer,Female,*") && protected.contains("Cervical cancer,Male,*"))
  }

  @Test(arguments: [false, true], 0..<10)
  func tablesWithZerosBesideLargeCountsPassAndKeepTheLargeCounts(margins: Bool, seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 2_147_483_647 &+ (margins ? 1 : 0))
    let (text, zeroBeside) = diagnosesBySex(&rng, margins: margins)
    let folder = temporaryFolder()
    let input = write(text, to: "t.csv", in: folder)
    let output = folder.appendingPathComponent("protected.csv").path
    _ = try Protector(pack: pack(), method: .suppress).protect(input: input, output: output)
    let result = checkFile(output)
    #expect(result.outcome == .pass, "\(text)\n\(result.findings.map(\.reason))")
    // Without margins nothing can be recovered: a large count beside a zero is never withheld.
    let protected = try String(contentsOfFile: output, encoding: .utf8)
    if !margins {
      for cell in zeroBeside { #expect(!protected.contains(cell + ",*"), "\(cell) withheld:\n\(protected)") }
    }
  }

  @Test func refusesATableWithRepeatedCells() {
    // Two rows for North: before, protect trapped building its index of cells.
    let folder = temporaryFolder()
    let input = write("region,count\nNorth,3\nSouth,40\nNorth,15\nTotal,58\n", to: "t.csv", in: folder)
    do {
      _ = try Protector(pack: pack(), method: .suppress).protect(
        input: input, output: folder.appendingPathComponent("o.csv").path)
      Issue.record("protect accepted a table with repeated cells")
    } catch {
      #expect(error.line == 4 && "\(error)".contains("repeats the cell of line 2"))
    }
  }

  @Test func refusesWhatItCannotProtect() {
    let folder = temporaryFolder()
    let input = write("group,n,mean\nA,40,3.2\n", to: "t.csv", in: folder)
    #expect(throws: AirlockError.self) {
      try Protector(pack: pack(), method: .suppress).protect(
        input: input, output: folder.appendingPathComponent("o.csv").path)
    }
  }
}
