import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Return: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "return",
      abstract: "Return a request to its author for changes (a new turn).")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Option(name: .long, help: "What the author must change (required when changes were requested).") var comment:
      String?

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.returnRequest(request, comment: comment, key: key)
        print("\(request): returned")
      }
    }
  }
}
