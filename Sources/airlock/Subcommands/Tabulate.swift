import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  /// `airlock tabulate`: a table, its evidence, its manifest and its provenance from microdata.
  struct Tabulate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Tabulate microdata into a table with exact evidence and a manifest that 'airlock check' reads as is.",
      discussion: """
        Writes NAME.csv (the table), NAME.evidence.csv (per cell: n, n_units, sum, top1..topK over \
        units' totals, ...; never released), NAME.airlock.yaml (the manifest) and NAME.tabulate.json \
        (provenance: the input's SHA-256, the command, the digests of the other files). Files are \
        written atomically and never over existing ones without --force. See docs/tabulate.md. \
        Exit codes: 0 written (with --check: the check passed); 1 written, and the check fails or \
        needs review; 2 a usage or input error (nothing written).
        """,
      subcommands: [Table.self, Histogram.self, Survival.self],
      defaultSubcommand: Table.self)
  }
}

extension TabulateCommonOptions {
  /// Renders and writes `job`; runs the check if asked.
  func run(_ job: TabulateJob) throws {
    guard let out else { throw ValidationError("--out DIR/NAME is required") }
    let pack: RulePack
    let rendered: (files: [(path: String, data: Data)], tabulation: TabulatedFiles)
    pack = try RulePackLoader.load(rules)
    rendered = try TabulateWriter.render(
      job: job, out: out, command: Array(CommandLine.arguments.dropFirst()), pack: pack)
    try TabulateWriter.write(rendered.files, force: force)
    for warning in rendered.tabulation.warnings { printError("warning: \(warning)") }
    let table = TabulateWriter.paths(TabulateWriter.basePath(out)).table
    let dropped = rendered.tabulation.rowsDropped.filter { $0.value > 0 }.sorted { $0.key < $1.key }
      .map { "\($0.value) dropped (\($0.key.replacingOccurrences(of: "_", with: " ")))" }
    print(
      "tabulated \(job.data) -> \(table) (\(rendered.tabulation.rowsRead) rows read\(dropped.isEmpty ? "" : ", " + dropped.joined(separator: ", ")))"
    )
    guard check else { return }
    // With --protect, the table to release is the protected one: that is the one checked.
    var checked = table
    if case .table(let request) = job, request.protect { checked = TabulateWriter.basePath(out) + ".protected.csv" }
    let report = Checker(pack: pack).check(paths: [checked])
    print(TextReporter.render(report, color: useColor, verbose: false), terminator: "")
    let status = report.exitStatus(blockingAt: .review)
    if status != 0 { throw ExitCode(status) }
  }
}
