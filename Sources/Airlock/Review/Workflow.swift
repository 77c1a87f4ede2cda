import Foundation
import GRDB

/// The review workflow: OpenSAFELY Airlock's rules (docs/review-workflow.md) over the review store.
///
/// Every action is taken by a person identified by their key, checked against the store's trust
/// list for the action's role, and recorded as an event signed with that key. Forbidden actions
/// throw `AirlockError(.usage, ...)` with the reason.
public struct ReviewWorkflow: Sendable {
  public let store: ReviewStore
  /// The clock (injectable for tests).
  public var now: @Sendable () -> Date
  /// Called with the release folder's path once `release` has opened it (tests swap the folder
  /// for a symbolic link here, as an attacker racing the release would).
  var releaseFolderOpened: (@Sendable (String) -> Void)?

  public init(store: ReviewStore, now: @escaping @Sendable () -> Date = { Date() }) {
    self.store = store
    self.now = now
  }

  /// A person acting with their key in a role.
  struct Actor {
    var key: SigningKey
    var principal: String
    var keyid: String
    /// The trust list the actor was resolved in: the two-person rule looks up every line of it.
    var trust: TrustList
  }

  func actor(_ key: SigningKey, _ role: Role) throws(AirlockError) -> Actor {
    let trust = try store.trustList()
    let principal = try trust.principal(for: key.publicKey, role: role, at: now())
    return Actor(key: key, principal: principal, keyid: key.publicKey.keyid, trust: trust)
  }

  var timestamp: String { ISOTime.format(now()) }

  // MARK: - Researchers

