import Foundation
import Testing

/// `airlock tabulate --sorted-by unit` and `--memory SIZE` from the command line (issue 22): the
/// order is checked at the record that breaks it, bad sizes are usage errors, and a spill that is
/// killed leaves no output file behind.
@Suite struct TabulateModesCLITests {
  static let unsorted = "id,region,x\np0005,A,1\np0005,B,2\np0002,A,3\n"
  /// The look-alike: the same records, sorted.
  static let sorted = "id,region,x\np0002,A,3\np0005,A,1\np0005,B,2\n"

  @Test func anUnsortedInputIsAnErrorAtTheRecordAndWritesNothing() throws {
    let dir = folder(["data.csv": Self.unsorted])
    let result = try airlock(
      [
        "tabulate", "data.csv", "--rows", "region", "--sum", "x", "--unit", "id", "--sorted-by", "unit", "--out",
        "out/t",
      ], in: dir)
    #expect(result.status == 2, "\(result.stderr)")
    #expect(
      result.stderr.contains("data.csv:4:1: not sorted by 'id' (--sorted-by unit): 'p0002' after 'p0005'"),
      "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
  }

  @Test func aSortedInputGivesTheTableTheUnsortedOneGivesInMemory() throws {
    let dir = folder(["sorted.csv": Self.sorted, "unsorted.csv": Self.unsorted])
    let streamed = try airlock(
      [
        "tabulate", "sorted.csv", "--rows", "region", "--sum", "x", "--unit", "id", "--sorted-by", "unit", "--margins",
        "--out", "a/t",
      ], in: dir)
    #expect(streamed.status == 0, "\(streamed.stderr)")
    let memory = try airlock(
      ["tabulate", "unsorted.csv", "--rows", "region", "--sum", "x", "--unit", "id", "--margins", "--out", "b/t"],
      in: dir)
    #expect(memory.status == 0, "\(memory.stderr)")
    for name in ["t.csv", "t.evidence.csv"] {
      let a = try Data(contentsOf: dir.appendingPathComponent("a/\(name)"))
      #expect(a == (try Data(contentsOf: dir.appendingPathComponent("b/\(name)"))), "\(name)")
    }
    #expect(
      try String(contentsOf: dir.appendingPathComponent("a/t.csv"), encoding: .utf8)
        == "region,sum\nA,4\nB,2\nTotal,6\n")
  }

  @Test(arguments: [
    (["--memory", "lots"], "--memory takes a size such as 256MiB"),
    (["--memory", "0"], "--memory takes a size"),
    (["--memory", "1KiB"], "--memory must be at least 64KiB"),
    (["--memory", "1MiB", "--sorted-by", "unit"], "--memory is not needed with it"),
    (["--sorted-by", "region"], "--sorted-by takes 'unit'"),
  ])
  func badModesAreUsageErrors(arguments: [String], message: String) throws {
    let dir = folder(["data.csv": Self.sorted])
    let result = try airlock(
      ["tabulate", "data.csv", "--rows", "region", "--sum", "x", "--unit", "id"] + arguments + ["--out", "out/t"],
      in: dir)
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
  }

  @Test func aMedianOrUnitlessTableIsRefusedABudget() throws {
    let dir = folder(["data.csv": Self.sorted])
    let median = try airlock(
      ["tabulate", "data.csv", "--rows", "region", "--median", "x", "--unit", "id", "--memory", "1MiB", "--out", "t"],
      in: dir)
    #expect(median.status == 2)
    #expect(median.stderr.contains("a median or sd keeps every value"), "\(median.stderr)")
    let unitless = try airlock(
      ["tabulate", "data.csv", "--rows", "region", "--sum", "x", "--memory", "1MiB", "--out", "t"], in: dir)
    #expect(unitless.status == 2)
    #expect(unitless.stderr.contains("it needs --unit"), "\(unitless.stderr)")
  }

  /// Enough (cell, unit) pairs that a 64KiB budget spills many times over.
  static func bigData() -> String {
    var lines = ["id,region,band,x"]
    var state: UInt64 = 12345
    for _ in 0..<300_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let u = (state >> 33) % 50_000
      lines.append("u\(u),R\(u % 7),B\((state >> 20) % 9),\((state >> 40) % 1000)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Starts a spilling tabulation, waits for its spill folder, and sends it `signal`.
  func interruptSpill(signal: Int32) throws -> (dir: URL, process: Process, sawSpill: Bool) {
    let dir = folder(["data.csv": Self.bigData()])
    let out = dir.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let process = Process()
    process.executableURL = airlockBinary
    process.arguments = [
      "tabulate", "data.csv", "--rows", "region,band", "--sum", "x", "--unit", "id", "--margins", "--memory", "64KiB",
      "--out", "out/t",
    ]
    process.currentDirectoryURL = dir
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    var sawSpill = false
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline && process.isRunning {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
      if names.contains(where: { $0.hasPrefix(".airlock-spill-") }) {
        sawSpill = true
        break
      }
      usleep(2_000)
    }
    if process.isRunning { kill(process.processIdentifier, signal) }
    process.waitUntilExit()
    return (dir, process, sawSpill)
  }

  @Test func aSpillKilledMidwayLeavesNoOutputFile() throws {
    let (dir, process, sawSpill) = try interruptSpill(signal: SIGKILL)
    #expect(sawSpill, "the tabulation ended before it spilled: nothing was tested")
    #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
    // Only the hidden spill folder may remain (a SIGKILL cannot be caught): no table, no evidence,
    // no manifest, no provenance, no half-written temporary file.
    #expect(left.allSatisfy { $0.hasPrefix(".airlock-spill-") }, "\(left)")
  }

  @Test func aSpillInterruptedBySIGTERMRemovesItsFolder() throws {
    let (dir, process, sawSpill) = try interruptSpill(signal: SIGTERM)
    #expect(sawSpill, "the tabulation ended before it spilled: nothing was tested")
    #expect(process.terminationStatus == 128 + SIGTERM, "\(process.terminationStatus)")
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
    #expect(left.isEmpty, "\(left)")
  }

  @Test func aBadValueAfterASpillIsAnErrorThatLeavesNothing() throws {
    var data = Self.bigData()
    data += "u7,R0,B1,abc\n"
    let dir = folder(["data.csv": data])
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
    let result = try airlock(
      [
        "tabulate", "data.csv", "--rows", "region,band", "--sum", "x", "--unit", "id", "--memory", "64KiB", "--out",
        "out/t",
      ], in: dir)
    #expect(result.status == 2)
    #expect(result.stderr.contains("data.csv:300002:"), "\(result.stderr)")
    // No output, and the spill folder written before the error is gone.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).isEmpty)
  }

  @Test func aSpillThatCompletesLeavesOnlyTheFourFiles() throws {
    let dir = folder(["data.csv": Self.bigData()])
    let spilled = try airlock(
      [
        "tabulate", "data.csv", "--rows", "region,band", "--sum", "x", "--unit", "id", "--margins", "--memory", "64KiB",
        "--out", "s/t",
      ], in: dir)
    #expect(spilled.status == 0, "\(spilled.stderr)")
    let memory = try airlock(
      ["tabulate", "data.csv", "--rows", "region,band", "--sum", "x", "--unit", "id", "--margins", "--out", "m/t"],
      in: dir)
    #expect(memory.status == 0, "\(memory.stderr)")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("s").path).sorted()
        == ["t.airlock.yaml", "t.csv", "t.evidence.csv", "t.tabulate.json"])
    for name in ["t.csv", "t.evidence.csv", "t.airlock.yaml"] {
      #expect(
        try Data(contentsOf: dir.appendingPathComponent("s/\(name)"))
          == Data(contentsOf: dir.appendingPathComponent("m/\(name)")), "\(name)")
    }
  }
}
