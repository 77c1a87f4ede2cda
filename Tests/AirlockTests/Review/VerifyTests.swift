import Foundation
import Testing

@testable import Airlock

/// `airlock verify`'s conditions, and every tamper case of issue 5.
@Suite struct ReviewVerifyTests {
  /// A released request: its folder, its record, and the fixture.
  func released() throws -> (ReviewFixture, String, String, Data) {
    let f = ReviewFixture()
    let id = try f.approvedRequest()
    let out = f.folder.appendingPathComponent("out").path
    let result = try f.workflow.release(id, to: out, key: f.ops)
    return (f, out, result.recordPath, try Data(contentsOf: URL(fileURLWithPath: result.recordPath)))
  }

  func envelope(_ data: Data) throws -> Envelope { try Envelope.parse(data) }

  @Test func aFileChangedAfterApprovalFails() throws {
    let (f, out, recordPath, record) = try released()
    write("region,count\nNorth,16\nSouth,40\n", to: "table.csv", in: URL(fileURLWithPath: out))
    let report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: recordPath)
    #expect(report.failures.contains { $0.contains("changed after approval") })
  }

  @Test func missingAndExtraFilesFail() throws {
    let (f, out, recordPath, record) = try released()
    write("x", to: "extra.csv", in: URL(fileURLWithPath: out))
    var report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: recordPath)
    #expect(report.failures == ["extra file 'extra.csv' is not in the record"])
    try FileManager.default.removeItem(atPath: out + "/table.csv")
    try FileManager.default.removeItem(atPath: out + "/extra.csv")
    report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: recordPath)
    #expect(report.failures == ["missing file 'table.csv'"])
  }

  @Test func anEditedRecordFails() throws {
    let (f, _, _, record) = try released()
    var edited = try envelope(record)
    let text = String(decoding: edited.body!, as: UTF8.self).replacingOccurrences(of: "\"p1\"", with: "\"p2\"")
    edited.payload = Data(text.utf8).base64EncodedString()
    let report = RecordVerifier.verify(edited.json(), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("only 0 distinct trusted reviewer signatures") })
  }

  @Test func aSignatureByAnUntrustedKeyDoesNotCount() throws {
    let (f, _, _, record) = try released()
    var env = try envelope(record)
    env.signatures.removeLast()
    try env.sign(with: f.mallory)
    let report = RecordVerifier.verify(env.json(), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("only 1 distinct trusted reviewer signature") })
    #expect(report.failures.contains { $0.contains("does not verify under any trusted reviewer key") })
  }

  @Test func anExpiredKeyDoesNotCount() throws {
    let (f, _, _, record) = try released()
    let expired = f.trustText.replacingOccurrences(
      of: "bob@tre namespaces=\"airlock-review\"",
      with: "bob@tre namespaces=\"airlock-review\",valid-before=\"20200101\"")
    let report = RecordVerifier.verify(record, policy: .init(trust: try TrustList.parse(expired)))
    #expect(report.failures.contains { $0.contains("was not valid for airlock-review") })
    #expect(!report.verified)
  }

  @Test func oneKeySigningTwiceCountsOnce() throws {
    let (f, _, _, record) = try released()
    var env = try envelope(record)
    env.signatures[1] = env.signatures[0]
    let report = RecordVerifier.verify(env.json(), policy: .init(trust: f.trust))
    #expect(report.notes.contains { $0.contains("signed more than once") })
    #expect(report.failures.contains { $0.contains("only 1 distinct") })
  }

  @Test func theAuthorsSignatureNeverCounts() throws {
    let (f, _, _, record) = try released()
    var statement = try JSONDecoder().decode(ReviewStatement.self, from: try envelope(record).body!)
    statement.predicate.reviews[1].reviewer = .init(principal: "alice@tre", keyid: f.aliceChecker.publicKey.keyid)
    var forged = Envelope(body: statement.encoded(), payloadType: Envelope.inTotoPayloadType)
    let firstReviewer = statement.predicate.reviews[0].reviewer.principal == "bob@tre" ? f.bob : f.carol
    try forged.sign(with: firstReviewer)
    try forged.sign(with: f.aliceChecker)
    let report = RecordVerifier.verify(forged.json(), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("the author alice@tre signed as a reviewer") })
    #expect(!report.verified)
  }

  @Test func theThresholdIsTheVerifiersOrTheRecordsWhicheverIsHigher() throws {
    let (f, _, _, record) = try released()
    #expect(RecordVerifier.verify(record, policy: .init(trust: f.trust, minimumReviewers: 1)).verified)
    #expect(!RecordVerifier.verify(record, policy: .init(trust: f.trust, minimumReviewers: 3)).verified)
  }

  @Test func aWrongPayloadTypeOrNonEnvelopeFails() throws {
    let (f, _, _, record) = try released()
    var env = try envelope(record)
    env.payloadType = "application/json"
    #expect(
      RecordVerifier.verify(env.json(), policy: .init(trust: f.trust)).failures.first?.contains("payloadType") == true)
    #expect(!RecordVerifier.verify(Data("{}".utf8), policy: .init(trust: f.trust)).verified)
  }

  // MARK: - Issue 19 §3: every entry of the folder is accounted for

  /// A released folder of a store that keeps a log: its receipt is beside the record.
  func releasedWithLog() throws -> (ReviewFixture, String, String, Data, NoteVerifier) {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.approvedRequest()
    let out = f.folder.appendingPathComponent("out").path
    let result = try f.workflow.release(id, to: out, key: f.ops)
    return (
      f, out, result.recordPath, try Data(contentsOf: URL(fileURLWithPath: result.recordPath)),
      try f.store.decisionLog().verifier
    )
  }

  @Test func theReceiptInTheFolderIsVerifiedWheneverPresent() throws {
    let (f, out, recordPath, record, logKey) = try releasedWithLog()
    let receipt = out + "/" + ReviewWorkflow.receiptFileName(try f.workflow.summaries()[0].id)
    // Verified under the pinned key: the folder passes.
    var report = RecordVerifier.verify(
      record, policy: .init(trust: f.trust, logKey: logKey), files: out, ignoring: recordPath)
    #expect(report.failures == [])
    // Without the key nothing checked it: refused, not skipped.
    report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: recordPath)
    #expect(report.failures.contains { $0.contains("is a log receipt, and nothing checked it") })
    // Data in its place, or a link to any file on the machine, fails with the key too, and
    // wherever the record is read from.
    let elsewhere = f.folder.appendingPathComponent("record-copy.json").path
    try record.write(to: URL(fileURLWithPath: elsewhere))
    let genuine = try Data(contentsOf: URL(fileURLWithPath: receipt))
    try Data("the secret cell values\n".utf8).write(to: URL(fileURLWithPath: receipt))
    report = RecordVerifier.verify(
      record, policy: .init(trust: f.trust, logKey: logKey), files: out, ignoring: elsewhere)
    #expect(!report.verified)
    unlink(receipt)
    symlink("/etc/passwd", receipt)
    report = RecordVerifier.verify(
      record, policy: .init(trust: f.trust, logKey: logKey), files: out, ignoring: recordPath)
    #expect(report.failures.contains { $0.contains("is a symbolic link") })
    // Extra lines after a genuine receipt carry data: not canonical.
    unlink(receipt)
    try (genuine + Data("smuggled\n".utf8)).write(to: URL(fileURLWithPath: receipt))
    report = RecordVerifier.verify(
      record, policy: .init(trust: f.trust, logKey: logKey), files: out, ignoring: recordPath)
    #expect(!report.verified)
  }

  @Test func foldersAndHiddenFilesInTheFolderFail() throws {
    let (f, out, recordPath, record) = try released()
    try FileManager.default.createDirectory(atPath: out + "/secret-42", withIntermediateDirectories: false)
    var report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: recordPath)
    #expect(report.failures == ["'secret-42' is a folder; a released folder holds only files"])
    try FileManager.default.removeItem(atPath: out + "/secret-42")
    write("x", to: ".hidden", in: URL(fileURLWithPath: out))
    report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: recordPath)
    #expect(report.failures == ["extra file '.hidden' is not in the record"])
  }

  @Test func theRecordInTheFolderMustBeTheRecordVerified() throws {
    let (f, out, recordPath, record) = try released()
    let elsewhere = f.folder.appendingPathComponent("copy.json").path
    try record.write(to: URL(fileURLWithPath: elsewhere))
    #expect(
      RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: elsewhere).failures == [])
    try (record + Data(" ".utf8)).write(to: URL(fileURLWithPath: recordPath))
    let report = RecordVerifier.verify(record, policy: .init(trust: f.trust), files: out, ignoring: elsewhere)
    #expect(report.failures.contains { $0.contains("is not the record being verified") })
  }

  @Test func unknownMembersAndUnsignedEntriesInARecordAreRefused() throws {
    let (f, _, _, record) = try released()
    var object = try JSONSerialization.jsonObject(with: record) as! [String: Any]
    object["note"] = "the secret cell values"
    var report = RecordVerifier.verify(
      try JSONSerialization.data(withJSONObject: object), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("unknown member 'note'") })
    object["note"] = nil
    var signatures = object["signatures"] as! [[String: Any]]
    signatures[0]["extra"] = "data"
    object["signatures"] = signatures
    report = RecordVerifier.verify(try JSONSerialization.data(withJSONObject: object), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("unknown member 'extra'") })
    // An entry no trusted key signed, holding data.
    var env = try envelope(record)
    env.signatures.append(.init(keyid: "data", sig: Data("the secret cell values".utf8).base64EncodedString()))
    report = RecordVerifier.verify(env.json(), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("does not verify under any trusted reviewer key") })
    #expect(!report.verified)
    // A genuine signature whose key id hint carries data.
    env = try envelope(record)
    env.signatures[0].keyid = "the secret cell values"
    report = RecordVerifier.verify(env.json(), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("not its own") })
  }

  // MARK: - Issue 19 §7: duplicate members

  /// A payload holding "decision" twice, signed by both reviewers: airlock read the first value,
  /// Python reads the last. Refused.
  @Test func aPayloadWithADuplicateMemberIsRefused() throws {
    let (f, _, _, record) = try released()
    let body = String(decoding: try envelope(record).body!, as: UTF8.self)
    let approved = #""outcome":"APPROVED""#
    #expect(body.contains(approved))
    let doubled = body.replacingOccurrences(of: approved, with: approved + #","outcome":"REJECTED""#)
    var forged = Envelope(body: Data(doubled.utf8), payloadType: Envelope.inTotoPayloadType)
    try forged.sign(with: f.bob)
    try forged.sign(with: f.carol)
    let report = RecordVerifier.verify(forged.json(), policy: .init(trust: f.trust))
    #expect(report.failures.contains { $0.contains("duplicate JSON member") })
    #expect(!report.verified)
    // And in the envelope.
    let text = String(decoding: record, as: UTF8.self).replacingOccurrences(
      of: #""payloadType""#, with: #""payloadType" : "x", "payloadType""#)
    #expect(!RecordVerifier.verify(Data(text.utf8), policy: .init(trust: f.trust)).verified)
  }

  @Test func storedAndLoggedJSONWithADuplicateMemberIsRefused() throws {
    #expect(throws: AirlockError.self) { try LogEntry.parse(Data(#"{"index":0,"index":1}"#.utf8)) }
    #expect(throws: (any Error).self) {
      try JSONDuplicateCheck.decode([String: String].self, from: Data(#"{"a":"1","\u0061":"2"}"#.utf8))
    }
    #expect(
      try JSONDuplicateCheck.decode([String: [String: String]].self, from: Data(#"{"a":{"a":"1"},"b":{"a":"2"}}"#.utf8))
        .count == 2)
  }

  // MARK: - Issue 19 §5: expiry revokes

  /// A record dated 2025 by keys that expired at the start of 2026: verified in 2026 it fails
  /// (its signers chose its date); anchored by a log receipt to 2025, or with
  /// --trust-record-time, it verifies.
  @Test func aBackDatedRecordDoesNotOutliveItsKeys() throws {
    let f = ReviewFixture()
    let then = ISOTime.parse("2025-03-01T12:00:00Z")!
    var workflow = f.workflow
    workflow.now = { then }
    let id = try workflow.submit(
      outputs: [f.output()], project: "p1", group: "g", context: "c", controls: "k", key: f.alice)
    for key in [f.bob, f.carol] {
      try workflow.vote(id, file: "table.csv", .approved, comment: "ok", key: key)
      _ = try workflow.submitReview(id, key: key)
    }
    try workflow.approve(id, key: f.bob)
    let record = try workflow.record(id)
    let expiring = try TrustList.parse(
      f.trustText.replacingOccurrences(
        of: "namespaces=\"airlock-review\"", with: "namespaces=\"airlock-review\",valid-before=\"20260101\""))
    let later = ISOTime.parse("2026-06-01T00:00:00Z")!
    let report = RecordVerifier.verify(record, policy: .init(trust: expiring, anchor: later))
    #expect(!report.verified)
    #expect(report.failures.contains { $0.contains("when this record is verified (expired since") })
    #expect(RecordVerifier.verify(record, policy: .init(trust: expiring, anchor: then)).verified)
    #expect(
      RecordVerifier.verify(record, policy: .init(trust: expiring, anchor: later, trustRecordTime: true)).verified)
    // Keys still valid: verifies now as before.
    #expect(RecordVerifier.verify(record, policy: .init(trust: f.trust, anchor: later)).verified)
  }
}
