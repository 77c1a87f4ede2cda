import Foundation
import Testing

@testable import Airlock

/// The review workflow feeds the decision log at its one commit point.
@Suite struct DecisionLogTests {
  func entries(_ f: ReviewFixture) throws -> [LogEntry] {
    try f.store.decisionLog().readEntries().entries.map { try LogEntry.parse($0) }
  }

  func eventCount(_ f: ReviewFixture) throws -> Int {
    try f.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 }
  }

  @Test func everyDecisionOfTheWorkflowLandsInTheLog() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let approved = try f.approvedRequest()
    _ = try f.workflow.release(approved, to: f.folder.appendingPathComponent("out").path, key: f.ops)
    let rejected = try f.submit()
    _ = try f.approveAll(rejected, by: f.bob)
    try f.workflow.vote(rejected, file: "table.csv", .changesRequested, comment: "too small", key: f.carol)
    _ = try f.workflow.submitReview(rejected, key: f.carol)
    try f.workflow.reject(rejected, comment: "no", key: f.bob)
    let withdrawn = try f.submit()
    try f.workflow.returnRequest(withdrawn, comment: "early", key: f.bob)
    try f.workflow.withdraw(withdrawn, key: f.alice)

    let log = try entries(f)
    #expect(log.count == (try eventCount(f)))
    #expect(log.map(\.index) == Array(0..<log.count))
    #expect(
      Set(log.map(\.event)) == [
        "submit", "vote", "submit-review", "approve", "release", "reject", "return", "withdraw",
      ])
    #expect(
      log.filter { $0.decision != nil }.map { "\($0.request):\($0.decision!)" } == [
        "\(approved):APPROVED", "\(approved):RELEASED", "\(rejected):REJECTED", "\(withdrawn):WITHDRAWN",
      ])
    let approval = log.first { $0.decision == "APPROVED" }!
    #expect(approval.signers?.count == 2 && approval.actor.role == "checker" && approval.rulePack.name == "opensafely")
    #expect(try f.store.decisionLog().verify().problems.isEmpty)

    // The record's receipt verifies under the log key and commits to the record's payload.
    let receipt = try f.workflow.logReceipt(approved)
    let vkey = try f.store.decisionLog().verifier
    #expect(try receipt.verify(vkey).size == log.count)
    let payload = try Envelope.parse(try f.workflow.record(approved)).body!
    #expect(try LogEntry.parse(receipt.entry).statementSha256 == Digest.sha256(payload))
    #expect(
      FileManager.default.fileExists(atPath: f.folder.appendingPathComponent("out/\(approved).review.tlog-proof").path))
  }

  @Test func aLogEnabledLaterCatchesUpFromTheSignedHistory() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    try f.store.enableLog(origin: "tre.example/airlock/log")
    #expect(try entries(f).map(\.event) == ["submit", "vote", "submit-review"])
  }

  @Test func aCrashBetweenCommitAndAppendIsCaughtUp() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.submit()
    // Simulate a process that committed and died before appending: hide the log for one change.
    let vkey = try f.store.decisionLog().vkeyPath
    try FileManager.default.moveItem(atPath: vkey, toPath: vkey + ".hidden")
    try f.workflow.vote(id, file: "table.csv", .approved, comment: "ok", key: f.bob)
    try FileManager.default.moveItem(atPath: vkey + ".hidden", toPath: vkey)
    #expect(try entries(f).count == 1)
    _ = try f.workflow.submitReview(id, key: f.bob)  // the next change catches up first
    #expect(try entries(f).map(\.event) == ["submit", "vote", "submit-review"])
    #expect(try f.store.syncLog() != nil)
    #expect(try entries(f).count == 3)
  }

  @Test func aStoreWhoseLogKeyIsMissingRefusesChanges() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    unlink(f.store.logKeyPath())
    #expect(throws: AirlockError.self) { _ = try f.submit() }
    #expect(try f.workflow.summaries().isEmpty)
  }
}
