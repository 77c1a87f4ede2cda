import Foundation

/// The SARIF 2.1.0 report (`--format sarif`) for code-scanning tools such as GitHub's.
///
/// Rules come from the registry (code, name, summary, rationale and fix as help, the pack's
/// parameters); results carry only the rule, level, file, line and character column, and a
/// value-free message (see ``ReleasableFinding``), so the report may leave the TRE.
public enum SARIFReporter: Sendable {
  /// The SARIF version written.
  public static let version = "2.1.0"
  /// The schema the document names.
  public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

  struct Log: Encodable {
    let schema = SARIFReporter.schemaURI
    let version = SARIFReporter.version
    let runs: [Run]
    enum CodingKeys: String, CodingKey {
      case schema = "$schema"
      case version, runs
    }
  }
  struct Run: Encodable {
    let tool: Tool
    let invocations: [Invocation]
    let results: [Result]
    let properties: RunProperties
  }
  struct Tool: Encodable { let driver: Driver }
  struct Driver: Encodable {
    let name = "airlock"
    let version = AirlockVersion.current
    let semanticVersion = AirlockVersion.current
    let rules: [ReportingDescriptor]
  }
  struct Text: Encodable {
    let text: String
    var markdown: String? = nil
  }
  struct ReportingDescriptor: Encodable {
    let id: String
    let name: String
    let shortDescription: Text
    let fullDescription: Text
    let help: Text
    let defaultConfiguration: Configuration
    let properties: RuleProperties
  }
  struct Configuration: Encodable {
    let level: String
    let enabled: Bool
  }
  struct RuleProperties: Encodable {
    let parameters: [String: ParameterValue]
    let tags: [String]
  }
  struct Result: Encodable {
    let ruleId: String
    let ruleIndex: Int
    let level: String
    let message: Text
    let locations: [Location]
    let partialFingerprints: [String: String]
    let properties: ResultProperties
  }
  struct ResultProperties: Encodable {
    let outcome: Outcome
    let field: Int?
    let wholeOutput: Bool
  }
  struct Location: Encodable { let physicalLocation: PhysicalLocation }
  struct PhysicalLocation: Encodable {
    let artifactLocation: ArtifactLocation
    let region: Region
  }
  struct ArtifactLocation: Encodable {
    let uri: String
    let uriBaseId: String?
  }
  struct Region: Encodable {
    let startLine: Int
    let startColumn: Int?
  }
  struct Invocation: Encodable {
    let executionSuccessful: Bool
    let toolExecutionNotifications: [Notification]
  }
  struct Notification: Encodable {
    var level = "error"
    let message: Text
    let locations: [Location]
  }
  struct RunProperties: Encodable {
    let rulePack: Pack
    let omittedFindings: [Omitted]
    /// Every output's claims: kind, position and relaxed rules, never what they declare.
    let claims: [ClaimNote]
    struct ClaimNote: Encodable {
      let file: String
      let kind: String
      let manifest: String?
      let line: Int?
      let column: Int?
      let field: Int?
      let ruleIds: [String]
      let message: String
    }
    struct Pack: Encodable {
      let name: String
      let version: String
    }
    struct Omitted: Encodable {
      let file: String
      let ruleId: String
      let count: Int
      let level: String
    }
  }

  /// The SARIF level of an outcome: `fail` is an error, `review` a warning.
  static func level(_ outcome: Outcome) -> String {
    switch outcome {
    case .fail: "error"
    case .review: "warning"
    case .pass: "none"
    }
  }

