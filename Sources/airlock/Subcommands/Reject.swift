import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Reject: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject a reviewed request (final).")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Option(name: .long, help: "Why.") var comment: String?

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.reject(request, comment: comment, key: key)
        print("\(request): rejected")
      }
    }
  }
}
