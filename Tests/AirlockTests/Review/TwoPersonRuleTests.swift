import Foundation
import Testing

@testable import Airlock

/// The two-person rule holds for keys and principals together, however the trust list orders and
/// groups its lines (issue 19 §1): the author's second key, listed under another principal as
/// well as their own, never counts as a reviewer of their request.
@Suite struct TwoPersonRuleTests {
  let author = SigningKey()  // submits
  let authorSecond = SigningKey()  // the author's second key, also listed for other@tre
  let bob = SigningKey()
  let carol = SigningKey()

  /// The logical lines, and the ways of writing the shared key: one line per principal, or one line
  /// naming both (either order).
  func trustLists() -> [String] {
    let fixed = [
      "author@tre namespaces=\"airlock-submit\" \(author.publicKey.openSSH)",
      "bob@tre namespaces=\"airlock-review\" \(bob.publicKey.openSSH)",
      "carol@tre namespaces=\"airlock-review\" \(carol.publicKey.openSSH)",
    ]
    let shared = authorSecond.publicKey.openSSH
    let groupings = [
      ["other@tre namespaces=\"airlock-review\" \(shared)", "author@tre namespaces=\"airlock-review\" \(shared)"],
      ["other@tre,author@tre namespaces=\"airlock-review\" \(shared)"],
      ["author@tre,other@tre namespaces=\"airlock-review\" \(shared)"],
      // The author's submitting key itself listed for a checker.
      [
        "other@tre namespaces=\"airlock-review\" \(author.publicKey.openSSH)",
        "author@tre namespaces=\"airlock-review\" \(shared)",
      ],
    ]
    return groupings.flatMap { grouping in permutations(fixed + grouping).map { $0.joined(separator: "\n") + "\n" } }
  }

