import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Hostile inputs through the binary: each is exit 2 with `file[:line:column]: message`, the other
/// outputs are still checked, and nothing partial is left behind.
@Suite(.serialized) struct HostileCLITests {
  /// gzip of `data` (one member).
  func gzipped(_ data: Data) throws -> Data {
    let dir = folder([:])
    try data.write(to: dir.appendingPathComponent("in"))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "gzip -c '\(dir.path)/in'"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return out
  }

  @Test func aGigabyteFieldInASmallGzipFailsFastWithItsPosition() throws {
    // 1,024 concatenated members of 1 MiB of 'x': a 1 GiB field in a file of about 1 MB.
    let member = try gzipped(Data(repeating: UInt8(ascii: "x"), count: 1 << 20))
    var bomb = try gzipped(Data("a,b\n1,".utf8))
    for _ in 0..<1024 { bomb += member }
    let dir = folder(["ok.csv": "region,count\nNorth,30\n"])
    try bomb.write(to: dir.appendingPathComponent("field.csv.gz"))
    let started = Date()
    let run = try airlock(["check", ".", "--format", "json"], in: dir)
    #expect(run.status == 2)
    #expect(Date().timeIntervalSince(started) < 30)
    let text = try airlock(["check", "field.csv.gz"], in: dir)
    #expect(text.stdout.contains("field.csv.gz:2:3: field is longer than 1048576 bytes"))
    // The other output was still checked.
    #expect(run.stdout.contains("\"ok.csv\"") || run.stdout.contains("ok.csv"))
  }

  @Test func aDecompressionBombIsStoppedAtTheLimit() throws {
    let bomb = try gzipped(Data("count\n".utf8) + Data(repeating: UInt8(ascii: "7"), count: 32 << 20))
    let dir = folder([:])
    try bomb.write(to: dir.appendingPathComponent("bomb.csv.gz"))
    let run = try airlock(["check", "bomb.csv.gz", "--max-decompressed-size", "1048576"], in: dir)
    #expect(run.status == 2)
    #expect(run.stdout.contains("decompressed size exceeds the limit of 1048576 bytes"))
    #expect(!run.stdout.contains("C001"))
  }

  @Test func controlCharactersInFileNamesCannotForgeReportLines() throws {
    let dir = folder(["evil\nPASS  forged.csv": "region,count\nA,3\n", "good.csv": "region,count\nA,30\n"])
    let run = try airlock(["check", "."], in: dir)
    #expect(run.status == 2)
    #expect(!run.stdout.split(separator: "\n").contains { $0.hasPrefix("PASS  forged.csv") })
    #expect(run.stdout.contains("evil\\nPASS  forged.csv: the file name holds a control character"))
    #expect(run.stdout.contains("PASS  ./good.csv"))
  }

