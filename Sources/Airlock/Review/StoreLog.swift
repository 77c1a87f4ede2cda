import Foundation
import GRDB

// The review store feeds the decision log: every signed event of the workflow becomes a public
// `LogEntry`. This is the store's knowledge (its tables, its records), so it lives with the store;
// the log itself (Log/) knows nothing of reviews.

extension ReviewStore {
  /// The store's decision log folder.
  public var logFolder: URL { root.appendingPathComponent("log") }
  /// The log's private key: $AIRLOCK_LOG_KEY, the store configuration's `logKey`, or `<store>/log.key`.
  public func logKeyPath() -> String {
    if let path = ProcessInfo.processInfo.environment["AIRLOCK_LOG_KEY"], !path.isEmpty { return path }
    return (try? config().logKey) ?? nil ?? root.appendingPathComponent("log.key").path
  }

  /// Whether this store keeps a decision log.
  public var hasLog: Bool { FileManager.default.fileExists(atPath: TransparencyLog.vkeyPath(in: logFolder)) }

  /// The store's decision log.
  public func decisionLog() throws(AirlockError) -> TransparencyLog { try TransparencyLog.open(at: logFolder) }

  /// Creates the store's decision log (and its key, unless `keyPath` names an existing one), then
  /// logs every event already in the store. The log key is the TRE's, apart from reviewers' keys.
  @discardableResult
  public func enableLog(origin: String, keyPath: String? = nil) throws(AirlockError) -> TransparencyLog {
    let path = keyPath ?? logKeyPath()
    let key: SigningKey
    if FileManager.default.fileExists(atPath: path) {
      key = try KeyFile.loadPrivateKey(path)
    } else {
      key = SigningKey()
      try KeyFile.write(key, to: path, force: false)
    }
    if let keyPath {
      var current = try config()
      current.logKey = keyPath
      try saveConfig(current)
    }
    let log = try TransparencyLog.create(at: logFolder, origin: origin, key: key)
    try syncLog(key: key)
    return log
  }

  /// The log key, when the store keeps a log; fails (before any change) when it cannot be read.
  func logSigner() throws(AirlockError) -> SigningKey? {
    guard hasLog else { return nil }
    let key = try KeyFile.loadPrivateKey(logKeyPath())
    guard key.publicKey == (try decisionLog()).verifier.publicKey else {
      throw AirlockError(.configuration, file: logKeyPath(), "this is not the key the decision log is pinned to")
    }
    return key
  }

  /// Appends every store event not yet in the log, in event order, one signed checkpoint per
  /// entry. Idempotent: the log remembers the last event id it holds. This is how the log
  /// catches up after a process died between a store commit and its log append (an append cut
  /// short is finished first). `adoptUnsigned`: sign entries no checkpoint signs as they are (see
  /// `TransparencyLog.append`).
  @discardableResult
  public func syncLog(key: SigningKey? = nil, adoptUnsigned: Bool = false) throws(AirlockError) -> Checkpoint? {
    var signer = key
    if signer == nil { signer = try logSigner() }
    guard let key = signer else { return nil }
    let log = try decisionLog()
    let trust = try? trustList()
    return try log.append(key: key, adoptUnsigned: adoptUnsigned) { (existing) throws(AirlockError) -> [Data] in
      var last = 0
      if let line = existing.last { last = try LogEntry.parse(line).eventId }
      let start = existing.count
      return try read { db in
        try Self.entries(after: last, startingAt: start, trust: trust, db: db).map { $0.line() }
      }
    }
  }

