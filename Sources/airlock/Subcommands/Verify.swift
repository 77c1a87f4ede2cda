import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Verify a signed review record (for CI gates).",
      discussion: """
        Exit 0 only when the DSSE envelope verifies under at least the policy's number of distinct trusted \
        reviewer keys (airlock-review, valid at review time and now, or when the log logged the approval with \
        --log-key, or at review time alone with --trust-record-time; none of them a key or name of the author's), the decision is \
        APPROVED, and (with --files) every entry of the folder is accounted for: the record's subjects with \
        equal SHA-256, the record itself, and its log receipt, verified under --log-key (a receipt without \
        --log-key fails: nothing checked it); no other file, no symbolic link, no folder. Otherwise exit 1 and name each failed condition. Exit 2 when the record or trust list cannot be read. \
        The trust list must come from your own configuration, never from the bundle being checked.
        """)

    @Argument(help: "The review record (DSSE JSON).") var record: String
    @Option(name: .long, help: "Your trust list (OpenSSH allowed_signers).") var trust: String
    @Option(name: .long, help: "The released folder to compare with the record's subjects.") var files: String?
    @Option(name: .long, help: "The least number of reviewer signatures (default 2; a record's own pack may raise it).")
    var minReviewers: Int = 2
    @Option(name: .long, help: "A rule pack whose review policy sets --min-reviewers.") var rules: String?
    @Option(name: .long, help: "Require the record to be for this request id.") var request: String?
    @Option(
      name: .customLong("log-key"),
      help: "The decision log's key you pinned (vkey file): the record's log receipt must verify under it.")
    var logKey: String?
    @Option(name: .long, help: "The record's tlog-proof receipt (default: RECORD with .json replaced by .tlog-proof).")
    var receipt: String?
    @Flag(
      name: .customLong("trust-record-time"),
      help:
        "Judge reviewer keys' validity at the record's own reviewedAt only (default: also now, or when the log logged the approval, with --log-key)."
    )
    var trustRecordTime = false
    @Flag(name: .shortAndLong, help: "Print nothing; only the exit code tells.") var quiet = false

    func run() throws {
      let data: Data
      let trustList: TrustList
      var minimum = minReviewers
      var verifier: NoteVerifier?
      guard let contents = FileManager.default.contents(atPath: record) else {
        throw AirlockError(.input, file: record, "cannot read review record")
      }
      data = contents
      trustList = try TrustList.load(trust)
      if let rules { minimum = max(minimum, try RulePackLoader.load(rules).reviewers) }
      if let logKey { verifier = try NoteVerifier.load(pinned: logKey) }
      let report = RecordVerifier.verify(
        data, recordPath: record, receiptPath: receipt ?? RecordVerifier.defaultReceiptPath(forRecord: record),
        policy: VerificationPolicy(
          trust: trustList, minimumReviewers: minimum, expectedRequest: request, logKey: verifier,
          trustRecordTime: trustRecordTime),
        files: files)
      if !quiet {
        for note in report.notes { printError("note: \(note)") }
        if report.verified, let statement = report.statement {
          print(
            "verified: \(statement.predicate.request.id) \(statement.predicate.decision.outcome) by "
              + "\(report.reviewers.joined(separator: ", ")); \(statement.subject.count) file(s)"
              + (files == nil ? "" : " match \(files!)"))
        } else {
          for failure in report.failures { printError("verification failed: \(failure)") }
        }
      }
      if !report.verified { throw ExitStatus.failed }
    }
  }
}
