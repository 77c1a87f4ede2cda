import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Verify a signed review record (for CI gates).",
      discussion: """
        Exit 0 only when the DSSE envelope verifies under at least the policy's number of distinct trusted \
        reviewer keys (airlock-review, valid at review time, none of them the author's), the decision is \
        APPROVED, and (with --files) the folder holds exactly the record's subjects with equal SHA-256. \
        Otherwise exit 1 and name each failed condition. Exit 2 when the record or trust list cannot be read. \
        The trust list must come from your own configuration, never from the bundle being checked.
        """)

    @Argument(help: "The review record (DSSE JSON).") var record: String
    @Option(name: .long, help: "Your trust list (OpenSSH allowed_signers).") var trust: String
    @Option(name: .long, help: "The released folder to compare with the record's subjects.") var files: String?
    @Option(name: .long, help: "The least number of reviewer signatures (default 2; a record's own pack may raise it).")
    var minReviewers: Int = 2
    @Option(name: .long, help: "A rule pack whose review policy sets --min-reviewers.") var rules: String?
    @Option(name: .long, help: "Require the record to be for this request id.") var request: String?
    @Option(name: .customLong("log-key"), help: "The decision log's key you pinned (vkey file): the record's log receipt must verify under it.")
    var logKey: String?
    @Option(name: .long, help: "The record's tlog-proof receipt (default: RECORD with .json replaced by .tlog-proof).")
    var receipt: String?
    @Flag(name: .shortAndLong, help: "Print nothing; only the exit code tells.") var quiet = false

    func run() throws {
      let data: Data
      let trustList: TrustList
      var minimum = minReviewers
      do throws(AirlockError) {
        guard let contents = FileManager.default.contents(atPath: record) else {
          throw AirlockError(.input, file: record, "cannot read review record")
        }
        data = contents
        trustList = try TrustList.load(trust)
        if let rules { minimum = max(minimum, try RulePackLoader.load(rules).reviewers) }
      } catch { throw fail(error) }
      var report = RecordVerifier.verify(
        data, policy: VerificationPolicy(trust: trustList, minimumReviewers: minimum, expectedRequest: request),
        files: files, ignoring: record)
      let receiptPath = receipt ?? (record.hasSuffix(".json") ? String(record.dropLast(5)) : record) + ".tlog-proof"
      if let logKey {
        do throws(AirlockError) {
          guard let text = try? String(contentsOfFile: logKey, encoding: .utf8) else {
            throw AirlockError(.input, file: logKey, "cannot read the pinned log key")
          }
          let verifier = try NoteVerifier(vkey: text, file: logKey)
          if report.verified { report.failures += Self.receiptFailures(receiptPath, verifier: verifier, record: data) }
        } catch { throw fail(error) }
      } else if FileManager.default.fileExists(atPath: receiptPath) {
        report.notes.append("\(receiptPath): log receipt not checked (give --log-key to check it)")
      }
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
      if !report.verified { throw ExitCode(1) }
    }

    /// Checks the record's receipt: signed by the pinned log key, proving an APPROVED entry that
    /// commits to exactly the record's payload.
    static func receiptFailures(_ path: String, verifier: NoteVerifier, record: Data) -> [String] {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        return ["\(path): no log receipt for the record (--log-key requires one)"]
      }
      do throws(AirlockError) {
        let receipt = try InclusionReceipt(text: text, file: path)
        let checkpoint = try receipt.verify(verifier, file: path)
        let entry = try LogEntry.parse(receipt.entry)
        let envelope = try Envelope.parse(record)
        let statement = try? JSONDecoder().decode(ReviewStatement.self, from: envelope.body ?? Data())
        guard entry.decision == "APPROVED", entry.statementSha256 == Digest.sha256(envelope.body ?? Data()),
          entry.request == statement?.predicate.request.id
        else { return ["\(path): the logged entry \(receipt.index) is not this record's approval"] }
        _ = checkpoint
        return []
      } catch { return [error.description] }
    }
  }

  struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Verify an approved request's record, then copy its output files out, with the record beside them.",
      discussion: """
        Files are copied from the store's content-addressed copies (what was reviewed is what is released), \
        each through a temporary file and a no-replace link. Refuses symlinks, path traversal and overwriting \
        different files. Safe to run twice.
        """)
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Option(name: .long, help: "The release folder.") var to: String

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let result = try workflow.release(request, to: to, key: key)
        for name in result.copied { print("released \(name)") }
        for name in result.alreadyPresent { print("already released \(name)") }
        print("record: \(result.recordPath)")
        if let receipt = result.receiptPath { print("log receipt: \(receipt)") }
      }
    }
  }
}
