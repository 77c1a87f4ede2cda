import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An append-only RFC 6962 log in plain files (signing.md §4.5):
///
/// ```
/// entries.jsonl        one entry per line; leaf i = the bytes of line i without "\n"; never rewritten
/// checkpoint           the latest signed checkpoint (C2SP signed note)
/// checkpoints/<size>   every checkpoint ever signed
/// log.vkey             the log key's verifier key (origin+id+key), for verifiers to pin
/// ```
///
/// Appends run under an exclusive `flock` on `.lock`; each line is fsynced before the checkpoint
/// that covers it is signed, written to a temporary file and renamed into place.
public final class TransparencyLog: Sendable {
  public let folder: URL
  /// The log's key: its name is the log's origin.
  public let verifier: NoteVerifier

  public var entriesPath: String { folder.appendingPathComponent("entries.jsonl").path }
  public var checkpointPath: String { folder.appendingPathComponent("checkpoint").path }
  public var checkpointsFolder: String { folder.appendingPathComponent("checkpoints").path }
  public var vkeyPath: String { folder.appendingPathComponent("log.vkey").path }
  var lockPath: String { folder.appendingPathComponent(".lock").path }

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
    return TransparencyLog(folder: folder, verifier: try NoteVerifier(vkey: String(decoding: data, as: UTF8.self), file: path))
  }

  /// Creates a log with origin `origin` signed by `key`, and signs its empty checkpoint. An
  /// existing log with the same key is kept; one with another key is refused.
  @discardableResult
  public static func create(at folder: URL, origin: String, key: SigningKey) throws(AirlockError) -> TransparencyLog {
    let verifier = try NoteVerifier(name: origin, publicKey: key.publicKey)
    if FileManager.default.fileExists(atPath: vkeyPath(in: folder)) {
      let existing = try open(at: folder)
      guard existing.verifier.publicKey == key.publicKey else {
        throw AirlockError(.usage, file: existing.vkeyPath, "this log is already pinned to another key (\(existing.verifier.vkey))")
      }
      return existing
    }
    do {
      try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("checkpoints").path, withIntermediateDirectories: true)
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

  /// Under the log's lock: checks that the entries still match the latest checkpoint, asks `body`
  /// for new lines (given the current entries), then appends them one at a time, fsyncing each and
  /// signing a checkpoint after each. Returns the latest checkpoint.
  @discardableResult
  public func append(key: SigningKey, _ body: ([Data]) throws(AirlockError) -> [Data]) throws(AirlockError) -> Checkpoint {
    guard key.publicKey == verifier.publicKey else {
      throw AirlockError(.usage, file: vkeyPath, "the log key given is not the key this log is pinned to")
    }
    return try withLock { () throws(AirlockError) -> Checkpoint in
      var (entries, partial) = try readEntries()
      let (latest, _) = try latestCheckpoint()
      guard latest.size <= entries.count else {
        throw AirlockError(.input, file: entriesPath, "the log holds \(entries.count) entries but its checkpoint signs \(latest.size): it was truncated; refusing to append")
      }
      var leaves = entries.map(Merkle.leafHash)
      guard Merkle.root(leaves[..<latest.size]) == latest.root else {
        throw AirlockError(.input, file: entriesPath, "the log's entries do not match its checkpoint (edited or reordered); refusing to append")
      }
      if let partial {
        // An append cut short (a crash mid-write): no checkpoint covers it, so drop it.
        guard truncate(entriesPath, off_t(entriesSize() - partial.count)) == 0 else {
          throw AirlockError(.input, file: entriesPath, "cannot drop an incomplete last line")
        }
      }
      var checkpoint = latest
      if entries.count > latest.size {
        // Lines appended (and fsynced) before a crash, never signed: sign them now.
        checkpoint = Checkpoint(origin: verifier.name, size: entries.count, root: Merkle.root(leaves))
        try publish(checkpoint, key: key)
      }
      for line in try body(entries) {
        guard !line.contains(0x0a) else { throw AirlockError(.usage, "a log entry cannot hold a newline") }
        try appendLine(line)
        entries.append(line)
        leaves.append(Merkle.leafHash(line))
        checkpoint = Checkpoint(origin: verifier.name, size: entries.count, root: Merkle.root(leaves))
        try publish(checkpoint, key: key)
      }
      return checkpoint
    }
  }

  private func entriesSize() -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: entriesPath)[.size]) as? Int) ?? 0
  }

  private func appendLine(_ line: Data) throws(AirlockError) {
    let fd = Glibc.open(entriesPath, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    guard fd >= 0 else { throw AirlockError(.input, file: entriesPath, "cannot open the log: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let bytes = [UInt8](line) + [0x0a]
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count, fsync(fd) == 0 else {
      throw AirlockError(.input, file: entriesPath, "cannot append to the log: \(String(cString: strerror(errno)))")
    }
  }

  /// Signs `checkpoint`, archives it as `checkpoints/<size>` and makes it the latest.
  private func publish(_ checkpoint: Checkpoint, key: SigningKey) throws(AirlockError) {
    let note = try SignedNote.sign(checkpoint.text, name: verifier.name, key: key)
    let archived = (checkpointsFolder as NSString).appendingPathComponent(String(checkpoint.size))
    if let existing = FileManager.default.contents(atPath: archived) {
      // A log must never sign two different trees of one size.
      let previous = try Checkpoint.open(String(decoding: existing, as: UTF8.self), verifier: verifier, file: archived)
      guard previous == checkpoint else {
        throw AirlockError(.input, file: archived, "a different checkpoint of size \(checkpoint.size) was already published; refusing to sign another")
      }
    } else {
      try Self.writeFile(Data(note.utf8), to: archived)
    }
    try Self.writeFile(Data(note.utf8), to: checkpointPath)
  }

  /// Writes `data` to a temporary file, fsyncs it, renames it over `path` and fsyncs the folder.
  static func writeFile(_ data: Data, to path: String) throws(AirlockError) {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw AirlockError(.input, file: temporary, "cannot write: \(String(cString: strerror(errno)))") }
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
      throw AirlockError(.input, file: entriesPath, "the log's entries do not match its checkpoint (run 'airlock log verify')")
    }
    return InclusionReceipt(entry: entries[index], index: index, proof: Merkle.inclusionProof(index, leaves), checkpointNote: note)
  }

  /// The consistency proof from the tree of `oldSize` entries to the tree of `newSize` (default:
  /// the latest checkpoint's size).
  public func consistencyProof(from oldSize: Int, to newSize: Int? = nil) throws(AirlockError) -> (old: Checkpoint, new: Checkpoint, proof: [Data]) {
    let latest = try latestCheckpoint().checkpoint
    let size = newSize ?? latest.size
    guard oldSize >= 0, oldSize <= size, size <= latest.size else {
      throw AirlockError(.usage, "need 0 ≤ OLD ≤ NEW ≤ \(latest.size) (the latest checkpoint's size)")
    }
    let leaves = try readEntries().entries.prefix(size).map(Merkle.leafHash)
    guard leaves.count == size else { throw AirlockError(.input, file: entriesPath, "the log holds fewer entries than its checkpoint") }
    let old = Checkpoint(origin: verifier.name, size: oldSize, root: Merkle.root(leaves[..<oldSize]))
    let new = Checkpoint(origin: verifier.name, size: size, root: Merkle.root(leaves))
    return (old, new, Merkle.consistencyProof(oldSize, leaves))
  }

  // MARK: - Verification

  /// Recomputes the tree from `entries.jsonl` and checks every checkpoint ever published against
  /// it and against the one before (consistency proofs), and the latest checkpoint against the
  /// newest archived one. `previous` is a checkpoint note the auditor kept from an earlier look.
  /// Returns the problems found (empty: the log verifies) and the verified size.
  public func verify(previous: String? = nil, previousFile: String? = nil) -> (problems: [String], size: Int) {
    var problems: [String] = []
    let entries: [Data]
    do {
      let read = try readEntries()
      entries = read.entries
      if read.partial != nil { problems.append("\(entriesPath):\(entries.count + 1): incomplete last line (an append cut short)") }
    } catch { return ([error.description], 0) }
    let leaves = entries.map(Merkle.leafHash)
    for (offset, line) in entries.enumerated() {
      let index = (try? JSONSerialization.jsonObject(with: line) as? [String: Any])?["index"] as? Int
      if index != offset {
        problems.append("\(entriesPath):\(offset + 1):1: entry should have index \(offset), has \(index.map(String.init) ?? "none") (edited or reordered)")
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
      if checkpoint.size != size { problems.append("\(path): holds a checkpoint of size \(checkpoint.size)") }
      newest = checkpoint
      if checkpoint.size > entries.count {
        problems.append("\(entriesPath): holds \(entries.count) entries but a checkpoint of size \(checkpoint.size) was published (truncated)")
      } else if Merkle.root(leaves[..<checkpoint.size]) != checkpoint.root {
        problems.append("\(entriesPath):\(checkpoint.size): entries 1-\(checkpoint.size) do not hash to the checkpoint of size \(checkpoint.size) (an entry was edited, inserted or reordered)")
      } else if let before = previousCheckpoint {
        let proof = Merkle.consistencyProof(before.size, Array(leaves[..<checkpoint.size]))
        if !Merkle.verifyConsistency(oldSize: before.size, newSize: checkpoint.size, oldRoot: before.root, newRoot: checkpoint.root, proof: proof) {
          problems.append("\(path): not consistent with the checkpoint of size \(before.size)")
        }
      }
      previousCheckpoint = checkpoint
    }
    var size = 0
    do {
      let (latest, _) = try latestCheckpoint()
      size = latest.size
      if let newest, newest.size > latest.size {
        problems.append("\(checkpointPath): the latest checkpoint signs \(latest.size) entries, but one of \(newest.size) was published (rolled back)")
      } else if let newest, newest != latest {
        problems.append("\(checkpointPath): differs from the published checkpoint of size \(newest.size)")
      }
      if latest.size > entries.count {
        problems.append("\(entriesPath): holds \(entries.count) entries but the checkpoint signs \(latest.size) (truncated)")
      } else {
        if Merkle.root(leaves[..<latest.size]) != latest.root {
          problems.append("\(entriesPath): entries do not hash to the latest checkpoint's root (edited, inserted or reordered)")
        }
        if entries.count > latest.size {
          problems.append("\(entriesPath):\(latest.size + 1): \(entries.count - latest.size) entries after the latest checkpoint are not signed")
        }
      }
    } catch { problems.append(error.description) }
    if let previous {
      do {
        let old = try Checkpoint.open(previous, verifier: verifier, file: previousFile)
        if old.size > size {
          problems.append("\(previousFile ?? "previous checkpoint"): signs \(old.size) entries, more than the log's \(size) (rolled back)")
        } else if old.size > entries.count || Merkle.root(leaves[..<old.size]) != old.root {
          problems.append("\(previousFile ?? "previous checkpoint"): the log is not consistent with it (rewritten since)")
        }
      } catch { problems.append(error.description) }
    }
    var seen = Set<String>()
    return (problems.filter { seen.insert($0).inserted }, size)
  }
}
