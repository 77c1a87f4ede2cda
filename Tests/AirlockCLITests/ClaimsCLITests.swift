import Foundation
import Testing

/// Claims from the command line (issue 18 §3): every kind listed in text, JSON, SARIF, JUnit,
/// GitHub annotations and the HTML report, and carried through the review to the signed record.
@Suite(.serialized) struct ClaimsCLITests {
  /// One output per kind of claim a check can find, each with the label it declares.
  static let files: [String: String] = [
    "births.csv": "sex,outcome,count\nFemale,live,120\nFemale,still,15\nMale,live,0\nMale,still,0\n",
    "births.airlock.yaml": "dimensions: [sex, outcome]\ncounts: [count]\nstructural_zeros:\n  - {sex: Male}\n",
    "flagged.csv":
      "sex,condition,count,structural_zero\nFemale,pregnancy,30,0\nMale,pregnancy,0,1\nFemale,flu,20,0\nMale,flu,25,0\n",
    "ages.csv": "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n",
    "ages.airlock.yaml": "kind: histogram\ndesign_limits: true\ndesign_limits_reason: decades fixed in the protocol\n",
    "regions.csv": "region,count\nNorth,40\nNorth East,15\nNorth West,25\nSouth,30\nAll,70\n",
    "regions.airlock.yaml":
      "dimensions: [region]\ncounts: [count]\nmargins: [All]\ncategories: [Total]\nsubset_of: all_regions.csv\nhierarchy:\n  region:\n    North: [North East, North West]\nnot_linked: [events.csv]\n",
    "values.csv": "region,value\nNorth,40\nSouth,50\n",
    "values.airlock.yaml": "dimensions: [region]\npercentages: [value]\n",
    "events.csv": "region,count\nNorth,30\nSouth,50\n",
    "events.airlock.yaml": "kind: survival\n",
  ]

  /// The kinds a check finds in `files` (plus the folder manifest's), and where each is declared.
  static let expected: [(kind: String, position: String)] = [
    ("structural-zeros", "births.airlock.yaml:4:5"), ("structural-zero-column", "flagged.csv field 4"),
    ("design-limits", "ages.airlock.yaml:2:1"), ("margins", "regions.airlock.yaml:3:1"),
    ("categories", "regions.airlock.yaml:4:1"), ("subset-of", "regions.airlock.yaml:5:1"),
    ("hierarchy", "regions.airlock.yaml:7:3"), ("not-linked", "regions.airlock.yaml:9:1"),
    ("column-role", "values.airlock.yaml:2:1"),
    ("output-kind", "events.airlock.yaml:1:1"),
    ("folder-manifest", "airlock.yaml:2:3"),
  ]

  func setUp() throws -> URL {
    let dir = folder(Self.files)
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
    try Data("region,count\nNorth,40\nSouth,50\n".utf8).write(to: dir.appendingPathComponent("sub/counts.csv"))
    try Data("outputs:\n  \"counts*.csv\":\n    dimensions: [region]\n    counts: [count]\n    margins: [All]\n".utf8)
      .write(to: dir.appendingPathComponent("sub/airlock.yaml"))
    return dir
  }

  static let outputs = ["births.csv", "flagged.csv", "ages.csv", "regions.csv", "values.csv", "events.csv", "sub"]

  @Test func everyKindOfClaimIsInEveryReportFormat() throws {
    let dir = try setUp()
    let text = try airlock(["check"] + Self.outputs, in: dir)
    #expect(text.status == 1, "values.csv needs review (C007)")
    for (kind, position) in Self.expected {
      #expect(text.stdout.contains("\(kind) at \(position)"), "text: \(kind)\n\(text.stdout)")
    }
    #expect(text.stdout.contains("reason: decades fixed in the protocol"))

    let json = try airlock(["check", "--format", "json"] + Self.outputs, in: dir)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let claims = ((document["outputs"] as? [[String: Any]]) ?? []).flatMap { ($0["claims"] as? [[String: Any]]) ?? [] }
    #expect(Set(claims.compactMap { $0["kind"] as? String }) == Set(Self.expected.map(\.kind)))
    #expect(claims.allSatisfy { ($0["rules"] as? [String])?.isEmpty == false })

    // Public formats: kind, position and rule codes; never a label, column name or reason.
    let sarif = try airlock(["check", "--format", "sarif"] + Self.outputs, in: dir)
    let junit = try airlock(["check", "--format", "junit"] + Self.outputs, in: dir)
    let github = try airlock(["check", "--format", "github"] + Self.outputs, in: dir)
    for (name, report) in [("sarif", sarif.stdout), ("junit", junit.stdout), ("github", github.stdout)] {
      for (kind, position) in Self.expected {
        #expect(report.contains("claim \(kind) (\(position)) relaxes"), "\(name): \(kind)")
      }
      // (The SARIF rule help quotes the rules' own examples; the claims' lines must not.)
      let claimLines = report.split(separator: "\n").filter { $0.contains("claim") || $0.contains("detail") }
      #expect(!claimLines.isEmpty)
      for secret in ["Male", "decades", "North East", "all_regions", "'value'", "detail"] {
        #expect(!claimLines.contains { $0.contains(secret) }, "\(name) names '\(secret)'")
      }
    }
    #expect(sarif.stdout.contains("\"level\" : \"note\""))
    #expect(
      github.stdout.contains("::notice file=births.airlock.yaml,line=4,col=5,title=airlock claim structural-zeros::"))

