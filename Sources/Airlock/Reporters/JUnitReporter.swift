import Foundation

/// The JUnit XML report (`--format junit`) for CI test dashboards: one test suite per output and
/// one test case per output and enabled rule. A rule's findings at or above the blocking outcome
/// are a `<failure>`; a rule that did not run on the output is `<skipped>`, never passed; an output
/// that cannot be read is one `<error>` test case. Messages are
/// value-free (see ``ReleasableFinding``), so the report may leave the TRE.
public enum JUnitReporter: Sendable {
  /// Renders `report`; findings at least `blockingAt` are failures, the others are listed in
  /// `<system-out>`.
  public static func render(_ report: CheckReport, blockingAt: Outcome = .review) -> String {
    let pack = report.pack
    let rules = pack.enabledRules().map { type(of: $0) }
    let findings = Dictionary(grouping: ReleasableFinding.all(in: report), by: \.file)
    var suites: [String] = []
    var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
    for result in report.results {
      var cases: [String] = []
      var failures = 0
      var errors = 0
      var skipped = 0
      let className = escape(result.file)
      if let error = result.error {
        errors += 1
        cases.append(
          "    <testcase classname=\"\(className)\" name=\"read\">\n"
            + "      <error type=\"\(error.kind.rawValue)\" message=\"\(escape(releasableErrorMessage(error)))\"/>\n"
            + "    </testcase>")
      } else {
        let mine = findings[result.file] ?? []
        let ran = Set(result.rulesRun ?? [])
        var codes = rules.map { $0.description.code }
        for code in Set(mine.map(\.code) + result.omitted.map(\.code)).sorted() where !codes.contains(code) {
          codes.append(code)
        }
        for code in codes {
          let name = RuleRegistry.rule(codeOrName: code).map { "\(code) \($0.description.name)" } ?? code
          let ofRule = mine.filter { $0.code == code }
          let omitted = result.omitted.first { $0.code == code }
          let worst = max(ofRule.map(\.outcome).max() ?? .pass, omitted?.worst ?? .pass)
          var body = ofRule.map { "\($0.outcome.rawValue): \($0.message)" }
          if let omitted { body.append("… and \(omitted.count) more (worst: \(omitted.worst.rawValue))") }
          let count = ofRule.count + (omitted?.count ?? 0)
          var element = "    <testcase classname=\"\(className)\" name=\"\(escape(name))\""
          if worst != .pass && worst >= blockingAt {
            failures += 1
            let summary = "\(count) finding\(count == 1 ? "" : "s"), worst \(worst.rawValue)"
            element +=
              ">\n      <failure type=\"\(worst.rawValue)\" message=\"\(escape(summary))\">"
              + escape(body.joined(separator: "\n")) + "</failure>\n    </testcase>"
          } else if body.isEmpty && !ran.contains(code) {
            // A rule that did not judge the output is never shown as passed.
            skipped += 1
            element +=
              ">\n      <skipped message=\"did not run on this output (no column it judges, or an output it does not read)\"/>\n    </testcase>"
          } else if !body.isEmpty {
            element += ">\n      <system-out>" + escape(body.joined(separator: "\n")) + "</system-out>\n    </testcase>"
          } else {
            element += "/>"
          }
          cases.append(element)
        }
      }
      totals.tests += cases.count
      totals.failures += failures
      totals.errors += errors
      totals.skipped += skipped
      suites.append(
        "  <testsuite name=\"\(className)\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
          + "    <properties>\n"
          + "      <property name=\"verdict\" value=\"\(result.outcome?.rawValue ?? "error")\"/>\n"
          + "      <property name=\"rule-pack\" value=\"\(escape("\(pack.name) \(pack.version)"))\"/>\n"
          + result.claims.map { "      <property name=\"claim\" value=\"\(escape($0.releasableMessage))\"/>\n" }
          .joined()
          + "    </properties>\n"
          + cases.joined(separator: "\n") + "\n  </testsuite>")
    }
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="airlock check" tests="\(totals.tests)" failures="\(totals.failures)" errors="\(totals.errors)" skipped="\(totals.skipped)">
      \(suites.joined(separator: "\n"))
      </testsuites>

      """
  }

  /// Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold.
  static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\n", "\t": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
