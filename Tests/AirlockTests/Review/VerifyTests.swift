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
    #expect(report.notes.contains { $0.contains("does not verify under any trusted reviewer key") })
  }

  @Test func anExpiredKeyDoesNotCount() throws {
    let (f, _, _, record) = try released()
    let expired = f.trustText.replacingOccurrences(
      of: "bob@tre namespaces=\"airlock-review\"", with: "bob@tre namespaces=\"airlock-review\",valid-before=\"20200101\"")
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
    #expect(RecordVerifier.verify(env.json(), policy: .init(trust: f.trust)).failures.first?.contains("payloadType") == true)
    #expect(!RecordVerifier.verify(Data("{}".utf8), policy: .init(trust: f.trust)).verified)
  }
}
