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
      let report = RecordVerifier.verify(
        data, policy: VerificationPolicy(trust: trustList, minimumReviewers: minimum, expectedRequest: request),
        files: files, ignoring: record)
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
      let workflow = try options.openWorkflow()
      let key = try options.signingKey()
      do throws(AirlockError) {
        let result = try workflow.release(request, to: to, key: key)
        for name in result.copied { print("released \(name)") }
        for name in result.alreadyPresent { print("already released \(name)") }
        print("record: \(result.recordPath)")
      } catch { throw fail(error) }
    }
  }
}
