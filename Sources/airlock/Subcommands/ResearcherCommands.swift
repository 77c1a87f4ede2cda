import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Submit output files for review; prints the request id.",
      discussion: "Checks run now with the project's rule pack; their results are stored with the request.")

    @OptionGroup var options: ReviewOptions

    @Argument(help: "The output files to release.")
    var files: [String]

    @Option(name: .long, help: "The project.") var project: String
    @Option(name: .long, help: "The file group's name.") var group: String
    @Option(name: .long, help: "What the outputs are: variables, population and its size, relation to other outputs.")
    var context: String
    @Option(name: .long, help: "The disclosure controls applied (redaction, rounding).") var controls: String
    @Option(name: .long, parsing: .upToNextOption, help: "Supporting files: reviewed, never released.")
    var supporting: [String] = []
    @Option(name: .long, help: "Why an output that the checks flag is safe (an exception request).")
    var exception: String?

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let id = try workflow.submit(
          outputs: files, supporting: supporting, project: project, group: group, context: context, controls: controls,
          exception: exception, key: key)
        print(id)
      }
    }
  }

  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show where requests are in the workflow.")

    @OptionGroup var options: ReviewOptions
    @Argument(help: "A request id (default: every request).") var request: String?
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
      let workflow = try options.openWorkflow()
      do {
        let summaries = try workflow.summaries(request)
        if json { return printJSON(summaries) }
        for s in summaries {
          print(
            "\(s.id)  \(s.status.rawValue)  turn \(s.turn)  project \(s.project)  by \(s.author)  "
              + "\(s.outputs) output(s), \(s.supporting) supporting  reviews \(s.reviewsSubmitted)/\(s.reviewsRequired)  "
              + "submitted \(s.submittedAt) (\(age(s.submittedAt)) ago)")
        }
        if summaries.isEmpty { print("no requests") }
      } catch { throw fail(error) }
    }
  }

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
