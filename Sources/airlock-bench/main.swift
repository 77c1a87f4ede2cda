// airlock-bench: times `airlock check` on a ~1 GB long-format frequency table and on 10,000 small
// outputs, beside Polars, DuckDB and pandas doing the simplest comparable scan (count n < 10).
//
//   swift build -c release --product airlock && swift run -c release airlock-bench
//   Scripts/bench.sh            (builds both, installs the Python peers if missing, runs)
//
// Environment:
//   AIRLOCK_BENCH_BYTES   size of bench-data/big.csv (default 1_000_000_000)
//   AIRLOCK_BENCH_FILES   number of small outputs in bench-data/many (default 10_000)
//   AIRLOCK_BENCH_MAGNITUDE_ROWS  rows of bench-data/magnitude.csv (default 1_000_000)
//   AIRLOCK_BENCH_RUNS    timed runs per command; the fastest wall time is reported (default 3)
//   AIRLOCK_BENCH_PEERS   comma-separated peers to run (default polars,duckdb,pandas; "" for none)
//   AIRLOCK_BENCH_DOC     where to write the Markdown results (default docs/benchmarks.md, written
//                         only for full-size runs unless this is set)
//   AIRLOCK_BIN           the airlock binary (default .build/release/airlock)
//   AIRLOCK_BENCH_PYTHON  the Python interpreter for the peers (default python3)
//
// Run it from the package root. Child processes are timed with posix_spawn + wait4: wall time from
// a monotonic clock, peak RSS from the child's ru_maxrss.

import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Settings

let environment = ProcessInfo.processInfo.environment

func intSetting(_ name: String, _ fallback: Int) -> Int {
  guard let text = environment[name]?.replacingOccurrences(of: "_", with: ""), !text.isEmpty else { return fallback }
  guard let value = Int(text), value > 0 else {
    fail("\(name) must be a positive integer, got '\(text)'")
  }
  return value
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("airlock-bench: \(message)\n".utf8))
  exit(2)
}

func log(_ message: String) {
  FileHandle.standardError.write(Data("airlock-bench: \(message)\n".utf8))
}

let root = FileManager.default.currentDirectoryPath
let dataDirectory = root + "/bench-data"
let bigPath = dataDirectory + "/big.csv"
let manyPath = dataDirectory + "/many"
let magnitudePath = dataDirectory + "/magnitude.csv"
let packPath = dataDirectory + "/percell.yaml"
let defaultBytes = 1_000_000_000
let targetBytes = intSetting("AIRLOCK_BENCH_BYTES", defaultBytes)
let fileCount = intSetting("AIRLOCK_BENCH_FILES", 10_000)
let magnitudeRows = intSetting("AIRLOCK_BENCH_MAGNITUDE_ROWS", 1_000_000)
let runs = intSetting("AIRLOCK_BENCH_RUNS", 3)
let airlockBinary = environment["AIRLOCK_BIN"] ?? root + "/.build/release/airlock"
let python = environment["AIRLOCK_BENCH_PYTHON"] ?? "python3"
let peers = (environment["AIRLOCK_BENCH_PEERS"] ?? "polars,duckdb,pandas")
  .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
let docPath: String? =
  environment["AIRLOCK_BENCH_DOC"].map { $0.hasPrefix("/") ? $0 : root + "/" + $0 }
  ?? (targetBytes >= defaultBytes ? root + "/docs/benchmarks.md" : nil)

guard FileManager.default.fileExists(atPath: root + "/Package.swift") else {
  fail("run me from the package root (no Package.swift in \(root))")
}
guard FileManager.default.isExecutableFile(atPath: airlockBinary) else {
  fail(
    "no airlock binary at \(airlockBinary): run `swift build -c release --product airlock` first (or Scripts/bench.sh)")
}
try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)

// MARK: - Deterministic data

/// SplitMix64: tiny, fast, and the same stream on every platform.
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A count: 2.5% zeros, 8.5% in 1...9, the rest spread over 10 to ~90,000 (log-ish).
@inline(__always) func drawCount(_ r: UInt64) -> Int {
  let u = r % 1000
  if u < 25 { return 0 }
  if u < 110 { return 1 + Int((r >> 10) % 9) }
  let spans: (UInt64, UInt64, UInt64, UInt64) = (90, 900, 9000, 90000)
  let span: UInt64
  switch (r >> 20) & 3 {
  case 0: span = spans.0
  case 1: span = spans.1
  case 2: span = spans.2
  default: span = spans.3
  }
  return 10 + Int((r >> 24) % span)
}

