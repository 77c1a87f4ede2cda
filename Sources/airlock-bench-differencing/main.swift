// airlock-bench-differencing: times the differencing features in-process.
//
//   swift run -c release airlock-bench-differencing
//
// 1. A release history of 100,000 tables (1,000 dimension signatures × 100 tables), and one check
//    of a new output against it; then the worst case, 100,000 tables of one signature.
//    Each check is timed twice: with the history's pruning (after) and comparing every released
//    table of the signature (before); the findings must be the same.
// 2. `airlock protect` and the hypercube heuristic (`HypercubeSuppression`), then the audit, on tables
//    of two and three dimensions of about 100, 1,000 and 10,000 cells with random counts (a tenth of
//    them small): time, LPs solved, cells withheld, information loss. `AIRLOCK_BENCH_TABLES=0,1` runs
//    only those tables, `AIRLOCK_BENCH_METHODS=hypercube` only that method, `AIRLOCK_BENCH_PARTS=protect`
//    only this part (`history` only the first), and `AIRLOCK_BENCH_KEEP=DIR` copies each result there.
// 3. Linked tables: runs of 100, 200 and 400 outputs in groups of four (a two-way table, its two
//    one-way margins under other names and band spellings, and another cohort's table):
//    `AIRLOCK_BENCH_PARTS=linked`; `AIRLOCK_BENCH_LINKED=100,200,400,800` sets the sizes. Each run
//    up to 400 outputs is also checked trying every pair (`Checker.indexesLinks = false`), and the
//    findings compared.
import Airlock
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-bench-diff-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }
var rng = SplitMix(state: 42)
let pack = try RulePackLoader.load("default")

let parts = ProcessInfo.processInfo.environment["AIRLOCK_BENCH_PARTS"].map {
  Set($0.split(separator: ",").map(String.init))
}
let keep = ProcessInfo.processInfo.environment["AIRLOCK_BENCH_KEEP"]
if parts?.contains("history") ?? true { print("## Release history\n") }
/// A history of `signatures × perSignature` random tables (10 bands × 2 sexes), `nested` of the
/// first signature's being the new output plus 1–5 in every cell (nested populations with small
/// differences: each must be found). The new output is checked with the pruning (after) and with
/// every released table of its signature decoded and compared (before).
@MainActor func historyRun(signatures: Int, perSignature: Int, nested: Int = 0) throws {
  let path = scratch.appendingPathComponent("history-\(signatures)-\(nested).db").path
  let history = try ReleaseHistory(path: path)
  let newCells = (0..<10).flatMap { band in
    ["F", "M"].map { sex in ("b\(band)\u{1F}\(sex)", Int.random(in: 50...500, using: &rng)) }
  }
  let build = try seconds {
    for s in 0..<signatures {
      let tables = (0..<perSignature).map { t in
        ComparableTable(
          source: "release-\(s)-\(t).csv", dimensions: ["dim\(s)", "sex"],
          cells: Dictionary(
            uniqueKeysWithValues: newCells.map { key, value in
              (
                key,
                Double(
                  s == 0 && t % (perSignature / max(nested, 1)) == 0 && nested > 0
                    ? value + Int.random(in: 1...5, using: &rng) : Int.random(in: 50...500, using: &rng))
              )
            }))
      }
      try history.add(tables)
    }
  }
  let output = scratch.appendingPathComponent("new.csv").path
  try
    ("dim0,sex,count\n"
    + newCells.map { "\($0.0.replacingOccurrences(of: "\u{1F}", with: ",")),\($0.1)" }.joined(separator: "\n") + "\n")
    .write(toFile: output, atomically: true, encoding: .utf8)
  var checker = Checker(pack: pack, findingLimit: 100_000)
  checker.history = history
  var report: CheckReport?
  _ = checker.check(paths: [output])  // warm the page cache
  let after = seconds { report = checker.check(paths: [output]) }
  checker.prunesHistory = false
  var bruteReport: CheckReport?
  let before = seconds { bruteReport = checker.check(paths: [output]) }
  let findings = report?.results[0].findings.filter { $0.code == "X002" }.count ?? -1
  let bruteFindings = bruteReport?.results[0].findings.filter { $0.code == "X002" }.count ?? -2
  let same = report?.results[0].findings.map(\.reason) == bruteReport?.results[0].findings.map(\.reason)
  print(
    "| \(signatures * perSignature) tables, \(signatures) signature\(signatures == 1 ? "" : "s")\(nested > 0 ? ", \(nested) nested" : "") | \(String(format: "%.1f", build)) s | \(String(format: "%.3f", before)) s | \(String(format: "%.3f", after)) s | \(findings) (\(same && findings == bruteFindings ? "same as before" : "DIFFERENT: \(bruteFindings) before")) | \(report?.results[0].outcome?.rawValue ?? "error") |"
  )
}
if parts?.contains("history") ?? true {
  print(
    "| history | build | check, every table compared (before) | check, pruned (after) | X002 findings | verdict |\n|---|---:|---:|---:|---|---|"
  )
  try historyRun(signatures: 1_000, perSignature: 100)
  try historyRun(signatures: 1, perSignature: 100_000)
  try historyRun(signatures: 1, perSignature: 100_000, nested: 1_000)
}

