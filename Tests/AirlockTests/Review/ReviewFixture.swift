import Foundation

@testable import Airlock

/// A review store with a researcher, three checkers, a release operator, and the researcher's own
/// checker key (same principal), all trusted.
struct ReviewFixture {
  let folder: URL
  let store: ReviewStore
  let workflow: ReviewWorkflow
  let alice = SigningKey()  // researcher (airlock-submit)
  let aliceChecker = SigningKey()  // the same person holding a checker key
  let bob = SigningKey()
  let bobSecond = SigningKey()  // bob's second checker key
  let carol = SigningKey()
  let dave = SigningKey()
  let ops = SigningKey()
  let mallory = SigningKey()  // trusted by nobody
  let trustText: String

  init(rules: String = "opensafely") {
    folder = temporaryFolder()
    trustText = """
      alice@tre namespaces="airlock-submit" \(alice.publicKey.openSSH)
      alice@tre namespaces="airlock-review" \(aliceChecker.publicKey.openSSH)
      bob@tre namespaces="airlock-review" \(bob.publicKey.openSSH)
      bob@tre namespaces="airlock-review" \(bobSecond.publicKey.openSSH)
      carol@tre namespaces="airlock-review",valid-after="20200101" \(carol.publicKey.openSSH)
      dave@tre namespaces="airlock-review" \(dave.publicKey.openSSH)
      ops@tre namespaces="airlock-release" \(ops.publicKey.openSSH)

      """
    let trustPath = write(trustText, to: "allowed_signers", in: folder)
    store = try! ReviewStore.create(
      at: folder.appendingPathComponent("store"), config: .init(rules: rules), trustList: trustPath)
    workflow = ReviewWorkflow(store: store)
  }

  var trust: TrustList { try! TrustList.parse(trustText) }

  /// Writes an output file and returns its path.
  func output(_ name: String = "table.csv", _ text: String = "region,count\nNorth,15\nSouth,40\n") -> String {
    write(text, to: name, in: folder)
  }

  func submit(supporting: [String] = [], exception: String? = nil) throws -> String {
    try workflow.submit(
      outputs: [output()], supporting: supporting, project: "p1", group: "g", context: "counts by region",
      controls: "rounded to 5", exception: exception, key: alice)
  }

  func approveAll(
    _ id: String, by key: SigningKey, file: String = "table.csv", acceptClaims: Bool = false
  ) throws -> SubmitReviewResult {
    try workflow.vote(id, file: file, .approved, comment: "safe", acceptClaims: acceptClaims, key: key)
    return try workflow.submitReview(id, key: key)
  }

  /// A request taken to approved by bob and carol.
  func approvedRequest() throws -> String {
    let id = try submit()
    _ = try approveAll(id, by: bob)
    _ = try approveAll(id, by: carol)
    try workflow.approve(id, key: bob)
    return id
  }

  func status(_ id: String) throws -> RequestStatus { try workflow.summaries(id)[0].status }
}

/// Whether `body` throws an AirlockError whose message contains `text`.
func refuses(_ text: String, _ body: () throws -> Void) -> Bool {
  do {
    try body()
    return false
  } catch let error as AirlockError {
    if !error.message.contains(text) { print("unexpected message: \(error.message)") }
    return error.message.contains(text)
  } catch {
    return false
  }
}
