import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Protect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Protect a frequency table: suppress (and round) cells until it passes 'airlock check'.",
      discussion: """
        Primary suppression withholds every cell the pack's rules flag; secondary suppression then \
        withholds the smallest other cells until no withheld cell can be recovered from the margins or \
        narrowed below its protection level. With --method round (or a pack that requires rounding) \
        counts are rounded first and margins recomputed from the rounded cells. The result passes \
        'airlock check' with the same pack. Exit codes: 0 protected; 2 the table cannot be protected \
        or read.
        """)

    @Argument(help: "The frequency table to protect (CSV or TSV).")
    var file: String

    @Option(name: .shortAndLong, help: "Where to write the protected table.")
    var output: String

    @OptionGroup var rulePack: RulePackOptions

    @Option(name: .long, help: "suppress or round.")
    var method: String = "suppress"

    @Option(name: .long, help: "The rounding base for --method round (default: the pack's, else 5).")
    var base: Int?

    @Flag(name: .long, help: "Overwrite OUTPUT if it exists.")
    var force = false

    func run() throws {
      guard let method = Protector.Method(rawValue: method) else {
        throw ValidationError("--method must be suppress or round")
      }
      if FileManager.default.fileExists(atPath: output) && !force {
        throw AirlockError(.usage, file: output, "already exists (use --force to overwrite)")
      }
      let pack = try rulePack.load()
      let report = try Protector(pack: pack, method: method, base: base).protect(input: file, output: output)
      let primary = report.changes.filter { $0.kind == .primary }
      let secondary = report.changes.filter { $0.kind == .secondary }
      let rounded = report.changes.filter { $0.kind == .rounded }
      print("protected \(file) -> \(output) (rule pack \(pack.name) \(pack.version), method \(method.rawValue))")
      for change in primary + secondary {
        let cell = change.cell.map { "\($0.dimension)=\($0.label)" }.joined(separator: ", ")
        print(
          "  \(change.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) line \(change.line), column \(change.column) [\(cell)]: \(change.why)"
        )
      }
      if !rounded.isEmpty { print("  rounded   \(rounded.count) cell\(rounded.count == 1 ? "" : "s")") }
      let recomputed = report.changes.filter { $0.kind == .recomputed }
      let derived = report.changes.filter { $0.kind == .derived }
      if !recomputed.isEmpty {
        print(
          "  recomputed \(recomputed.count) percentage, rate or cumulative value\(recomputed.count == 1 ? "" : "s") from the protected counts"
        )
      }
      for change in derived {
        let cell = change.cell.map { "\($0.dimension)=\($0.label)" }.joined(separator: ", ")
        print("  derived   line \(change.line), column \(change.column) [\(cell)]: \(change.why)")
      }
      print(
        "\(report.hiddenCells) of \(report.cells) cells withheld (\(primary.count) primary, \(secondary.count) secondary), \(String(format: "%.1f", report.hiddenShare * 100))% of the total hidden; 'airlock check' passes"
      )
    }
  }
}
