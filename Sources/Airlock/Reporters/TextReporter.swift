/// The report for people: grouped by file, worst first, each finding with its cell and fix.
public enum TextReporter: Sendable {
  /// Renders `report`; `color` adds ANSI colours (the CLI sets it only on a TTY without `NO_COLOR`).
  public static func render(_ report: CheckReport, color: Bool = false, verbose: Bool = false) -> String {
    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func label(_ outcome: Outcome?) -> String {
      switch outcome {
      case .fail: paint("FAIL", "1;31")
      case .review: paint("REVIEW", "1;33")
      case .pass: paint("PASS", "1;32")
      case nil: paint("ERROR", "1;35")
      }
    }
    var lines: [String] = []
    let order: (OutputResult) -> Int = { result in
      switch result.outcome {
      case nil: 0
      case .fail: 1
      case .review: 2
      case .pass: 3
      }
    }
    let sorted = report.results.enumerated().sorted { (order($0.element), $0.offset) < (order($1.element), $1.offset) }
    for (_, result) in sorted {
      if let error = result.error {
        lines.append("\(label(nil))  \(result.file.escapingControlCharacters)")
        lines.append("  error: \(error)")
        continue
      }
      let kind =
        result.kind.map {
          " (\($0.rawValue)\(result.layout == .wide ? ", crosstab" : "")\(result.declared ? ", declared" : ""))"
        } ?? ""
      if result.outcome == .pass && !verbose {
        lines.append("\(label(.pass))  \(result.file.escapingControlCharacters)\(kind)")
        // A pass that rests on claims says so: the claims are what a checker must accept.
        lines += claims(result)
        continue
      }
      lines.append(
        "\(label(result.outcome))  \(result.file.escapingControlCharacters)\(kind): \(result.findingCount) finding\(result.findingCount == 1 ? "" : "s")"
      )
      for finding in result.findings {
        var place = ""
        if let line = finding.line { place = "line \(line)" }
        if let column = finding.column { place += ", column \(column)" }
        if let name = finding.columnName { place += " '\(name)'" }
        if let cell = finding.cellDescription { place += " [\(cell)]" }
        let location = place.isEmpty ? "" : place.trimmingWhitespace() + ": "
        lines.append(
          "  \(finding.outcome.rawValue.padding(6)) \(finding.code) \(finding.rule): \(location)\(finding.reason)")
        lines.append("         fix: \(finding.fix)")
      }
      for omitted in result.omitted {
        lines.append("  … and \(omitted.count) more \(omitted.code) findings (worst: \(omitted.worst.rawValue))")
      }
      lines += claims(result)
      if verbose { lines += understood(result) }
    }
    let counts = Outcome.allCases.reversed().map { outcome in
      "\(report.results.filter { $0.outcome == outcome }.count) \(outcome.rawValue)"
    }
    let errors = report.results.filter { $0.error != nil }.count
    lines.append("")
    let claimed = report.results.filter { !$0.claims.isEmpty }
    if !claimed.isEmpty {
      let count = report.claims.count
      lines.append(
        "Claims: \(count) declaration\(count == 1 ? "" : "s") taken on trust in \(claimed.count) output\(claimed.count == 1 ? "" : "s") (listed under each; a checker approving an output must accept its claims)"
      )
    }
    lines.append(
      "\(report.results.count) output\(report.results.count == 1 ? "" : "s"): \(counts.joined(separator: ", ")), \(errors) error\(errors == 1 ? "" : "s") (rule pack \(report.pack.name) \(report.pack.version))"
    )
    return lines.joined(separator: "\n") + "\n"
  }
}

extension TextReporter {
  /// The output's claims under a `claims:` heading (nothing when it has none).
  static func claims(_ result: OutputResult) -> [String] {
    guard !result.claims.isEmpty else { return [] }
    return ["  claims (taken on trust; a checker must accept them):"]
      + result.claims.map { "    \($0.text.escapingControlCharacters)" }
  }

  /// What airlock understood of an output (for `--verbose` and the HTML report): each column's
  /// role and where it came from, the structure found, and the rules that ran.
  static func understood(_ result: OutputResult) -> [String] {
    var lines: [String] = []
    if let columns = result.columns {
      lines.append(
        "  columns: "
          + columns.map { "'\($0.name)' \($0.role.rawValue) (\($0.source.rawValue))" }.joined(separator: ", "))
    }
    if let structure = result.structure { lines += describe(structure) }
    for link in result.links ?? [] { lines.append("  linked with \(link)") }
    if let rules = result.rulesRun {
      lines.append("  rules run: " + (rules.isEmpty ? "none" : rules.joined(separator: ", ")))
    }
    return lines
  }

  /// What was found of a table's structure, a line each (for `--verbose`).
  static func describe(_ structure: TableStructure) -> [String] {
    func quoted(_ label: String) -> String { label.trimmingWhitespace().isEmpty ? "(blank)" : "'\(label)'" }
    var lines: [String] = []
    let margins = structure.margins.map { "\($0.dimension) \(quoted($0.label)) (\($0.source.rawValue))" }
    lines.append("  structure: margins " + (margins.isEmpty ? "none found" : margins.joined(separator: ", ")))
    for subtotal in structure.subtotals {
      lines.append(
        "  structure: subtotal \(subtotal.dimension) \(quoted(subtotal.parent)) = "
          + subtotal.children.map(quoted).joined(separator: " + ") + " (\(subtotal.source.rawValue))"
          + (subtotal.inferredFrom.map { ", inferred from \($0 == .indentation ? "indentation" : "the codes")" } ?? ""))
    }
    for contradiction in structure.contradictions ?? [] {
      lines.append(
        "  structure: \(contradiction.dimension) \(quoted(contradiction.parent)) is not the sum of "
          + contradiction.children.map(quoted).joined(separator: " + ")
          + (contradiction.basis == .declared
            ? ", as the manifest declares (the declaration is used)" : ", as the indentation says (not used)"))
    }
    for disagreement in structure.disagreements {
      lines.append(
        "  structure: \(disagreement.dimension) \(quoted(disagreement.label)) read as a category (not the sum of the others)"
          + (disagreement.declaredCategory ? ", as declared" : ""))
    }
    if structure.repeatedCellCount > 0 { lines.append("  structure: \(structure.repeatedCellCount) repeated cell(s)") }
    if structure.groupsWithAbsentCategories > 0 {
      lines.append(
        "  structure: \(structure.groupsWithAbsentCategories) row(s) with categories left out beside a margin")
    }
    return lines
  }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
