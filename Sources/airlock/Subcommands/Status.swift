import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show where requests are in the workflow.")

    @OptionGroup var options: ReviewOptions
    @Argument(help: "A request id (default: every request).") var request: String?
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
      let workflow = try options.openWorkflow()
      let summaries = try workflow.summaries(request)
      if json { return printJSON(summaries) }
      for s in summaries {
        print(
          "\(s.id)  \(s.status.rawValue)  turn \(s.turn)  project \(s.project)  by \(s.author)  "
            + "\(s.outputs) output(s), \(s.supporting) supporting  reviews \(s.reviewsSubmitted)/\(s.reviewsRequired)  "
            + "submitted \(s.submittedAt) (\(age(s.submittedAt)) ago)")
      }
      if summaries.isEmpty { print("no requests") }
    }
  }
}
