import Foundation

/// One request in the public register: built from the public decision log only, so it carries no
/// file names, digests or cell values by construction.
public struct RegisterRow: Codable, Sendable, Equatable {
  public var request: String
  public var project: String
  public var submittedAt: String
  /// When the request was approved, rejected or withdrawn (nil while open).
  public var decidedAt: String?
  public var releasedAt: String?
  /// released, approved, rejected, withdrawn, returned or in review.
  public var outcome: String
  public var turns: Int
  public var outputs: Int
  public var supporting: Int
  public var rulePack: String
  public var rulePackVersion: String
  public var reviewersRequired: Int
  public var exceptionRequested: Bool
  /// Exceptions granted: rule code → findings approved despite it.
  public var exceptionsGranted: [String: Int]
  /// Key ids of the checkers who acted on the request.
  public var reviewers: [String]
  /// Seconds from the first submission to the decision.
  public var turnaroundSeconds: Int?
  public var statementSha256: String?
  /// The log entries (0-based indexes) the row was built from.
  public var firstEntry: Int
  public var lastEntry: Int

  /// "3d 4h", "2h 5m", "40m".
  public var turnaround: String {
    guard let seconds = turnaroundSeconds else { return "" }
    let (days, hours, minutes) = (seconds / 86400, seconds % 86400 / 3600, seconds % 3600 / 60)
    if days > 0 { return "\(days)d \(hours)h" }
    if hours > 0 { return "\(hours)h \(minutes)m" }
    return "\(minutes)m"
  }

  public var exceptionsText: String {
    exceptionsGranted.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
  }
}

/// The public register of requests and decisions (issue 6 §3), built from the decision log.
public enum Register {
  public enum Format: String, CaseIterable, Sendable {
    case jsonl, csv, html
  }

  /// One row per request, in order of first submission.
  public static func rows(_ entries: [LogEntry]) -> [RegisterRow] {
    var order: [String] = []
    var rows: [String: RegisterRow] = [:]
    for entry in entries {
      var row =
        rows[entry.request]
        ?? {
          order.append(entry.request)
          return RegisterRow(
            request: entry.request, project: entry.project, submittedAt: entry.at, outcome: "in review",
            turns: entry.turn,
            outputs: entry.outputs, supporting: entry.supporting, rulePack: entry.rulePack.name,
            rulePackVersion: entry.rulePack.version, reviewersRequired: entry.reviewersRequired,
            exceptionRequested: entry.exceptionRequested, exceptionsGranted: [:], reviewers: [],
            firstEntry: entry.index,
            lastEntry: entry.index)
        }()
      row.lastEntry = entry.index
      row.turns = max(row.turns, entry.turn)
      row.outputs = entry.outputs
      row.supporting = entry.supporting
      row.rulePackVersion = entry.rulePack.version
      row.exceptionRequested = row.exceptionRequested || entry.exceptionRequested
      if entry.actor.role == "checker", let keyid = entry.actor.keyid, !row.reviewers.contains(keyid) {
        row.reviewers.append(keyid)
      }
      if let status = entry.status, entry.decision == nil, !["approved", "released"].contains(row.outcome) {
        row.outcome =
          status == "returned" ? "returned" : ["rejected", "withdrawn"].contains(status) ? status : "in review"
      }
      switch entry.decision {
      case "RELEASED"?:
        row.outcome = "released"
        row.releasedAt = row.releasedAt ?? entry.at
      case let decision?:
        row.outcome = decision.lowercased()
        row.decidedAt = row.decidedAt ?? entry.at
        if let granted = entry.overridden { row.exceptionsGranted = granted }
        if let sha = entry.statementSha256 { row.statementSha256 = sha }
        if let start = ISOTime.parse(row.submittedAt), let end = ISOTime.parse(entry.at) {
          row.turnaroundSeconds = max(0, Int(end.timeIntervalSince(start)))
        }
      case nil:
        break
      }
      rows[entry.request] = row
    }
    return order.compactMap { rows[$0] }
  }

  public static func export(_ rows: [RegisterRow], format: Format, origin: String, size: Int) -> String {
    switch format {
    case .jsonl: return jsonl(rows)
    case .csv: return csv(rows)
    case .html: return html(rows, origin: origin, size: size)
    }
  }

  static func jsonl(_ rows: [RegisterRow]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return rows.map { String(decoding: try! encoder.encode($0), as: UTF8.self) + "\n" }.joined()
  }

  static let columns = [
    "request", "project", "submitted_at", "decided_at", "released_at", "outcome", "turns", "outputs", "supporting",
    "rule_pack", "rule_pack_version", "reviewers_required", "exception_requested", "exceptions_granted", "reviewers",
    "turnaround_seconds", "statement_sha256", "log_entries",
  ]

  static func fields(_ row: RegisterRow) -> [String] {
    [
      row.request, row.project, row.submittedAt, row.decidedAt ?? "", row.releasedAt ?? "", row.outcome, "\(row.turns)",
      "\(row.outputs)", "\(row.supporting)", row.rulePack, row.rulePackVersion, "\(row.reviewersRequired)",
      row.exceptionRequested ? "yes" : "no", row.exceptionsText, row.reviewers.joined(separator: " "),
      row.turnaroundSeconds.map(String.init) ?? "", row.statementSha256 ?? "", "\(row.firstEntry)-\(row.lastEntry)",
    ]
  }

