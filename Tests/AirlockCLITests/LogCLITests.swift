import Foundation
import Testing

/// The decision log and the public register from the command line.
@Suite(.serialized) struct LogCLITests {
  static let secretName = "zebra_cohort_Quetzal.csv"
  static let secretTable = "region,count\nQuetzalcoatl,98765\nXylophonia,43210\n"

  /// A store with keys, a log and several requests: released, rejected, withdrawn, one with an exception.
  func setUp() throws -> (URL, [String: String], released: String) {
    let dir = folder([Self.secretName: Self.secretTable, "notes_Zanzibar.txt": "underlying 777777\n"])
    var trust = ""
    for (name, role) in [
      ("alice", "airlock-submit"), ("bob", "airlock-review"), ("carol", "airlock-review"), ("ops", "airlock-release"),
    ] {
      let run = try airlock(["keygen", "--out", "\(name).key", "--principal", "\(name)@tre", "--role", role], in: dir)
      trust += run.stdout.split(separator: "\n").last! + "\n"
    }
    try Data(trust.utf8).write(to: dir.appendingPathComponent("allowed_signers"))
    let env = ["AIRLOCK_STORE": dir.appendingPathComponent("store").path]
    let initRun = try airlock(
      ["init", "--trust", "allowed_signers", "--rules", "opensafely", "--log-origin", "tre.example/airlock/log"],
      in: dir, environment: env)
    #expect(initRun.status == 0 && initRun.stdout.contains("tre.example/airlock/log+"), "\(initRun.stderr)")
    func submit(_ extra: [String] = []) throws -> String {
      let run = try airlock(
        [
          "submit", Self.secretName, "--project", "proj-17", "--group", "g", "--context", "secret-context-phrase",
          "--controls", "rounded", "--supporting", "notes_Zanzibar.txt", "--key", "alice.key",
        ] + extra, in: dir, environment: env)
      #expect(run.status == 0, "\(run.stderr)")
      return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    func review(_ id: String, _ votes: [(String, String)]) throws {
      for (checker, vote) in votes {
        #expect(
          try airlock(
            ["vote", id, Self.secretName, vote, "--comment", "comment-Vesuvius", "--key", "\(checker).key"], in: dir,
            environment: env
          ).status == 0)
        #expect(try airlock(["submit-review", id, "--key", "\(checker).key"], in: dir, environment: env).status == 0)
      }
    }
    let released = try submit(["--exception", "exception-text-Krakatoa"])
    try review(released, [("bob", "approve"), ("carol", "approve")])
    #expect(try airlock(["approve", released, "--key", "bob.key"], in: dir, environment: env).status == 0)
    let release = try airlock(["release", released, "--to", "out", "--key", "ops.key"], in: dir, environment: env)
    #expect(release.status == 0 && release.stdout.contains("log receipt:"), "\(release.stderr)")
    let rejected = try submit()
    try review(rejected, [("bob", "approve"), ("carol", "request-changes")])
    #expect(
      try airlock(["reject", rejected, "--comment", "no", "--key", "carol.key"], in: dir, environment: env).status == 0)
    let withdrawn = try submit()
    #expect(
      try airlock(["return", withdrawn, "--comment", "early", "--key", "bob.key"], in: dir, environment: env).status
        == 0)
    #expect(try airlock(["withdraw", withdrawn, "--key", "alice.key"], in: dir, environment: env).status == 0)
    _ = try submit()  // still in review
    return (dir, env, released)
  }

  @Test func theRegisterAndThePublicLogLeakNoFileNamesDigestsOrValues() throws {
    let (dir, env, _) = try setUp()
    let digest = String(try run("/usr/bin/env", ["sha256sum", Self.secretName], in: dir).stdout.prefix(64))
    #expect(digest.count == 64)
    let forbidden = [
      "zebra", "Quetzal", "98765", "43210", "Xylophonia", "Zanzibar", "777777", digest, "secret-context-phrase",
      "comment-Vesuvius", "exception-text-Krakatoa", "alice@tre", ".csv",
    ]
    var published: [String: String] = [:]
    for format in ["jsonl", "csv", "html"] {
      let run = try airlock(["register", "export", "--format", format], in: dir, environment: env)
      #expect(run.status == 0, "\(run.stderr)")
      published["register.\(format)"] = run.stdout
    }
    let logFolder = dir.appendingPathComponent("store/log")
    for path in try FileManager.default.subpathsOfDirectory(atPath: logFolder.path) {
      let data = FileManager.default.contents(atPath: logFolder.appendingPathComponent(path).path) ?? Data()
      published["log/\(path)"] = String(decoding: data, as: UTF8.self)
    }
    for (name, text) in published {
      for secret in forbidden { #expect(!text.contains(secret), "\(name) leaks \(secret)") }
    }
    // It still says what a register must: four requests, their outcomes, packs and exceptions.
    let rows = published["register.jsonl"]!.split(separator: "\n")
    #expect(rows.count == 4)
    for outcome in ["released", "rejected", "withdrawn", "in review"] {
      #expect(published["register.jsonl"]!.contains("\"outcome\":\"\(outcome)\""), "\(outcome)")
    }
    let html = published["register.html"]!
    #expect(
      html.hasPrefix("<!DOCTYPE html>") && html.contains("<td>opensafely") && html.contains("Process by rule pack"))
    #expect(published["register.csv"]!.hasPrefix("request,project,submitted_at"))
    #expect(published["register.jsonl"]!.contains("\"exceptionRequested\":true"))
  }

  /// Issue 19 §6: an old checkpoint copied to a higher number made `log verify` and
  /// `register export` die with SIGILL and every later change fail. Now it is reported (exit 1)
  /// and the store goes on working.
  @Test func aPlantedCheckpointIsReportedNotACrash() throws {
    let (dir, env, _) = try setUp()
    let checkpoints = dir.appendingPathComponent("store/log/checkpoints")
    let sizes = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).compactMap { Int($0) }.sorted()
    let top = sizes.last!
    try FileManager.default.copyItem(
      at: checkpoints.appendingPathComponent("2"), to: checkpoints.appendingPathComponent("\(top + 3)"))
    let verify = try airlock(["log", "verify"], in: dir, environment: env)
    #expect(verify.status == 1, "\(verify.stderr)")
    #expect(verify.stderr.contains("holds a checkpoint of size 2"), "\(verify.stderr)")
    let export = try airlock(["register", "export"], in: dir, environment: env)
    #expect(export.status == 1 || export.status == 2, "\(export.status) \(export.stderr)")
    #expect(export.status != 132 && export.status != 4 && !export.stderr.contains("Fatal error"))
    // Later changes go on, past the planted size.
    for _ in 0..<4 {
      let id = try airlock(
        [
          "submit", Self.secretName, "--project", "proj-17", "--group", "g", "--context",
          "another-\(UUID().uuidString)",
          "--controls", "rounded", "--key", "alice.key",
        ], in: dir, environment: env)
      #expect(id.status == 0, "\(id.stderr)")
    }
    let after = try airlock(["log", "verify"], in: dir, environment: env)
    #expect(after.status == 1 && after.stderr.contains("not an archived checkpoint"), "\(after.stderr)")
  }

  @Test func logVerifyProveConsistencyAndTamperCases() throws {
    let (dir, env, released) = try setUp()
    let verify = try airlock(["log", "verify"], in: dir, environment: env)
    #expect(verify.status == 0 && verify.stdout.contains("log verified"), "\(verify.stderr)")
    let vkey = dir.appendingPathComponent("store/log/log.vkey").path
    try FileManager.default.copyItem(atPath: vkey, toPath: dir.appendingPathComponent("pinned.vkey").path)
    try FileManager.default.copyItem(
      atPath: dir.appendingPathComponent("store/log/checkpoint").path,
      toPath: dir.appendingPathComponent("saved-checkpoint").path)
    #expect(
      try airlock(
        ["log", "verify", "--vkey", "pinned.vkey", "--previous", "saved-checkpoint"], in: dir, environment: env
      ).status == 0)

    let prove = try airlock(["log", "prove", "3"], in: dir, environment: env)
    #expect(
      prove.status == 0 && prove.stdout.hasPrefix("c2sp.org/tlog-proof@v1\nextra ")
        && prove.stdout.contains("\nindex 3\n"))
    let consistency = try airlock(["log", "consistency", "2", "9"], in: dir, environment: env)
    #expect(
      consistency.status == 0 && consistency.stdout.hasPrefix("old 2 ") && consistency.stdout.contains("\nnew 9 "))
    #expect(try airlock(["log", "prove", "9999"], in: dir, environment: env).status == 2)

    // The released record's receipt verifies under the pinned key, and not under another.
    let record = "out/\(released).review.json"
    let checked = try airlock(["verify", record, "--trust", "allowed_signers", "--log-key", "pinned.vkey"], in: dir)
    #expect(checked.status == 0, "\(checked.stderr)")
    let other = try airlock(["log", "init", "--store", "other", "--origin", "tre.example/airlock/log"], in: dir)
    #expect(other.status == 2)  // no store there
    try Data("tre.example/airlock/log+00000000+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea\n".utf8).write(
      to: dir.appendingPathComponent("bad.vkey"))
    #expect(
      try airlock(["verify", record, "--trust", "allowed_signers", "--log-key", "bad.vkey"], in: dir).status == 2)

    // An outside verifier written from the C2SP spec (Python + cryptography), when available.
    if pythonHasCryptography() {
      let python = try run(
        "/usr/bin/env",
        [
          "python3", packageRoot.appendingPathComponent("Scripts/verify_checkpoint.py").path, "--vkey", "pinned.vkey",
          "store/log/checkpoint", "--entries", "store/log/entries.jsonl", "--receipt",
          "out/\(released).review.tlog-proof",
        ], in: dir)
      #expect(python.status == 0, "\(python.stdout)\(python.stderr)")
      #expect(python.stdout.contains("checkpoint verified") && python.stdout.contains("receipt verified"))
    }

    // Tamper: edit a line, then truncate, then roll the checkpoint back.
    let entries = dir.appendingPathComponent("store/log/entries.jsonl")
    let original = try Data(contentsOf: entries)
    try Data(
      String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"proj-17\"", with: "\"proj-18\"").utf8
    ).write(to: entries)
    let edited = try airlock(["log", "verify"], in: dir, environment: env)
    #expect(
      edited.status == 1 && edited.stderr.contains("entries.jsonl:1: entries 1-1 do not hash"), "\(edited.stderr)")
    try original.prefix(original.count / 2).write(to: entries)
    #expect(try airlock(["log", "verify"], in: dir, environment: env).stderr.contains("truncated"))
    try original.write(to: entries)
    try FileManager.default.removeItem(at: dir.appendingPathComponent("store/log/checkpoint"))
    try FileManager.default.copyItem(
      at: dir.appendingPathComponent("store/log/checkpoints/5"), to: dir.appendingPathComponent("store/log/checkpoint"))
    let rolled = try airlock(["log", "verify"], in: dir, environment: env)
    #expect(rolled.status == 1 && rolled.stderr.contains("rolled back"))
    // The workflow refuses to add to a log that no longer matches its checkpoint... after restoring, it works.
    try FileManager.default.removeItem(at: dir.appendingPathComponent("store/log/checkpoint"))
    try FileManager.default.copyItem(
      atPath: dir.appendingPathComponent("saved-checkpoint").path,
      toPath: dir.appendingPathComponent("store/log/checkpoint").path)
    #expect(try airlock(["log", "verify", "--vkey", "pinned.vkey"], in: dir, environment: env).status == 0)
    #expect(try airlock(["log", "sync"], in: dir, environment: env).status == 0)
  }

  func pythonHasCryptography() -> Bool {
    (try? run("/usr/bin/env", ["python3", "-c", "import cryptography"], in: packageRoot).status) == 0
  }

  func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }
}
