import Foundation
import GRDB

/// A request row.
struct RequestRow {
  var id: String
  var project: String
  var group: String
  var context: String
  var controls: String
  var exception: String?
  var authorPrincipal: String
  var authorKeyid: String
  var packRef: String
  var packName: String
  var packVersion: String
  var packDigest: String
  var reviewersRequired: Int
  var status: RequestStatus
  var turn: Int
  var createdAt: String
  var submittedAt: String
  var updatedAt: String

  /// The author is the same person whichever key they use, and the same key whoever it names.
  func isAuthor(_ actor: ReviewWorkflow.Actor) -> Bool {
    actor.principal == authorPrincipal || actor.keyid == authorKeyid
  }

  /// Whether `actor` may be the author under any name the trust list gives their key or the
  /// author's (queues and views treat them as the author: fail closed).
  func mayBeAuthor(_ actor: ReviewWorkflow.Actor) -> Bool {
    actor.trust.authorConflict(
      key: actor.key.publicKey, principal: actor.principal, author: authorPrincipal, authorKeyid: authorKeyid)
      != nil
  }
}

extension RequestRow {
  /// A row of `SELECT * FROM request`.
  init(_ row: Row) {
    self.init(
      id: row["id"], project: row["project"], group: row["group_name"], context: row["context"],
      controls: row["controls"],
      exception: row["exception"], authorPrincipal: row["author_principal"], authorKeyid: row["author_keyid"],
      packRef: row["pack_ref"], packName: row["pack_name"], packVersion: row["pack_version"],
      packDigest: row["pack_digest"],
      reviewersRequired: row["reviewers_required"], status: RequestStatus(rawValue: row["status"]) ?? .rejected,
      turn: row["turn"], createdAt: row["created_at"], submittedAt: row["submitted_at"], updatedAt: row["updated_at"])
  }
}