  /// RFC 4180 CSV, with formula-leading cells defused (a register opens in spreadsheets).
  static func csv(_ rows: [RegisterRow]) -> String {
    func quote(_ field: String) -> String {
      var text = field
      if let first = text.first, "=+-@".contains(first) { text = "'" + text }
      guard text.contains(where: { ",\"\n\r".contains($0) }) else { return text }
      return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return ([columns] + rows.map(fields)).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\r\n")
      + "\r\n"
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
      .replacingOccurrences(of: "'", with: "&#39;")
  }

  /// A self-contained web page: a summary, the process per rule pack, then every request.
  static func html(_ rows: [RegisterRow], origin: String, size: Int) -> String {
    var outcomes: [String: Int] = [:]
    for row in rows { outcomes[row.outcome, default: 0] += 1 }
    let summary = outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \(escape($0.key))" }.joined(separator: ", ")
    var packs: [String: (requests: Int, approved: Int, rejected: Int, requested: Int, granted: Int)] = [:]
    for row in rows {
      var pack = packs["\(row.rulePack) \(row.rulePackVersion)"] ?? (0, 0, 0, 0, 0)
      pack.requests += 1
      if ["approved", "released"].contains(row.outcome) { pack.approved += 1 }
      if row.outcome == "rejected" { pack.rejected += 1 }
      if row.exceptionRequested { pack.requested += 1 }
      if !row.exceptionsGranted.isEmpty { pack.granted += 1 }
      packs["\(row.rulePack) \(row.rulePackVersion)"] = pack
    }
    var page = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Output release register</title>
      <style>
      body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
      table { border-collapse: collapse; margin: 1rem 0 2rem; font-size: 0.9rem; }
      th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
      th { background: #f0f0f0; }
      td.num { text-align: right; }
      code { font-size: 0.8rem; }
      .released, .approved { color: #0a6b2d; } .rejected { color: #a4001d; } .withdrawn { color: #666; }
      </style>
      </head>
      <body>
      <h1>Output release register</h1>
      <p>Every request to release research outputs from this Trusted Research Environment, and every decision on
      it, from the decision log <code>\(escape(origin))</code> (\(size) entries). The register holds no data: no
      file names, no file digests, no values. Anyone can rebuild it from the published log and check that log's
      signed checkpoints.</p>
      <p>\(rows.count) requests: \(summary.isEmpty ? "none" : summary).</p>
      <h2>Process by rule pack</h2>
      <table>
      <thead><tr><th>Rule pack</th><th>Requests</th><th>Approved</th><th>Rejected</th><th>Exceptions requested</th><th>Exceptions granted</th></tr></thead>
      <tbody>

      """
    for (name, pack) in packs.sorted(by: { $0.key < $1.key }) {
      page +=
        "<tr><td>\(escape(name))</td><td class=\"num\">\(pack.requests)</td><td class=\"num\">\(pack.approved)</td>"
        + "<td class=\"num\">\(pack.rejected)</td><td class=\"num\">\(pack.requested)</td><td class=\"num\">\(pack.granted)</td></tr>\n"
    }
    page += """
      </tbody>
      </table>
      <h2>Requests</h2>
      <table>
      <thead><tr><th>Request</th><th>Project</th><th>Submitted</th><th>Decided</th><th>Outcome</th><th>Turns</th>
      <th>Output files</th><th>Rule pack</th><th>Reviewers required</th><th>Exception requested</th>
      <th>Exceptions granted</th><th>Reviewer keys</th><th>Turnaround</th><th>Log entries</th></tr></thead>
      <tbody>

      """
    for row in rows {
      let reviewers = row.reviewers.map { "<code title=\"\(escape($0))\">\(escape(String($0.prefix(12))))</code>" }
        .joined(separator: " ")
      page +=
        "<tr><td><code>\(escape(row.request))</code></td><td>\(escape(row.project))</td>"
        + "<td>\(escape(row.submittedAt))</td><td>\(escape(row.decidedAt ?? ""))</td>"
        + "<td class=\"\(escape(row.outcome))\">\(escape(row.outcome))\(row.releasedAt.map { " (\(escape($0)))" } ?? "")</td>"
        + "<td class=\"num\">\(row.turns)</td><td class=\"num\">\(row.outputs)</td>"
        + "<td>\(escape(row.rulePack)) \(escape(row.rulePackVersion))</td><td class=\"num\">\(row.reviewersRequired)</td>"
        + "<td>\(row.exceptionRequested ? "yes" : "no")</td><td>\(escape(row.exceptionsText))</td><td>\(reviewers)</td>"
        + "<td>\(escape(row.turnaround))</td><td>\(row.firstEntry)–\(row.lastEntry)</td></tr>\n"
    }
    page += "</tbody>\n</table>\n</body>\n</html>\n"
    return page
  }
}

extension Register {
  /// The register of `log`'s first `size` entries (the size its verification vouched for) in
  /// `format`: what `airlock register export` writes once the log verifies.
  /// - Throws: `.input` at `entries.jsonl:LINE:1` for an entry that does not parse.
  public static func export(_ log: TransparencyLog, verifiedSize size: Int, format: Format) throws(AirlockError)
    -> String
  {
    let entries = try log.readEntries().entries.prefix(size).enumerated().map { (offset, line) throws(AirlockError) in
      do throws(AirlockError) { return try LogEntry.parse(line) } catch {
        throw AirlockError(.input, file: log.entriesPath, line: offset + 1, column: 1, error.message)
      }
    }
    return export(rows(entries), format: format, origin: log.verifier.name, size: size)
  }
}