  /// Creates and submits a request; returns its id. Checks run now with the project's rule pack.
  public func submit(
    outputs: [String], supporting: [String] = [], project: String, group: String, context: String,
    controls: String, exception: String? = nil, key: SigningKey
  ) throws(AirlockError) -> String {
    guard !outputs.isEmpty else { throw AirlockError(.usage, "a request needs at least one output file") }
    for (name, value) in [("project", project), ("group", group), ("context", context), ("controls", controls)]
    where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw AirlockError(.usage, "--\(name) must not be empty")
    }
    let names = (outputs + supporting).map { ($0 as NSString).lastPathComponent }
    for name in names where !RecordVerifier.isPlainName(name) {
      throw AirlockError(
        .usage, "'\(name)' cannot be released under that name (hidden or not a plain file name); rename it")
    }
    if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
      throw AirlockError(.usage, "two files are named '\(duplicate)'; file names in a request must be unique")
    }
    let actor = try actor(key, .submit)
    let packRef = try store.config().pack(for: project)
    let pack = try RulePackLoader.load(packRef)
    var files: [RequestFile] = []
    for path in outputs { files.append(try ingest(path, kind: "output", pack: pack)) }
    for path in supporting { files.append(try ingest(path, kind: "supporting", pack: pack)) }
    // Evidence computed by `airlock tabulate` (its provenance names the output, evidence and
    // manifest by their digests) is recorded as such, with the input's digest; other evidence is a
    // claim. The signed submit event carries it.
    var origins: [String: String] = [:]
    for (path, file) in zip(outputs, files) {
      if let origin = TabulateWriter.evidenceOrigin(output: path, sha256: file.sha256) {
        origins["evidence " + file.name] = origin
      }
    }
    let id =
      "req-" + String(timestamp.prefix(10)).replacingOccurrences(of: "-", with: "") + "-"
      + Data((0..<4).map { _ in UInt8.random(in: 0...255) }).hex
    let at = timestamp
    return try store.transaction { db -> String in
      // Idempotent (issue 19 §9): a submit killed after its commit never printed the id, so its
      // retry finds the identical open request and answers with it instead of making a second.
      if let existing = try identicalOpenRequest(
        author: actor.principal, project: project, group: group, context: context, controls: controls,
        exception: exception,
        files: files, db: db)
      {
        return existing
      }
      try db.execute(
        sql: """
          INSERT INTO request (id, project, group_name, context, controls, exception, author_principal,
            author_keyid, pack_ref, pack_name, pack_version, pack_digest, reviewers_required, status, turn,
            created_at, submitted_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
          """,
        arguments: [
          id, project, group, context, controls, exception, actor.principal, actor.keyid, packRef, pack.name,
          pack.version, Self.packDigest(pack), max(pack.reviewers, 1), RequestStatus.submitted.rawValue, at, at, at,
        ])
      for file in files { try insert(file, request: id, exception: exception, db: db) }
      try log(
        "submit", request: id, turn: 1, actor: actor,
        detail: ["files": names.joined(separator: ",")].merging(origins) { a, _ in a }, db: db)
      return id
    }
  }

  /// A submitted request of `author`'s, not yet reviewed, with exactly these fields and files.
  private func identicalOpenRequest(
    author: String, project: String, group: String, context: String, controls: String, exception: String?,
    files: [RequestFile], db: Database
  ) throws -> String? {
    let candidates = try String.fetchAll(
      db,
      sql: """
        SELECT id FROM request WHERE author_principal = ? AND project = ? AND group_name = ? AND context = ? AND controls = ?
          AND exception IS ? AND status = ? AND turn = 1
          AND NOT EXISTS (SELECT 1 FROM vote WHERE vote.request_id = request.id)
        """,
      arguments: [author, project, group, context, controls, exception, RequestStatus.submitted.rawValue])
    let wanted = Set(files.map { "\($0.kind)\u{0}\($0.name)\u{0}\($0.sha256)" })
    for id in candidates
    where Set(try loadFiles(id, db: db).map { "\($0.kind)\u{0}\($0.name)\u{0}\($0.sha256)" }) == wanted {
      return id
    }
    return nil
  }

  /// SHA-256 of a pack's effective YAML: the digest review records name.
  public static func packDigest(_ pack: RulePack) -> String { Digest.sha256(Data(pack.effectiveYAML().utf8)) }

  private func ingest(_ path: String, kind: String, pack: RulePack) throws(AirlockError) -> RequestFile {
    let name = (path as NSString).lastPathComponent
    let (sha, size) = try store.storeObject(from: path)
    var file = RequestFile(name: name, kind: kind, sha256: sha, size: size, outcome: nil, result: nil)
    guard kind == "output" else { return file }
    var result = Checker(pack: pack).check(paths: [path]).results[0]
    // What was checked must be what was stored.
    guard try Digest.sha256(file: path) == sha else {
      throw AirlockError(.input, file: path, "file changed while it was being submitted")
    }
    result.file = name
    // Claims name the file and manifest as stored, never the researcher's folders.
    result.claims = result.claims.map { claim in
      var claim = claim
      claim.file = name
      claim.manifest = claim.manifest.map { ($0 as NSString).lastPathComponent }
      return claim
    }
    file.outcome = result.error != nil ? "error" : result.outcome?.rawValue
    file.result = result
    return file
  }

  /// What a file of a request takes on trust: its check's claims and, for an output the checks did
  /// not pass, the researcher's exception request (it asks the checkers to release it anyway).
  static func claims(of file: RequestFile, exception: String?) -> [Claim] {
    guard file.kind == "output", let result = file.result else { return [] }
    var claims = result.claims
    if let exception, result.outcome != .pass {
      let codes =
        result.findings.filter { $0.outcome != .pass }.map(\.code)
        + result.omitted.filter { $0.worst != .pass }.map(\.code)
      claims.append(
        Claim(
          kind: .exception, file: file.name, rules: codes,
          detail: "the researcher asks for an exception to the findings: \(exception)"))
    }
    return claims
  }

  private func insert(_ file: RequestFile, request: String, exception: String?, db: Database) throws {
    try db.execute(
      sql: "DELETE FROM request_claim WHERE request_id = ? AND file_name = ?", arguments: [request, file.name])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    for (position, claim) in Self.claims(of: file, exception: exception).enumerated() {
      try db.execute(
        sql:
          "INSERT INTO request_claim (request_id, file_name, position, kind, rules, claim_json) VALUES (?, ?, ?, ?, ?, ?)",
        arguments: [
          request, file.name, position, claim.kind.rawValue, claim.rules.joined(separator: " "),
          String(decoding: try encoder.encode(claim), as: UTF8.self),
        ])
    }
    let json = try file.result.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    try db.execute(
      sql: """
        INSERT INTO request_file (request_id, name, kind, sha256, size, outcome, result_json) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (request_id, name) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256,
          size = excluded.size, outcome = excluded.outcome, result_json = excluded.result_json
        """,
      arguments: [request, file.name, file.kind, file.sha256, file.size, file.outcome, json])
  }

  /// Withdraws a returned request (final). Only its author may.
  public func withdraw(_ id: String, key: SigningKey) throws(AirlockError) {
    let actor = try actor(key, .submit)
    try store.transaction { db in
      let request = try loadRequest(id, db: db)
      guard request.isAuthor(actor) else { throw AirlockError(.usage, "only the author of \(id) can withdraw it") }
      guard request.status == .returned else {
        throw AirlockError(
          .usage,
          "cannot withdraw \(id): it is \(request.status.rawValue); only a returned request can be withdrawn (ask a checker to return it)"
        )
      }
      try setStatus(.withdrawn, request: request, db: db)
      try log("withdraw", request: id, turn: request.turn, actor: actor, detail: [:], db: db)
    }
  }

  /// Resubmits a returned request, starting a new turn. `files` replace the request's files of the
  /// same name (or add new outputs); a file whose content changed loses every vote on it.
  /// Approvals carry over; requested changes go back to undecided.
  public func resubmit(
    _ id: String, files: [String] = [], supporting: [String] = [], comment: String?, key: SigningKey
  ) throws(AirlockError) {
    let actor = try actor(key, .submit)
    let request = try store.read { db in try loadRequest(id, db: db) }
    guard request.isAuthor(actor) else { throw AirlockError(.usage, "only the author of \(id) can resubmit it") }
    guard request.status == .returned else {
      throw AirlockError(.usage, "cannot resubmit \(id): it is \(request.status.rawValue), not returned")
    }
    for path in files + supporting where !RecordVerifier.isPlainName((path as NSString).lastPathComponent) {
      throw AirlockError(
        .usage, "'\(path)' cannot be released under that name (hidden or not a plain file name); rename it")
    }
    let pack = try RulePackLoader.load(request.packRef)
    var replacements: [RequestFile] = []
    for path in files { replacements.append(try ingest(path, kind: "output", pack: pack)) }
    for path in supporting { replacements.append(try ingest(path, kind: "supporting", pack: pack)) }
    var origins: [String: String] = [:]
    for (path, file) in zip(files, replacements) {
      if let origin = TabulateWriter.evidenceOrigin(output: path, sha256: file.sha256) {
        origins["evidence " + file.name] = origin
      }
    }
    let at = timestamp
    try store.transaction { db in
      let request = try loadRequest(id, db: db)
      guard request.status == .returned else {
        throw AirlockError(.usage, "cannot resubmit \(id): it is \(request.status.rawValue), not returned")
      }
      let changesRequested =
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM vote WHERE request_id = ? AND status = 'changes_requested'", arguments: [id])
        ?? 0
      let text = comment?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
      if changesRequested > 0 && text.isEmpty {
        throw AirlockError(.usage, "changes were requested on \(id): --comment must say what changed")
      }
      let existing = try loadFiles(id, db: db)
      for file in replacements {
        if let old = existing.first(where: { $0.name == file.name }), old.sha256 == file.sha256, old.kind == file.kind {
          continue
        }
        try insert(file, request: id, exception: request.exception, db: db)
        // The file changed (or moved between output and supporting): its votes no longer apply.
        try db.execute(sql: "DELETE FROM vote WHERE request_id = ? AND file_name = ?", arguments: [id, file.name])
      }
      try db.execute(
        sql: "UPDATE vote SET status = 'undecided' WHERE request_id = ? AND status = 'changes_requested'",
        arguments: [id])
      let turn = request.turn + 1
      try db.execute(sql: "UPDATE vote SET turn = ? WHERE request_id = ?", arguments: [turn, id])
      if !text.isEmpty {
        try addComment(id, turn: turn, author: actor.principal, role: "author", file: nil, text: text, db: db)
      }
      try db.execute(
        sql: "UPDATE request SET status = ?, turn = ?, submitted_at = ?, updated_at = ?, pack_digest = ? WHERE id = ?",
        arguments: [RequestStatus.submitted.rawValue, turn, at, at, Self.packDigest(pack), id])
      try log(
        "resubmit", request: id, turn: turn, actor: actor,
        detail: ["replaced": replacements.map(\.name).joined(separator: ",")].merging(origins) { a, _ in a }, db: db)
    }
  }

  // MARK: - Checkers

  /// Records `key`'s vote on one output file. A comment is required to request changes.
  /// An approval of a file that carries claims must accept them (`acceptClaims`): the checker
  /// says they read what was taken on trust, and the acceptance is signed into their review and
  /// the record. Requesting changes needs no acceptance.
  public func vote(
    _ id: String, file: String, _ vote: VoteStatus, comment: String?, acceptClaims: Bool = false, key: SigningKey
  ) throws(AirlockError) {
    guard vote != .undecided else { throw AirlockError(.usage, "a vote is approve or request-changes") }
    let text = comment?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    if vote == .changesRequested && text.isEmpty {
      throw AirlockError(.usage, "a comment is required to request changes (--comment)")
    }
    let actor = try actor(key, .review)
    try store.transaction { db in
      let request = try loadRequest(id, db: db)
      try checkCanReview(request, actor: actor)
      guard request.status.isReviewerOwned else {
        throw AirlockError(.usage, "cannot vote on \(id): it is \(request.status.rawValue)")
      }
      guard try !hasSubmitted(id, turn: request.turn, principal: actor.principal, db: db) else {
        throw AirlockError(
          .usage,
          "you already submitted your review of \(id) in turn \(request.turn); votes cannot change after submitting")
      }
      let files = try loadFiles(id, db: db)
      guard let target = files.first(where: { $0.name == file }) else {
        throw AirlockError(.usage, "\(id) has no file '\(file)' (files: \(files.map(\.name).joined(separator: ", ")))")
      }
      guard target.kind == "output" else {
        throw AirlockError(
          .usage, "'\(file)' is a supporting file: it is reviewed but never released, so it takes no vote")
      }
      var accepted: String?
      if vote == .approved, !target.claims.isEmpty {
        guard acceptClaims else {
          throw AirlockError(
            .usage,
            "'\(file)' carries \(target.claims.count) claim\(target.claims.count == 1 ? "" : "s") taken on trust; approving it accepts them, so vote again with --accept-claims once you have read them:\n"
              + target.claims.map { "  - \($0.text)" }.joined(separator: "\n"))
        }
        accepted = ReviewPredicate.claimsDigest(of: target.claims)
      }
      try db.execute(
        sql: """
          INSERT INTO vote (request_id, file_name, reviewer_principal, reviewer_keyid, status, comment, sha256, turn, voted_at,
            accepted_claims)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (request_id, file_name, reviewer_principal) DO UPDATE SET reviewer_keyid = excluded.reviewer_keyid,
            status = excluded.status, comment = excluded.comment, sha256 = excluded.sha256, turn = excluded.turn,
            voted_at = excluded.voted_at, accepted_claims = excluded.accepted_claims
          """,
        arguments: [
          id, file, actor.principal, actor.keyid, vote.rawValue, text.isEmpty ? nil : text, target.sha256, request.turn,
          timestamp, accepted,
        ])
      if !text.isEmpty {
        try addComment(id, turn: request.turn, author: actor.principal, role: "checker", file: file, text: text, db: db)
      }
      var detail = ["file": file, "vote": vote.rawValue, "sha256": target.sha256]
      if let accepted { detail["accepted_claims"] = accepted }
      try log("vote", request: id, turn: request.turn, actor: actor, detail: detail, db: db)
    }
  }

  /// Submits (and signs) `key`'s review of the current turn. The checker must have voted on every
  /// output file. When the policy's number of reviews is in and every output is approved, the
  /// review record is drafted, and this checker signs it if they approved every output.
  public func submitReview(_ id: String, key: SigningKey) throws(AirlockError) -> SubmitReviewResult {
    let actor = try actor(key, .review)
    return try store.transaction { db in
      let request = try loadRequest(id, db: db)
      try checkCanReview(request, actor: actor)
      guard request.status.isReviewerOwned else {
        throw AirlockError(.usage, "cannot review \(id): it is \(request.status.rawValue)")
      }
      guard try !hasSubmitted(id, turn: request.turn, principal: actor.principal, db: db) else {
        throw AirlockError(.usage, "you already submitted your review of \(id) in turn \(request.turn)")
      }
      if let other = try sharedReviewer(id, turn: request.turn, actor: actor, db: db) {
        throw AirlockError(
          .usage,
          "\(actor.principal) may not review \(id): the trust list lists this key or name also for \(other), who already reviewed it in turn \(request.turn)"
        )
      }
      let outputs = try loadFiles(id, db: db).filter { $0.kind == "output" }
      let mine = try loadVotes(id, db: db).filter { $0.reviewer == actor.principal }
      let missing = outputs.filter { file in
        !mine.contains { $0.file == file.name && $0.sha256 == file.sha256 && $0.status != .undecided }
      }
      guard missing.isEmpty else {
        throw AirlockError(
          .usage,
          "vote on every output file before submitting your review (no vote on: \(missing.map(\.name).joined(separator: ", ")))"
        )
      }
      let at = timestamp
      let review = ReviewPredicate.Review(
        reviewer: .init(principal: actor.principal, keyid: actor.keyid), reviewedAt: at,
        votes: outputs.map { file in
          let vote = mine.first { $0.file == file.name }!
          return .init(
            file: file.name, digest: ["sha256": file.sha256], vote: vote.status.rawValue, comment: vote.comment,
            acceptedClaims: vote.status == .approved ? vote.acceptedClaims : nil)
        })
      let payload = SignedReview(request: id, turn: request.turn, review: review).encoded()
      var envelope = Envelope(body: payload, payloadType: SignedReview.payloadType)
      try envelope.sign(with: actor.key)
      try db.execute(
        sql:
          "INSERT INTO review (request_id, turn, reviewer_principal, reviewer_keyid, submitted_at, envelope) VALUES (?, ?, ?, ?, ?, ?)",
        arguments: [
          id, request.turn, actor.principal, actor.keyid, at, String(decoding: envelope.json(), as: UTF8.self),
        ])
      let count =
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM review WHERE request_id = ? AND turn = ?", arguments: [id, request.turn]) ?? 0
      var status: RequestStatus = count >= request.reviewersRequired ? .reviewed : .partiallyReviewed
      if request.status == .reviewed { status = .reviewed }
      try setStatus(status, request: request, db: db)
      try log("submit-review", request: id, turn: request.turn, actor: actor, detail: ["reviews": "\(count)"], db: db)
      var signatures = 0
      var ready = false
      if status == .reviewed, try draftRecordIfApproved(request, db: db) {
        ready = true
        if try approvedEverything(id, turn: request.turn, principal: actor.principal, db: db) {
          signatures = try addRecordSignature(request, actor: actor, db: db)
          if signatures >= request.reviewersRequired {
            // Enough signatures already (e.g. one reviewer required): the request is decided now.
            status = .approved
            try setStatus(.approved, request: request, db: db)
            try log(
              "approve", request: id, turn: request.turn, actor: actor, detail: ["signatures": "\(signatures)"], db: db)
          }
        } else {
          signatures = try recordSignatureCount(id, turn: request.turn, db: db)
        }
      }
      return SubmitReviewResult(
        status: status, reviewsSubmitted: count, reviewsRequired: request.reviewersRequired, recordReady: ready,
        signatures: signatures)
    }
  }

  /// Adds `key`'s signature to the review record of a reviewed request. The checker must have
  /// submitted a review approving every output file. The request is approved once the record
  /// carries the policy's number of signatures.
  @discardableResult
  public func approve(_ id: String, key: SigningKey) throws(AirlockError) -> SubmitReviewResult {
    let actor = try actor(key, .review)
    return try store.transaction { db in
      let request = try loadRequest(id, db: db)
      try checkCanReview(request, actor: actor)
      guard request.status == .reviewed else {
        throw AirlockError(.usage, "cannot approve \(id): it is \(request.status.rawValue), not reviewed")
      }
      guard try hasSubmitted(id, turn: request.turn, principal: actor.principal, db: db) else {
        throw AirlockError(.usage, "submit your own review of \(id) before signing its record")
      }
      guard try draftRecordIfApproved(request, db: db) else {
        throw AirlockError(
          .usage,
          "cannot approve \(id): not every output file has \(request.reviewersRequired) approvals from submitted reviews (return or reject it, or a further checker may review)"
        )
      }
      guard try approvedEverything(id, turn: request.turn, principal: actor.principal, db: db) else {
        throw AirlockError(.usage, "you did not approve every output file of \(id), so you cannot sign its approval")
      }
      let count = try addRecordSignature(request, actor: actor, db: db)
      var status = RequestStatus.reviewed
      if count >= request.reviewersRequired {
        status = .approved
        try setStatus(.approved, request: request, db: db)
      }
      try log("approve", request: id, turn: request.turn, actor: actor, detail: ["signatures": "\(count)"], db: db)
      let reviews =
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM review WHERE request_id = ? AND turn = ?", arguments: [id, request.turn]) ?? 0
      return SubmitReviewResult(
        status: status, reviewsSubmitted: reviews, reviewsRequired: request.reviewersRequired, recordReady: true,
        signatures: count)
    }
  }

  /// Returns a request to its author (a new turn). After both reviews are in, a comment is required
  /// when any output has changes requested or conflicting votes.
  public func returnRequest(_ id: String, comment: String?, key: SigningKey) throws(AirlockError) {
    let actor = try actor(key, .review)
    try store.transaction { db in
      let request = try loadRequest(id, db: db)
      try checkCanReview(request, actor: actor)
      guard request.status.isReviewerOwned else {
        throw AirlockError(.usage, "cannot return \(id): it is \(request.status.rawValue)")
      }
      let text = comment?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
      if request.status == .reviewed, text.isEmpty {
        let decisions = try decisions(request, db: db)
        if decisions.values.contains(where: { $0 == .changesRequested || $0 == .conflicted }) {
          throw AirlockError(.usage, "changes were requested on \(id): --comment must tell the author what to change")
        }
      }
      let turn = request.turn + 1
      if !text.isEmpty {
        try addComment(id, turn: request.turn, author: actor.principal, role: "checker", file: nil, text: text, db: db)
      }
      try db.execute(sql: "DELETE FROM record WHERE request_id = ? AND turn = ?", arguments: [id, request.turn])
      if request.status.isIndependent {
        // Early return (OpenSAFELY's revert_turn_activity): this turn's votes are reset, or set
        // undecided where the checker had already submitted their review.
        try db.execute(
          sql: """
            DELETE FROM vote WHERE request_id = ? AND turn = ? AND reviewer_principal NOT IN
              (SELECT reviewer_principal FROM review WHERE request_id = ? AND turn = ?)
            """, arguments: [id, request.turn, id, request.turn])
        try db.execute(
          sql: "UPDATE vote SET status = 'undecided' WHERE request_id = ? AND turn = ?", arguments: [id, request.turn])
      }
      try db.execute(
        sql: "UPDATE request SET status = ?, turn = ?, updated_at = ? WHERE id = ?",
        arguments: [RequestStatus.returned.rawValue, turn, timestamp, id])
      try log(
        "return", request: id, turn: request.turn, actor: actor,
        detail: ["early": request.status.isIndependent ? "true" : "false"], db: db)
    }
  }

  /// Rejects a reviewed request (final).
  public func reject(_ id: String, comment: String?, key: SigningKey) throws(AirlockError) {
    let actor = try actor(key, .review)
    try store.transaction { db in
      let request = try loadRequest(id, db: db)
      try checkCanReview(request, actor: actor)
      guard request.status == .reviewed else {
        throw AirlockError(
          .usage,
          "cannot reject \(id): it is \(request.status.rawValue); only a reviewed request (all independent reviews in) can be rejected"
        )
      }
      if let comment, !comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        try addComment(
          id, turn: request.turn, author: actor.principal, role: "checker", file: nil, text: comment, db: db)
      }
      try setStatus(.rejected, request: request, db: db)
      try log("reject", request: id, turn: request.turn, actor: actor, detail: [:], db: db)
    }
  }

  // MARK: - Views

  /// Every request, newest first, or one.
  public func summaries(_ id: String? = nil) throws(AirlockError) -> [RequestSummary] {
    try store.read { db in
      let ids: [String]
      if let id {
        ids = [try loadRequest(id, db: db).id]
      } else {
        ids = try String.fetchAll(db, sql: "SELECT id FROM request ORDER BY created_at DESC, id")
      }
      return try ids.map { id in
        let request = try loadRequest(id, db: db)
        let files = try loadFiles(id, db: db)
        let reviews =
          try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM review WHERE request_id = ? AND turn = ?", arguments: [id, request.turn])
          ?? 0
        return RequestSummary(
          id: id, project: request.project, author: request.authorPrincipal, status: request.status, turn: request.turn,
          outputs: files.filter { $0.kind == "output" }.count,
          supporting: files.filter { $0.kind == "supporting" }.count,
          reviewsSubmitted: reviews, reviewsRequired: request.reviewersRequired, submittedAt: request.submittedAt,
          updatedAt: request.updatedAt)
      }
    }
  }

  /// A checker's queue: what awaits them, what is in review, returned, approved. Their own
  /// requests never appear.
  ///
  /// A handful of queries for the whole queue, not a few per request, and no stored check result
  /// is decoded (the outcome column is enough): 1,000 requests of 10 files each take milliseconds.
  public func queue(key: SigningKey) throws(AirlockError) -> [QueueItem] {
    let actor = try actor(key, .review)
    return try store.read { db in
      let open =
        "SELECT id FROM request WHERE status IN ('submitted','partially_reviewed','reviewed','returned','approved')"
      let requests = try Row.fetchAll(
        db, sql: "SELECT * FROM request WHERE id IN (\(open)) ORDER BY submitted_at, id"
      ).map(RequestRow.init)
      // Every open request's files (name, kind, check outcome), in `loadFiles` order.
      var files: [String: [(name: String, kind: String, outcome: String?)]] = [:]
      for row in try Row.fetchAll(
        db,
        sql:
          "SELECT request_id, name, kind, outcome FROM request_file WHERE request_id IN (\(open)) ORDER BY request_id, kind, name"
      ) {
        files[row["request_id"], default: []].append((row["name"], row["kind"], row["outcome"]))
      }
      // Claims over each open request's output files (what an approval must accept).
      var claimCounts: [String: Int] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT c.request_id, COUNT(*) AS n FROM request_claim c JOIN request_file f
            ON f.request_id = c.request_id AND f.name = c.file_name AND f.kind = 'output'
          WHERE c.request_id IN (\(open)) GROUP BY c.request_id
          """)
      {
        claimCounts[row["request_id"]] = row["n"]
      }
      // This turn's reviews: how many per request, and whether this checker's is among them.
      var reviews: [String: Int] = [:]
      var submitted: Set<String> = []
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT v.request_id, v.reviewer_principal FROM review v JOIN request r ON r.id = v.request_id AND v.turn = r.turn
          WHERE r.id IN (\(open))
          """)
      {
        let id: String = row["request_id"]
        reviews[id, default: 0] += 1
        if row["reviewer_principal"] == actor.principal { submitted.insert(id) }
      }
      // This checker's votes this turn (other than undecided), per request.
      var votes: [String: Int] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT v.request_id, COUNT(*) AS n FROM vote v JOIN request r ON r.id = v.request_id AND v.turn = r.turn
          WHERE r.id IN (\(open)) AND v.reviewer_principal = ? AND v.status != 'undecided' GROUP BY v.request_id
          """, arguments: [actor.principal])
      {
        votes[row["request_id"]] = row["n"]
      }
      var items: [QueueItem] = []
      for request in requests {
        if request.mayBeAuthor(actor) { continue }
        let id = request.id
        let requestFiles = files[id] ?? []
        let outputs = requestFiles.filter { $0.kind == "output" }
        let submitted = submitted.contains(id)
        var category = request.status.rawValue
        var action: String?
        switch request.status {
        case .submitted, .partiallyReviewed:
          if submitted {
            category = "in-review"
          } else {
            category = "awaiting-you"
            action = "vote (\(votes[id] ?? 0) of \(outputs.count) output files voted), then submit-review"
          }
        case .reviewed:
          if !submitted {
            category = "awaiting-you"
            action = "reviews are in; a further review can break a tie"
          } else if try recordExists(id, turn: request.turn, db: db),
            try approvedEverything(id, turn: request.turn, principal: actor.principal, db: db),
            try !hasSigned(request, keyid: actor.keyid, db: db)
          {
            category = "awaiting-you"
            action = "approve: sign the review record"
          } else {
            category = "in-review"
            action =
              try recordExists(id, turn: request.turn, db: db) ? "awaiting signatures" : "consolidate: return or reject"
          }
        case .returned: category = "returned"
        case .approved: category = "approved"
        default: break
        }
        var checks: [String: Int] = [:]
        for file in outputs { checks[file.outcome ?? "error", default: 0] += 1 }
        items.append(
          QueueItem(
            category: category, id: id, project: request.project, status: request.status, turn: request.turn,
            outputs: outputs.map(\.name), supporting: requestFiles.filter { $0.kind == "supporting" }.map(\.name),
            checks: checks,
            claims: claimCounts[id] ?? 0,
            submittedAt: request.submittedAt, reviewsSubmitted: reviews[id] ?? 0,
            reviewsRequired: request.reviewersRequired,
            action: action))
      }
      let order = ["awaiting-you": 0, "in-review": 1, "returned": 2, "approved": 3]
      return items.sorted { (order[$0.category] ?? 9, $0.submittedAt) < (order[$1.category] ?? 9, $1.submittedAt) }
    }
  }

  /// A request as `key`'s holder may see it. Checkers see only their own votes and comments until
  /// every independent review is in; the author sees votes and this turn's comments only once the
  /// turn is theirs again (returned) or the request is decided.
  public func show(_ id: String, key: SigningKey) throws(AirlockError) -> RequestView {
    let trust = try store.trustList()
    let publicKey = key.publicKey
    let at = now()
    let roles = Role.allCases.filter { !trust.entries(for: publicKey, role: $0, at: at).isEmpty }
    guard let role = roles.first else {
      throw AirlockError(.usage, "key \(publicKey.fingerprint) is not trusted by the store's trust list")
    }
    let principal = trust.entries(for: publicKey, role: role, at: at)[0].principal
    let actor = Actor(key: key, principal: principal, keyid: publicKey.keyid, trust: trust)
    return try store.read { db in
      let request = try loadRequest(id, db: db)
      let isAuthor = request.mayBeAuthor(actor)
      guard isAuthor || roles.contains(.review) || roles.contains(.release) else {
        throw AirlockError(.usage, "only the author and output checkers can see \(id)")
      }
      var votes = try loadVotes(id, db: db)
      var comments = try loadComments(id, db: db)
      var decisions: [String: FileDecision]? = try self.decisions(request, db: db)
      // Whose vote values this turn's history may show (nil: everyone's).
      var visibleVoters: Set<String>?
      if isAuthor {
        if request.status.isReviewerOwned {
          votes = []
          decisions = nil
          comments = comments.filter { $0.turn < request.turn || $0.role == "author" }
          visibleVoters = []
        }
      } else if request.status.isIndependent {
        votes = votes.filter { $0.reviewer == principal }
        decisions = nil
        comments = comments.filter { $0.turn < request.turn || $0.author == principal || $0.role == "author" }
        visibleVoters = [principal]
      }
      let reviews = try Row.fetchAll(
        db, sql: "SELECT * FROM review WHERE request_id = ? AND turn = ? ORDER BY submitted_at",
        arguments: [id, request.turn]
      ).map { row in
        ReviewInfo(
          reviewer: row["reviewer_principal"], keyid: row["reviewer_keyid"], turn: row["turn"],
          submittedAt: row["submitted_at"])
      }
      let history = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE request_id = ? ORDER BY id", arguments: [id])
        .map { row in
          var detail =
            (try? JSONDuplicateCheck.decode([String: String].self, from: Data((row["detail"] as String).utf8))) ?? [:]
          let actor: String = row["actor_principal"]
          let turn: Int = row["turn"]
          // Blind review (issue 19 §4): the history says that a checker voted, not how, until the
          // votes themselves may be seen.
          if let visibleVoters, turn == request.turn, row["type"] as String == "vote", !visibleVoters.contains(actor) {
            detail["vote"] = nil
            // Only approvals accept claims: the acceptance would tell the vote.
            detail["accepted_claims"] = nil
          }
          return EventInfo(type: row["type"], actor: actor, turn: turn, at: row["at"], detail: detail)
        }
      let signatures =
        try recordExists(id, turn: request.turn, db: db)
        ? try recordSignatureCount(id, turn: request.turn, db: db) : nil
      return RequestView(
        id: id, project: request.project, group: request.group, context: request.context, controls: request.controls,
        exception: request.exception, author: request.authorPrincipal, status: request.status, turn: request.turn,
        reviewersRequired: request.reviewersRequired, rulePack: "\(request.packName) \(request.packVersion)",
        createdAt: request.createdAt, submittedAt: request.submittedAt, updatedAt: request.updatedAt,
        files: try loadFiles(id, db: db), reviews: reviews, votes: votes, decisions: decisions, comments: comments,
        history: history, historyProblems: try historyProblems(id, db: db), recordSignatures: signatures)
    }
  }

  /// The review record of an approved (or released) request, as DSSE envelope JSON.
  public func record(_ id: String) throws(AirlockError) -> Data {
    try store.read { db in
      let request = try loadRequest(id, db: db)
      guard [.approved, .released].contains(request.status) else {
        throw AirlockError(.usage, "\(id) has no review record: it is \(request.status.rawValue), not approved")
      }
      guard
        let envelope = try String.fetchOne(
          db, sql: "SELECT envelope FROM record WHERE request_id = ? ORDER BY turn DESC LIMIT 1", arguments: [id])
      else { throw AirlockError(.input, "\(id) is approved but its review record is missing") }
      return Data(envelope.utf8)
    }
  }
}

/// A checker's signed review of one turn (stored in the store; its content goes into the record).
struct SignedReview: Codable {
  static let payloadType = "application/vnd.airlock.review+json"
  var request: String
  var turn: Int
  var review: ReviewPredicate.Review

  func encoded() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try! encoder.encode(self)
  }
}
