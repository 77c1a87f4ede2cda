import Foundation

/// The machine-readable report (`--format json`), versioned by `schema` and described in
/// `docs/json-schema/check-report-v1.json`.
public enum JSONReporter: Sendable {
  /// The version of the JSON report schema.
  public static let schemaVersion = 1

  struct Document: Encodable {
    let schema = "airlock-check-report"
    let version = JSONReporter.schemaVersion
    let airlock = AirlockVersion.current
    let pack: Pack
    let outcome: Outcome
    let exitStatus: Int32
    let outputs: [OutputResult]
    struct Pack: Encodable {
      let name: String
      let version: String
      let extends: [String]
    }
  }

  /// Renders `report` as pretty-printed JSON with sorted keys.
  public static func render(_ report: CheckReport, blockingAt: Outcome = .review) -> String {
    let document = Document(
      pack: .init(name: report.pack.name, version: report.pack.version, extends: report.pack.ancestry),
      outcome: report.outcome, exitStatus: report.exitStatus(blockingAt: blockingAt), outputs: report.results)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}

/// airlock's own version.
public enum AirlockVersion {
  public static let current = "0.1.0"
}