  /// Root reads any file, so the check runs as `nobody` through setpriv; where that is not possible
  /// the test shows as skipped.
  @Test(.enabled(if: canRunAsNobody, "setpriv cannot run airlock as nobody (the test needs to drop root)"))
  func permissionDeniedIsAClearErrorEvenForRoot() throws {
    let dir = folder(["secret.csv": "region,count\nA,30\n", "open.csv": "region,count\nA,30\n"])
    chmod(dir.path, 0o755)
    chmod(dir.appendingPathComponent("open.csv").path, 0o644)
    chmod(dir.appendingPathComponent("secret.csv").path, 0o000)
    let run = try Self.run(
      "/usr/bin/setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups", airlockBinary.path, "check", "."],
      in: dir)
    #expect(run.status == 2)
    #expect(run.stdout.contains("./secret.csv: permission denied"))
    #expect(run.stdout.contains("PASS  ./open.csv"))
  }

  @Test func symlinksFIFOsAndDevicesAreRefusedBySubmitAndNothingIsStored() throws {
    let (dir, env) = try Self.store()
    try FileManager.default.createSymbolicLink(
      atPath: dir.appendingPathComponent("link.csv").path,
      withDestinationPath: dir.appendingPathComponent("table.csv").path)
    #expect(mkfifo(dir.appendingPathComponent("pipe.csv").path, 0o600) == 0)
    for name in ["link.csv", "pipe.csv", "/dev/zero"] {
      let run = try airlock(
        ["submit", name, "--project", "p1", "--group", "g", "--context", "c", "--controls", "c", "--key", "alice.key"],
        in: dir, environment: env)
      #expect(run.status == 2, "\(name)")
      #expect(run.stderr.contains("symbolic link") || run.stderr.contains("not a regular file"), "\(run.stderr)")
    }
    let objects = try FileManager.default.contentsOfDirectory(
      atPath: dir.appendingPathComponent("store/objects/sha256").path)
    #expect(objects.isEmpty)
    #expect(try airlock(["queue", "--key", "bob.key"], in: dir, environment: env).status == 0)
    #expect(try airlock(["log", "verify"], in: dir, environment: env).status == 0)
  }

  /// Needs a small tmpfs to fill (mounting needs privileges); where none can be mounted the test
  /// shows as skipped.
  @Test(.enabled(if: canMountTmpfs, "cannot mount a small tmpfs to fill"))
  func aFullDiskRefusesTheSubmissionAndLeavesNoPartialCopy() throws {
    let (dir, env) = try Self.store()
    let mountPoint = dir.appendingPathComponent("small")
    try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
    let mount = try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.path], in: dir)
    try #require(mount.status == 0, "\(mount.stderr)")
    defer { _ = try? Self.run("/bin/umount", ["-l", mountPoint.path], in: dir) }
    // The store lives on the small disk; the output is bigger than what is left.
    let small = ["AIRLOCK_STORE": mountPoint.appendingPathComponent("store").path]
    #expect(
      try airlock(["init", "--trust", "allowed_signers", "--rules", "default"], in: dir, environment: small).status == 0
    )
    let big = "region,count\n" + String(repeating: "North,30\n", count: 600_000)
    try Data(big.utf8).write(to: dir.appendingPathComponent("big.csv"))
    let run = try airlock(
      [
        "submit", "big.csv", "--project", "p1", "--group", "g", "--context", "c", "--controls", "c", "--key",
        "alice.key",
      ],
      in: dir, environment: small)
    #expect(run.status == 2)
    #expect(run.stderr.contains("No space left on device"), "\(run.stderr)")
    let objects = try FileManager.default.contentsOfDirectory(
      atPath: mountPoint.appendingPathComponent("store/objects/sha256").path)
    #expect(objects.isEmpty, "partial copies left: \(objects)")
    // The store still opens and its log verifies; a smaller request then goes through.
    #expect(try airlock(["queue", "--key", "bob.key"], in: dir, environment: small).status == 0)
    #expect(try airlock(["log", "verify"], in: dir, environment: small).status == 0)
    let retry = try airlock(
      [
        "submit", "table.csv", "--project", "p1", "--group", "g", "--context", "c", "--controls", "c", "--key",
        "alice.key",
      ],
      in: dir, environment: small)
    #expect(retry.status == 0, "\(retry.stderr)")
    _ = env
  }

  /// Keys for alice (submit) and bob (review), a trust list and a store.
  /// Whether airlock runs as `nobody` through setpriv here.
  static let canRunAsNobody: Bool = {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    probe.arguments = ["--reuid", "65534", "--regid", "65534", "--clear-groups", airlockBinary.path, "--version"]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return false }
    probe.waitUntilExit()
    return probe.terminationStatus == 0
  }()

  /// Whether a small tmpfs can be mounted (and is unmounted again) here.
  static let canMountTmpfs: Bool = {
    let dir = folder([:])
    guard let mount = try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.path], in: dir),
      mount.status == 0
    else { return false }
    _ = try? run("/bin/umount", ["-l", dir.path], in: URL(fileURLWithPath: "/"))
    return true
  }()

  static func store() throws -> (URL, [String: String]) {
    let dir = folder(["table.csv": "region,count\nNorth,15\nSouth,40\n"])
    var trust = ""
    for (name, role) in [("alice", "airlock-submit"), ("bob", "airlock-review")] {
      let run = try airlock(["keygen", "--out", "\(name).key", "--principal", "\(name)@tre", "--role", role], in: dir)
      trust += run.stdout.split(separator: "\n").last! + "\n"
    }
    try Data(trust.utf8).write(to: dir.appendingPathComponent("allowed_signers"))
    let env = ["AIRLOCK_STORE": dir.appendingPathComponent("store").path]
    #expect(
      try airlock(["init", "--trust", "allowed_signers", "--rules", "default"], in: dir, environment: env).status == 0)
    return (dir, env)
  }

  static func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }
}

/// Found by Scripts/crash-loop.sh: a release killed mid-copy left `.airlock-record-…` in the
/// destination, so after running it again `airlock verify --files` found an extra file.
@Suite(.serialized) struct CrashRegressionCLITests {
  @Test func releaseAgainAfterAKillLeavesExactlyTheSubjects() throws {
    let workflow = ReviewWorkflowCLITests()
    let (dir, env) = try workflow.setUp()
    let id = try workflow.submit(dir, env)
    for checker in ["bob", "carol"] {
      #expect(
        try airlock(
          ["vote", id, "table.csv", "approve", "--comment", "ok", "--key", "\(checker).key"], in: dir, environment: env
        ).status == 0)
      #expect(try airlock(["submit-review", id, "--key", "\(checker).key"], in: dir, environment: env).status == 0)
    }
    _ = try airlock(["approve", id, "--key", "bob.key"], in: dir, environment: env)
    // What a kill mid-release leaves behind.
    let out = dir.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    for stale in [".airlock-record-1234", ".airlock-tmp-5678", ".airlock-receipt-9"] {
      try Data("partial".utf8).write(to: out.appendingPathComponent(stale))
    }
    #expect(try airlock(["release", id, "--to", "out", "--key", "ops.key"], in: dir, environment: env).status == 0)
    let verify = try airlock(
      [
        "verify", "out/\(id).review.json", "--trust", "allowed_signers", "--files", "out", "--log-key",
        "store/log/log.vkey",
      ], in: dir)
    #expect(verify.status == 0, "\(verify.stderr)")
  }
}