  /// Renders `report` as SARIF 2.1.0 JSON (sorted keys).
  public static func render(_ report: CheckReport) -> String {
    let pack = report.pack
    let enabled = Set(pack.enabledRules().map { type(of: $0).description.code })
    let used = Set(report.results.flatMap { $0.findings.map(\.code) + $0.omitted.map(\.code) })
    let rules = RuleRegistry.builtIn.filter {
      enabled.contains($0.description.code) || used.contains($0.description.code)
    }
    var index: [String: Int] = [:]
    for (i, rule) in rules.enumerated() { index[rule.description.code] = i }
    let descriptors = rules.map { rule in
      let d = rule.description
      let parameters = pack.parameters(of: rule)
      var values: [String: ParameterValue] = [:]
      for (name, value) in ReleasableFinding.thresholds(of: rule, in: pack) { values[name] = value }
      let helpMarkdown = d.rationale.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n## Fix\n\n" + d.fix
      return ReportingDescriptor(
        id: d.code, name: d.name, shortDescription: Text(text: d.summary), fullDescription: Text(text: d.summary),
        help: Text(text: d.fix, markdown: helpMarkdown),
        defaultConfiguration: Configuration(level: "error", enabled: parameters.isEnabled),
        properties: RuleProperties(parameters: values, tags: ["disclosure-control", String(d.code.prefix(1))]))
    }
    var results: [Result] = []
    for finding in ReleasableFinding.all(in: report) {
      results.append(
        Result(
          ruleId: finding.code, ruleIndex: index[finding.code] ?? 0, level: level(finding.outcome),
          message: Text(text: finding.message),
          locations: [location(file: finding.file, line: finding.line, column: finding.characterColumn)],
          partialFingerprints: [
            "airlockCell/v1": "\(finding.file):\(finding.code):\(finding.line ?? 0):\(finding.field ?? 0)"
          ],
          properties: ResultProperties(outcome: finding.outcome, field: finding.field, wholeOutput: finding.line == nil)
        ))
    }
    let notifications = report.results.compactMap { result -> Notification? in
      guard let error = result.error else { return nil }
      return Notification(
        message: Text(text: releasableErrorMessage(error)),
        locations: [location(file: result.file, line: error.line, column: error.column)])
    }
    // Claims are notes (not results: they are not findings of a rule), on the manifest line that
    // declares them, value-free.
    let notes = report.results.flatMap { result in
      result.claims.map { claim in
        Notification(
          level: "note", message: Text(text: claim.releasableMessage + " in " + result.file),
          locations: [location(file: claim.manifest ?? claim.file, line: claim.line, column: claim.column)])
      }
    }
    let omitted = report.results.flatMap { result in
      result.omitted.map {
        RunProperties.Omitted(file: result.file, ruleId: $0.code, count: $0.count, level: level($0.worst))
      }
    }
    let log = Log(runs: [
      Run(
        tool: Tool(driver: Driver(rules: descriptors)),
        invocations: [
          Invocation(executionSuccessful: !report.hasErrors, toolExecutionNotifications: notifications + notes)
        ],
        results: results,
        properties: RunProperties(
          rulePack: .init(name: pack.name, version: pack.version), omittedFindings: omitted,
          claims: report.results.flatMap { result in
            result.claims.map { claim in
              RunProperties.ClaimNote(
                file: result.file, kind: claim.kind.rawValue, manifest: claim.manifest, line: claim.line,
                column: claim.column,
                field: claim.field, ruleIds: claim.rules, message: claim.releasableMessage)
            }
          }))
    ])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(log)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// A location in `file`; a whole-output finding points at line 1 (code scanning needs a line).
  static func location(file: String, line: Int?, column: Int?) -> Location {
    let relative = !file.hasPrefix("/")
    var path = file
    while path.hasPrefix("./") { path.removeFirst(2) }
    let uri = relative ? uriEncode(path) : "file://" + uriEncode(path)
    return Location(
      physicalLocation: PhysicalLocation(
        artifactLocation: ArtifactLocation(uri: uri, uriBaseId: relative ? "%SRCROOT%" : nil),
        region: Region(startLine: line ?? 1, startColumn: line == nil ? nil : column)))
  }

  static func uriEncode(_ path: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: ":;")
    return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
  }
}
