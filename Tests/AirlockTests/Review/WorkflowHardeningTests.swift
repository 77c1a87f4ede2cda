import Foundation
import Testing

@testable import Airlock

/// Issue 19 §4 and §9: blind review stays blind in every view and in the public log, and the
/// trust list is read as OpenSSH reads it.
@Suite struct WorkflowHardeningTests {
  /// Until both reviews are in, the history (which `show`, `show --json` and the HTML report
  /// print) says that the other checker voted, never how; the author sees no vote value at all.
  @Test func theHistoryKeepsOtherCheckersVotesBlind() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    _ = try f.approveAll(id, by: f.bob)
    try f.workflow.vote(id, file: "table.csv", .changesRequested, comment: "round North", key: f.carol)
    func votes(_ key: SigningKey) throws -> [String: String?] {
      let events = try f.workflow.show(id, key: key).history.filter { $0.type == "vote" }
      return Dictionary(events.map { ($0.actor, $0.detail["vote"]) }, uniquingKeysWith: { $1 })
    }
    #expect(try votes(f.carol) == ["bob@tre": nil, "carol@tre": "changes_requested"])
    #expect(try votes(f.bob) == ["bob@tre": "approved", "carol@tre": nil])
    #expect(try votes(f.alice) == ["bob@tre": nil, "carol@tre": nil])
    _ = try f.workflow.submitReview(id, key: f.carol)
    #expect(try votes(f.carol) == ["bob@tre": "approved", "carol@tre": "changes_requested"])
    #expect(try votes(f.alice) == ["bob@tre": nil, "carol@tre": nil])  // still the checkers' turn
  }

  /// The public log records that a checker voted, never the vote.
  @Test func thePublicLogNeverCarriesAVote() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.submit()
    try f.workflow.vote(id, file: "table.csv", .changesRequested, comment: "round North", key: f.carol)
    let lines = try f.store.decisionLog().readEntries().entries
    let votes = try lines.map { try LogEntry.parse($0) }.filter { $0.event == "vote" }
    #expect(votes.count == 1)
    #expect(votes.allSatisfy { $0.vote == nil })
    #expect(!lines.contains { String(decoding: $0, as: UTF8.self).contains("changes_requested") })
  }

  @Test func aCRLFTrustListIsReadLineByLine() throws {
    let f = ReviewFixture()
    let crlf = f.trustText.replacingOccurrences(of: "\n", with: "\r\n")
    let trust = try TrustList.parse(crlf)
    #expect(trust.entries.count == 7)
    #expect(trust.entries.map(\.line) == [1, 2, 3, 4, 5, 6, 7])
  }

  @Test func repeatedOptionsAndControlCharactersInPrincipalsAreRefused() throws {
    let key = SigningKey().publicKey.openSSH
    #expect(throws: AirlockError.self) {
      try TrustList.parse("a@tre namespaces=\"airlock-submit\",namespaces=\"airlock-review\" \(key)\n")
    }
    #expect(throws: AirlockError.self) {
      try TrustList.parse(
        "a@tre valid-after=\"20200101\",valid-after=\"20300101\",namespaces=\"airlock-review\" \(key)\n")
    }
    #expect(throws: AirlockError.self) { try TrustList.parse("a@tre\u{0}b namespaces=\"airlock-review\" \(key)\n") }
    #expect(throws: AirlockError.self) { try TrustList.parse("a@tre\u{1B}[2K namespaces=\"airlock-review\" \(key)\n") }
    // Safe look-alikes: one namespaces option naming two roles; two principals on a line.
    #expect(
      try TrustList.parse("a@tre namespaces=\"airlock-submit,airlock-review\" \(key)\n").entries[0].namespaces.count
        == 2)
    #expect(
      try TrustList.parse("a@tre,b@tre namespaces=\"airlock-review\" \(key)\n").entries[0].principals == [
        "a@tre", "b@tre",
      ])
  }

  @Test func addingToATrustListRefusesAKeyAlreadyHeldBySomeoneElse() throws {
    let key = SigningKey().publicKey
    var text = try TrustList.adding(to: "", principal: "bob@tre", role: .review, key: key, validBefore: "20991231")
    #expect(text == "bob@tre namespaces=\"airlock-review\",valid-before=\"20991231\" \(key.openSSH)\n")
    // The same person may hold another role with the same key.
    text = try TrustList.adding(to: text, principal: "bob@tre", role: .release, key: key)
    #expect(try TrustList.parse(text).entries.count == 2)
    #expect(
      refuses("already listed for bob@tre") {
        _ = try TrustList.adding(to: text, principal: "alice@tre", role: .submit, key: key)
      })
    #expect(
      refuses("already holds") { _ = try TrustList.adding(to: text, principal: "bob@tre", role: .release, key: key) })
    #expect(
      refuses("is not a principal") { _ = try TrustList.adding(to: "", principal: "a b", role: .review, key: key) })
    #expect(
      refuses("--valid-after must be") {
        _ = try TrustList.adding(to: "", principal: "a", role: .review, key: key, validAfter: "tomorrow")
      })
  }

  /// Refusals name the person and the reason, not only a fingerprint.
  @Test func refusalsNameThePrincipalAndTheReason() throws {
    let f = ReviewFixture()
    let id = try f.submit()
    #expect(
      refuses("alice@tre may not review \(id): alice@tre is the author of this request") {
        try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.aliceChecker)
      })
    #expect(
      refuses(
        "alice@tre: key \(f.alice.publicKey.fingerprint) is not trusted for role 'airlock-review' (the trust list gives it other roles)"
      ) {
        try f.workflow.vote(id, file: "table.csv", .approved, comment: nil, key: f.alice)
      })
    var early = f.workflow
    early.now = { ISOTime.parse("2019-06-01T00:00:00Z")! }
    #expect(
      refuses(
        "carol@tre's key \(f.carol.publicKey.fingerprint) is not valid for role 'airlock-review' at 2019-06-01T00:00:00Z (the trust list allows it from 2020-01-01T00:00:00Z, line 5)"
      ) {
        try early.vote(id, file: "table.csv", .approved, comment: nil, key: f.carol)
      })
  }

  /// A retried submit (the first was killed after its commit, before printing the id) answers
  /// with the same request instead of making a duplicate; anything different is a new request.
  @Test func submitIsIdempotent() throws {
    let f = ReviewFixture()
    let first = try f.submit()
    #expect(try f.submit() == first)
    #expect(try f.workflow.summaries().count == 1)
    let other = try f.workflow.submit(
      outputs: [f.output()], project: "p1", group: "g", context: "another context", controls: "rounded to 5",
      key: f.alice)
    #expect(other != first)
    let changed = try f.workflow.submit(
      outputs: [f.output("table.csv", "region,count\nNorth,20\nSouth,40\n")], project: "p1", group: "g",
      context: "counts by region",
      controls: "rounded to 5", key: f.alice)
    #expect(changed != first)
    // Once a checker has started on it, an identical submission is a new request.
    try f.workflow.vote(changed, file: "table.csv", .approved, comment: nil, key: f.bob)
    let again = try f.workflow.submit(
      outputs: [f.output("table.csv", "region,count\nNorth,20\nSouth,40\n")], project: "p1", group: "g",
      context: "counts by region",
      controls: "rounded to 5", key: f.alice)
    #expect(again != changed)
  }
}
