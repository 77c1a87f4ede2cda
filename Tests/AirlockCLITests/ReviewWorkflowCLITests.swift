import Foundation
import Testing

/// The review workflow from the command line, as docs/review-workflow.md shows it.
@Suite(.serialized) struct ReviewWorkflowCLITests {
  /// A folder with four people's keys, a trust list and an initialised store.
  func setUp() throws -> (URL, [String: String]) {
    let dir = folder(["table.csv": "region,count\nNorth,15\nSouth,40\n", "notes.txt": "underlying counts\n"])
    var trust = ""
    for (name, role) in [
      ("alice", "airlock-submit"), ("bob", "airlock-review"), ("carol", "airlock-review"), ("ops", "airlock-release"),
    ] {
      let run = try airlock(["keygen", "--out", "\(name).key", "--principal", "\(name)@tre", "--role", role], in: dir)
      #expect(run.status == 0)
      trust += run.stdout.split(separator: "\n").last! + "\n"
    }
    try Data(trust.utf8).write(to: dir.appendingPathComponent("allowed_signers"))
    let env = ["AIRLOCK_STORE": dir.appendingPathComponent("store").path]
    #expect(
      try airlock(["init", "--trust", "allowed_signers", "--rules", "opensafely"], in: dir, environment: env).status
        == 0)
    return (dir, env)
  }

  func submit(_ dir: URL, _ env: [String: String]) throws -> String {
    let run = try airlock(
      [
        "submit", "table.csv", "--project", "p1", "--group", "g", "--context", "counts by region", "--controls",
        "rounded to 5",
        "--supporting", "notes.txt", "--key", "alice.key",
      ], in: dir, environment: env)
    #expect(run.status == 0, "\(run.stderr)")
    return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func wholeRequestFromSubmitToVerify() throws {
    let (dir, env) = try setUp()
    let id = try submit(dir, env)
    #expect(id.hasPrefix("req-"))
    for checker in ["bob", "carol"] {
      #expect(
        try airlock(
          ["vote", id, "table.csv", "approve", "--comment", "safe", "--key", "\(checker).key"], in: dir,
          environment: env
        ).status == 0)
      #expect(try airlock(["submit-review", id, "--key", "\(checker).key"], in: dir, environment: env).status == 0)
    }
    #expect(
      try airlock(["approve", id, "--key", "bob.key"], in: dir, environment: env).stdout.contains("now approved"))
    let release = try airlock(["release", id, "--to", "out", "--key", "ops.key"], in: dir, environment: env)
    #expect(release.status == 0 && release.stdout.contains("released table.csv"))
    #expect(try airlock(["release", id, "--to", "out", "--key", "ops.key"], in: dir, environment: env).status == 0)
    let record = "out/\(id).review.json"
    let vkey = dir.appendingPathComponent("store/log/log.vkey").path
    let verify = try airlock(
      ["verify", record, "--trust", "allowed_signers", "--files", "out", "--log-key", vkey], in: dir)
    #expect(verify.status == 0, "\(verify.stderr)")
    // The folder holds the record's log receipt: without --log-key nothing checks it, so the
    // folder is not accounted for (issue 19 §3).
    let unchecked = try airlock(["verify", record, "--trust", "allowed_signers", "--files", "out"], in: dir)
    #expect(
      unchecked.status == 1 && unchecked.stderr.contains("is a log receipt, and nothing checked it"),
      "\(unchecked.stderr)")
    // An empty folder inside (its name can carry data) fails.
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("out/n=3"), withIntermediateDirectories: false)
    let nested = try airlock(
      ["verify", record, "--trust", "allowed_signers", "--files", "out", "--log-key", vkey], in: dir)
    #expect(nested.status == 1 && nested.stderr.contains("'n=3' is a folder"), "\(nested.stderr)")
    try FileManager.default.removeItem(at: dir.appendingPathComponent("out/n=3"))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/notes.txt").path))

    // Tampering: a file changed after approval.
    try Data("region,count\nNorth,16\nSouth,40\n".utf8).write(to: dir.appendingPathComponent("out/table.csv"))
    let tampered = try airlock(
      ["verify", record, "--trust", "allowed_signers", "--files", "out", "--log-key", vkey], in: dir)
    #expect(tampered.status == 1)
    #expect(tampered.stderr.contains("verification failed: 'table.csv' has SHA-256"))
    // A verifier whose own trust list lacks the checkers.
    try Data("".utf8).write(to: dir.appendingPathComponent("empty_signers"))
    let untrusted = try airlock(["verify", record, "--trust", "empty_signers"], in: dir)
    #expect(untrusted.status == 1 && untrusted.stderr.contains("only 0 distinct trusted reviewer signatures"))
    #expect(try airlock(["verify", "missing.json", "--trust", "allowed_signers"], in: dir).status == 2)
    #expect(
      try airlock(["verify", record, "--trust", "allowed_signers", "--request", "req-other"], in: dir).status == 1)
  }

  @Test func forbiddenActionsExit2WithAReason() throws {
    let (dir, env) = try setUp()
    let id = try submit(dir, env)
    let noComment = try airlock(
      ["vote", id, "table.csv", "request-changes", "--key", "bob.key"], in: dir, environment: env)
    #expect(noComment.status == 2 && noComment.stderr.contains("a comment is required"))
    let early = try airlock(["submit-review", id, "--key", "bob.key"], in: dir, environment: env)
    #expect(early.status == 2 && early.stderr.contains("vote on every output file"))
    let author = try airlock(["vote", id, "table.csv", "approve", "--key", "alice.key"], in: dir, environment: env)
    #expect(author.status == 2 && author.stderr.contains("not trusted for role 'airlock-review'"))
    let noKey = try airlock(["queue"], in: dir, environment: env)
    #expect(noKey.status == 2 && noKey.stderr.contains("--key"))
    chmod(dir.appendingPathComponent("bob.key").path, 0o644)
    let readable = try airlock(["queue", "--key", "bob.key"], in: dir, environment: env)
    #expect(readable.status == 2 && readable.stderr.contains("unprotected private key file"))
    let overwrite = try airlock(["keygen", "--out", "bob.key"], in: dir)
    #expect(overwrite.status == 2 && overwrite.stderr.contains("refusing to overwrite"))
    let release = try airlock(["release", id, "--to", "out", "--key", "ops.key"], in: dir, environment: env)
    #expect(release.status == 2 && release.stderr.contains("not approved"))
  }

  /// `airlock trust add` writes the line a newcomer would otherwise paste from keygen; a key
  /// already listed for someone else is refused (issue 19, "also").
  @Test func trustAddAndListBuildATrustList() throws {
    let dir = folder([:])
    for name in ["alice", "bob"] {
      #expect(try airlock(["keygen", "--out", "\(name).key"], in: dir).status == 0)
    }
    let added = try airlock(
      ["trust", "add", "alice@tre", "alice.key.pub", "--role", "submit", "--file", "signers"], in: dir)
    #expect(added.status == 0, "\(added.stderr)")
    #expect(
      try airlock(
        [
          "trust", "add", "bob@tre", "bob.key.pub", "--role", "airlock-review", "--valid-before", "20991231", "--file",
          "signers",
        ], in: dir
      ).status == 0)
    let shared = try airlock(
      ["trust", "add", "carol@tre", "bob.key.pub", "--role", "review", "--file", "signers"], in: dir)
    #expect(shared.status == 2 && shared.stderr.contains("already listed for bob@tre"), "\(shared.stderr)")
    let badRole = try airlock(
      ["trust", "add", "carol@tre", "bob.key.pub", "--role", "boss", "--file", "signers"], in: dir)
    #expect(badRole.status == 2 && badRole.stderr.contains("--role must be one of"))
    let list = try airlock(["trust", "list", "--file", "signers"], in: dir)
    #expect(list.status == 0)
    #expect(
      list.stdout.contains("alice@tre  airlock-submit") && list.stdout.contains("bob@tre  airlock-review"),
      "\(list.stdout)")
    #expect(list.stdout.contains("until 2099-12-31T00:00:00Z"))
    // The file it wrote is a trust list init and verify read.
    let env = ["AIRLOCK_STORE": dir.appendingPathComponent("store").path]
    #expect(try airlock(["init", "--trust", "signers", "--no-log"], in: dir, environment: env).status == 0)
    #expect(try airlock(["trust", "list"], in: dir, environment: env).stdout.contains("bob@tre"))
  }

  /// init is all or nothing: a trust list that does not exist or does not parse leaves no store.
  @Test func initLeavesNothingWhenItFails() throws {
    let dir = folder([
      "bad_signers": "alice@tre namespaces=\"airlock-submit\",namespaces=\"airlock-review\" ssh-ed25519 AAAA\n"
    ])
    for trust in ["missing_signers", "bad_signers"] {
      let run = try airlock(["init", "--store", "store", "--trust", trust], in: dir)
      #expect(run.status == 2, "\(run.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("store").path), "\(trust)")
    }
  }

  /// The exit codes --help (and so the man page) documents are the ones airlock exits with: 2 for
  /// a usage error, as for any input error; --fail-on offers only what it accepts.
  @Test func documentedExitCodesAreTheRealOnes() throws {
    let help = try airlock(["--help"])
    #expect(help.stdout.contains("2 a usage, input or configuration error"))
    for usage in [
      ["vote"], ["verify"], ["release", "req-x"], ["trust", "add", "x"], ["init", "--no-such-option"],
      ["check", "--fail-on", "pass", "."],
    ] {
      let run = try airlock(usage)
      #expect(run.status == 2, "\(usage): \(run.status) \(run.stderr)")
      #expect(!run.stderr.isEmpty)
    }
    let checkHelp = try airlock(["check", "--help"])
    let failOn = checkHelp.stdout.components(separatedBy: "\n").filter { $0.contains("--fail-on") }.joined()
    #expect(!failOn.contains("pass"), "\(failOn)")
    let completion = try airlock(["--generate-completion-script", "bash"])
    #expect(completion.stdout.contains("'review'$'\\n''fail'"))
    #expect(!completion.stdout.contains("'pass'"))
  }

  /// Blind review in the HTML report and `show --json` (issue 19 §4): before carol submits, bob's
  /// view of the history says that carol voted, not how.
  @Test func theReportAndShowKeepTheOtherVoteBlind() throws {
    let (dir, env) = try setUp()
    let id = try submit(dir, env)
    #expect(
      try airlock(
        ["vote", id, "table.csv", "approve", "--comment", "ok", "--key", "bob.key"], in: dir, environment: env
      ).status == 0)
    #expect(try airlock(["submit-review", id, "--key", "bob.key"], in: dir, environment: env).status == 0)
    #expect(
      try airlock(
        ["vote", id, "table.csv", "request-changes", "--comment", "round it", "--key", "carol.key"], in: dir,
        environment: env
      ).status == 0)
    let report = try airlock(["report", id, "--html", "-", "--key", "bob.key"], in: dir, environment: env)
    #expect(report.status == 0 || report.status == 1, "\(report.stderr)")
    #expect(report.stdout.contains("carol@tre"), "the fact of carol's vote is shown")
    #expect(!report.stdout.contains("changes_requested") && !report.stdout.contains("round it"))
    let show = try airlock(["show", id, "--json", "--key", "bob.key"], in: dir, environment: env)
    #expect(show.stdout.contains("carol@tre") && !show.stdout.contains("changes_requested"))
    // Once carol's review is in, bob sees it.
    #expect(try airlock(["submit-review", id, "--key", "carol.key"], in: dir, environment: env).status == 0)
    #expect(
      try airlock(["show", id, "--json", "--key", "bob.key"], in: dir, environment: env).stdout.contains(
        "changes_requested"))
  }

  /// A refusal names the person and the reason, not a fingerprint alone.
  @Test func refusalsNameThePrincipal() throws {
    let (dir, env) = try setUp()
    // alice also holds a checker key: the author may not review with it.
    #expect(try airlock(["keygen", "--out", "alice2.key"], in: dir).status == 0)
    #expect(
      try airlock(["trust", "add", "alice@tre", "alice2.key.pub", "--role", "review"], in: dir, environment: env).status
        == 0)
    let id = try submit(dir, env)
    let refused = try airlock(["vote", id, "table.csv", "approve", "--key", "alice2.key"], in: dir, environment: env)
    #expect(refused.status == 2)
    #expect(
      refused.stderr.contains("alice@tre may not review \(id): alice@tre is the author of this request"),
      "\(refused.stderr)")
  }

  @Test func twoCheckersSubmittingAtTheSameMomentLoseNothing() throws {
    let (dir, env) = try setUp()
    for round in 0..<3 {
      let id = try submit(dir, env)
      for checker in ["bob", "carol"] {
        #expect(
          try airlock(
            ["vote", id, "table.csv", "approve", "--comment", "ok", "--key", "\(checker).key"], in: dir,
            environment: env
          ).status == 0)
      }
      // Two processes at once.
      let processes = ["bob", "carol"].map { checker -> Process in
        let process = Process()
        process.executableURL = airlockBinary
        process.arguments = ["submit-review", id, "--key", "\(checker).key"]
        process.currentDirectoryURL = dir
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
      }
      for process in processes { try process.run() }
      for process in processes { process.waitUntilExit() }
      #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "round \(round)")
      let status = try airlock(["status", id, "--json"], in: dir, environment: env)
      #expect(status.stdout.contains("\"reviewsSubmitted\" : 2"), "round \(round): \(status.stdout)")
      #expect(status.stdout.contains("\"status\" : \"reviewed\""), "round \(round)")
      let show = try airlock(["show", id, "--key", "bob.key", "--json"], in: dir, environment: env)
      #expect(show.stdout.contains("\"recordSignatures\" : 1"), "round \(round)")
    }
  }

  /// Shown as skipped where Python or securesystemslib is missing; .ci/run runs the script
  /// unconditionally.
  @Test(.enabled(if: securesystemslibAvailable, "python3 with securesystemslib is not installed"))
  func securesystemslibVerifiesTheRecord() throws {
    let script = packageRoot.appendingPathComponent("Scripts/interop_securesystemslib.py").path
    #expect(try runPython([script, "--airlock", airlockBinary.path]) == 0)
  }
}

/// Whether python3 can import securesystemslib (the interoperability test needs it).
let securesystemslibAvailable: Bool = (try? runPython(["-c", "import securesystemslib"])) == 0
