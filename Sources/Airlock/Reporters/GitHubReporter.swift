/// GitHub Actions workflow commands (`--format github`): one `::error` (fail) or `::warning`
/// (review) annotation per finding, on its file, line and column, with a value-free message (see
/// ``ReleasableFinding``), so the log may leave the TRE.
public enum GitHubReporter: Sendable {
  /// Renders `report` as workflow commands, one per line.
  public static func render(_ report: CheckReport) -> String {
    var lines: [String] = []
    for finding in ReleasableFinding.all(in: report) {
      var properties = ["file=\(property(finding.file))"]
      if let line = finding.line {
        properties.append("line=\(line)")
        if let column = finding.characterColumn { properties.append("col=\(column)") }
      }
      properties.append("title=\(property("\(finding.code) \(finding.rule)"))")
      let command = finding.outcome == .fail ? "error" : "warning"
      lines.append("::\(command) \(properties.joined(separator: ","))::\(data(finding.message))")
    }
    for result in report.results {
      if let error = result.error {
        var properties = ["file=\(property(result.file))"]
        if let line = error.line {
          properties.append("line=\(line)")
          if let column = error.column { properties.append("col=\(column)") }
        }
        properties.append("title=airlock")
        lines.append("::error \(properties.joined(separator: ","))::\(data(releasableErrorMessage(error)))")
      }
      for claim in result.claims {
        // A notice on the manifest line that declares it (or the output), value-free.
        var properties = ["file=\(property(claim.manifest ?? claim.file))"]
        if let line = claim.line {
          properties.append("line=\(line)")
          if let column = claim.column { properties.append("col=\(column)") }
        }
        properties.append("title=\(property("airlock claim \(claim.kind.rawValue)"))")
        lines.append(
          "::notice \(properties.joined(separator: ","))::\(data(claim.releasableMessage + " in " + result.file))")
      }
      for omitted in result.omitted {
        let command = omitted.worst == .fail ? "error" : "warning"
        lines.append(
          "::\(command) file=\(property(result.file)),title=\(property(omitted.code))::"
            + data("\(omitted.count) more \(omitted.code) findings not listed"))
      }
    }
    return lines.map { $0 + "\n" }.joined()
  }

  /// Escapes a workflow command's message.
  static func data(_ text: String) -> String {
    text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
      .replacingOccurrences(of: "\n", with: "%0A")
  }

  /// Escapes a workflow command's property value.
  static func property(_ text: String) -> String {
    data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
  }
}
