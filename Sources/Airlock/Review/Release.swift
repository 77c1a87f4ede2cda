import Foundation

extension ReviewWorkflow {
  /// The file name a request's record is written under, beside the released files.
  public static func recordFileName(_ id: String) -> String { "\(id).review.json" }

  /// The file name of the record's decision-log receipt (C2SP tlog-proof), beside the record.
  public static func receiptFileName(_ id: String) -> String { "\(id).review.tlog-proof" }

  /// Verifies the request's record, then copies its approved output files into `folder`
  /// atomically (temporary file, then a link that never replaces), refusing traversal, symlinks
  /// and overwrites, and writes the record beside them. Running it again is harmless.
  public func release(_ id: String, to folder: String, key: SigningKey) throws(AirlockError) -> ReleaseResult {
    let actor = try actor(key, .release)
    let trust = try store.trustList()
    let (request, files, recordData) = try store.read { db in
      let request = try loadRequest(id, db: db)
      guard [.approved, .released].contains(request.status) else {
        throw AirlockError(.usage, "cannot release \(id): it is \(request.status.rawValue), not approved")
      }
      guard let envelope = try String.fetchOne(
        db, sql: "SELECT envelope FROM record WHERE request_id = ? ORDER BY turn DESC LIMIT 1", arguments: [id])
      else { throw AirlockError(.input, "\(id) has no review record") }
      return (request, try loadFiles(id, db: db), Data(envelope.utf8))
    }
    let report = RecordVerifier.verify(
      recordData, policy: VerificationPolicy(trust: trust, minimumReviewers: request.reviewersRequired, expectedRequest: id))
    guard report.verified, let statement = report.statement else {
      throw AirlockError(.usage, "the review record of \(id) does not verify: \(report.failures.joined(separator: "; "))")
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
        throw AirlockError(.input, file: store.objectPath(sha), "stored copy of '\(subject.name)' is missing or changed")
      }
    }
    try prepareFolder(folder)
    var copied: [String] = []
    var present: [String] = []
    for subject in statement.subject {
      let sha = subject.digest["sha256"] ?? ""
      if try place(contentsOf: store.objectPath(sha), sha256: sha, as: subject.name, in: folder) {
        copied.append(subject.name)
      } else {
        present.append(subject.name)
      }
    }
    let recordName = Self.recordFileName(id)
    let temporary = (folder as NSString).appendingPathComponent(".airlock-record-\(UUID().uuidString)")
    do { try recordData.write(to: URL(fileURLWithPath: temporary)) } catch {
      throw AirlockError(.input, file: temporary, "cannot write the review record")
    }
    defer { unlink(temporary) }
    _ = try place(contentsOf: temporary, sha256: Digest.sha256(recordData), as: recordName, in: folder)
    if request.status == .approved {
      // Released frequency tables join the release history, so later outputs are checked against them.
      try recordInHistory(statement.subject.map { store.objectPath($0.digest["sha256"] ?? "") }, names: statement.subject.map(\.name), packRef: request.packRef)
      try store.transaction { db in
        let current = try loadRequest(id, db: db)
        if current.status == .approved { try setStatus(.released, request: current, db: db) }
        try log("release", request: id, turn: current.turn, actor: actor, detail: ["to": folder, "files": statement.subject.map(\.name).joined(separator: ",")], db: db)
      }
    }
    // The record's tlog-proof receipt (signing.md §4.5), once, beside it.
    var receiptPath: String?
    if store.hasLog {
      let name = Self.receiptFileName(id)
      let path = (folder as NSString).appendingPathComponent(name)
      if !FileManager.default.fileExists(atPath: path) {
        let receipt = Data(try logReceipt(id).text.utf8)
        let temporary = (folder as NSString).appendingPathComponent(".airlock-receipt-\(UUID().uuidString)")
        do { try receipt.write(to: URL(fileURLWithPath: temporary)) } catch {
          throw AirlockError(.input, file: temporary, "cannot write the log receipt")
        }
        defer { unlink(temporary) }
        _ = try place(contentsOf: temporary, sha256: Digest.sha256(receipt), as: name, in: folder)
      }
      receiptPath = path
    }
    return ReleaseResult(
      copied: copied, alreadyPresent: present, recordPath: (folder as NSString).appendingPathComponent(recordName),
      receiptPath: receiptPath)
  }

  private func prepareFolder(_ folder: String) throws(AirlockError) {
    var info = stat()
    if lstat(folder, &info) == 0 {
      guard info.st_mode & S_IFMT != S_IFLNK else {
        throw AirlockError(.usage, file: folder, "release folder is a symbolic link; refusing")
      }
      guard info.st_mode & S_IFMT == S_IFDIR else { throw AirlockError(.usage, file: folder, "release destination is not a folder") }
    } else {
      do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
        throw AirlockError(.input, file: folder, "cannot create the release folder")
      }
    }
    // A release killed mid-copy leaves its temporaries (airlock's own dot-names, never subjects):
    // remove them, so that running it again leaves exactly the subjects and the record.
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    where Self.temporaryPrefixes.contains(where: { name.hasPrefix($0) }) {
      let path = (folder as NSString).appendingPathComponent(name)
      var entry = stat()
      if lstat(path, &entry) == 0, entry.st_mode & S_IFMT == S_IFREG { unlink(path) }
    }
  }

  /// Names of the temporary files a release writes into the destination folder.
  static let temporaryPrefixes = [".airlock-tmp-", ".airlock-record-", ".airlock-receipt-"]

  /// Puts a copy of `source` at `folder/name` unless an identical file is there. Returns whether it
  /// copied. Refuses a symlink, a different file, and any name that is not a plain file name.
  private func place(contentsOf source: String, sha256: String, as name: String, in folder: String) throws(AirlockError) -> Bool {
    guard RecordVerifier.isPlainName(name) else {
      throw AirlockError(.usage, "refusing to release '\(name)': not a plain file name (path traversal)")
    }
    let destination = (folder as NSString).appendingPathComponent(name)
    var info = stat()
    if lstat(destination, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFREG else {
        throw AirlockError(.usage, file: destination, "refusing to release over a symbolic link or non-regular file")
      }
      guard (try? Digest.sha256(file: destination)) == sha256 else {
        throw AirlockError(.usage, file: destination, "refusing to overwrite a different existing file")
      }
      return false
    }
    let temporary = (folder as NSString).appendingPathComponent(".airlock-tmp-\(UUID().uuidString)")
    do { try FileManager.default.copyItem(atPath: source, toPath: temporary) } catch {
      throw AirlockError(.input, file: temporary, "cannot write into the release folder")
    }
    defer { unlink(temporary) }
    chmod(temporary, 0o644)
    let fd = open(temporary, O_RDONLY)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
    // link() never replaces an existing file: the no-overwrite rename.
    guard link(temporary, destination) == 0 else {
      if errno == EEXIST, (try? Digest.sha256(file: destination)) == sha256 { return false }
      throw AirlockError(.usage, file: destination, "cannot place file: \(String(cString: strerror(errno)))")
    }
    return true
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
    for (path, name) in zip(paths, names) where UnsupportedFileRule.isTable(name) {
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