// MARK: - Protect and the hypercube heuristic

/// A crosstab with row and column totals, a tenth of its counts small.
@MainActor func twoDimensional(_ rows: Int, _ columns: Int) -> String {
  var grid = (0..<rows).map { _ in
    (0..<columns).map { _ in
      Int.random(in: 0..<10, using: &rng) == 0
        ? Int.random(in: 1..<10, using: &rng) : Int.random(in: 10..<300, using: &rng)
    }
  }
  grid.append((0..<columns).map { c in grid.reduce(0) { $0 + $1[c] } })
  var lines = ["group," + (0..<columns).map { "C\($0)" }.joined(separator: ",") + ",Total"]
  for (index, row) in grid.enumerated() {
    lines.append(
      (index == rows ? "Total" : "R\(index)") + "," + row.map(String.init).joined(separator: ",")
        + ",\(row.reduce(0, +))")
  }
  return lines.joined(separator: "\n") + "\n"
}

/// A long table of three dimensions with every margin, a tenth of its counts small.
@MainActor func threeDimensional(_ a: Int, _ b: Int, _ c: Int) -> String {
  var sums: [[Int]: Int] = [:]
  for i in 0..<a {
    for j in 0..<b {
      for k in 0..<c {
        let value =
          Int.random(in: 0..<10, using: &rng) == 0
          ? Int.random(in: 1..<10, using: &rng) : Int.random(in: 10..<300, using: &rng)
        for key in [[i, j, k], [a, j, k], [i, b, k], [i, j, c], [a, b, k], [a, j, c], [i, b, c], [a, b, c]] {
          sums[key, default: 0] += value
        }
      }
    }
  }
  var lines = ["x,y,z,count"]
  func label(_ i: Int, _ n: Int, _ p: String) -> String { i == n ? "Total" : "\(p)\(i)" }
  for i in 0...a {
    for j in 0...b {
      for k in 0...c { lines.append("\(label(i, a, "x")),\(label(j, b, "y")),\(label(k, c, "z")),\(sums[[i, j, k]]!)") }
    }
  }
  return lines.joined(separator: "\n") + "\n"
}

// The tables below are drawn after the history's draws: without the history part
// (`AIRLOCK_BENCH_PARTS=protect`) they are other tables of the same sizes.
print("\n## Protect and audit\n")
print(
  "| table | cells | method | withheld (primary + secondary) | share of total hidden | time s | rounds | LPs | audit (check) s | audit LPs |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
)
var tables: [(name: String, cells: Int, text: String)] = []
for (rows, columns) in [(10, 10), (32, 32), (100, 100)] {
  tables.append(("2-D \(rows)×\(columns)", (rows + 1) * (columns + 1), twoDimensional(rows, columns)))
}
for (a, b, c) in [(4, 4, 5), (9, 9, 9), (20, 20, 23)] {
  tables.append(("3-D \(a)×\(b)×\(c)", (a + 1) * (b + 1) * (c + 1), threeDimensional(a, b, c)))
}
let methods = ProcessInfo.processInfo.environment["AIRLOCK_BENCH_METHODS"].map {
  Set($0.split(separator: ",").map(String.init))
}
let only = ProcessInfo.processInfo.environment["AIRLOCK_BENCH_TABLES"].map {
  Set($0.split(separator: ",").map(String.init))
}
for (index, (name, cells, text)) in tables.enumerated()
where (only?.contains(String(index)) ?? true) && (parts?.contains("protect") ?? true) {
  let input = scratch.appendingPathComponent("t\(index).csv").path
  try text.write(toFile: input, atomically: true, encoding: .utf8)
  for method in ["protect", "hypercube"] where methods?.contains(method) ?? true {
    let output = scratch.appendingPathComponent("\(method)\(index).csv").path
    var report: Protector.Report?
    var failure: String?
    let programs = AuditStatistics.linearProgramsSolved
    let time = seconds {
      do {
        report =
          method == "protect"
          ? try Protector(pack: pack, method: .suppress).protect(input: input, output: output)
          : try HypercubeSuppression(pack: pack).protect(input: input, output: output)
      } catch {
        failure = "\(error)"
      }
    }
    guard let r = report else {
      print(
        "| \(name) | \(cells) | \(method) | failed: \(failure ?? "?") | | \(String(format: "%.2f", time)) | | | | |")
      continue
    }
    let protectPrograms = AuditStatistics.linearProgramsSolved - programs
    if let keep { try? FileManager.default.copyItem(atPath: output, toPath: keep + "/\(method)\(index).csv") }
    var outcome: Outcome?
    let audit = seconds { outcome = Checker(pack: pack).check(paths: [output]).results[0].outcome }
    let auditPrograms = AuditStatistics.linearProgramsSolved - programs - protectPrograms
    let primary = r.changes.filter { $0.kind == .primary }.count
    print(
      "| \(name) | \(cells) | \(method) | \(r.hiddenCells) (\(primary) + \(r.hiddenCells - primary)) | \(String(format: "%.1f", r.hiddenShare * 100))% | \(String(format: "%.2f", time)) | \(r.rounds) | \(protectPrograms) | \(String(format: "%.3f", audit)) (\(outcome?.rawValue ?? "?")) | \(auditPrograms) |"
    )
  }
}

