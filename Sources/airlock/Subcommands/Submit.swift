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
}
