import Foundation
import Testing

@testable import Airlock

/// `RecordVerifier.verify(_:recordPath:receiptPath:policy:files:)`: the record together with its
/// log receipt, as `airlock verify` checks it (moved out of the CLI, issue 20).
@Suite struct RecordReceiptTests {
  /// A released request of a store that keeps a log, verified without its folder.
  func released() throws -> (ReviewFixture, recordPath: String, record: Data, logKey: NoteVerifier) {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.approvedRequest()
    let result = try f.workflow.release(id, to: f.folder.appendingPathComponent("out").path, key: f.ops)
    return (
      f, result.recordPath, try Data(contentsOf: URL(fileURLWithPath: result.recordPath)),
      try f.store.decisionLog().verifier
    )
  }

  @Test func theDefaultReceiptIsBesideTheRecord() {
    #expect(RecordVerifier.defaultReceiptPath(forRecord: "out/req-1.json") == "out/req-1.tlog-proof")
    #expect(RecordVerifier.defaultReceiptPath(forRecord: "record") == "record.tlog-proof")
  }

  @Test func withALogKeyTheReceiptMustBeThereAndVerify() throws {
    let (f, recordPath, record, logKey) = try released()
    let receiptPath = RecordVerifier.defaultReceiptPath(forRecord: recordPath)
    #expect(FileManager.default.fileExists(atPath: receiptPath), "release writes the receipt beside the record")
    let policy = VerificationPolicy(trust: f.trust, logKey: logKey)
    let good = RecordVerifier.verify(record, recordPath: recordPath, receiptPath: receiptPath, policy: policy)
    #expect(good.verified, "\(good.failures)")
    // A receipt that is not there is a failure with --log-key: nothing checked the record was logged.
    let missing = RecordVerifier.verify(
      record, recordPath: recordPath, receiptPath: receiptPath + ".gone", policy: policy)
    #expect(!missing.verified)
    #expect(missing.failures.contains { $0.contains("no log receipt for the record") }, "\(missing.failures)")
    // A receipt that is not this record's fails.
    let forged = f.folder.appendingPathComponent("forged.tlog-proof").path
    try Data("not a receipt\n".utf8).write(to: URL(fileURLWithPath: forged))
    let bad = RecordVerifier.verify(record, recordPath: recordPath, receiptPath: forged, policy: policy)
    #expect(!bad.verified)
    #expect(bad.failures.contains { $0.hasPrefix(forged) }, "\(bad.failures)")
  }

  @Test func withoutALogKeyAReceiptIsNotedAsNotChecked() throws {
    let (f, recordPath, record, _) = try released()
    let receiptPath = RecordVerifier.defaultReceiptPath(forRecord: recordPath)
    let report = RecordVerifier.verify(
      record, recordPath: recordPath, receiptPath: receiptPath, policy: .init(trust: f.trust))
    #expect(report.verified, "\(report.failures)")
    #expect(report.notes.contains { $0.contains("log receipt not checked") }, "\(report.notes)")
    // No receipt, no note.
    let none = RecordVerifier.verify(
      record, recordPath: recordPath, receiptPath: receiptPath + ".gone", policy: .init(trust: f.trust))
    #expect(none.verified && none.notes.isEmpty, "\(none.notes)")
  }
}