// MARK: - Linked tables in one run, and against a history of other shapes

/// `groups` groups of four outputs: a two-way table of 20 regions × 9 age bands without margins
/// and with one withheld cell (safe alone), its one-way margins by region and by age band (other dimension names, the
/// age bands written another way), and a two-way table of another cohort; about 450 cells a group.
@MainActor func linkedRun(groups: Int, indexed: Bool = true) throws -> (
  cells: Int, time: Double, programs: Int, findings: Int, reasons: [String]
) {
  let folder = scratch.appendingPathComponent("linked-\(groups)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  let bands = ["0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+"]
  let written = [
    "0 to 9", "10 to 19", "20 to 29", "30 to 39", "40 to 49", "50 to 59", "60 to 69", "70 to 79", "80 and over",
  ]
  var cells = 0
  for group in 0..<groups {
    func grid() -> [[Int]] { (0..<20).map { _ in (0..<9).map { _ in Int.random(in: 20..<300, using: &rng) } } }
    let counts = grid()
    var lines = ["region,age_band,count"]
    for (r, row) in counts.enumerated() {
      for (a, value) in row.enumerated() { lines.append("R\(r),\(bands[a]),\(r == 0 && a == 0 ? "*" : String(value))") }
    }
    cells += lines.count - 1
    try (lines.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("g\(group)_two_way.csv"), atomically: true, encoding: .utf8)
    let byRegion = ["area,count"] + counts.enumerated().map { "R\($0.offset),\($0.element.reduce(0, +))" }
    let byAge = ["age_group,count"] + (0..<9).map { a in "\(written[a]),\(counts.reduce(0) { $0 + $1[a] })" }
    cells += byRegion.count + byAge.count - 2
    try (byRegion.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("g\(group)_by_region.csv"), atomically: true, encoding: .utf8)
    try (byAge.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("g\(group)_by_age.csv"), atomically: true, encoding: .utf8)
    let other = grid()
    var otherLines = ["region,age_band,count"]
    for (r, row) in other.enumerated() {
      for (a, value) in row.enumerated() { otherLines.append("R\(r),\(bands[a]),\(value)") }
    }
    cells += otherLines.count - 1
    try (otherLines.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("g\(group)_other.csv"), atomically: true, encoding: .utf8)
  }
  let programs = AuditStatistics.linearProgramsSolved
  var report: CheckReport?
  var checker = Checker(pack: pack)
  checker.indexesLinks = indexed
  let time = seconds { report = checker.check(paths: [folder.path]) }
  let found = report?.results.flatMap(\.findings).filter { $0.code == "X002" } ?? []
  let findings = found.count
  if findings != groups {
    for finding in found { print("  \((finding.file as NSString).lastPathComponent): \(finding.reason)") }
  }
  return (
    cells, time, AuditStatistics.linearProgramsSolved - programs, findings, found.map { "\($0.file) \($0.reason)" }
  )
}

if parts?.contains("linked") ?? true {
  print("\n## Linked tables in one run\n")
  // `AIRLOCK_BENCH_LINKED=100,200,400,800` sets the run sizes (outputs); each run is checked with
  // the link index (after) and trying every pair (before, `Checker.indexesLinks = false`) up to
  // 400 outputs; the findings must be the same.
  let sizes =
    ProcessInfo.processInfo.environment["AIRLOCK_BENCH_LINKED"].map { $0.split(separator: ",").compactMap { Int($0) } }
    ?? [100, 200, 400]
  print(
    "| outputs | cells | check s, every pair (before) | check s, indexed (after) | LPs | X002 findings (one per group expected) |\n|---:|---:|---:|---:|---:|---:|"
  )
  for outputs in sizes {
    let groups = outputs / 4
    rng = SplitMix(state: 4242 + UInt64(groups))
    let run = try linkedRun(groups: groups)
    var before = "—"
    if outputs <= 400 {
      rng = SplitMix(state: 4242 + UInt64(groups))
      let brute = try linkedRun(groups: groups, indexed: false)
      before =
        String(format: "%.2f", brute.time)
        + (brute.reasons == run.reasons ? "" : " (DIFFERENT: \(brute.findings) findings)")
    }
    print(
      "| \(groups * 4) | \(run.cells) | \(before) | \(String(format: "%.2f", run.time)) | \(run.programs) | \(run.findings) |"
    )
  }
}
