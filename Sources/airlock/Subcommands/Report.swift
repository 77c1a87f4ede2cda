import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a self-contained HTML review report of outputs or of a request.",
      discussion: """
        Give output files or folders (checked now, with --rules), or one request id (shown as your \
        key may see it, with its stored check results, context, controls, exception, votes, \
        comments and history). The report needs no network: open it in any browser inside the TRE. \
        It quotes cell values, like the text report: keep it inside the TRE. Exit codes are those \
        of check (0 pass, 1 fail or review, 2 an output could not be read), once the report is written.
        """)

    @Argument(help: "Output files or folders, or one request id (req-...).")
    var targets: [String]

    @Option(name: .long, help: "Where to write the HTML report ('-' for standard output).")
    var html: String

    @Option(name: .long, help: "For outputs: a built-in rule pack name or a path to a pack YAML file.")
    var rules: String = "default"

    @OptionGroup var blocking: FailOnOptions

    @OptionGroup var review: ReviewOptions

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    /// Whether the targets name a request rather than files.
    var requestID: String? {
      guard targets.count == 1, let target = targets.first, target.hasPrefix("req-"),
        !FileManager.default.fileExists(atPath: target)
      else { return nil }
      return target
    }

    func run() throws {
      let text: String
      let report: CheckReport
      if let id = requestID {
        let workflow = try review.openWorkflow()
        let key = try review.signingKey()
        let view = try workflow.show(id, key: key)
        let pack = try workflow.store.rulePack(checked: view)
        let outputs = view.files.map { file in
          HTMLReporter.Output(
            result: file.result ?? OutputResult(file: file.name), source: workflow.store.objectPath(file.sha256),
            role: file.kind)
        }
        // The outputs' stored results decide the exit status; supporting files are never released.
        report = CheckReport(pack: pack, results: view.files.filter { $0.kind == "output" }.compactMap(\.result))
        text = HTMLReporter.render(outputs: outputs, pack: pack, request: view, title: "airlock review report: \(id)")
      } else {
        let pack = try RulePackLoader.load(rules)
        let progress = ProgressLine(quiet: quiet)
        report = Checker(pack: pack).check(paths: targets, progress: progress.update)
        progress.finish()
        text = HTMLReporter.render(report)
      }
      if html == "-" {
        print(text, terminator: "")
      } else {
        do {
          try Data(text.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
          throw AirlockError(.usage, file: html, "cannot write the report: \(error.localizedDescription)")
        }
        if !quiet { printError("wrote \(html)") }
      }
      for result in report.results {
        if let error = result.error, !quiet { printError("error: \(error)") }
      }
      let status = report.exitStatus(blockingAt: blocking.failOn)
      if status != 0 { throw ExitCode(status) }
    }
  }
}
