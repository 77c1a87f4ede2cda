import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "What awaits you as a checker, what is in review, returned and approved.")
    @OptionGroup var options: ReviewOptions
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let items = try workflow.queue(key: key)
        if json { return printJSON(items) }
        var category = ""
        for item in items {
          if item.category != category {
            category = item.category
            print("\(category):")
          }
          let supportingText = item.supporting.isEmpty ? "" : " + supporting " + item.supporting.joined(separator: ", ")
          let checks = ["fail", "review", "error", "pass"].compactMap { k in item.checks[k].map { "\($0) \(k)" } }
          print(
            "  \(item.id)  project \(item.project)  \(item.status.rawValue) (turn \(item.turn))  "
              + "files: \(item.outputs.joined(separator: ", "))"
              + supportingText)
          print(
            "      checks: \(checks.joined(separator: ", "))  age \(age(item.submittedAt))  "
              + "reviews \(item.reviewsSubmitted)/\(item.reviewsRequired)"
              + (item.claims > 0 ? "  claims \(item.claims)" : "") + (item.action.map { "  next: \($0)" } ?? ""))
        }
        if items.isEmpty { print("nothing in the queue") }
      }
    }
  }
}
