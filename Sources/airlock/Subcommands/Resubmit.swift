import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Resubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Resubmit your returned request (a new turn), optionally with changed files.",
      discussion: """
        FILES replace the request's files of the same name (or add outputs). A changed file loses every \
        vote on it; approvals of unchanged files carry over; requested changes go back to undecided.
        """)
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Argument(help: "Changed or added output files.") var files: [String] = []
    @Option(name: .long, parsing: .upToNextOption, help: "Changed or added supporting files.")
    var supporting: [String] = []
    @Option(name: .long, help: "What you changed (required when changes were requested).") var comment: String?

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.resubmit(request, files: files, supporting: supporting, comment: comment, key: key)
        print("\(request): resubmitted")
      }
    }
  }
}