  static func entries(after eventId: Int, startingAt index: Int, trust: TrustList?, db: Database) throws -> [LogEntry] {
    let rows = try Row.fetchAll(
      db,
      sql: """
        SELECT e.id, e.type, e.request_id, e.turn, e.actor_keyid, e.at, e.detail,
          r.project, r.pack_name, r.pack_version, r.reviewers_required, r.exception
        FROM event e JOIN request r ON r.id = e.request_id WHERE e.id > ? ORDER BY e.id
        """, arguments: [eventId])
    let loggedAt = ISOTime.format(Date())
    var entries: [LogEntry] = []
    for row in rows {
      let request: String = row["request_id"]
      let type: String = row["type"]
      let turn: Int = row["turn"]
      let detail =
        (try? JSONDuplicateCheck.decode([String: String].self, from: Data((row["detail"] as String).utf8))) ?? [:]
      let counts = try Row.fetchAll(
        db, sql: "SELECT kind, COUNT(*) AS n FROM request_file WHERE request_id = ? GROUP BY kind", arguments: [request]
      )
      func count(_ kind: String) -> Int { counts.first { $0["kind"] as String == kind }?["n"] ?? 0 }
      let role =
        ["submit": "researcher", "resubmit": "researcher", "withdraw": "researcher", "release": "release"][type]
        ?? "checker"
      var entry = LogEntry(
        index: index + entries.count, loggedAt: loggedAt, event: type, eventId: row["id"], at: row["at"],
        request: request,
        project: row["project"], turn: turn, status: detail["status"],
        actor: .init(role: role, keyid: role == "researcher" ? nil : row["actor_keyid"]),
        rulePack: .init(name: row["pack_name"], version: row["pack_version"]),
        reviewersRequired: row["reviewers_required"],
        exceptionRequested: (row["exception"] as String?) != nil, outputs: count("output"),
        supporting: count("supporting"))
      switch type {
      case "vote":
        // Blind review (issue 19 §4): the public log says that a checker voted, never how; the
        // approved record carries the votes once every review is in.
        break
      case "reject":
        entry.decision = "REJECTED"
      case "withdraw":
        entry.decision = "WITHDRAWN"
      case "approve" where detail["status"] == RequestStatus.approved.rawValue, "release":
        entry.decision = type == "release" ? "RELEASED" : "APPROVED"
        // The record this decision rests on: the newest of the request (an approved request never
        // changes turn).
        if let record = try Row.fetchOne(
          db, sql: "SELECT payload, envelope FROM record WHERE request_id = ? ORDER BY turn DESC LIMIT 1",
          arguments: [request])
        {
          let payload: Data = record["payload"]
          entry.statementSha256 = Digest.sha256(payload)
          if let statement = try? JSONDuplicateCheck.decode(ReviewStatement.self, from: payload) {
            entry.predicateType = statement.predicateType
            entry.outputs = statement.subject.count
            var overridden: [String: Int] = [:]
            for override in statement.predicate.checks.overridden { overridden[override.code, default: 0] += 1 }
            entry.overridden = overridden
          }
          if let trust, let envelope = try? Envelope.parse(Data((record["envelope"] as String).utf8)) {
            entry.signers = envelope.verifiedKeys(among: trust.keys(for: .review)).map(\.keyid).sorted()
          }
        }
      default:
        break
      }
      entries.append(entry)
    }
    return entries
  }
}

extension ReviewWorkflow {
  /// A tlog-proof receipt for the request's approval: the log entry that commits to its review
  /// record, proved against the latest checkpoint.
  public func logReceipt(_ id: String) throws(AirlockError) -> InclusionReceipt {
    let record = try self.record(id)
    let envelope = try Envelope.parse(record)
    let statementSha256 = Digest.sha256(envelope.body ?? Data())
    let log = try store.decisionLog()
    let entries = try log.readEntries().entries
    guard
      let index = entries.lastIndex(where: { line in
        (try? LogEntry.parse(line)).map {
          $0.request == id && $0.decision == "APPROVED" && $0.statementSha256 == statementSha256
        } ?? false
      })
    else {
      throw AirlockError(
        .input, file: log.entriesPath, "the decision log has no approval of \(id) (run 'airlock log sync')")
    }
    return try log.receipt(for: index)
  }
}
