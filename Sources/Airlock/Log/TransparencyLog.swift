import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An append-only RFC 6962 log in plain files:
///
/// ```
/// entries.jsonl        one entry per line; leaf i = the bytes of line i without "\n"; never rewritten
/// checkpoint           the latest signed checkpoint (C2SP signed note)
/// checkpoints/<size>   every checkpoint ever signed
/// log.vkey             the log key's verifier key (origin+id+key), for verifiers to pin
/// pending              only while an append is under way: its lines and the checkpoint that signs them
/// ```
///
/// Appends run under an exclusive `flock` on `.lock`. Each append first signs the checkpoint that
/// will cover its line and writes both to `pending` (temporary file, fsync, rename), then appends
/// the line (fsync), archives the checkpoint, makes it the latest, and removes `pending`. A process
/// killed at any point leaves either the log as it was or an append that `pending` proves was the
/// log's own (signed by its key, extending the latest checkpoint): `verify` accepts that and says
/// so, and the next append (any workflow change, or `airlock log sync`) finishes it first. Lines
/// that no checkpoint and no pending append sign are never signed silently.
public final class TransparencyLog: Sendable {
  public let folder: URL
  /// The log's key: its name is the log's origin.
  public let verifier: NoteVerifier

  public var entriesPath: String { folder.appendingPathComponent("entries.jsonl").path }
  public var checkpointPath: String { folder.appendingPathComponent("checkpoint").path }
  public var checkpointsFolder: String { folder.appendingPathComponent("checkpoints").path }
  public var vkeyPath: String { folder.appendingPathComponent("log.vkey").path }
  var lockPath: String { folder.appendingPathComponent(".lock").path }
  /// The append under way (or cut short by a crash): its lines and their signed checkpoint.
  public var pendingPath: String { folder.appendingPathComponent("pending").path }

  public static func vkeyPath(in folder: URL) -> String { folder.appendingPathComponent("log.vkey").path }

  private init(folder: URL, verifier: NoteVerifier) {
    self.folder = folder
    self.verifier = verifier
  }

