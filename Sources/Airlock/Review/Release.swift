import Foundation

extension ReviewWorkflow {
  /// The file name a request's record is written under, beside the released files.
  public static func recordFileName(_ id: String) -> String { "\(id).review.json" }

  /// The file name of the record's decision-log receipt (C2SP tlog-proof), beside the record.
  public static func receiptFileName(_ id: String) -> String { "\(id).review.tlog-proof" }

  /// Verifies the request's record, then copies its approved output files into `folder`
  /// atomically (a complete synced file, then a link that never replaces, all relative to the
  /// folder opened once: see `ReleaseFolder`), refusing traversal, symlinks and overwrites, and
  /// writes the record and its log receipt beside them before the release is recorded. Running it
  /// again is harmless.
  public func release(_ id: String, to folder: String, key: SigningKey) throws(AirlockError) -> ReleaseResult {
    let actor = try actor(key, .release)
    let trust = try store.trustList()
    let (request, files, recordData) = try store.read { db in
      let request = try loadRequest(id, db: db)
      guard [.approved, .released].contains(request.status) else {
        throw AirlockError(.usage, "cannot release \(id): it is \(request.status.rawValue), not approved")
      }
      guard
        let envelope = try String.fetchOne(
          db, sql: "SELECT envelope FROM record WHERE request_id = ? ORDER BY turn DESC LIMIT 1", arguments: [id])
      else { throw AirlockError(.input, "\(id) has no review record") }
      return (request, try loadFiles(id, db: db), Data(envelope.utf8))
    }
    let report = RecordVerifier.verify(
      recordData,
      policy: VerificationPolicy(
        trust: trust, minimumReviewers: request.reviewersRequired, expectedRequest: id, anchor: now()))
    guard report.verified, let statement = report.statement else {
      throw AirlockError(
        .usage, "the review record of \(id) does not verify: \(report.failures.joined(separator: "; "))")
    }
    // What is released is exactly what the record names, taken from the content-addressed store.
    let outputs = files.filter { $0.kind == "output" }
    let stored = Set(outputs.map { "\($0.name)\u{0}\($0.sha256)" })
    let named = Set(statement.subject.map { "\($0.name)\u{0}\($0.digest["sha256"] ?? "")" })
    guard stored == named else {
      throw AirlockError(.usage, "the review record of \(id) does not name exactly the request's output files")
    }
    for subject in statement.subject {
      let sha = subject.digest["sha256"] ?? ""
      guard (try? Digest.sha256(file: store.objectPath(sha))) == sha else {
        throw AirlockError(
          .input, file: store.objectPath(sha), "stored copy of '\(subject.name)' is missing or changed")
      }
    }
    // Opened once: every write below is relative to this descriptor (issue 19 §2).
    let destination = try ReleaseFolder(folder)
    destination.removeLeftoverTemporaries()
    releaseFolderOpened?(folder)
    var copied: [String] = []
    var present: [String] = []
    for subject in statement.subject {
      let sha = subject.digest["sha256"] ?? ""
      if try place(
        sha256: sha, as: subject.name, in: destination,
        from: { folder, name throws(AirlockError) in
          try folder.create(name, copying: store.objectPath(sha), sha256: sha)
        })
      {
        copied.append(subject.name)
      } else {
        present.append(subject.name)
      }
    }
    let recordName = Self.recordFileName(id)
    _ = try place(sha256: Digest.sha256(recordData), as: recordName, in: destination) {
      folder, name throws(AirlockError) in
      try folder.create(name, contents: recordData)
    }
    // The record's tlog-proof receipt, once, beside it; written before the
    // release is recorded, so that a folder the store calls released is complete (issue 19 §8).
    var receiptPath: String?
    if store.hasLog {
      let name = Self.receiptFileName(id)
      switch destination.kind(of: name) {
      case nil: _ = try destination.create(name, contents: Data(try logReceipt(id).text.utf8))
      case S_IFREG: break  // an earlier run's receipt (its checkpoint may be older); verify checks it
      default:
        throw AirlockError(
          .usage, file: destination.path + "/" + name, "refusing to release over a symbolic link or non-regular file")
      }
      receiptPath = (folder as NSString).appendingPathComponent(name)
    }
    if request.status == .approved {
      // Released frequency tables join the release history, so later outputs are checked against them.
      try recordInHistory(
        statement.subject.map { store.objectPath($0.digest["sha256"] ?? "") }, names: statement.subject.map(\.name),
        packRef: request.packRef)
      try store.transaction { db in
        let current = try loadRequest(id, db: db)
        // Concurrent releases: only the one that moves the request to released records it.
        guard current.status == .approved else { return }
        try setStatus(.released, request: current, db: db)
        try log(
          "release", request: id, turn: current.turn, actor: actor,
          detail: ["to": folder, "files": statement.subject.map(\.name).joined(separator: ",")], db: db)
      }
    }
    return ReleaseResult(
      copied: copied, alreadyPresent: present, recordPath: (folder as NSString).appendingPathComponent(recordName),
      receiptPath: receiptPath)
  }

  /// Puts a file with SHA-256 `sha256` at `name` in `folder` (made by `make`) unless an identical
  /// file is there. Returns whether it wrote. Refuses a symlink, a different file, and any name that
  /// is not a plain file name.
  private func place(
    sha256: String, as name: String, in folder: ReleaseFolder,
    from make: (ReleaseFolder, String) throws(AirlockError) -> Bool
  ) throws(AirlockError) -> Bool {
    guard RecordVerifier.isPlainName(name) else {
      throw AirlockError(.usage, "refusing to release '\(name)': not a plain file name (path traversal)")
    }
    let destination = (folder.path as NSString).appendingPathComponent(name)
    if let kind = folder.kind(of: name) {
      guard kind == S_IFREG else {
        throw AirlockError(.usage, file: destination, "refusing to release over a symbolic link or non-regular file")
      }
      guard folder.sha256(of: name) == sha256 else {
        throw AirlockError(.usage, file: destination, "refusing to overwrite a different existing file")
      }
      return false
    }
    return try make(folder, name)
  }

  /// The store's release history (`STORE/history.db`): `airlock check --history` reads it.
  public var historyPath: String { store.root.appendingPathComponent("history.db").path }

  /// Adds the frequency tables among released files to the history, under their released names.
  private func recordInHistory(_ paths: [String], names: [String], packRef: String) throws(AirlockError) {
    let pack = try RulePackLoader.load(packRef)
    let history = try ReleaseHistory(path: historyPath)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-history-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    for (path, name) in zip(paths, names) where TableFiles.isTable(name) {
      // Stored copies are named by digest; the table is read under its released name.
      let copy = scratch.appendingPathComponent((name as NSString).lastPathComponent).path
      guard (try? FileManager.default.copyItem(atPath: path, toPath: copy)) != nil else { continue }
      // A released file that is not a readable table has nothing to compare; it does not block release.
      guard let tables = try? ReleaseHistory.comparableTables(paths: [copy], pack: pack) else { continue }
      for var table in tables {
        table.source = name
        try history.add(table)
      }
    }
  }
}
