import Foundation
import GRDB
import Testing

@testable import Airlock

/// Claims in the review workflow (issue 18 §3): stored with the request, accepted by name by each
/// approving checker, and signed into the record, whose verifier recomputes their digest.
@Suite struct ClaimsWorkflowTests {
  /// Submits `births.csv` with a structural-zeros manifest beside it.
  private func submitWithClaims(_ f: ReviewFixture) throws -> String {
    let path = f.output(
      "births.csv", "sex,outcome,count\nFemale,live,120\nFemale,still,15\nMale,live,0\nMale,still,0\n")
    write(
      "dimensions: [sex, outcome]\ncounts: [count]\nstructural_zeros:\n  - {sex: Male}\n", to: "births.airlock.yaml",
      in: f.folder)
    return try f.workflow.submit(outputs: [path], project: "p1", group: "g", context: "c", controls: "k", key: f.alice)
  }

  @Test func claimsAreStoredShownAndCountedInTheQueue() throws {
    let f = ReviewFixture()
    let id = try submitWithClaims(f)
    let view = try f.workflow.show(id, key: f.bob)
    let claims = try #require(view.files.first { $0.name == "births.csv" }?.claims)
    #expect(claims.map(\.kind) == [.structuralZeros])
    #expect(claims[0].file == "births.csv" && claims[0].manifest == "births.airlock.yaml" && claims[0].line == 4)
    #expect(claims[0].rules == ["C002", "C003"])
    #expect(try f.workflow.queue(key: f.bob).first { $0.id == id }?.claims == 1)
    // Stored in its own table, as well as in the check result.
    let stored = try f.store.read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request_claim WHERE request_id = ?", arguments: [id])
    }
    #expect(stored == 1)
  }

  @Test func approvingAFileWithClaimsNeedsThemAcceptedRejectingDoesNot() throws {
    let f = ReviewFixture()
    let id = try submitWithClaims(f)
    #expect(
      refuses("--accept-claims") { try f.workflow.vote(id, file: "births.csv", .approved, comment: nil, key: f.bob) })
    #expect(
      refuses("zeros where sex = 'Male' are structural") {
        try f.workflow.vote(id, file: "births.csv", .approved, comment: nil, key: f.bob)
      })
    try f.workflow.vote(id, file: "births.csv", .changesRequested, comment: "why are these structural?", key: f.carol)
    try f.workflow.vote(id, file: "births.csv", .approved, comment: nil, acceptClaims: true, key: f.bob)
    let votes = try f.workflow.show(id, key: f.bob).votes
    #expect(votes.first { $0.reviewer == "bob@tre" }?.acceptedClaims?.count == 64)
    // Blind review: carol's view of the history does not show that bob accepted the claims (only
    // an approval does), nor his vote.
    let history = try f.workflow.show(id, key: f.carol).history.filter { $0.type == "vote" && $0.actor == "bob@tre" }
    #expect(!history.isEmpty && history.allSatisfy { $0.detail["vote"] == nil && $0.detail["accepted_claims"] == nil })
    #expect(
      try f.workflow.show(id, key: f.bob).history.contains {
        $0.actor == "bob@tre" && $0.detail["accepted_claims"] != nil
      })
  }

  @Test func safeOutputsWithoutClaimsNeedNoAcceptance() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    #expect(try f.workflow.show(id, key: f.bob).files[0].claims.isEmpty)
    _ = try f.approveAll(id, by: f.bob)
    _ = try f.approveAll(id, by: f.carol)
    try f.workflow.approve(id, key: f.bob)
    let statement = try JSONDecoder().decode(
      ReviewStatement.self, from: try Envelope.parse(try f.workflow.record(id)).body!)
    #expect(
      statement.predicate.checks.files[0].claims == nil && statement.predicate.checks.files[0].claimsDigest == nil)
    #expect(RecordVerifier.verify(try f.workflow.record(id), policy: .init(trust: f.trust)).failures == [])
  }

  @Test func acceptedClaimsAreSignedIntoTheRecordAndVerified() throws {
    let f = ReviewFixture()
    let id = try submitWithClaims(f)
    _ = try f.approveAll(id, by: f.bob, file: "births.csv", acceptClaims: true)
    _ = try f.approveAll(id, by: f.carol, file: "births.csv", acceptClaims: true)
    try f.workflow.approve(id, key: f.bob)
    let data = try f.workflow.record(id)
    let report = RecordVerifier.verify(data, policy: .init(trust: f.trust))
    #expect(report.failures == [])
    let predicate = try #require(report.statement?.predicate)
    let file = try #require(predicate.checks.files.first { $0.name == "births.csv" })
    #expect(file.claims?.map(\.kind) == ["structural-zeros"])
    #expect(file.claims?.first?.rules == ["C002", "C003"] && file.claims?.first?.line == 4)
    let digest = try #require(file.claimsDigest)
    // Who accepted which claims: each reviewer's signed vote names the digest.
    for review in predicate.reviews {
      #expect(review.votes.first { $0.file == "births.csv" }?.acceptedClaims == digest)
    }
    // The record leaves the TRE: no label the claim names is in it.
    let body = try #require(try Envelope.parse(data).body)
    #expect(!String(decoding: body, as: UTF8.self).contains("Male"))

    // A claims list changed after the votes, even when re-signed by the same keys, fails.
    for tamper in [
      { (p: inout ReviewPredicate) in
        p.checks.files[0].claims = nil
        p.checks.files[0].claimsDigest = nil
      },
      { (p: inout ReviewPredicate) in
        p.checks.files[0].claims?[0].rules = ["C003"]
        p.checks.files[0].claimsDigest = ReviewPredicate.claimsDigest(p.checks.files[0].claims!)
      },
      { (p: inout ReviewPredicate) in p.checks.files[0].claims?[0].line = 9 },
    ] {
      var statement = try #require(report.statement)
      tamper(&statement.predicate)
      var envelope = Envelope(body: statement.encoded(), payloadType: Envelope.inTotoPayloadType)
      try envelope.sign(with: f.bob)
      try envelope.sign(with: f.carol)
      let forged = RecordVerifier.verify(envelope.json(), policy: .init(trust: f.trust))
      #expect(!forged.verified)
      #expect(forged.failures.contains { $0.contains("claims") }, "\(forged.failures)")
    }
    // Changed without re-signing: the signatures fail too.
    var text = String(decoding: try Envelope.parse(data).body!, as: UTF8.self)
    text = text.replacingOccurrences(of: "\"C002\",", with: "")
    var unsigned = Envelope(body: Data(text.utf8), payloadType: Envelope.inTotoPayloadType)
    unsigned.signatures = try Envelope.parse(data).signatures
    #expect(!RecordVerifier.verify(unsigned.json(), policy: .init(trust: f.trust)).verified)
  }

  @Test func theResearchersExceptionIsAClaimOnFailingOutputs() throws {
    let f = ReviewFixture()
    let failing = f.output("table.csv", "region,count\nNorth,3\nSouth,40\n")
    let id = try f.workflow.submit(
      outputs: [failing], project: "p1", group: "g", context: "c", controls: "k", exception: "North is an aggregate",
      key: f.alice)
    let claims = try f.workflow.show(id, key: f.bob).files[0].claims
    #expect(claims.map(\.kind) == [.exception])
    #expect(claims[0].rules.contains("C001"), "the rules the exception asks to set aside")
    #expect(
      refuses("--accept-claims") { try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.bob) })
  }
}

extension ClaimsWorkflowTests {
  @Test func aStoreMadeBeforeClaimsIsMigratedAndItsResultsStillRead() throws {
    let root = temporaryFolder().appendingPathComponent("store")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    do {
      let pool = try DatabasePool(path: root.appendingPathComponent("airlock.sqlite").path)
      try ReviewStore.migrator.migrate(pool, upTo: "v1")
    }
    let store = try ReviewStore.open(at: root)
    let columns = try store.read { db in try db.columns(in: "vote").map(\.name) }
    #expect(columns.contains("accepted_claims"))
    #expect(try store.read { db in try db.tableExists("request_claim") })
    // A check result stored before claims existed decodes with none.
    let old =
      #"{"file":"t.csv","outcome":"pass","declared":false,"cells":2,"rows":2,"findings":[],"omitted":[],"cellStoreBytes":0}"#
    let result = try JSONDecoder().decode(OutputResult.self, from: Data(old.utf8))
    #expect(result.claims.isEmpty && result.outcome == .pass && result.cells == 2)
  }
}