  /// Opens the log in `folder`, reading its pinned verifier key.
  public static func open(at folder: URL) throws(AirlockError) -> TransparencyLog {
    let path = vkeyPath(in: folder)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw AirlockError(.usage, file: path, "no transparency log here (run 'airlock log init')")
    }
    return TransparencyLog(
      folder: folder, verifier: try NoteVerifier(vkey: String(decoding: data, as: UTF8.self), file: path))
  }

  /// Creates a log with origin `origin` signed by `key`, and signs its empty checkpoint. An
  /// existing log with the same key is kept; one with another key is refused.
  @discardableResult
  public static func create(at folder: URL, origin: String, key: SigningKey) throws(AirlockError) -> TransparencyLog {
    let verifier = try NoteVerifier(name: origin, publicKey: key.publicKey)
    if FileManager.default.fileExists(atPath: vkeyPath(in: folder)) {
      let existing = try open(at: folder)
      guard existing.verifier.publicKey == key.publicKey else {
        throw AirlockError(
          .usage, file: existing.vkeyPath, "this log is already pinned to another key (\(existing.verifier.vkey))")
      }
      return existing
    }
    do {
      try FileManager.default.createDirectory(
        atPath: folder.appendingPathComponent("checkpoints").path, withIntermediateDirectories: true)
    } catch { throw AirlockError(.input, file: folder.path, "cannot create the log folder") }
    let log = TransparencyLog(folder: folder, verifier: verifier)
    try log.withLock { () throws(AirlockError) in
      FileManager.default.createFile(atPath: log.entriesPath, contents: nil)
      try log.publish(Checkpoint(origin: origin, size: 0, root: Merkle.emptyRoot), key: key)
      try writeFile(Data((verifier.vkey + "\n").utf8), to: log.vkeyPath)
    }
    return log
  }

  // MARK: - Reading

  /// The entries (lines without their newline). A final line without a newline is an append cut
  /// short: it is returned in `partial`, not as an entry.
  public func readEntries() throws(AirlockError) -> (entries: [Data], partial: Data?) {
    guard let data = FileManager.default.contents(atPath: entriesPath) else {
      throw AirlockError(.input, file: entriesPath, "cannot read the log's entries")
    }
    var lines = data.split(separator: 0x0a, omittingEmptySubsequences: false).map { Data($0) }
    let last = lines.removeLast()
    return (lines, last.isEmpty ? nil : last)
  }

  /// The latest checkpoint, its signature checked against the log's key.
  public func latestCheckpoint() throws(AirlockError) -> (checkpoint: Checkpoint, note: String) {
    guard let data = FileManager.default.contents(atPath: checkpointPath) else {
      throw AirlockError(.input, file: checkpointPath, "the log has no checkpoint")
    }
    let note = String(decoding: data, as: UTF8.self)
    return (try Checkpoint.open(note, verifier: verifier, file: checkpointPath), note)
  }

  /// The archived checkpoint of `size`, if one was signed.
  public func archivedCheckpoint(_ size: Int) throws(AirlockError) -> (checkpoint: Checkpoint, note: String)? {
    let path = (checkpointsFolder as NSString).appendingPathComponent(String(size))
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let note = String(decoding: data, as: UTF8.self)
    return (try Checkpoint.open(note, verifier: verifier, file: path), note)
  }

  /// Sizes of every archived checkpoint, ascending.
  public func archivedSizes() -> [Int] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsFolder)) ?? []
    return names.compactMap { Int($0) }.sorted()
  }

  // MARK: - Appending

  /// Under the log's lock: checks that the entries still match the latest checkpoint, finishes an
  /// append a crash interrupted (see `pending`), asks `body` for new lines (given the current
  /// entries), then appends them one at a time, each with its own signed checkpoint. Returns the
  /// latest checkpoint.
  ///
  /// Entries after the latest checkpoint that no pending append accounts for (appended by hand, or
  /// left by a version of airlock before `pending`) are refused, unless `adoptUnsigned` says to
  /// sign them as they are.
  @discardableResult
  public func append(
    key: SigningKey, adoptUnsigned: Bool = false, _ body: ([Data]) throws(AirlockError) -> [Data]
  ) throws(AirlockError) -> Checkpoint {
    try append(key: key, adoptUnsigned: adoptUnsigned, interruptAfter: nil, body)
  }

  /// The steps of one append, in order (for tests that stop an append part-way, as a kill would).
  enum AppendStep: CaseIterable {
    case pending, line, archive, latest
  }

  func append(
    key: SigningKey, adoptUnsigned: Bool = false, interruptAfter interruption: AppendStep?,
    _ body: ([Data]) throws(AirlockError) -> [Data]
  ) throws(AirlockError) -> Checkpoint {
    guard key.publicKey == verifier.publicKey else {
      throw AirlockError(.usage, file: vkeyPath, "the log key given is not the key this log is pinned to")
    }
    return try withLock { () throws(AirlockError) -> Checkpoint in
      var (entries, partial) = try readEntries()
      var leaves = entries.map(Merkle.leafHash)
      var checkpoint = try currentCheckpoint(leaves: leaves)
      guard checkpoint.size <= entries.count else {
        throw AirlockError(
          .input, file: entriesPath,
          "the log holds \(entries.count) entries but its checkpoint signs \(checkpoint.size): it was truncated; refusing to append"
        )
      }
      guard Merkle.root(leaves[..<checkpoint.size]) == checkpoint.root else {
        throw AirlockError(
          .input, file: entriesPath,
          "the log's entries do not match its checkpoint (edited or reordered); refusing to append")
      }
      removeTemporaries()
      let interrupted: PendingAppend?
      do throws(AirlockError) {
        interrupted = try interruptedAppend(entries: entries, partial: partial, latest: checkpoint)
      } catch {
        throw AirlockError(.input, file: error.file, line: error.line, "\(error.message); refusing to append")
      }
      if let partial {
        // A line cut short by a crash: no checkpoint covers it, so drop it (a pending append
        // writes it again whole).
        guard truncate(entriesPath, off_t(entriesSize() - partial.count)) == 0 else {
          throw AirlockError(.input, file: entriesPath, "cannot drop an incomplete last line")
        }
      }
      if let interrupted {
        // Finish the append a crash interrupted: its checkpoint is already signed.
        for line in interrupted.lines[(entries.count - (interrupted.checkpoint.size - interrupted.lines.count))...] {
          try appendLine(line)
          entries.append(line)
          leaves.append(Merkle.leafHash(line))
        }
        try publish(interrupted.checkpoint, note: interrupted.note)
        unlink(pendingPath)
        checkpoint = interrupted.checkpoint
      } else if FileManager.default.fileExists(atPath: pendingPath) {
        unlink(pendingPath)  // an append that was finished (or never started): nothing to do
      }
      if entries.count > checkpoint.size {
        guard adoptUnsigned else {
          throw AirlockError(
            .input, file: entriesPath, line: checkpoint.size + 1,
            "\(entries.count - checkpoint.size) entries after the latest checkpoint are signed by no checkpoint, and no interrupted append accounts for them (added by hand?); refusing to sign them. Check them, then run 'airlock log sync --adopt-unsigned' to sign them as they are"
          )
        }
        let adopted = Checkpoint(origin: verifier.name, size: entries.count, root: Merkle.root(leaves))
        let note = try SignedNote.sign(adopted.text, name: verifier.name, key: key)
        try writePending(note, lines: Array(entries[checkpoint.size...]))
        // Every size gets its archived checkpoint, so that `verify` can tell a deleted one.
        for size in (checkpoint.size + 1)..<entries.count {
          let between = Checkpoint(origin: verifier.name, size: size, root: Merkle.root(leaves[..<size]))
          try publish(
            between, note: try SignedNote.sign(between.text, name: verifier.name, key: key), archiveOnly: true)
        }
        try publish(adopted, note: note)
        unlink(pendingPath)
        checkpoint = adopted
      }
      for line in try body(entries) {
        guard !line.contains(0x0a) else { throw AirlockError(.usage, "a log entry cannot hold a newline") }
        let next = Checkpoint(
          origin: verifier.name, size: entries.count + 1, root: Merkle.root(leaves + [Merkle.leafHash(line)]))
        let note = try SignedNote.sign(next.text, name: verifier.name, key: key)
        try writePending(note, lines: [line])
        if interruption == .pending { throw AirlockError(.input, "append interrupted (test)") }
        try appendLine(line)
        if interruption == .line { throw AirlockError(.input, "append interrupted (test)") }
        try publish(next, note: note, interruptAfterArchive: interruption == .archive)
        if interruption == .latest { throw AirlockError(.input, "append interrupted (test)") }
        unlink(pendingPath)
        entries.append(line)
        leaves.append(Merkle.leafHash(line))
        checkpoint = next
      }
      return checkpoint
    }
  }

  /// The checkpoint to append after: the latest, or, when the `checkpoint` file is malformed or
  /// older than the newest archived checkpoint that verifies and matches the entries, that one
  /// (published again). A planted or rolled-back `checkpoint` file must not stop the log; `verify`
  /// reports what it finds before then (issue 19 §6). Under the lock.
  private func currentCheckpoint(leaves: [Data]) throws(AirlockError) -> Checkpoint {
    let latest = try? latestCheckpoint().checkpoint
    for size in archivedSizes().reversed() where size <= leaves.count && size > (latest?.size ?? -1) {
      guard let (archived, note) = try? archivedCheckpoint(size), archived.size == size,
        Merkle.root(leaves[..<size]) == archived.root
      else { continue }
      try Self.writeFile(Data(note.utf8), to: checkpointPath)
      return archived
    }
    if let latest { return latest }
    return try latestCheckpoint().checkpoint  // says why it cannot be read
  }

  /// Removes the temporary files (`<name>.tmp-<uuid>`) of writes a crash cut short. Under the lock:
  /// no other append is writing one.
  private func removeTemporaries() {
    for directory in [folder.path, checkpointsFolder] {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.contains(".tmp-") {
        unlink((directory as NSString).appendingPathComponent(name))
      }
    }
  }

  /// An append under way: its signed checkpoint and the lines it adds.
  struct PendingAppend {
    var checkpoint: Checkpoint
    var note: String
    var lines: [Data]
  }

  private struct PendingFile: Codable {
    var checkpoint: String
    var entries: [Data]
  }

  private func writePending(_ note: String, lines: [Data]) throws(AirlockError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data: Data
    do { data = try encoder.encode(PendingFile(checkpoint: note, entries: lines)) } catch {
      throw AirlockError(.input, file: pendingPath, "cannot encode the pending append")
    }
    try Self.writeFile(data, to: pendingPath)
  }

  /// The append a crash interrupted, when `pending` holds one that extends the latest checkpoint:
  /// signed by the log's key, its lines following the checkpoint's, the entries after the
  /// checkpoint (and any line cut short) a prefix of its lines. `nil` when there is no pending
  /// append, or it was finished (its checkpoint is the published one of its size). Throws when
  /// `pending` is not that: not signed by the log's key, or not what the entries hold (tampering).
  func interruptedAppend(entries: [Data], partial: Data?, latest: Checkpoint) throws(AirlockError) -> PendingAppend? {
    guard let data = FileManager.default.contents(atPath: pendingPath) else { return nil }
    guard let file = try? JSONDuplicateCheck.decode(PendingFile.self, from: data) else {
      throw AirlockError(.input, file: pendingPath, "not a pending append")
    }
    let checkpoint: Checkpoint
    do { checkpoint = try Checkpoint.open(file.checkpoint, verifier: verifier, file: pendingPath) } catch {
      throw AirlockError(
        .input, file: pendingPath, "the pending append's checkpoint does not verify under \(verifier.vkey)")
    }
    let pending = PendingAppend(checkpoint: checkpoint, note: file.checkpoint, lines: file.entries)
    let base = checkpoint.size - pending.lines.count
    if checkpoint.size <= latest.size {
      // Finished: its checkpoint must be the one published for its size.
      let published = try? archivedCheckpoint(checkpoint.size)?.checkpoint
      let matches =
        published.map { $0 == checkpoint }
        ?? (checkpoint.size <= entries.count
          && Merkle.root(entries[..<checkpoint.size].map(Merkle.leafHash)) == checkpoint.root)
      guard matches else {
        throw AirlockError(
          .input, file: pendingPath, "the pending append signs a tree of size \(checkpoint.size) other than the log's")
      }
      return nil
    }
    guard base == latest.size, !pending.lines.isEmpty, pending.lines.allSatisfy({ !$0.contains(0x0a) }) else {
      throw AirlockError(
        .input, file: pendingPath,
        "the pending append (to size \(checkpoint.size)) does not follow the latest checkpoint (size \(latest.size))")
    }
    let written = entries.count - base
    guard written <= pending.lines.count, zip(entries[base...], pending.lines).allSatisfy({ $0 == $1 }) else {
      throw AirlockError(
        .input, file: entriesPath, line: base + 1,
        "the entries after the latest checkpoint are not those of the pending append")
    }
    if let partial {
      guard written < pending.lines.count, pending.lines[written].starts(with: partial) else {
        throw AirlockError(
          .input, file: entriesPath, line: entries.count + 1, "the incomplete last line is not the pending append's")
      }
    }
    let leaves = entries[..<base].map(Merkle.leafHash) + pending.lines.map(Merkle.leafHash)
    guard Merkle.root(leaves) == checkpoint.root else {
      throw AirlockError(.input, file: pendingPath, "the pending append's lines do not hash to its checkpoint")
    }
    return pending
  }

  private func entriesSize() -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: entriesPath)[.size]) as? Int) ?? 0
  }

  private func appendLine(_ line: Data) throws(AirlockError) {
    let fd = Glibc.open(entriesPath, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    guard fd >= 0 else {
      throw AirlockError(.input, file: entriesPath, "cannot open the log: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    let bytes = [UInt8](line) + [0x0a]
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count, fsync(fd) == 0 else {
      throw AirlockError(.input, file: entriesPath, "cannot append to the log: \(String(cString: strerror(errno)))")
    }
  }

  /// Signs `checkpoint`, archives it as `checkpoints/<size>` and makes it the latest.
  private func publish(_ checkpoint: Checkpoint, key: SigningKey) throws(AirlockError) {
    try publish(checkpoint, note: try SignedNote.sign(checkpoint.text, name: verifier.name, key: key))
  }

  /// Archives `checkpoint` (signed as `note`) as `checkpoints/<size>`, then makes it the latest.
  private func publish(
    _ checkpoint: Checkpoint, note: String, interruptAfterArchive: Bool = false, archiveOnly: Bool = false
  ) throws(AirlockError) {
    let archived = (checkpointsFolder as NSString).appendingPathComponent(String(checkpoint.size))
    if let existing = FileManager.default.contents(atPath: archived) {
      let previous = try? Checkpoint.open(String(decoding: existing, as: UTF8.self), verifier: verifier, file: archived)
      if let previous, previous.size == checkpoint.size {
        // A log must never sign two different trees of one size.
        guard previous == checkpoint else {
          throw AirlockError(
            .input, file: archived,
            "a different checkpoint of size \(checkpoint.size) was already published; refusing to sign another")
        }
      } else {
        // Not this log's checkpoint of this size (malformed, foreign, or one of another size
        // filed here): no tree of this size was published, so it must not stop the log. Set it
        // aside, where 'airlock log verify' keeps reporting it (issue 19 §6).
        let aside = archived + Self.setAsideMarker + UUID().uuidString
        guard rename(archived, aside) == 0 else {
          throw AirlockError(
            .input, file: archived,
            "cannot set aside a file that is not this log's checkpoint of size \(checkpoint.size)")
        }
        try Self.writeFile(Data(note.utf8), to: archived)
      }
    } else {
      try Self.writeFile(Data(note.utf8), to: archived)
    }
    if interruptAfterArchive { throw AirlockError(.input, "append interrupted (test)") }
    if archiveOnly { return }
    try Self.writeFile(Data(note.utf8), to: checkpointPath)
  }

  /// The name part of a file an append found at an archived checkpoint's name and set aside.
  static let setAsideMarker = ".not-a-checkpoint-"

  /// Writes `data` to a temporary file, fsyncs it, renames it over `path` and fsyncs the folder.
  static func writeFile(_ data: Data, to path: String) throws(AirlockError) {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
      throw AirlockError(.input, file: temporary, "cannot write: \(String(cString: strerror(errno)))")
    }
    let bytes = [UInt8](data)
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    let synced = fsync(fd) == 0
    close(fd)
    guard written == bytes.count, synced, rename(temporary, path) == 0 else {
      unlink(temporary)
      throw AirlockError(.input, file: path, "cannot write: \(String(cString: strerror(errno)))")
    }
    let directory = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY)
    if directory >= 0 {
      fsync(directory)
      close(directory)
    }
  }

  /// Runs `body` holding an exclusive `flock` on the log's lock file.
  public func withLock<T>(_ body: () throws(AirlockError) -> T) throws(AirlockError) -> T {
    let fd = Glibc.open(lockPath, O_RDWR | O_CREAT, 0o644)
    guard fd >= 0 else { throw AirlockError(.input, file: lockPath, "cannot open the log's lock file") }
    defer { close(fd) }
    guard flock(fd, LOCK_EX) == 0 else { throw AirlockError(.input, file: lockPath, "cannot lock the log") }
    defer { flock(fd, LOCK_UN) }
    return try body()
  }

  // MARK: - Proofs

  /// A tlog-proof receipt for entry `index` against the latest checkpoint.
  public func receipt(for index: Int) throws(AirlockError) -> InclusionReceipt {
    let (checkpoint, note) = try latestCheckpoint()
    let entries = try readEntries().entries
    guard index >= 0, index < checkpoint.size, checkpoint.size <= entries.count else {
      throw AirlockError(.usage, "no entry \(index) in the log (its checkpoint signs \(checkpoint.size) entries)")
    }
    let leaves = entries.prefix(checkpoint.size).map(Merkle.leafHash)
    guard Merkle.root(leaves) == checkpoint.root else {
      throw AirlockError(
        .input, file: entriesPath, "the log's entries do not match its checkpoint (run 'airlock log verify')")
    }
    return InclusionReceipt(
      entry: entries[index], index: index, proof: Merkle.inclusionProof(index, leaves), checkpointNote: note)
  }

  /// The consistency proof from the tree of `oldSize` entries to the tree of `newSize` (default:
  /// the latest checkpoint's size).
  public func consistencyProof(from oldSize: Int, to newSize: Int? = nil) throws(AirlockError) -> (
    old: Checkpoint, new: Checkpoint, proof: [Data]
  ) {
    let latest = try latestCheckpoint().checkpoint
    let size = newSize ?? latest.size
    guard oldSize >= 0, oldSize <= size, size <= latest.size else {
      throw AirlockError(.usage, "need 0 ≤ OLD ≤ NEW ≤ \(latest.size) (the latest checkpoint's size)")
    }
    let leaves = try readEntries().entries.prefix(size).map(Merkle.leafHash)
    guard leaves.count == size else {
      throw AirlockError(.input, file: entriesPath, "the log holds fewer entries than its checkpoint")
    }
    let old = Checkpoint(origin: verifier.name, size: oldSize, root: Merkle.root(leaves[..<oldSize]))
    let new = Checkpoint(origin: verifier.name, size: size, root: Merkle.root(leaves))
    return (old, new, Merkle.consistencyProof(oldSize, leaves))
  }

  // MARK: - Verification

  /// When an append was interrupted (a crash after `pending` was written) and `pending` proves it,
  /// what is left to do, for `airlock log verify` to say: `nil` otherwise (no append under way, or
  /// one `verify` reports as a problem).
  public func interruptedAppendNote() -> String? {
    guard let (entries, partial) = try? readEntries(), let latest = try? latestCheckpoint().checkpoint,
      latest.size <= entries.count,
      let pending = try? interruptedAppend(entries: entries, partial: partial, latest: latest)
    else { return nil }
    let written = entries.count - latest.size
    return
      "an append was interrupted (\(written) of its \(pending.lines.count) entries written, their checkpoint of size "
      + "\(pending.checkpoint.size) signed but not yet published); the next change or 'airlock log sync' finishes it"
  }

  /// Recomputes the tree from `entries.jsonl` and checks every checkpoint ever published against
  /// it and against the one before (consistency proofs), and the latest checkpoint against the
  /// newest archived one. `previous` is a checkpoint note the auditor kept from an earlier look.
  /// Returns the problems found (empty: the log verifies) and the verified size.
  ///
  /// An append a crash interrupted is not a problem when `pending` proves it: signed by the log's
  /// key, extending the latest checkpoint, and matching the lines written so far (see
  /// `interruptedAppend()`). Anything else after the latest checkpoint is.
  public func verify(previous: String? = nil, previousFile: String? = nil) -> (problems: [String], size: Int) {
    var problems: [String] = []
    let entries: [Data]
    let partial: Data?
    do {
      (entries, partial) = try readEntries()
    } catch { return ([error.description], 0) }
    let leaves = entries.map(Merkle.leafHash)
    for (offset, line) in entries.enumerated() {
      let index = (try? JSONSerialization.jsonObject(with: line) as? [String: Any])?["index"] as? Int
      if index != offset {
        problems.append(
          "\(entriesPath):\(offset + 1):1: entry should have index \(offset), has \(index.map(String.init) ?? "none") (edited or reordered)"
        )
        break
      }
    }
    // Every archived checkpoint: signed, matching the entries, consistent with the one before.
    var previousCheckpoint: Checkpoint?
    var newest: Checkpoint?
    for size in archivedSizes() {
      let path = (checkpointsFolder as NSString).appendingPathComponent(String(size))
      guard let (checkpoint, _) = try? archivedCheckpoint(size) else {
        problems.append("\(path): checkpoint signature does not verify under \(verifier.vkey)")
        continue
      }
      // A checkpoint filed under another size (planted, or copied) is reported and set aside: the
      // checks below compare trees of growing size (issue 19 §6).
      guard checkpoint.size == size else {
        problems.append("\(path): holds a checkpoint of size \(checkpoint.size)")
        continue
      }
      newest = checkpoint
      if checkpoint.size > entries.count {
        problems.append(
          "\(entriesPath): holds \(entries.count) entries but a checkpoint of size \(checkpoint.size) was published (truncated)"
        )
      } else if Merkle.root(leaves[..<checkpoint.size]) != checkpoint.root {
        problems.append(
          "\(entriesPath):\(checkpoint.size): entries 1-\(checkpoint.size) do not hash to the checkpoint of size \(checkpoint.size) (an entry was edited, inserted or reordered)"
        )
      } else if let before = previousCheckpoint {
        let proof = Merkle.consistencyProof(before.size, Array(leaves[..<checkpoint.size]))
        if !Merkle.verifyConsistency(
          oldSize: before.size, newSize: checkpoint.size, oldRoot: before.root, newRoot: checkpoint.root, proof: proof)
        {
          problems.append("\(path): not consistent with the checkpoint of size \(before.size)")
        }
      }
      previousCheckpoint = checkpoint
    }
    // Every size up to the newest archived one was archived when it was signed: a gap is a
    // deleted checkpoint.
    let archived = Set(archivedSizes())
    if let top = archived.max() {
      let missing = (0...top).filter { !archived.contains($0) }
      if let first = missing.first {
        problems.append(
          "\((checkpointsFolder as NSString).appendingPathComponent(String(first))): missing\(missing.count > 1 ? " (and \(missing.count - 1) more)" : "") (an archived checkpoint was deleted)"
        )
      }
    }
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: checkpointsFolder)) ?? []).sorted()
    where Int(name) == nil && !name.contains(".tmp-") {
      problems.append(
        "\((checkpointsFolder as NSString).appendingPathComponent(name)): not an archived checkpoint (\(Self.setAsideMarker) files are ones an append found in its way)"
      )
    }
    var size = 0
    var interrupted: PendingAppend?
    do {
      let (latest, _) = try latestCheckpoint()
      size = latest.size
      if latest.size <= entries.count, Merkle.root(leaves[..<latest.size]) == latest.root {
        do { interrupted = try interruptedAppend(entries: entries, partial: partial, latest: latest) } catch {
          problems.append(error.description)
        }
      }
      if partial != nil && interrupted == nil {
        problems.append("\(entriesPath):\(entries.count + 1): incomplete last line (an append cut short)")
      }
      if let newest, newest.size > latest.size {
        if newest != interrupted?.checkpoint {
          problems.append(
            "\(checkpointPath): the latest checkpoint signs \(latest.size) entries, but one of \(newest.size) was published (rolled back)"
          )
        }
      } else if let newest, newest != latest {
        problems.append("\(checkpointPath): differs from the published checkpoint of size \(newest.size)")
      }
      if latest.size > entries.count {
        problems.append(
          "\(entriesPath): holds \(entries.count) entries but the checkpoint signs \(latest.size) (truncated)")
      } else {
        if Merkle.root(leaves[..<latest.size]) != latest.root {
          problems.append(
            "\(entriesPath): entries do not hash to the latest checkpoint's root (edited, inserted or reordered)")
        }
        if entries.count > latest.size && interrupted == nil {
          problems.append(
            "\(entriesPath):\(latest.size + 1): \(entries.count - latest.size) entries after the latest checkpoint are not signed"
          )
        }
      }
    } catch { problems.append(error.description) }
    if let previous {
      do {
        let old = try Checkpoint.open(previous, verifier: verifier, file: previousFile)
        if old.size > size && old != interrupted?.checkpoint {
          problems.append(
            "\(previousFile ?? "previous checkpoint"): signs \(old.size) entries, more than the log's \(size) (rolled back)"
          )
        } else if old.size > entries.count || Merkle.root(leaves[..<old.size]) != old.root {
          problems.append(
            "\(previousFile ?? "previous checkpoint"): the log is not consistent with it (rewritten since)")
        }
      } catch { problems.append(error.description) }
    }
    var seen = Set<String>()
    return (problems.filter { seen.insert($0).inserted }, size)
  }
}
