import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Vote: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Vote on one output file: approve or request-changes (a comment is required to request changes).")

    enum Decision: String, ExpressibleByArgument, CaseIterable {
      case approve
      case requestChanges = "request-changes"
    }

    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Argument(help: "The output file's name in the request.") var file: String
    @Argument(help: "approve or request-changes.") var decision: Decision
    @Option(name: .long, help: "Your comment (your justification when approving flagged cells).") var comment: String?
    @Flag(
      name: .long,
      help:
        "Accept the file's claims (what its manifest, columns and the request declare that airlock took on trust, listed by 'airlock show'); required to approve a file that has any."
    )
    var acceptClaims = false

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.vote(
          request, file: file, decision == .approve ? .approved : .changesRequested, comment: comment,
          acceptClaims: acceptClaims,
          key: key)
        print(
          "\(request): \(file): \(decision.rawValue)\(acceptClaims && decision == .approve ? " (claims accepted)" : "")"
        )
      }
    }
  }
}
