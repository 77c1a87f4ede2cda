import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Withdraw your returned request (final).")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        try workflow.withdraw(request, key: key)
        print("\(request): withdrawn")
      }
    }
  }
}