  @Test func theAuthorsOtherKeyNeverReviewsWhateverTheLineOrder() throws {
    let folder = temporaryFolder()
    let lists = trustLists()
    #expect(lists.count == 120 + 24 + 24 + 120)
    let store = try ReviewStore.create(
      at: folder.appendingPathComponent("store"), config: .init(rules: "opensafely"),
      trustList: write(lists[0], to: "allowed_signers", in: folder))
    let workflow = ReviewWorkflow(store: store)
    let output = write("region,count\nNorth,15\nSouth,40\n", to: "table.csv", in: folder)
    var approvedRecord: Data?
    // One open request, judged under every list (the author submits as author@tre under each).
    let open = try workflow.submit(
      outputs: [output], project: "p", group: "g", context: "c", controls: "k", key: author)
    for (index, list) in lists.enumerated() {
      try Data(list.utf8).write(to: URL(fileURLWithPath: store.trustListPath))
      let trust = try TrustList.parse(list)
      // The workflow: every key the author may hold is refused, whichever name it resolves to.
      let id =
        approvedRecord == nil
        ? try workflow.submit(outputs: [output], project: "p", group: "g", context: "c", controls: "k", key: author)
        : open
      for key in [authorSecond, author] where !trust.entries(for: key.publicKey, role: .review).isEmpty {
        #expect(
          refuses("may not review") { try workflow.vote(id, file: "table.csv", .approved, comment: "ok", key: key) },
          "list \(index)")
        #expect(refuses("may not review") { _ = try workflow.submitReview(id, key: key) }, "list \(index)")
        #expect(try workflow.queue(key: key).allSatisfy { $0.id != id }, "list \(index)")
      }
      // Only when a record is needed below: take one through the workflow once (bob and carol).
      if approvedRecord == nil {
        for key in [bob, carol] {
          try workflow.vote(id, file: "table.csv", .approved, comment: "ok", key: key)
          _ = try workflow.submitReview(id, key: key)
        }
        try workflow.approve(id, key: bob)
        approvedRecord = try workflow.record(id)
        #expect(RecordVerifier.verify(approvedRecord!, policy: .init(trust: trust)).verified)
      }
      // The verifier: a record signed by bob and by the author's other key never verifies.
      for key in [authorSecond, author] {
        let forged = try forge(approvedRecord!, reviewer: key, as: "other@tre", with: bob)
        let report = RecordVerifier.verify(forged, policy: .init(trust: trust))
        #expect(!report.verified, "list \(index)")
        #expect(report.reviewers.allSatisfy { $0 == "bob@tre" }, "list \(index)")
      }
    }
  }

  @Test func aSafeLookAlikeStillCounts() throws {
    // other@tre holding a key of their own (not the author's) reviews and counts.
    let other = SigningKey()
    let list = """
      author@tre namespaces="airlock-submit" \(author.publicKey.openSSH)
      other@tre namespaces="airlock-review" \(other.publicKey.openSSH)
      author@tre namespaces="airlock-review" \(authorSecond.publicKey.openSSH)
      bob@tre namespaces="airlock-review" \(bob.publicKey.openSSH)

      """
    let (workflow, id) = try submitted(under: list)
    for key in [other, bob] {
      try workflow.vote(id, file: "table.csv", .approved, comment: "ok", key: key)
      _ = try workflow.submitReview(id, key: key)
    }
    try workflow.approve(id, key: other)
    let report = RecordVerifier.verify(try workflow.record(id), policy: .init(trust: try TrustList.parse(list)))
    #expect(report.verified)
    #expect(Set(report.reviewers) == ["other@tre", "bob@tre"])
  }

  @Test func oneKeyUnderTwoNamesIsOneReviewer() throws {
    // A key listed for dave@tre and carol@tre cannot supply both reviews of a request.
    let shared = SigningKey()
    let list = """
      author@tre namespaces="airlock-submit" \(author.publicKey.openSSH)
      bob@tre namespaces="airlock-review" \(bob.publicKey.openSSH)
      carol@tre namespaces="airlock-review" \(carol.publicKey.openSSH)
      dave@tre,carol@tre namespaces="airlock-review" \(shared.publicKey.openSSH)

      """
    let (workflow, id) = try submitted(under: list)
    try workflow.vote(id, file: "table.csv", .approved, comment: "ok", key: carol)
    _ = try workflow.submitReview(id, key: carol)
    try workflow.vote(id, file: "table.csv", .approved, comment: "ok", key: shared)
    #expect(refuses("who already reviewed it") { _ = try workflow.submitReview(id, key: shared) })
  }

  /// A store trusting `list`, and a request the author submitted to it.
  func submitted(under list: String) throws -> (ReviewWorkflow, String) {
    let folder = temporaryFolder()
    let store = try ReviewStore.create(
      at: folder.appendingPathComponent("store"), config: .init(rules: "opensafely"),
      trustList: write(list, to: "allowed_signers", in: folder))
    let workflow = ReviewWorkflow(store: store)
    let output = write("region,count\nNorth,15\nSouth,40\n", to: "table.csv", in: folder)
    return (
      workflow,
      try workflow.submit(outputs: [output], project: "p", group: "g", context: "c", controls: "k", key: author)
    )
  }

  /// `record` with its second review rewritten as `reviewer`'s under `principal`, signed by
  /// `first` and `reviewer`.
  func forge(_ record: Data, reviewer: SigningKey, as principal: String, with first: SigningKey) throws -> Data {
    var statement = try JSONDecoder().decode(ReviewStatement.self, from: try Envelope.parse(record).body!)
    let index = statement.predicate.reviews.firstIndex { $0.reviewer.principal != "bob@tre" }!
    statement.predicate.reviews[index].reviewer = .init(principal: principal, keyid: reviewer.publicKey.keyid)
    var forged = Envelope(body: statement.encoded(), payloadType: Envelope.inTotoPayloadType)
    try forged.sign(with: first)
    try forged.sign(with: reviewer)
    return forged.json()
  }
}

/// Every ordering of `items` (Heap's algorithm).
func permutations<T>(_ items: [T]) -> [[T]] {
  var items = items
  var result: [[T]] = []
  func generate(_ n: Int) {
    if n <= 1 {
      result.append(items)
      return
    }
    for i in 0..<n {
      generate(n - 1)
      items.swapAt(n % 2 == 0 ? i : 0, n - 1)
    }
  }
  generate(items.count)
  return result
}
