import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Sign the review record of a reviewed request whose every output you approved.",
      discussion: "The request becomes approved once the record carries the policy's number of reviewer signatures.")
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let result = try workflow.approve(request, key: key)
        print(
          "\(request): record signed (\(result.signatures)/\(result.reviewsRequired)); now \(result.status.rawValue)")
      }
    }
  }
}