let regions = (0..<50).map { String(format: "E12%05d", $0 + 1) }
let ageBands = (0..<19).map { "\($0 * 5)-\($0 * 5 + 4)" } + ["95+"]
let generatorVersion = 1
let seed: UInt64 = 20_240_601

struct BigFileInfo {
  var bytes: Int
  var rows: Int
  var below10: Int
  var zeros: Int
  var codes: Int
}

func readMeta(_ path: String) -> [String: String] {
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
  var meta: [String: String] = [:]
  for line in text.split(separator: "\n") {
    let parts = line.split(separator: "=", maxSplits: 1)
    if parts.count == 2 { meta[String(parts[0])] = String(parts[1]) }
  }
  return meta
}

func fileSize(_ path: String) -> Int? {
  (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
}

/// Writes bench-data/big.csv: codes outermost, then region, then age band, so that every key is
/// unique and the file ends on a whole code (every region x age band present for each code). As many
/// codes as it takes to reach the target size (at least 5,000 rows' worth of codes for a 1 GB file).
func generateBig() -> BigFileInfo {
  let metaPath = bigPath + ".meta"
  let meta = readMeta(metaPath)
  if let size = fileSize(bigPath), meta["version"] == "\(generatorVersion)", meta["target"] == "\(targetBytes)",
    meta["bytes"] == "\(size)", let rows = Int(meta["rows"] ?? ""), let below10 = Int(meta["below10"] ?? ""),
    let zeros = Int(meta["zeros"] ?? ""), let codes = Int(meta["codes"] ?? "")
  {
    log("reusing \(bigPath) (\(size) bytes, \(rows) rows)")
    return BigFileInfo(bytes: size, rows: rows, below10: below10, zeros: zeros, codes: codes)
  }
  log("generating \(bigPath) (~\(targetBytes) bytes, seed \(seed))...")
  let started = ContinuousClock.now
  let temporary = bigPath + ".tmp"
  let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard fd >= 0 else { fail("cannot create \(temporary): \(String(cString: strerror(errno)))") }

  // The "region,age_band," prefixes, all 1,000 of them, laid out back to back.
  var prefixBytes: [UInt8] = []
  var prefixStart: [Int] = []
  for region in regions {
    for band in ageBands {
      prefixStart.append(prefixBytes.count)
      prefixBytes += Array("\(region),\(band),".utf8)
    }
  }
  prefixStart.append(prefixBytes.count)

  let capacity = 16 << 20
  let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 4096)
  defer { buffer.deallocate() }
  var used = 0
  var written = 0
  func flush() {
    var offset = 0
    while offset < used {
      let n = write(fd, buffer + offset, used - offset)
      if n < 0 {
        if errno == EINTR { continue }
        fail("write failed: \(String(cString: strerror(errno)))")
      }
      offset += n
    }
    written += used
    used = 0
  }

  var rng = SplitMix64(state: seed)
  var rows = 0
  var below10 = 0
  var zeros = 0
  var code = 0
  let header = Array("region,age_band,code,n\n".utf8)
  header.withUnsafeBufferPointer { (buffer + used).update(from: $0.baseAddress!, count: $0.count) }
  used += header.count
  var digits = [UInt8](repeating: 0, count: 24)
  prefixBytes.withUnsafeBufferPointer { prefixes in
    digits.withUnsafeMutableBufferPointer { digits in
      while written + used < targetBytes {
        // "X01234," (the code label grows a digit past 99,999 codes).
        var codeLabel: [UInt8] = Array("X\(String(format: "%05d", code)),".utf8)
        codeLabel.withUnsafeMutableBufferPointer { label in
          for cell in 0..<(prefixStart.count - 1) {
            if used > capacity { flush() }
            let start = prefixStart[cell]
            let length = prefixStart[cell + 1] - start
            (buffer + used).update(from: prefixes.baseAddress! + start, count: length)
            used += length
            (buffer + used).update(from: label.baseAddress!, count: label.count)
            used += label.count
            var value = drawCount(rng.next())
            if value < 10 { below10 += 1 }
            if value == 0 { zeros += 1 }
            var count = 0
            repeat {
              digits[count] = UInt8(ascii: "0") + UInt8(value % 10)
              value /= 10
              count += 1
            } while value > 0
            while count > 0 {
              count -= 1
              buffer[used] = digits[count]
              used += 1
            }
            buffer[used] = UInt8(ascii: "\n")
            used += 1
            rows += 1
          }
        }
        code += 1
      }
    }
  }
  flush()
  close(fd)
  if rename(temporary, bigPath) != 0 { fail("cannot rename \(temporary): \(String(cString: strerror(errno)))") }
  let info = BigFileInfo(bytes: written, rows: rows, below10: below10, zeros: zeros, codes: code)
  let metaText = """
    version=\(generatorVersion)
    target=\(targetBytes)
    seed=\(seed)
    bytes=\(written)
    rows=\(rows)
    below10=\(below10)
    zeros=\(zeros)
    codes=\(code)

    """
  try? metaText.write(toFile: metaPath, atomically: true, encoding: .utf8)
  let seconds = seconds(ContinuousClock.now - started)
  log(String(format: "generated %d bytes, %d rows in %.1f s", written, rows, seconds))
  return info
}

