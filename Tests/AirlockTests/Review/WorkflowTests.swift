import Foundation
import GRDB
import Testing

@testable import Airlock

/// Every state transition of the review workflow, and every forbidden one.
@Suite struct ReviewWorkflowTests {
  @Test func wholeRequestGoesFromSubmitToReleased() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    #expect(try f.status(id) == .submitted)
    var result = try f.approveAll(id, by: f.bob)
    #expect(result.status == .partiallyReviewed && !result.recordReady)
    result = try f.approveAll(id, by: f.carol)
    #expect(result.status == .reviewed && result.recordReady && result.signatures == 1)
    result = try f.workflow.approve(id, key: f.bob)
    #expect(result.status == .approved && result.signatures == 2)
    let out = f.folder.appendingPathComponent("out").path
    let release = try f.workflow.release(id, to: out, key: f.ops)
    #expect(release.copied == ["table.csv"])
    #expect(try f.status(id) == .released)
    let record = try Data(contentsOf: URL(fileURLWithPath: release.recordPath))
    let report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: release.recordPath)
    #expect(report.failures == [])
    #expect(Set(report.reviewers) == ["bob@tre", "carol@tre"])
    #expect(try String(contentsOfFile: out + "/table.csv", encoding: .utf8) == "region,count\nNorth,15\nSouth,40\n")
  }

  @Test func recordIsAnInTotoStatementWithEverythingTheIssueAsksFor() throws {
    let f = ReviewFixture()
    let supporting = write("n\n42\n", to: "counts.csv", in: f.folder)
    let id = try f.workflow.submit(
      outputs: [f.output("table.csv", "region,count\nNorth,3\nSouth,40\n")], supporting: [supporting], project: "p1",
      group: "g", context: "c", controls: "k", exception: "North is a national aggregate", key: f.alice)
    // The exception is a claim on the failing output: approving it accepts the claim.
    _ = try f.approveAll(id, by: f.bob, acceptClaims: true)
    _ = try f.approveAll(id, by: f.carol, acceptClaims: true)
    try f.workflow.approve(id, key: f.bob)
    let envelope = try Envelope.parse(try f.workflow.record(id))
    #expect(envelope.payloadType == "application/vnd.in-toto+json")
    #expect(envelope.signatures.allSatisfy { $0.sig.count % 4 == 0 && $0.sig.hasSuffix("=") })
    #expect(Set(envelope.signatures.map(\.keyid)) == [f.bob.publicKey.keyid, f.carol.publicKey.keyid])
    let statement = try JSONDecoder().decode(ReviewStatement.self, from: envelope.body!)
    #expect(statement.type == "https://in-toto.io/Statement/v1")
    #expect(statement.subject.map(\.name) == ["table.csv"])  // supporting files are never released
    let p = statement.predicate
    #expect(p.request.id == id && p.request.project == "p1" && p.request.author.principal == "alice@tre")
    #expect(p.rulePack.name == "opensafely" && p.rulePack.digest["sha256"]?.count == 64)
    #expect(p.decision.outcome == "APPROVED")
    #expect(p.reviews.map(\.reviewer.principal).sorted() == ["bob@tre", "carol@tre"])
    #expect(p.checks.result == "FAILED")
    #expect(!p.checks.overridden.isEmpty)
    #expect(p.checks.overridden[0].exception == "North is a national aggregate")
    #expect(p.checks.overridden[0].justifications.map(\.comment) == ["safe", "safe"])
    #expect(p.checks.files.contains { $0.name == "counts.csv" && $0.kind == "supporting" })
  }

  @Test func authorCanNeverReviewTheirOwnRequest() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    #expect(
      refuses("an author can never review") {
        try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.aliceChecker)
      })
    #expect(refuses("an author can never review") { _ = try f.workflow.submitReview(id, key: f.aliceChecker) })
    #expect(
      refuses("not trusted for role 'airlock-review'") {
        try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.alice)
      })
    #expect(try f.workflow.queue(key: f.aliceChecker).isEmpty)
  }

  @Test func rolesComeFromTheTrustList() throws {
    let f = ReviewFixture()
    #expect(
      refuses("not trusted for role 'airlock-submit'") {
        _ = try f.workflow.submit(
          outputs: [f.output()], project: "p", group: "g", context: "c", controls: "k", key: f.bob)
      })
    let id = try f.submit()
    #expect(refuses("not trusted") { try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.ops) })
    #expect(
      refuses("not trusted") { try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.mallory) })
  }

  @Test func submitNeedsOutputsContextAndControls() throws {
    let f = ReviewFixture()
    #expect(
      refuses("at least one output") {
        _ = try f.workflow.submit(outputs: [], project: "p", group: "g", context: "c", controls: "k", key: f.alice)
      })
    #expect(
      refuses("--controls must not be empty") {
        _ = try f.workflow.submit(
          outputs: [f.output()], project: "p", group: "g", context: "c", controls: " ", key: f.alice)
      })
  }

  @Test func votingRules() throws {
    let f = ReviewFixture()
    let supporting = write("n\n1\n", to: "notes.csv", in: f.folder)
    let id = try f.submit(supporting: [supporting])
    #expect(
      refuses("a comment is required") {
        try f.workflow.vote(id, file: "table.csv", .changesRequested, comment: nil, key: f.bob)
      })
    #expect(
      refuses("supporting file") { try f.workflow.vote(id, file: "notes.csv", .approved, comment: nil, key: f.bob) })
    #expect(refuses("has no file") { try f.workflow.vote(id, file: "other.csv", .approved, comment: nil, key: f.bob) })
    #expect(refuses("vote on every output file") { _ = try f.workflow.submitReview(id, key: f.bob) })
    _ = try f.approveAll(id, by: f.bob)
    #expect(
      refuses("already submitted") { try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.bob) })
    #expect(refuses("already submitted") { _ = try f.workflow.submitReview(id, key: f.bob) })
    #expect(refuses("not reviewed") { try f.workflow.approve(id, key: f.carol) })
  }

  @Test func reviewsAreBlindUntilBothAreIn() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    try f.workflow.vote(id, file: "table.csv", .changesRequested, comment: "round North", key: f.carol)
    var carolView = try f.workflow.show(id, key: f.carol)
    #expect(carolView.votes.map(\.reviewer) == ["carol@tre"])
    #expect(carolView.decisions == nil)
    #expect(!carolView.comments.contains { $0.author == "bob@tre" })
    #expect(try f.workflow.show(id, key: f.alice).votes.isEmpty)
    _ = try f.workflow.submitReview(id, key: f.carol)
    carolView = try f.workflow.show(id, key: f.carol)
    #expect(Set(carolView.votes.map(\.reviewer)) == ["bob@tre", "carol@tre"])
    #expect(carolView.decisions?["table.csv"] == .conflicted)
    #expect(try f.workflow.show(id, key: f.alice).votes.isEmpty)  // still the checkers' turn
  }

  @Test func returnAndResubmitCarryApprovalsAndResetRequestedChanges() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    try f.workflow.vote(id, file: "table.csv", .changesRequested, comment: "round North", key: f.carol)
    _ = try f.workflow.submitReview(id, key: f.carol)
    #expect(try f.status(id) == .reviewed)
    #expect(refuses("not every output file") { try f.workflow.approve(id, key: f.bob) })
    #expect(refuses("--comment must tell the author") { try f.workflow.returnRequest(id, comment: nil, key: f.bob) })
    try f.workflow.returnRequest(id, comment: "see carol's note", key: f.bob)
    #expect(try f.status(id) == .returned)
    #expect(try f.workflow.show(id, key: f.alice).votes.count == 2)  // the author sees them now
    #expect(refuses("--comment must say what changed") { try f.workflow.resubmit(id, comment: nil, key: f.alice) })
    try f.workflow.resubmit(id, comment: "explained North", key: f.alice)
    let view = try f.workflow.show(id, key: f.bob)
    #expect(view.status == .submitted && view.turn == 3)
    #expect(view.votes.first { $0.reviewer == "bob@tre" }?.status == .approved)
    _ = try f.workflow.submitReview(id, key: f.bob)  // bob's approval carried over
    #expect(refuses("vote on every output file") { _ = try f.workflow.submitReview(id, key: f.carol) })
    let result = try f.approveAll(id, by: f.carol)
    #expect(result.status == .reviewed && result.signatures == 1)
    #expect(try f.workflow.approve(id, key: f.bob).status == .approved)
  }

  @Test func aChangedFileLosesItsVotes() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    try f.workflow.returnRequest(id, comment: nil, key: f.bob)  // early return
    let changed = f.output("table.csv", "region,count\nNorth,20\nSouth,40\n")
    try f.workflow.resubmit(id, files: [changed], comment: "rounded", key: f.alice)
    #expect(try f.workflow.show(id, key: f.bob).votes.isEmpty)
    #expect(refuses("vote on every output file") { _ = try f.workflow.submitReview(id, key: f.bob) })
  }

  @Test func anEarlyReturnResetsThisTurnsVotes() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.carol)
    try f.workflow.returnRequest(id, comment: nil, key: f.dave)
    let votes = try f.workflow.show(id, key: f.alice).votes
    #expect(votes.map(\.reviewer) == ["bob@tre"])  // carol had not submitted: her vote is gone
    #expect(votes[0].status == .undecided)
    try f.workflow.resubmit(id, comment: nil, key: f.alice)  // no changes were requested
    #expect(refuses("vote on every output file") { _ = try f.workflow.submitReview(id, key: f.bob) })
  }

  @Test func aThirdCheckerCanBreakATie() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    try f.workflow.vote(id, file: "table.csv", .changesRequested, comment: "no", key: f.carol)
    _ = try f.workflow.submitReview(id, key: f.carol)
    let result = try f.approveAll(id, by: f.dave)
    #expect(result.status == .reviewed && result.recordReady && result.signatures == 1)
    #expect(refuses("did not approve every output") { try f.workflow.approve(id, key: f.carol) })
    #expect(try f.workflow.approve(id, key: f.bob).status == .approved)
    #expect(refuses("it is approved, not reviewed") { try f.workflow.approve(id, key: f.bob) })
  }

  @Test func withdrawRejectAndFinalStates() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    #expect(refuses("only a returned request can be withdrawn") { try f.workflow.withdraw(id, key: f.alice) })
    #expect(refuses("only a reviewed request") { try f.workflow.reject(id, comment: nil, key: f.bob) })
    #expect(refuses("not returned") { try f.workflow.resubmit(id, comment: "x", key: f.alice) })
    try f.workflow.returnRequest(id, comment: "please explain", key: f.bob)
    #expect(refuses("not trusted for role 'airlock-submit'") { try f.workflow.withdraw(id, key: f.bob) })
    try f.workflow.withdraw(id, key: f.alice)
    #expect(try f.status(id) == .withdrawn)
    #expect(refuses("not returned") { try f.workflow.resubmit(id, comment: "x", key: f.alice) })
    #expect(refuses("cannot vote") { try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.bob) })

    let other = try f.submit()
    _ = try f.approveAll(other, by: f.bob)
    try f.workflow.vote(other, file: "table.csv", .changesRequested, comment: "practice-level data", key: f.carol)
    _ = try f.workflow.submitReview(other, key: f.carol)
    try f.workflow.reject(other, comment: "not a permitted output", key: f.carol)
    #expect(try f.status(other) == .rejected)
    #expect(refuses("cannot return") { try f.workflow.returnRequest(other, comment: "x", key: f.bob) })
    #expect(refuses("not approved") { _ = try f.workflow.release(other, to: f.folder.path + "/out", key: f.ops) })
  }

  @Test func queueShowsWhatAwaitsEachChecker() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    let carol = try f.workflow.queue(key: f.carol)
    #expect(carol.map(\.category) == ["awaiting-you"])
    #expect(carol[0].reviewsSubmitted == 1 && carol[0].outputs == ["table.csv"] && carol[0].checks["pass"] == 1)
    #expect(try f.workflow.queue(key: f.bob).map(\.category) == ["in-review"])
    _ = try f.approveAll(id, by: f.carol)
    #expect(try f.workflow.queue(key: f.bob).first?.action == "approve: sign the review record")
  }

  /// The queue reads every request at once (issue 8): each request still gets its own files, vote
  /// count, review count and category, and the author never sees their own.
  @Test func queueKeepsEachRequestsCountsApart() throws {
    let f = ReviewFixture()
    let notes = f.output("notes.txt", "how the table was made\n")
    // Submitted a minute apart, so that the queue's order (by submission time) is known.
    func at(_ minute: Double) -> ReviewWorkflow {
      ReviewWorkflow(store: f.store, now: { Date(timeIntervalSince1970: 1_750_000_000 + minute * 60) })
    }
    let two = try at(0).submit(
      outputs: [f.output("a.csv"), f.output("b.csv", "region,count\nNorth,2\nSouth,40\n")], supporting: [notes],
      project: "p2", group: "g", context: "c", controls: "c", key: f.alice)
    let one = try at(1).submit(
      outputs: [f.output()], project: "p1", group: "g", context: "c", controls: "c", key: f.alice)
    // (A different context: an identical open request would be answered with `one`'s id.)
    let returned = try at(2).submit(
      outputs: [f.output()], project: "p1", group: "g", context: "c2", controls: "c", key: f.alice)
    try f.workflow.vote(two, file: "a.csv", .approved, comment: nil, key: f.carol)
    _ = try f.approveAll(one, by: f.bob)
    try f.workflow.returnRequest(returned, comment: "later", key: f.dave)
    let carol = try f.workflow.queue(key: f.carol)
    #expect(carol.map(\.id) == [two, one, returned])
    #expect(carol.map(\.category) == ["awaiting-you", "awaiting-you", "returned"])
    #expect(carol[0].outputs == ["a.csv", "b.csv"] && carol[0].supporting == ["notes.txt"])
    #expect(carol[0].action == "vote (1 of 2 output files voted), then submit-review" && carol[0].reviewsSubmitted == 0)
    #expect(carol[0].checks.values.reduce(0, +) == 2)
    #expect(carol[1].outputs == ["table.csv"] && carol[1].supporting.isEmpty && carol[1].reviewsSubmitted == 1)
    #expect(carol[1].action == "vote (0 of 1 output files voted), then submit-review")
    let bob = try f.workflow.queue(key: f.bob)
    #expect(bob.map(\.category) == ["awaiting-you", "in-review", "returned"] && bob.map(\.id) == [two, one, returned])
    #expect(try f.workflow.queue(key: f.aliceChecker).isEmpty)
  }

  @Test func releaseIsSafeToRepeatAndRefusesOverwritesAndSymlinks() throws {
    let f = ReviewFixture()
    let id = try f.approvedRequest()
    #expect(
      refuses("not trusted for role 'airlock-release'") {
        _ = try f.workflow.release(id, to: f.folder.path + "/o", key: f.bob)
      })
    let out = f.folder.appendingPathComponent("out").path
    _ = try f.workflow.release(id, to: out, key: f.ops)
    let again = try f.workflow.release(id, to: out, key: f.ops)
    #expect(again.copied.isEmpty && again.alreadyPresent == ["table.csv"])

    let clash = f.folder.appendingPathComponent("clash").path
    try FileManager.default.createDirectory(atPath: clash, withIntermediateDirectories: true)
    write("something else", to: "table.csv", in: URL(fileURLWithPath: clash))
    #expect(refuses("refusing to overwrite") { _ = try f.workflow.release(id, to: clash, key: f.ops) })

    let linked = f.folder.appendingPathComponent("linked").path
    try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: true)
    symlink("/etc/passwd", linked + "/table.csv")
    #expect(refuses("symbolic link") { _ = try f.workflow.release(id, to: linked, key: f.ops) })

    let linkFolder = f.folder.appendingPathComponent("link-folder").path
    symlink(out, linkFolder)
    #expect(refuses("symbolic link") { _ = try f.workflow.release(id, to: linkFolder, key: f.ops) })
  }

  @Test func aRecordReplayedForAnotherRequestIsRefused() throws {
    let f = ReviewFixture()
    let first = try f.approvedRequest()
    let second = try f.approvedRequest()
    let stolen = try f.workflow.record(first)
    try f.store.pool.write { db in
      try db.execute(
        sql: "UPDATE record SET envelope = ? WHERE request_id = ?",
        arguments: [String(decoding: stolen, as: UTF8.self), second])
    }
    #expect(
      refuses("replayed from another request") {
        _ = try f.workflow.release(second, to: f.folder.path + "/out", key: f.ops)
      })
    let report = RecordVerifier.verify(stolen, policy: .init(trust: f.trust, expectedRequest: second))
    #expect(report.failures.contains { $0.contains("replayed") })
  }

  @Test func onePersonWithTwoKeysSignsOnce() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.carol)
    let result = try f.approveAll(id, by: f.bob)
    #expect(result.status == .reviewed && result.signatures == 1)  // carol reviewed first, so only bob signed
    #expect(refuses("bob@tre already signed") { try f.workflow.approve(id, key: f.bobSecond) })
    #expect(refuses("already submitted") { _ = try f.workflow.submitReview(id, key: f.bobSecond) })
    #expect(try f.workflow.approve(id, key: f.carol).status == .approved)
  }

  @Test func hiddenOrNonPlainNamesAreRefusedAtSubmission() throws {
    let f = ReviewFixture()
    let hidden = write("a,b\n1,2\n", to: ".hidden.csv", in: f.folder)
    #expect(
      refuses("cannot be released under that name") {
        _ = try f.workflow.submit(
          outputs: [hidden], project: "p", group: "g", context: "c", controls: "k", key: f.alice)
      })
  }

  @Test func historyIsSignedAndChained() throws {
    let f = ReviewFixture()
    let id = try f.approvedRequest()
    #expect(try f.workflow.show(id, key: f.bob).historyProblems == [])
    try f.store.pool.write { db in
      try db.execute(
        sql: "DELETE FROM event WHERE id = (SELECT id FROM event WHERE request_id = ? AND type = 'vote' LIMIT 1)",
        arguments: [id])
      try db.execute(
        sql: "UPDATE event SET actor_principal = 'dave@tre' WHERE request_id = ? AND type = 'approve'", arguments: [id])
    }
    let problems = try f.workflow.show(id, key: f.bob).historyProblems
    #expect(problems.contains { $0.contains("history edited") })
    #expect(problems.contains { $0.contains("differs from its signed payload") })
  }

  @Test func aStoreMigratesOnceAndReopens() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    let reopened = try ReviewStore.create(at: f.store.root)
    #expect(try ReviewWorkflow(store: reopened).summaries(id).count == 1)
    #expect(try ReviewStore.open(at: f.store.root).config().rules == "opensafely")
    #expect(refuses("no review store") { _ = try ReviewStore.open(at: f.folder.appendingPathComponent("none")) })
  }
}
