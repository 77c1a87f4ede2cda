import Foundation
import Testing

/// The report formats and terminal behaviour of the command-line tool.
@Suite struct ReportCLITests {
  @Test(arguments: ["sarif", "junit", "github", "json", "html"])
  func checkWritesMachineFormats(format: String) throws {
    let run = try airlock(["check", "samples", "--format", format])
    #expect(run.status == 1)
    #expect(!run.stdout.isEmpty)
    #expect(!run.stdout.contains("\u{1B}["), "no colour in machine formats")
    // Not a terminal: no progress line, nothing on stderr.
    #expect(run.stderr.isEmpty)
    if format == "html" { #expect(run.stdout.hasPrefix("<!DOCTYPE html>")) }
    if format == "sarif" || format == "json" {
      #expect(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) is [String: Any])
    }
  }

  @Test func noColourWhenNotATerminal() throws {
    let run = try airlock(["check", "samples"], environment: ["NO_COLOR": ""])
    #expect(!run.stdout.contains("\u{1B}["))
    #expect(run.stderr.isEmpty)
  }

  @Test func quietPrintsNothing() throws {
    let run = try airlock(["check", "samples", "--quiet", "--format", "sarif"])
    #expect(run.status == 1)
    #expect(run.stdout.isEmpty && run.stderr.isEmpty)
  }
}

/// `airlock report` for outputs and for a request.
@Suite(.serialized) struct ReportCommandTests {
  @Test func reportOfOutputsWritesHTML() throws {
    let dir = folder(["t.csv": "region,count\nNorth,3\nSouth,40\n"])
    let run = try airlock(["report", "t.csv", "--html", "out.html"], in: dir)
    #expect(run.status == 1)
    let html = try String(contentsOf: dir.appendingPathComponent("out.html"), encoding: .utf8)
    #expect(html.contains("<td id=\"out-0-c2-2\" class=\"fail\""))
    #expect(
      try airlock(["report", "t.csv", "--html", "-", "--fail-on", "fail", "--rules", "datashield"], in: dir).status == 0
    )
    #expect(try airlock(["report", "t.csv", "--html", "x.html", "--rules", "nope"], in: dir).status == 2)
  }

  @Test func reportOfARequestShowsItsReview() throws {
    let dir = folder(["table.csv": "region,count\nNorth,3\nSouth,40\n", "notes.txt": "underlying counts\n"])
    var trust = ""
    for (name, role) in [("alice", "airlock-submit"), ("bob", "airlock-review"), ("carol", "airlock-review")] {
      let run = try airlock(["keygen", "--out", "\(name).key", "--principal", "\(name)@tre", "--role", role], in: dir)
      trust += run.stdout.split(separator: "\n").last! + "\n"
    }
    try Data(trust.utf8).write(to: dir.appendingPathComponent("allowed_signers"))
    let env = ["AIRLOCK_STORE": dir.appendingPathComponent("store").path]
    #expect(
      try airlock(["init", "--trust", "allowed_signers", "--rules", "opensafely"], in: dir, environment: env).status
        == 0)
    let submit = try airlock(
      [
        "submit", "table.csv", "--project", "p1", "--group", "g", "--context", "counts by <region>", "--controls",
        "none yet",
        "--supporting", "notes.txt", "--key", "alice.key",
      ], in: dir, environment: env)
    let id = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    for checker in ["bob", "carol"] {
      #expect(
        try airlock(
          [
            "vote", id, "table.csv", "request-changes", "--comment", "North is 3, suppress it", "--key",
            "\(checker).key",
          ], in: dir, environment: env
        ).status == 0)
      #expect(try airlock(["submit-review", id, "--key", "\(checker).key"], in: dir, environment: env).status == 0)
    }
    let run = try airlock(["report", id, "--html", "req.html", "--key", "bob.key"], in: dir, environment: env)
    #expect(run.status == 1, "\(run.stderr)")
    let html = try String(contentsOf: dir.appendingPathComponent("req.html"), encoding: .utf8)
    #expect(html.contains("Request \(id)"))
    #expect(html.contains("counts by &lt;region&gt;"))
    #expect(html.contains("none yet"))
    #expect(html.contains("<td>carol@tre</td><td>changes_requested</td>"))
    #expect(html.contains("North is 3, suppress it"))
    #expect(html.contains("submit-review") || html.contains("submit_review"))
    #expect(html.contains("<td id=\"out-0-c2-2\" class=\"fail\""))
    #expect(html.contains("notes.txt") && html.contains("supporting"))
    #expect(html.contains("opensafely"))
    // Without a key: a usage error.
    #expect(try airlock(["report", id, "--html", "x.html"], in: dir, environment: env).status == 2)
  }
}

/// Completions, the man page's source and --version come from the command definitions.
@Suite struct PackagingCLITests {
  @Test(arguments: ["bash", "zsh", "fish"])
  func completionScriptsAreGeneratedFromTheCommands(shell: String) throws {
    let run = try airlock(["--generate-completion-script", shell])
    #expect(run.status == 0)
    // Every subcommand and the options of check and report are completed.
    for word in ["check", "report", "rules", "verify", "submit", "format", "html", "fail-on"] {
      #expect(run.stdout.contains(word), "\(shell) completion lacks \(word)")
    }
    for format in ["sarif", "junit", "github"] { #expect(run.stdout.contains(format)) }
  }

  @Test func manualSourceNamesEverySubcommand() throws {
    // generate-manual (make man) renders this dump of the command tree.
    let run = try airlock(["--experimental-dump-help"])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let command = try #require(json["command"] as? [String: Any])
    let names = ((command["subcommands"] as? [[String: Any]]) ?? []).compactMap { $0["commandName"] as? String }
    #expect(Set(["check", "report", "rules", "verify"]).isSubset(of: Set(names)))
  }

  @Test func versionNamesRulePackVersions() throws {
    let run = try airlock(["--version"])
    #expect(run.stdout.contains("default 1.0.0"))
    #expect(run.stdout.contains("opensafely "))
  }
}
