import Airlock
import ArgumentParser

extension AirlockCommand {
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check outputs (CSV/TSV files and folders) against a rule pack.",
      discussion: """
        Exit codes: 0 every output passes; 1 an output fails, or needs review unless --fail-on fail; \
        2 an output cannot be read or the rule pack is invalid (the other outputs are still checked \
        and reported).
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case text, json, sarif, junit, github
    }

    @Argument(help: "Output files or folders (folders are walked recursively).")
    var paths: [String]

    @OptionGroup var rulePack: RulePackOptions

    @Option(
      name: .long,
      help: """
        Report format: text (for people), json (versioned, docs/json-schema/), sarif (SARIF 2.1.0 \
        for code scanning), junit (JUnit XML) or github (workflow annotations). sarif, junit and \
        github never carry cell values, only positions, rules and thresholds.
        """)
    var format: Format = .text

    @OptionGroup var blocking: FailOnOptions

    @Option(name: .long, help: "The most bytes a .gz output may decompress to.")
    var maxDecompressedSize: Int = 8 << 30

    @Option(name: .long, help: "A release history (SQLite) to compare the outputs with, for differencing across releases.")
    var history: String?

    @Option(
      name: .long,
      help: "The most threads that read one large output (default: one per core, at most 8; 1 on a shared machine).")
    var threads: Int?

    @Flag(name: .long, help: "List passing outputs' details too (text format).")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Print nothing; only the exit code tells.")
    var quiet = false

    func validate() throws {
      if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
      let pack = try rulePack.load()
      var limits = ReadLimits()
      limits.maxDecompressedBytes = maxDecompressedSize
      limits.threads = threads
      var checker = Checker(pack: pack, limits: limits)
      if let history {
        checker.history = try ReleaseHistory(path: history)
      }
      let progress = ProgressLine(quiet: quiet)
      let report = checker.check(paths: paths, progress: progress.update)
      progress.finish()
      if !quiet {
        switch format {
        case .text: print(TextReporter.render(report, color: useColor, verbose: verbose), terminator: "")
        case .json: print(JSONReporter.render(report, blockingAt: blocking.failOn), terminator: "")
        case .sarif: print(SARIFReporter.render(report), terminator: "")
        case .junit: print(JUnitReporter.render(report, blockingAt: blocking.failOn), terminator: "")
        case .github: print(GitHubReporter.render(report), terminator: "")
        }
        if format != .text {
          for result in report.results {
            if let error = result.error { printError("error: \(error)") }
          }
        }
      }
      let status = report.exitStatus(blockingAt: blocking.failOn)
      if status != 0 { throw ExitCode(status) }
    }
  }
}