    let html = try airlock(["report", "--html", "-", "-q"] + Self.outputs, in: dir)
    #expect(html.stdout.contains("Claims taken on trust"))
    for (kind, position) in Self.expected {
      #expect(html.stdout.contains("\(kind) at \(position)"), "html: \(kind)")
    }
  }

  @Test func safeLookAlikesMakeNoClaims() throws {
    // The same tables with nothing declared away: no claims, in any format.
    let dir = folder([
      "births.csv": "sex,outcome,count\nFemale,live,120\nFemale,still,15\nMale,live,30\nMale,still,12\n",
      "births.airlock.yaml": "dimensions: [sex, outcome]\ncounts: [count]\n",
      "ages.csv": "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n",
      "ages.airlock.yaml": "kind: histogram\ndesign_limits: false\n",
    ])
    let json = try airlock(["check", "--format", "json", "births.csv"], in: dir)
    #expect(json.status == 0 && !json.stdout.contains("\"claims\" : [\n        {"), "\(json.stdout)")
    let text = try airlock(["check", "births.csv", "ages.csv"], in: dir)
    #expect(!text.stdout.contains("claims"), "\(text.stdout)")
  }

  @Test func designLimitsWithoutAReasonExit2AtTheKey() throws {
    let dir = folder([
      "ages.csv": "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n",
      "ages.airlock.yaml": "kind: histogram\ndesign_limits: {lower: 0, upper: 20}\n",
    ])
    let run = try airlock(["check", "ages.csv"], in: dir)
    #expect(run.status == 2)
    #expect(
      run.stdout.contains("ages.airlock.yaml:2:1:") && run.stdout.contains("design limits need a reason"),
      "\(run.stdout)\(run.stderr)")
  }

  /// Submit, vote without and with --accept-claims, approve, release, verify, and find the claims
  /// and who accepted them in the signed record.
  @Test func claimsAreAcceptedAndSignedIntoTheRecord() throws {
    let dir = try setUp()
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
    #expect(try airlock(["init", "--trust", "allowed_signers"], in: dir, environment: env).status == 0)
    let submit = try airlock(
      [
        "submit", "births.csv", "--project", "p1", "--group", "g", "--context", "births", "--controls", "none", "--key",
        "alice.key",
      ],
      in: dir, environment: env)
    #expect(submit.status == 0, "\(submit.stderr)")
    let id = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

    let show = try airlock(["show", id, "--key", "bob.key"], in: dir, environment: env)
    #expect(show.stdout.contains("claims (taken on trust"), "\(show.stdout)")
    #expect(
      show.stdout.contains("structural-zeros at births.airlock.yaml:4:5: zeros where sex = 'Male' are structural"))
    #expect(try airlock(["queue", "--key", "bob.key"], in: dir, environment: env).stdout.contains("claims 1"))

    let refused = try airlock(["vote", id, "births.csv", "approve", "--key", "bob.key"], in: dir, environment: env)
    #expect(refused.status == 2)
    #expect(
      refused.stderr.contains("--accept-claims")
        && refused.stderr.contains("structural-zeros at births.airlock.yaml:4:5"))
    // Requesting changes needs no acceptance (and is replaced by the approval below).
    #expect(
      try airlock(
        ["vote", id, "births.csv", "request-changes", "--comment", "why?", "--key", "carol.key"], in: dir,
        environment: env
      )
      .status == 0)
    for checker in ["bob", "carol"] {
      let vote = try airlock(
        [
          "vote", id, "births.csv", "approve", "--accept-claims", "--comment", "Male births are structural", "--key",
          "\(checker).key",
        ],
        in: dir, environment: env)
      #expect(vote.status == 0, "\(vote.stderr)")
      #expect(try airlock(["submit-review", id, "--key", "\(checker).key"], in: dir, environment: env).status == 0)
    }
    #expect(try airlock(["approve", id, "--key", "bob.key"], in: dir, environment: env).status == 0)
    let accepted = try airlock(["show", id, "--key", "bob.key"], in: dir, environment: env)
    #expect(accepted.stdout.contains("vote by bob@tre: approved accepting claims"), "\(accepted.stdout)")
    let html = try airlock(["report", id, "--html", "-", "-q", "--key", "bob.key"], in: dir, environment: env)
    #expect(
      html.stdout.contains("Claims taken on trust")
        && html.stdout.contains("structural-zeros at births.airlock.yaml:4:5"))
    #expect(html.stdout.contains("bob@tre: approved (accepted the claims)"), "\(html.stdout)")
    let release = try airlock(["release", id, "--to", "out", "--key", "ops.key"], in: dir, environment: env)
    #expect(release.status == 0, "\(release.stderr)")
    let record = "out/\(id).review.json"
    let vkey = dir.appendingPathComponent("store/log/log.vkey").path
    let verify = try airlock(
      ["verify", record, "--trust", "allowed_signers", "--files", "out", "--log-key", vkey], in: dir)
    #expect(verify.status == 0, "\(verify.stderr)")

    // The claims and the acceptances are in the signed predicate.
    let envelope = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(record))) as? [String: Any])
    let payload = try #require(Data(base64Encoded: envelope["payload"] as? String ?? ""))
    let statement = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
    let predicate = try #require(statement["predicate"] as? [String: Any])
    let files = try #require((predicate["checks"] as? [String: Any])?["files"] as? [[String: Any]])
    let births = try #require(files.first { $0["name"] as? String == "births.csv" })
    let claims = try #require(births["claims"] as? [[String: Any]])
    #expect(claims.map { $0["kind"] as? String } == ["structural-zeros"])
    #expect(claims.first?["rules"] as? [String] == ["C002", "C003"])
    let digest = try #require(births["claimsDigest"] as? String)
    let reviews = try #require(predicate["reviews"] as? [[String: Any]])
    #expect(reviews.count == 2)
    for review in reviews {
      let votes = try #require(review["votes"] as? [[String: Any]])
      #expect(votes.first?["acceptedClaims"] as? String == digest)
    }
  }
}
