// airlock-bench-differencing: times the differencing features in-process.
//
//   swift run -c release airlock-bench-differencing
//
// 1. A release history of 100,000 tables (1,000 dimension signatures × 100 tables), and one check
//    of a new output against it; then the worst case, 100,000 tables of one signature.
// 2. `airlock protect` and the audit (`recoverable-suppression`) on crosstabs of about 100, 1,000 and
//    10,000 cells with random counts (a tenth of them small): time, cells withheld, information loss.
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

print("## Release history\n")
@MainActor func historyRun(signatures: Int, perSignature: Int) throws {
  let path = scratch.appendingPathComponent("history-\(signatures).db").path
  let history = try ReleaseHistory(path: path)
  let build = try seconds {
    for s in 0..<signatures {
      let tables = (0..<perSignature).map { t in
        ComparableTable(
          source: "release-\(s)-\(t).csv", dimensions: ["dim\(s)", "sex"],
          cells: Dictionary(uniqueKeysWithValues: (0..<10).flatMap { band in
            ["F", "M"].map { sex in ("b\(band)\u{1F}\(sex)", Double(Int.random(in: 50...500, using: &rng))) }
          }))
      }
      try history.add(tables)
    }
  }
  let output = scratch.appendingPathComponent("new.csv").path
  try ("dim0,sex,count\n" + (0..<10).flatMap { band in ["F", "M"].map { "b\(band),\($0),\(Int.random(in: 50...500, using: &rng))" } }.joined(separator: "\n") + "\n")
    .write(toFile: output, atomically: true, encoding: .utf8)
  var checker = Checker(pack: pack)
  checker.history = history
  var report: CheckReport?
  _ = checker.check(paths: [output])  // warm the page cache
  let check = seconds { report = checker.check(paths: [output]) }
  print(
    "| \(signatures * perSignature) tables, \(signatures) signatures | \(String(format: "%.1f", build)) s | \(String(format: "%.3f", check)) s | \(perSignature) compared | \(report?.results[0].outcome?.rawValue ?? "error") |")
}
print("| history | build | check one output | tables compared | verdict |\n|---|---:|---:|---:|---|")
try historyRun(signatures: 1_000, perSignature: 100)
try historyRun(signatures: 1, perSignature: 100_000)

print("\n## Protect and audit\n")
print("| cells | withheld (primary + secondary) | share of total hidden | protect s | rounds | audit (check) s |\n|---:|---:|---:|---:|---:|---:|")
for size in [(10, 10), (32, 32), (100, 100)] {
  var grid = (0..<size.0).map { _ in
    (0..<size.1).map { _ in Int.random(in: 0..<10, using: &rng) == 0 ? Int.random(in: 1..<10, using: &rng) : Int.random(in: 10..<300, using: &rng) }
  }
  grid.append((0..<size.1).map { c in grid.reduce(0) { $0 + $1[c] } })
  var lines = ["group," + (0..<size.1).map { "C\($0)" }.joined(separator: ",") + ",Total"]
  for (index, row) in grid.enumerated() {
    lines.append((index == size.0 ? "Total" : "R\(index)") + "," + row.map(String.init).joined(separator: ",") + ",\(row.reduce(0, +))")
  }
  let input = scratch.appendingPathComponent("t\(size.0).csv").path
  let output = scratch.appendingPathComponent("p\(size.0).csv").path
  try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
  var protectReport: Protector.Report?
  let protect = try seconds { protectReport = try Protector(pack: pack, method: .suppress).protect(input: input, output: output) }
  var outcome: Outcome?
  let audit = seconds { outcome = Checker(pack: pack).check(paths: [output]).results[0].outcome }
  let r = protectReport!
  let primary = r.changes.filter { $0.kind == .primary }.count
  print(
    "| \((size.0 + 1) * (size.1 + 1)) | \(r.hiddenCells) (\(primary) + \(r.hiddenCells - primary)) | \(String(format: "%.1f", r.hiddenShare * 100))% | \(String(format: "%.2f", protect)) | \(r.rounds) | \(String(format: "%.3f", audit)) (\(outcome?.rawValue ?? "?")) |")
}