extension ReviewWorkflow {
  func loadRequest(_ id: String, db: Database) throws -> RequestRow {
    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM request WHERE id = ?", arguments: [id]) else {
      throw AirlockError(.usage, "no request '\(id)' in the review store")
    }
    return RequestRow(row)
  }

  func loadFiles(_ id: String, db: Database) throws -> [RequestFile] {
    var claims: [String: [Claim]] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT file_name, claim_json FROM request_claim WHERE request_id = ? ORDER BY file_name, position",
      arguments: [id])
    {
      // A stored claim that cannot be read is refused rather than dropped: a claim lost here
      // would be one no checker accepted.
      guard let claim = try? JSONDecoder().decode(Claim.self, from: Data((row["claim_json"] as String).utf8)) else {
        throw AirlockError(.input, "a stored claim of \(id) cannot be read (the review store is damaged)")
      }
      claims[row["file_name"], default: []].append(claim)
    }
    return try Row.fetchAll(
      db, sql: "SELECT * FROM request_file WHERE request_id = ? ORDER BY kind, name", arguments: [id]
    ).map { row in
      let json: String? = row["result_json"]
      let result = json.flatMap { try? JSONDecoder().decode(OutputResult.self, from: Data($0.utf8)) }
      let name: String = row["name"]
      return RequestFile(
        name: name, kind: row["kind"], sha256: row["sha256"], size: row["size"], outcome: row["outcome"],
        result: result, claims: claims[name] ?? [])
    }
  }

  func loadVotes(_ id: String, db: Database) throws -> [VoteInfo] {
    try Row.fetchAll(
      db, sql: "SELECT * FROM vote WHERE request_id = ? ORDER BY file_name, reviewer_principal", arguments: [id]
    ).map { row in
      VoteInfo(
        file: row["file_name"], reviewer: row["reviewer_principal"],
        status: VoteStatus(rawValue: row["status"]) ?? .undecided, comment: row["comment"], sha256: row["sha256"],
        turn: row["turn"], votedAt: row["voted_at"], acceptedClaims: row["accepted_claims"])
    }
  }

  func loadComments(_ id: String, db: Database) throws -> [CommentInfo] {
    try Row.fetchAll(db, sql: "SELECT * FROM comment WHERE request_id = ? ORDER BY id", arguments: [id]).map { row in
      CommentInfo(
        author: row["author_principal"], role: row["role"], file: row["file_name"], text: row["text"],
        turn: row["turn"],
        createdAt: row["created_at"])
    }
  }

  func addComment(_ id: String, turn: Int, author: String, role: String, file: String?, text: String, db: Database)
    throws
  {
    try db.execute(
      sql:
        "INSERT INTO comment (request_id, turn, author_principal, role, file_name, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      arguments: [id, turn, author, role, file, text, timestamp])
  }

  func setStatus(_ status: RequestStatus, request: RequestRow, db: Database) throws {
    try db.execute(
      sql: "UPDATE request SET status = ?, updated_at = ? WHERE id = ?",
      arguments: [status.rawValue, timestamp, request.id])
  }

  /// Appends an event to the request's history, signed by the person who acted.
  /// The request's status after the change goes into the event (the public decision log reads it).
  func log(_ type: String, request: String, turn: Int, actor: Actor, detail: [String: String], db: Database) throws {
    let at = timestamp
    var detail = detail
    detail["status"] = try String.fetchOne(db, sql: "SELECT status FROM request WHERE id = ?", arguments: [request])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let previous = try String.fetchOne(
      db, sql: "SELECT envelope FROM event WHERE request_id = ? ORDER BY id DESC LIMIT 1", arguments: [request])
    let prev = try previous.map { Digest.sha256(try Envelope.parse(Data($0.utf8)).body ?? Data()) } ?? ""
    let payload = try encoder.encode(
      HistoryEvent(
        type: type, request: request, turn: turn, actor: .init(principal: actor.principal, keyid: actor.keyid), at: at,
        detail: detail, prev: prev))
    var envelope = Envelope(body: payload, payloadType: HistoryEvent.payloadType)
    try envelope.sign(with: actor.key)
    try db.execute(
      sql:
        "INSERT INTO event (request_id, turn, type, actor_principal, actor_keyid, at, detail, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      arguments: [
        request, turn, type, actor.principal, actor.keyid, at,
        String(decoding: try encoder.encode(detail), as: UTF8.self),
        String(decoding: envelope.json(), as: UTF8.self),
      ])
  }

  /// Checks a request's history: every event signed by a key the trust list knows for the actor,
  /// each one chained to the one before (SHA-256 of its payload), and the table matching the signed
  /// payloads. Returns the problems found.
  func historyProblems(_ id: String, db: Database) throws -> [String] {
    let trust = try store.trustList()
    var problems: [String] = []
    var prev = ""
    for (index, row) in try Row.fetchAll(
      db, sql: "SELECT * FROM event WHERE request_id = ? ORDER BY id", arguments: [id]
    ).enumerated() {
      let number = index + 1
      guard let envelope = try? Envelope.parse(Data((row["envelope"] as String).utf8)), let body = envelope.body,
        let event = try? JSONDuplicateCheck.decode(HistoryEvent.self, from: body)
      else {
        problems.append("event \(number) is not a signed event")
        continue
      }
      let keys = trust.entries.filter {
        $0.key.keyid == event.actor.keyid && $0.principals.contains(event.actor.principal)
      }.map(\.key)
      if envelope.verifiedKeys(among: keys).isEmpty {
        problems.append("event \(number) (\(event.type)) is not signed by a trusted key of \(event.actor.principal)")
      }
      if event.prev != prev {
        problems.append("event \(number) (\(event.type)) does not follow the event before it (history edited)")
      }
      if event.request != id || event.type != row["type"] as String
        || event.actor.principal != row["actor_principal"] as String
        || event.at != row["at"] as String
      {
        problems.append("event \(number) differs from its signed payload")
      }
      prev = Digest.sha256(body)
    }
    return problems
  }

  /// The two-person rule for keys and principals together (TrustList.authorConflict).
  func checkCanReview(_ request: RequestRow, actor: Actor) throws {
    if let reason = actor.trust.authorConflict(
      key: actor.key.publicKey, principal: actor.principal, author: request.authorPrincipal,
      authorKeyid: request.authorKeyid)
    {
      throw AirlockError(
        .usage,
        "\(actor.principal) may not review \(request.id): \(reason); an author can never review their own request")
    }
  }

  /// The principal under which someone who may be `actor` (a key or a name they share) already
  /// submitted a review this turn, or nil: one person's two keys or two names are one reviewer.
  func sharedReviewer(_ id: String, turn: Int, actor: Actor, db: Database) throws -> String? {
    let mine = actor.trust.allPrincipals(for: actor.key.publicKey).union([actor.principal])
    for row in try Row.fetchAll(
      db, sql: "SELECT reviewer_principal, reviewer_keyid FROM review WHERE request_id = ? AND turn = ?",
      arguments: [id, turn])
    {
      let principal: String = row["reviewer_principal"]
      let keyid: String = row["reviewer_keyid"]
      if principal == actor.principal { continue }
      if keyid == actor.keyid || !actor.trust.allPrincipals(forKeyid: keyid).union([principal]).isDisjoint(with: mine) {
        return principal
      }
    }
    return nil
  }

  func hasSubmitted(_ id: String, turn: Int, principal: String, db: Database) throws -> Bool {
    try Int.fetchOne(
      db, sql: "SELECT COUNT(*) FROM review WHERE request_id = ? AND turn = ? AND reviewer_principal = ?",
      arguments: [id, turn, principal]) ?? 0 > 0
  }

  /// Per output file: the decision from the votes of reviewers who submitted this turn.
  func decisions(_ request: RequestRow, db: Database) throws -> [String: FileDecision] {
    let submitted = Set(
      try String.fetchAll(
        db, sql: "SELECT reviewer_principal FROM review WHERE request_id = ? AND turn = ?",
        arguments: [request.id, request.turn]))
    let votes = try loadVotes(request.id, db: db).filter { submitted.contains($0.reviewer) }
    var result: [String: FileDecision] = [:]
    for file in try loadFiles(request.id, db: db) where file.kind == "output" {
      let mine = votes.filter { $0.file == file.name && $0.sha256 == file.sha256 }
      let approvals = mine.filter { $0.status == .approved }.count
      let changes = mine.filter { $0.status == .changesRequested }.count
      if approvals >= request.reviewersRequired {
        result[file.name] = .approved
      } else if approvals > 0 && changes > 0 {
        result[file.name] = .conflicted
      } else if changes > 0 && mine.count >= request.reviewersRequired {
        result[file.name] = .changesRequested
      } else {
        result[file.name] = .incomplete
      }
    }
    return result
  }

  func approvedEverything(_ id: String, turn: Int, principal: String, db: Database) throws -> Bool {
    // Names and digests only: the stored check results are not needed here.
    let files = try Row.fetchAll(
      db, sql: "SELECT name, sha256 FROM request_file WHERE request_id = ? AND kind = 'output'", arguments: [id]
    ).map { (name: $0["name"] as String, sha256: $0["sha256"] as String) }
    let votes = try loadVotes(id, db: db).filter { $0.reviewer == principal }
    return files.allSatisfy { file in
      votes.contains { $0.file == file.name && $0.sha256 == file.sha256 && $0.status == .approved }
    }
  }

  func recordExists(_ id: String, turn: Int, db: Database) throws -> Bool {
    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record WHERE request_id = ? AND turn = ?", arguments: [id, turn])
      ?? 0 > 0
  }

  func loadRecord(_ id: String, turn: Int, db: Database) throws -> Envelope? {
    guard
      let text = try String.fetchOne(
        db, sql: "SELECT envelope FROM record WHERE request_id = ? AND turn = ?", arguments: [id, turn])
    else { return nil }
    return try Envelope.parse(Data(text.utf8))
  }

  func recordSignatureCount(_ id: String, turn: Int, db: Database) throws -> Int {
    guard let envelope = try loadRecord(id, turn: turn, db: db) else { return 0 }
    return try signers(of: envelope).count
  }

  /// The distinct people whose keys signed `envelope`, and every name those keys are listed
  /// under in the store's trust list: one person signing with two keys, or with one key listed
  /// under two names, counts once.
  func signers(of envelope: Envelope) throws -> (count: Int, names: Set<String>) {
    let trust = try store.trustList()
    var names: Set<String> = []
    var count = 0
    for key in envelope.verifiedKeys(among: trust.keys(for: .review)) {
      let mine = trust.allPrincipals(for: key)
      if mine.isDisjoint(with: names) { count += 1 }
      names.formUnion(mine)
    }
    return (count, names)
  }

  func hasSigned(_ request: RequestRow, keyid: String, db: Database) throws -> Bool {
    try loadRecord(request.id, turn: request.turn, db: db)?.signatures.contains { $0.keyid == keyid } ?? false
  }

  /// Drafts the turn's review record when every output is approved; returns whether one exists.
  func draftRecordIfApproved(_ request: RequestRow, db: Database) throws -> Bool {
    if try recordExists(request.id, turn: request.turn, db: db) { return true }
    let decisions = try decisions(request, db: db)
    guard !decisions.isEmpty, decisions.values.allSatisfy({ $0 == .approved }) else { return false }
    let statement = try buildStatement(request, db: db)
    let payload = statement.encoded()
    let envelope = Envelope(body: payload, payloadType: Envelope.inTotoPayloadType)
    try db.execute(
      sql: "INSERT INTO record (request_id, turn, payload, envelope, created_at) VALUES (?, ?, ?, ?, ?)",
      arguments: [request.id, request.turn, payload, String(decoding: envelope.json(), as: UTF8.self), timestamp])
    return true
  }

  func addRecordSignature(_ request: RequestRow, actor: Actor, db: Database) throws -> Int {
    guard var envelope = try loadRecord(request.id, turn: request.turn, db: db) else { return 0 }
    let signed = try signers(of: envelope).names
    let names = actor.trust.allPrincipals(for: actor.key.publicKey).union([actor.principal])
    if envelope.signatures.contains(where: { $0.keyid == actor.keyid }) || !signed.isDisjoint(with: names) {
      throw AirlockError(.usage, "\(actor.principal) already signed the review record of \(request.id)")
    }
    // Sign exactly the stored payload bytes.
    guard
      let payload = try Data.fetchOne(
        db, sql: "SELECT payload FROM record WHERE request_id = ? AND turn = ?", arguments: [request.id, request.turn]),
      envelope.body == payload
    else { throw AirlockError(.input, "the stored review record of \(request.id) is inconsistent") }
    try envelope.sign(with: actor.key)
    try db.execute(
      sql: "UPDATE record SET envelope = ? WHERE request_id = ? AND turn = ?",
      arguments: [String(decoding: envelope.json(), as: UTF8.self), request.id, request.turn])
    return try signers(of: envelope).count
  }

  /// The in-toto statement for an approved turn.
  func buildStatement(_ request: RequestRow, db: Database) throws -> ReviewStatement {
    let files = try loadFiles(request.id, db: db)
    let reviewRows = try Row.fetchAll(
      db,
      sql: "SELECT envelope FROM review WHERE request_id = ? AND turn = ? ORDER BY submitted_at, reviewer_principal",
      arguments: [request.id, request.turn])
    let reviews: [ReviewPredicate.Review] = try reviewRows.map { row in
      let envelope = try Envelope.parse(Data((row["envelope"] as String).utf8))
      return try JSONDuplicateCheck.decode(SignedReview.self, from: envelope.body ?? Data()).review
    }
    var checked: [ReviewPredicate.CheckedFile] = []
    var overrides: [ReviewPredicate.Override] = []
    var worst = Outcome.pass
    var anyError = false
    for file in files {
      let findings = (file.result?.findings ?? []).map { finding in
        ReviewPredicate.CheckedFinding(
          code: finding.code, rule: finding.rule, outcome: finding.outcome.rawValue, line: finding.line,
          column: finding.column, columnName: finding.columnName, cell: finding.cellDescription)
      }
      // The claims the checkers accepted, value-free, with the digest their votes name.
      let claimed = file.claims.map(ReviewPredicate.ClaimedDeclaration.init)
      checked.append(
        .init(
          name: file.name, digest: ["sha256": file.sha256], kind: file.kind, outcome: file.outcome, findings: findings,
          claims: claimed.isEmpty ? nil : claimed, claimsDigest: ReviewPredicate.claimsDigest(of: file.claims)))
      guard file.kind == "output" else { continue }
      if let outcome = file.result?.outcome { worst = max(worst, outcome) }
      if file.outcome == "error" { anyError = true }
      let justifications = reviews.compactMap { review -> ReviewPredicate.Justification? in
        guard let vote = review.votes.first(where: { $0.file == file.name }), vote.vote == VoteStatus.approved.rawValue
        else { return nil }
        return .init(reviewer: review.reviewer.principal, comment: vote.comment ?? "")
      }
      for finding in file.result?.findings ?? [] where finding.outcome != .pass {
        overrides.append(
          .init(
            file: file.name, code: finding.code, rule: finding.rule, outcome: finding.outcome.rawValue,
            cell: finding.cellDescription, line: finding.line, column: finding.column, exception: request.exception,
            justifications: justifications))
      }
      for omitted in file.result?.omitted ?? [] where omitted.worst != .pass {
        overrides.append(
          .init(
            file: file.name, code: omitted.code, rule: "\(omitted.count) further findings",
            outcome: omitted.worst.rawValue,
            cell: nil, line: nil, column: nil, exception: request.exception, justifications: justifications))
      }
    }
    let result = anyError || worst == .fail ? "FAILED" : worst == .review ? "WARNED" : "PASSED"
    let outputs = files.filter { $0.kind == "output" }
    let predicate = ReviewPredicate(
      recordId: UUID().uuidString.lowercased(),
      request: .init(
        id: request.id, project: request.project, group: request.group,
        author: .init(principal: request.authorPrincipal, keyid: request.authorKeyid), submittedAt: request.submittedAt,
        turn: request.turn, context: request.context, controls: request.controls, exception: request.exception),
      rulePack: .init(
        name: request.packName, version: request.packVersion, digest: ["sha256": request.packDigest],
        reviewers: request.reviewersRequired),
      checks: .init(result: result, files: checked, overridden: overrides),
      decision: .init(outcome: "APPROVED"),
      reviews: reviews,
      createdAt: timestamp,
      tool: .init(id: "https://airlock.dev/airlock", version: AirlockVersion.current))
    return ReviewStatement(subject: outputs.map { .init(name: $0.name, sha256: $0.sha256) }, predicate: predicate)
  }
}

/// One signed entry of a request's history, chained to the one before.
struct HistoryEvent: Codable {
  static let payloadType = "application/vnd.airlock.event+json"
  var type: String
  var request: String
  var turn: Int
  var actor: ReviewPredicate.Person
  var at: String
  var detail: [String: String]
  /// SHA-256 of the previous event's payload ("" for the first).
  var prev: String
}
