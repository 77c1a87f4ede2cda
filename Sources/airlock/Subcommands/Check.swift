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

    /// A report format: one of the library's reporters, by name.
    struct Format: ExpressibleByArgument {
      let reporter: any Reporter.Type
      init(_ reporter: any Reporter.Type) { self.reporter = reporter }
      init?(argument: String) {
        guard let reporter = ReportFormats.reporter(named: argument) else { return nil }
        self.reporter = reporter
      }
      var defaultValueDescription: String { reporter.name }
      static var allValueStrings: [String] { ReportFormats.all.map { $0.name } }
      static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
    }

    @Argument(help: "Output files or folders (folders are walked recursively).")
    var paths: [String]

    @OptionGroup var rulePack: RulePackOptions

    @Option(name: .long, help: ArgumentHelp(Self.formatHelp))
    var format = Format(TextReporter.self)

    static var formatHelp: String {
      let formats = ReportFormats.all.map { "\($0.name) (\($0.summary))" }
      let valueFree = ReportFormats.all.filter { $0.isValueFree }.map { $0.name }
      return "Report format: \(formats.joined(separator: ", ")). \(valueFree.joined(separator: ", ")) never carry cell "
        + "values, only positions, rules and thresholds."
    }

    @OptionGroup var blocking: FailOnOptions

    @Option(name: .long, help: "The most bytes a .gz output may decompress to.")
    var maxDecompressedSize: Int = 8 << 30

    @Option(
      name: .long, help: "A release history (SQLite) to compare the outputs with, for differencing across releases.")
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
        let options = ReportOptions(blockingAt: blocking.failOn, color: useColor, verbose: verbose)
        print(format.reporter.render(report, options: options), terminator: "")
        if format.reporter != TextReporter.self {
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