/// Writes bench-data/many: `fileCount` small outputs of 20 rows each in folders of 100, a quarter
/// each of passing long tables, long tables with a small cell, passing crosstabs and crosstabs
/// with a zero.
func generateMany() {
  let marker = manyPath + ".generated"  // beside the folder, so airlock does not check it
  if (try? String(contentsOfFile: marker, encoding: .utf8)) == "version=\(generatorVersion) files=\(fileCount)\n" {
    log("reusing \(manyPath) (\(fileCount) files)")
    return
  }
  log("generating \(fileCount) small outputs in \(manyPath)...")
  try? FileManager.default.removeItem(atPath: manyPath)
  var rng = SplitMix64(state: seed &+ 1)
  let areas = (1...10).map { "A\($0)" }
  for index in 0..<fileCount {
    let folder = manyPath + String(format: "/d%03d", index / 100)
    if index % 100 == 0 {
      try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    var text: String
    switch index % 4 {
    case 0, 1:
      text = "area,sex,n\n"
      let bad = index % 4 == 1 ? Int(rng.next() % 20) : -1
      for row in 0..<20 {
        let value = row == bad ? 1 + Int(rng.next() % 9) : 10 + Int(rng.next() % 500)
        text += "\(areas[row / 2]),\(row % 2 == 0 ? "F" : "M"),\(value)\n"
      }
    default:
      text = "group,Yes,No\n"
      let bad = index % 4 == 3 ? Int(rng.next() % 20) : -1
      for row in 0..<20 {
        let yes = 10 + Int(rng.next() % 500)
        let no = row == bad ? 0 : 10 + Int(rng.next() % 500)
        text += "G\(row + 1),\(yes),\(no)\n"
      }
    }
    let path = folder + String(format: "/out_%05d.csv", index)
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { fail("cannot write \(path)") }
  }
  try? "version=\(generatorVersion) files=\(fileCount)\n".write(toFile: marker, atomically: true, encoding: .utf8)
}

/// Writes bench-data/magnitude.csv: turnover by region and sector, `magnitudeRows` cells, declared
/// a magnitude table by `magnitude.airlock.yaml`, with the evidence the dominance, p% and contributor
/// rules read (n, top1, top2) in the sidecar `magnitude.evidence.csv`, as a TRE would hold it; about
/// one cell in 40 is dominated by its largest contributor and one in 50 has too few.
func generateMagnitude() {
  let marker = magnitudePath + ".generated"
  let evidencePath = dataDirectory + "/magnitude.evidence.csv"
  if (try? String(contentsOfFile: marker, encoding: .utf8)) == "version=\(generatorVersion) rows=\(magnitudeRows)\n",
    FileManager.default.fileExists(atPath: magnitudePath), FileManager.default.fileExists(atPath: evidencePath)
  {
    log("reusing \(magnitudePath) (\(magnitudeRows) rows)")
    return
  }
  log("generating \(magnitudeRows) magnitude cells in \(magnitudePath)...")
  var rng = SplitMix64(state: seed &+ 2)
  // Written a chunk at a time: this process's peak memory is inherited by the children it spawns
  // (their ru_maxrss starts from it), so it must stay small.
  guard FileManager.default.createFile(atPath: magnitudePath, contents: nil),
    FileManager.default.createFile(atPath: evidencePath, contents: nil),
    let tableFile = FileHandle(forWritingAtPath: magnitudePath),
    let evidenceFile = FileHandle(forWritingAtPath: evidencePath)
  else { fail("cannot write \(magnitudePath) and its sidecars") }
  var table = "region,sector,turnover\n"
  var evidence = "region,sector,n,top1,top2\n"
  for row in 0..<magnitudeRows {
    let n = rng.next() % 50 == 0 ? 1 + Int(rng.next() % 2) : 3 + Int(rng.next() % 200)
    let top1 = 1_000 + Int(rng.next() % 50_000)
    let top2 = n > 1 ? Int(rng.next() % UInt64(top1)) : 0
    let rest = rng.next() % 40 == 0 ? Int(rng.next() % 100) : n > 2 ? 10_000 + Int(rng.next() % 2_000_000) : 0
    let labels = "R\(row / 1_000),S\(row % 1_000)"
    table += "\(labels),\(top1 + top2 + rest)\n"
    evidence += "\(labels),\(n),\(top1),\(top2)\n"
    if row % 20_000 == 19_999 || row == magnitudeRows - 1 {
      do {
        try tableFile.write(contentsOf: Data(table.utf8))
        try evidenceFile.write(contentsOf: Data(evidence.utf8))
      } catch { fail("cannot write \(magnitudePath) and its sidecars: \(error)") }
      table = ""
      evidence = ""
    }
  }
  // A short write must not leave data that the marker below would have later runs reuse.
  do {
    try tableFile.close()
    try evidenceFile.close()
  } catch { fail("cannot write \(magnitudePath) and its sidecars: \(error)") }
  let manifest = "kind: magnitude\ndimensions: [region, sector]\nmagnitudes: [turnover]\n"
  guard FileManager.default.createFile(atPath: dataDirectory + "/magnitude.airlock.yaml", contents: Data(manifest.utf8))
  else { fail("cannot write the manifest beside \(magnitudePath)") }
  try? "version=\(generatorVersion) rows=\(magnitudeRows)\n".write(toFile: marker, atomically: true, encoding: .utf8)
}

func writePack() {
  let pack = """
    format: 1
    name: bench-per-cell
    version: "1"
    extends: default
    rules:
      cell-equals-total: {enabled: false}
      marker-scheme: {enabled: false}
      percentage-without-count: {enabled: false}
      recoverable-suppression: {enabled: false}
      cross-output-differencing: {enabled: false}
      table-structure: {enabled: false}

    """
  do { try pack.write(toFile: packPath, atomically: true, encoding: .utf8) } catch {
    fail("cannot write \(packPath): \(error)")
  }
}

/// Reads the file once so that every engine starts from a warm page cache.
func warm(_ path: String) {
  let fd = open(path, O_RDONLY)
  guard fd >= 0 else { return }
  defer { close(fd) }
  let buffer = UnsafeMutableRawPointer.allocate(byteCount: 8 << 20, alignment: 16)
  defer { buffer.deallocate() }
  while read(fd, buffer, 8 << 20) > 0 {}
}

// MARK: - Timing child processes

struct RunResult {
  var wall: Double
  var peakRSSKB: Int
  var status: Int32  // exit code, or 128 + signal
  var stdout: String
  var stderr: String
}

func seconds(_ duration: Duration) -> Double {
  let parts = duration.components
  return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
}

/// Runs `arguments` (looked up on PATH) with stdout and stderr captured to files; returns its wall
/// time and its peak resident set size as reported by wait4.
func spawn(_ arguments: [String]) -> RunResult {
  let outPath = dataDirectory + "/.child-stdout"
  let errPath = dataDirectory + "/.child-stderr"
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
  let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
  defer {
    for pointer in argv { free(pointer) }
    for pointer in envp { free(pointer) }
  }
  var pid: pid_t = 0
  let started = ContinuousClock.now
  let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
  guard spawned == 0 else {
    return RunResult(
      wall: 0, peakRSSKB: 0, status: 127, stdout: "",
      stderr: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
  }
  var status: Int32 = 0
  var usage = rusage()
  while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
  let wall = seconds(ContinuousClock.now - started)
  let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
  let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
  #if canImport(Darwin)
    let peakKB = usage.ru_maxrss / 1024  // bytes on macOS
  #else
    let peakKB = usage.ru_maxrss  // kilobytes on Linux
  #endif
  return RunResult(wall: wall, peakRSSKB: Int(peakKB), status: exitCode, stdout: out, stderr: err)
}

struct Measurement {
  var name: String
  var command: String
  var walls: [Double]
  var peakRSSKB: Int
  var status: Int32
  var note: String
  var best: Double { walls.min()! }
  var ok: Bool
}

/// Times `arguments` `runs` times. `okStatuses` are the exit codes that mean the command worked.
func measure(
  _ name: String, _ arguments: [String], display: String, okStatuses: Set<Int32>,
  check: (RunResult) -> String? = { _ in nil }
) -> Measurement {
  var walls: [Double] = []
  var peak = 0
  var last: RunResult?
  var note = ""
  for run in 1...runs {
    let result = spawn(arguments)
    last = result
    log(
      String(
        format: "%@ run %d/%d: %.2f s, %.0f MB peak RSS, exit %d", name, run, runs, result.wall,
        Double(result.peakRSSKB) / 1024, result.status))
    guard okStatuses.contains(result.status) else {
      let lines = result.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
        !$0.isEmpty
      }
      note = "exit \(result.status)" + (lines.isEmpty ? "" : ": " + lines.suffix(2).joined(separator: " / "))
      log("\(name) failed: \(note)")
      return Measurement(
        name: name, command: display, walls: [result.wall], peakRSSKB: result.peakRSSKB, status: result.status,
        note: note, ok: false)
    }
    if let problem = check(result) {
      note = problem
      log("\(name): \(problem)")
    }
    walls.append(result.wall)
    peak = max(peak, result.peakRSSKB)
  }
  return Measurement(
    name: name, command: display, walls: walls, peakRSSKB: peak, status: last!.status, note: note, ok: note.isEmpty)
}

func relative(_ path: String) -> String {
  path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
}

// MARK: - Run

/// Every airlock run here has outputs with small cells, so anything but exit 1 is a wrong answer.
func expectFailure(_ result: RunResult) -> String? {
  result.status == 1 ? nil : "exit \(result.status), expected 1 (the input has small cells)"
}

func loadAverage() -> String {
  ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").first.map(String.init)
    ?? "?"
}

writePack()
let big = generateBig()
generateMany()
generateMagnitude()
warm(bigPath)
let loadBefore = loadAverage()

let airlock = relative(airlockBinary)
let bigRel = relative(bigPath)
var results: [Measurement] = []
results.append(
  measure(
    "airlock (per-cell rules)", [airlockBinary, "check", bigPath, "--rules", packPath, "-q"],
    display: "\(airlock) check \(bigRel) --rules \(relative(packPath)) -q", okStatuses: [0, 1], check: expectFailure))
// The every-rule run writes its JSON report, which says how big the cell store was.
var cellStore: (bytes: Int, cells: Int)?
results.append(
  measure(
    "airlock (all rules)", [airlockBinary, "check", bigPath, "--format", "json"],
    display: "\(airlock) check \(bigRel) --format json", okStatuses: [0, 1],
    check: { result in
      if let problem = expectFailure(result) { return problem }
      let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
      guard let output = (json?["outputs"] as? [[String: Any]])?.first, let bytes = output["cellStoreBytes"] as? Int,
        let cells = output["cells"] as? Int
      else { return "no cellStoreBytes in the JSON report" }
      cellStore = (bytes, cells)
      return nil
    }))

let peerScript = root + "/Scripts/bench_peers.py"
let peerDisplays = [
  "polars": "pl.scan_csv(path).filter(pl.col(\"n\") < 10).select(pl.len()).collect()",
  "duckdb": "SELECT count(*) FROM read_csv('path') WHERE n < 10",
  "pandas": "pd.read_csv(path); (df.n < 10).sum()",
]
var peerVersions = ""
if !peers.isEmpty {
  let probe = spawn([python, peerScript, "versions"])
  peerVersions = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  if probe.status != 0 { log("peer versions: \(probe.stderr)") }
}
for peer in peers {
  results.append(
    measure(
      peer, [python, peerScript, peer, bigPath], display: peerDisplays[peer] ?? "\(peer) (Scripts/bench_peers.py)",
      okStatuses: [0],
      check: { result in
        let got = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return got == "\(big.below10)" ? nil : "counted \(got), expected \(big.below10)"
      }))
}

let manyCommand = [airlockBinary, "check", manyPath, "-q"]
let many = measure(
  "airlock (\(fileCount) files)", manyCommand, display: "\(airlock) check \(relative(manyPath)) -q",
  okStatuses: [0, 1], check: expectFailure)

warm(magnitudePath)
let magnitudeBytes = fileSize(magnitudePath) ?? 0
let magnitude = measure(
  "airlock (magnitude table)", [airlockBinary, "check", magnitudePath, "-q"],
  display: "\(airlock) check \(relative(magnitudePath)) -q", okStatuses: [0, 1], check: expectFailure)

// MARK: - Report

func machineDescription() -> String {
  let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
  let model =
    cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
    .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
  let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
  let memKB =
    meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
    .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
  let cores = ProcessInfo.processInfo.activeProcessorCount
  #if os(Linux)
    let system = "Linux"
  #else
    let system = "macOS"
  #endif
  return String(format: "%@, %d cores (nproc), %.1f GB RAM, %@", model, cores, Double(memKB) / 1_048_576, system)
}

func firstLine(_ arguments: [String]) -> String {
  let result = spawn(arguments)
  guard result.status == 0 else { return "" }
  return result.stdout.split(separator: "\n").first.map(String.init) ?? ""
}

let loadAfter = loadAverage()
let commit = firstLine(["git", "-C", root, "rev-parse", "--short", "HEAD"])
let dirty = !spawn(["git", "-C", root, "status", "--porcelain", "--", "Sources", "Package.swift"]).stdout.isEmpty
let swiftVersion = firstLine(["swift", "--version"])
let dateFormatter = DateFormatter()
dateFormatter.locale = Locale(identifier: "en_US_POSIX")
dateFormatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
let date = dateFormatter.string(from: Date())
let binaryDate =
  ((try? FileManager.default.attributesOfItem(atPath: airlockBinary))?[.modificationDate] as? Date)
  .map { dateFormatter.string(from: $0) } ?? "unknown"

let megabytes = Double(big.bytes) / 1_000_000
let baseline = results.first { $0.name == "airlock (per-cell rules)" && $0.ok }?.best
func mb(_ kb: Int) -> String { String(format: "%.0f", Double(kb) / 1024) }

var table = """
  | engine | wall s | MB/s | time vs airlock (per-cell) | peak RSS MB | every run, s |
  |---|---:|---:|---:|---:|---:|

  """
for result in results {
  let wall = result.best
  let ratio = baseline.map { String(format: "%.2f×", wall / $0) } ?? "–"
  let flag = result.ok ? "" : " ⚠︎"
  table += String(
    format: "| %@%@ | %.2f | %.0f | %@ | %@ | %@ |\n", result.name, flag, wall, megabytes / wall, ratio,
    mb(result.peakRSSKB),
    result.walls.map { String(format: "%.1f", $0) }.joined(separator: ", "))
}

for result in results where !result.ok {
  table += "\n⚠︎ \(result.name): \(result.note)\n"
}

let bytesPerRow = Double(big.bytes) / Double(big.rows)
var summary = """
  Input: `\(bigRel)`, \(big.bytes) bytes (\(String(format: "%.0f", megabytes)) MB), \(big.rows) data rows \
  (\(String(format: "%.1f", bytesPerRow)) bytes per row), 4 columns: region (50 labels), age_band (20), \
  code (\(big.codes)), n. \(big.below10) counts are below 10 (\(String(format: "%.1f", 100 * Double(big.below10) / Double(big.rows)))%), \
  \(big.zeros) of them zero.

  \(table)
  \(cellStore.map { "Cell store of the every-rule run: \($0.bytes) bytes for \($0.cells) cells, \(String(format: "%.2f", Double($0.bytes) / Double(max(1, $0.cells)))) bytes a cell (labels interned once; a dimension whose labels come in runs is kept as runs).\n" } ?? "")
  \(fileCount) small outputs (`\(relative(manyPath))`, 20 rows each, half of them failing): \
  \(String(format: "%.2f", many.best)) s wall (\(String(format: "%.0f", Double(fileCount) / many.best)) outputs/s), \
  \(mb(many.peakRSSKB)) MB peak RSS\(many.ok ? "" : " ⚠︎ \(many.note)").

  A magnitude table (`\(relative(magnitudePath))`, \(magnitudeRows) cells declared by a manifest, their \
  evidence n, top1 and top2 in a sidecar file; every rule of the default pack, dominance and p% included): \
  \(String(format: "%.2f", magnitude.best)) s wall (\(String(format: "%.0f", Double(magnitudeBytes) / 1e6 / magnitude.best)) MB/s, \
  \(String(format: "%.0f", Double(magnitudeRows) / magnitude.best)) cells/s), \
  \(mb(magnitude.peakRSSKB)) MB peak RSS\(magnitude.ok ? "" : " ⚠︎ \(magnitude.note)").

  """

print(summary)

var commands = "| engine | command |\n|---|---|\n"
for result in results + [many, magnitude] {
  commands += "| \(result.name) | `\(result.command.replacingOccurrences(of: "|", with: "\\|"))` |\n"
}

if let docPath {
  let doc = """
    # Benchmarks

    `airlock check` on a ~1 GB long-format frequency table, beside the simplest comparable scan in
    Polars, DuckDB and pandas (count the rows with `n < 10`), and on \(fileCount) small outputs in one run.
    Generated by `airlock-bench` (`Sources/airlock-bench/main.swift`); do not edit the figures by hand.

    - Date: \(date)
    - Machine: \(machineDescription())
    - airlock: working tree at commit \(commit.isEmpty ? "unknown" : commit)\(dirty ? " (with uncommitted changes)" : ""), release build of \(binaryDate); \(swiftVersion)
    - Load average (1 min) before / after the timed runs: \(loadBefore) / \(loadAfter) (other work on the
      machine slows every engine, the multi-threaded peers most)
    - Peers: \(peerVersions.isEmpty ? "not run" : peerVersions)
    - Method: each command runs as a child process, \(runs) time\(runs == 1 ? "" : "s"); the table shows the
      fastest wall time (least disturbed by other load on the machine) and the largest peak RSS (`wait4` `ru_maxrss`). The file is read once beforehand,
      so every engine starts from a warm page cache. MB/s is file bytes / 10⁶ / wall seconds.
      "time vs airlock (per-cell)" is the engine's wall time over airlock's with the per-cell pack
      (below 1 is faster than airlock).

    ## Results

    \(summary)
    "airlock (per-cell rules)" uses `bench-data/percell.yaml`, the default pack with the whole-table
    rules of frequency tables (`cell-equals-total`, `marker-scheme`, `percentage-without-count`,
    `recoverable-suppression`, `cross-output-differencing`, `table-structure`) disabled, so it streams the
    file without keeping a cell store. "airlock (all rules)" is the default pack, which also keeps the
    compact cell store for the whole-table rules; its peak RSS is mostly that store. The peers only count
    small cells: they check nothing else and report nothing, so they are a floor for parsing speed
    rather than like-for-like. Polars and DuckDB use every core; airlock reads a large file on one
    thread per core when only streaming rules apply (the per-cell run), and on one thread when it
    keeps the cell store.

    Exit code 1 from airlock is expected (the file has small cells and zeros); 2 would be an error.

    ## Commands

    \(commands)
    ## Re-running

    ```sh
    Scripts/bench.sh                 # release build of airlock + airlock-bench, installs polars/duckdb/pandas if missing, runs
    # or, by hand, from the package root:
    swift build -c release --product airlock
    swift run -c release airlock-bench
    ```

    The data is generated once into `bench-data/` (gitignored) from a fixed seed and reused.
    Environment: `AIRLOCK_BENCH_BYTES` (file size, default 1000000000), `AIRLOCK_BENCH_FILES`
    (default 10000), `AIRLOCK_BENCH_MAGNITUDE_ROWS` (default 1000000), `AIRLOCK_BENCH_RUNS` (default 3), `AIRLOCK_BENCH_PEERS` (default
    `polars,duckdb,pandas`), `AIRLOCK_BENCH_DOC` (where to write this page; written by default only
    for full-size runs), `AIRLOCK_BIN`, `AIRLOCK_BENCH_PYTHON`.

    """
  do {
    try doc.write(toFile: docPath, atomically: true, encoding: .utf8)
    log("wrote \(relative(docPath))")
  } catch {
    log("cannot write \(docPath): \(error)")
  }
} else {
  log("small run: not writing docs/benchmarks.md (set AIRLOCK_BENCH_DOC to write somewhere)")
}

let failed = (results + [many, magnitude]).filter { !$0.ok }
if !failed.isEmpty {
  log("problems: " + failed.map { "\($0.name): \($0.note)" }.joined(separator: "; "))
  exit(1)
}
