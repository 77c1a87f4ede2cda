import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.Tabulate {
  struct Table: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "table",
      abstract: "A count, sum, mean, sd, median, min or max by one or more dimensions (the default).",
      discussion: """
        Long output by default (one row per cell); with --cols, a crosstab. Missing labels are a \
        '(missing)' category unless --missing drop. Counts are of records, unweighted; --weight adds \
        the weighted total to the evidence (and --sum --weight publishes it as weighted_sum). \
        --min and --max publish one unit's value and are computed only when asked for.
        """)

    @Argument(help: "The microdata: CSV or TSV (optionally .gz), Stata .dta, SPSS .sav/.por, SAS .sas7bdat/.xpt.")
    var data: String?

    @Option(name: .long, help: "Row dimensions, comma-separated.")
    var rows: String?

    @Option(name: .long, help: "The column dimension of a crosstab (wide layout).")
    var cols: String?

    @Flag(name: .long, help: "Count records.") var count = false
    @Option(name: .long, help: "Sum this column.") var sum: String?
    @Option(name: .long, help: "Mean of this column.") var mean: String?
    @Option(name: .long, help: "Standard deviation of this column.") var sd: String?
    @Option(name: .long, help: "Median of this column.") var median: String?
    @Option(name: .long, help: "Minimum of this column (publishes one unit's value).") var min: String?
    @Option(name: .long, help: "Maximum of this column (publishes one unit's value).") var max: String?

    @Option(name: .long, help: "The column identifying units: dominance is judged over units' totals.")
    var unit: String?

    @Option(name: .long, help: "A weight column (into weighted_total; --count or --sum only).")
    var weight: String?

    @Flag(name: .long, help: "Write every margin of the cube, labelled with the pack's margin label.")
    var margins = false

    @Option(name: .long, help: "category (a '(missing)' label, the default) or drop.")
    var missing: String = "category"

    @Option(name: .long, help: "Keep only records whose COLUMN is exactly VALUE (COLUMN=VALUE; repeatable).")
    var filter: [String] = []

    @Option(
      name: .long,
      help: "DIM=FILE: the levels of DIM, one per line; empty combinations are written as zeros (repeatable).")
    var levels: [String] = []

    @Flag(
      name: .long,
      help: "Write the protected table too (NAME.protected.csv, by airlock protect's suppression; --count only).")
    var protect = false

    @Option(
      name: .long,
      help:
        "unit: the input is sorted by the --unit column (ids ascending as bytes); units are folded as they go by, and the order is checked."
    )
    var sortedBy: String?

    @Option(
      name: .long,
      help:
        "Bound the (cell, unit) pairs held in memory (e.g. 256MiB); beyond it they are spilled to partition files beside the output."
    )
    var memory: String?

    @Option(name: .long, help: "Decimals of means, standard deviations and medians.")
    var decimals: Int = 2

    @Option(
      name: .long,
      help: "Re-run the tabulation recorded in NAME.tabulate.json and compare byte for byte (exit 0 identical, 1 not).")
    var verify: String?

    @OptionGroup var options: TabulateCommonOptions

    func run() throws {
      if let verify {
        let provenance = try TabulateProvenance.load(path: verify)
        let pack = try RulePackLoader.load(provenance.job.rules)
        let result = try TabulateWriter.verify(provenancePath: verify, pack: pack)
        if result.isIdentical {
          print("verified \(verify): the input and every file are as recorded")
          return
        }
        if !result.inputMatches {
          print("the input \(provenance.job.data) is not the one recorded (size or SHA-256 differs)")
        }
        for path in result.differing { print("differs: \(path)") }
        throw ExitStatus.failed
      }
      guard let data else { throw ValidationError("the microdata file is required") }
      guard let rows else { throw ValidationError("--rows is required") }
      let chosen: [(TabulateRequest.Statistic, String?)] =
        (count ? [(.count, nil)] : [])
        + [(.sum, sum), (.mean, mean), (.sd, sd), (.median, median), (.min, min), (.max, max)].filter { $0.1 != nil }
      guard chosen.count == 1 else {
        throw ValidationError("give exactly one of --count, --sum, --mean, --sd, --median, --min, --max")
      }
      guard let policy = TabulateRequest.MissingPolicy(rawValue: missing) else {
        throw ValidationError("--missing must be category or drop")
      }
      var request = TabulateRequest(
        data: data, rows: rows.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) },
        statistic: chosen[0].0, variable: chosen[0].1)
      request.cols = cols.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
      request.unit = unit
      request.weight = weight
      request.margins = margins
      request.missing = policy
      request.decimals = decimals
      request.rules = options.rules
      request.protect = protect
      request.sortedBy = sortedBy
      if let memory {
        guard let bytes = TabulateRequest.parseSize(memory) else {
          throw AirlockError(.usage, "--memory takes a size such as 256MiB, 2GiB or 500MB")
        }
        request.memory = bytes
      }
      for text in filter {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
          throw ValidationError("--filter takes COLUMN=VALUE")
        }
        request.filters.append(
          .init(column: String(text[..<equals]), value: String(text[text.index(after: equals)...])))
      }
      for text in levels {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
          throw AirlockError(.usage, "--levels takes DIM=FILE")
        }
        request.levels.append(
          try .load(dimension: String(text[..<equals]), file: String(text[text.index(after: equals)...])))
      }
      try options.run(.table(request: request))
    }
  }
}
