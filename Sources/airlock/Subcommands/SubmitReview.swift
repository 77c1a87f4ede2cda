import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct SubmitReview: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "submit-review",
      abstract: "Submit and sign your review (you must have voted on every output file).",
      discussion: """
        When this completes the required number of independent reviews and every output file is approved, \
        the review record is drafted and, if you approved everything, signed with your key. The other \
        approving checkers then add their signatures with 'airlock approve'.
        """)
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let result = try workflow.submitReview(request, key: key)
        print(
          "\(request): review submitted (\(result.reviewsSubmitted)/\(result.reviewsRequired)); now \(result.status.rawValue)"
        )
        if result.recordReady {
          print(
            "review record: \(result.signatures)/\(result.reviewsRequired) signatures"
              + (result.status == .approved
                ? "; approved" : "; other approving checkers: run 'airlock approve \(request)'"))
        }
      }
    }
  }
}
