import Foundation
import Testing

@testable import Airlock

/// The file-backed log: appends, proofs, and every tamper case `airlock log verify` must catch.
@Suite struct TransparencyLogTests {
  let key = SigningKey()
  let folder = temporaryFolder().appendingPathComponent("log")

  func makeLog(entries: Int = 10) throws -> TransparencyLog {
    let log = try TransparencyLog.create(at: folder, origin: "tre.example/airlock/log", key: key)
    for number in 0..<entries {
      try log.append(key: key) { existing in [Data(#"{"index":\#(existing.count),"n":\#(number)}"#.utf8)] }
    }
    return log
  }

  var lines: [String] {
    get {
      try! String(contentsOfFile: folder.appendingPathComponent("entries.jsonl").path, encoding: .utf8).components(
        separatedBy: "\n"
      ).dropLast()
    }
    nonmutating set {
      try! Data((newValue.joined(separator: "\n") + "\n").utf8).write(
        to: folder.appendingPathComponent("entries.jsonl"))
    }
  }

  @Test func appendsSignEveryCheckpointAndVerify() throws {
    let log = try makeLog()
    let (problems, size) = log.verify()
    #expect(problems.isEmpty, "\(problems)")
    #expect(size == 10)
    #expect(log.archivedSizes() == Array(0...10))
    let receipt = try log.receipt(for: 3)
    #expect(try InclusionReceipt(text: receipt.text).verify(log.verifier).size == 10)
    #expect(String(decoding: receipt.entry, as: UTF8.self) == #"{"index":3,"n":3}"#)
    let (old, new, proof) = try log.consistencyProof(from: 4)
    #expect(Merkle.verifyConsistency(oldSize: 4, newSize: 10, oldRoot: old.root, newRoot: new.root, proof: proof))
    #expect(try log.archivedCheckpoint(4)?.checkpoint == old)
    // Reopening reads the pinned key.
    #expect(try TransparencyLog.open(at: folder).verifier == log.verifier)
  }

  @Test func verifyCatchesTruncation() throws {
    let log = try makeLog()
    lines = Array(lines.dropLast(2))
    let problems = log.verify().problems
    #expect(problems.contains { $0.contains("truncated") }, "\(problems)")
    #expect(throws: AirlockError.self) { try log.append(key: key) { _ in [Data("{}".utf8)] } }
  }

  @Test func verifyCatchesAnEditedLine() throws {
    let log = try makeLog()
    var edited = lines
    edited[6] = edited[6].replacingOccurrences(of: "\"n\":6", with: "\"n\":7")
    lines = edited
    let problems = log.verify().problems
    // The first checkpoint that no longer matches is the one that first covered line 7.
    #expect(problems.contains { $0.contains("entries.jsonl:7: entries 1-7 do not hash") }, "\(problems)")
    #expect(throws: AirlockError.self) { try log.append(key: key) { _ in [Data("{}".utf8)] } }
  }

  @Test func verifyCatchesReordering() throws {
    let log = try makeLog()
    var reordered = lines
    reordered.swapAt(2, 3)
    lines = reordered
    let problems = log.verify().problems
    #expect(problems.contains { $0.contains("edited, inserted or reordered") }, "\(problems)")
    #expect(problems.contains { $0.contains("entries.jsonl:3:1: entry should have index 2") }, "\(problems)")
  }

  @Test func verifyCatchesARolledBackCheckpoint() throws {
    let log = try makeLog()
    let older = try Data(contentsOf: URL(fileURLWithPath: log.checkpointsFolder).appendingPathComponent("6"))
    try older.write(to: URL(fileURLWithPath: log.checkpointPath))
    let problems = log.verify().problems
    #expect(problems.contains { $0.contains("rolled back") }, "\(problems)")
  }

  @Test func anAuditorsSavedCheckpointCatchesAWholesaleRollback() throws {
    let log = try makeLog()
    let saved = try String(contentsOfFile: log.checkpointPath, encoding: .utf8)
    // Roll the whole log back to size 6: entries, latest checkpoint and the archive.
    lines = Array(lines.prefix(6))
    try FileManager.default.copyItem(atPath: log.checkpointsFolder + "/6", toPath: log.checkpointPath + ".old")
    unlink(log.checkpointPath)
    try FileManager.default.moveItem(atPath: log.checkpointPath + ".old", toPath: log.checkpointPath)
    for size in 7...10 { unlink(log.checkpointsFolder + "/\(size)") }
    #expect(log.verify().problems.isEmpty)
    let problems = log.verify(previous: saved, previousFile: "saved").problems
    #expect(
      problems.contains { $0.contains("saved: signs 10 entries, more than the log's 6 (rolled back)") }, "\(problems)")
  }

  @Test func verifyCatchesUnsignedAndForgedCheckpoints() throws {
    let log = try makeLog()
    lines = lines + [#"{"index":10,"n":99}"#]
    #expect(log.verify().problems.contains { $0.contains("not signed") })
    let forged = try SignedNote.sign(
      "tre.example/airlock/log\n11\n\(Merkle.emptyRoot.base64EncodedString())\n", name: "tre.example/airlock/log",
      key: SigningKey())
    try Data(forged.utf8).write(to: URL(fileURLWithPath: log.checkpointPath))
    #expect(log.verify().problems.contains { $0.contains("not signed by") })
  }

  @Test func unsignedLinesAreNeverSignedSilently() throws {
    let log = try makeLog(entries: 3)
    // A line that no checkpoint and no pending append signs (added by hand, or left by an older
    // airlock's crash), then half a line.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log.entriesPath))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(#"{"index":3,"n":3}"#.utf8 + [0x0a] + #"{"index":4,"#.utf8))
    try handle.close()
    let problems = log.verify().problems
    #expect(problems.contains { $0.contains("1 entries after the latest checkpoint are not signed") }, "\(problems)")
    #expect(problems.contains { $0.contains("incomplete last line") }, "\(problems)")
    #expect(log.interruptedAppendNote() == nil)
    #expect(throws: AirlockError.self) {
      try log.append(key: key) { existing in [Data(#"{"index":\#(existing.count),"n":4}"#.utf8)] }
    }
    #expect(log.verify().size == 3)
    // Only when told to: the half line is dropped, the whole one signed as it is.
    try log.append(key: key, adoptUnsigned: true) { existing in [Data(#"{"index":\#(existing.count),"n":4}"#.utf8)] }
    #expect(log.verify().problems.isEmpty, "\(log.verify().problems)")
    #expect(log.verify().size == 5)
  }

  /// A kill at any step of an append (after the pending record, the line, the archived
  /// checkpoint, or the latest one) leaves a log that verifies, and the next append finishes it.
  @Test(arguments: TransparencyLog.AppendStep.allCases)
  func aKilledAppendVerifiesAndTheNextAppendFinishesIt(step: TransparencyLog.AppendStep) throws {
    let log = try makeLog(entries: 3)
    #expect(throws: AirlockError.self) {
      try log.append(key: key, interruptAfter: step) { existing in [Data(#"{"index":\#(existing.count),"n":3}"#.utf8)] }
    }
    #expect(FileManager.default.fileExists(atPath: log.pendingPath))
    let (problems, size) = log.verify()
    #expect(problems.isEmpty, "\(step): \(problems)")
    #expect(size == (step == .latest ? 4 : 3))
    #expect((log.interruptedAppendNote() != nil) == (step != .latest), "\(step)")
    try log.append(key: key) { existing in
      #expect(existing.count == 4, "the interrupted line is finished before new ones")
      return [Data(#"{"index":\#(existing.count),"n":4}"#.utf8)]
    }
    #expect(!FileManager.default.fileExists(atPath: log.pendingPath))
    #expect(log.verify().problems.isEmpty, "\(log.verify().problems)")
    #expect(log.verify().size == 5)
    #expect(lines == (0..<5).map { #"{"index":\#($0),"n":\#($0)}"# })
  }

  @Test func aLineCutShortByAKillIsWrittenAgainWhole() throws {
    let log = try makeLog(entries: 3)
    #expect(throws: AirlockError.self) {
      try log.append(key: key, interruptAfter: .pending) { existing in
        [Data(#"{"index":\#(existing.count),"n":3}"#.utf8)]
      }
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log.entriesPath))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(#"{"index":3,"#.utf8))
    try handle.close()
    #expect(log.verify().problems.isEmpty, "\(log.verify().problems)")
    try log.append(key: key) { _ in [] }
    #expect(log.verify().problems.isEmpty && log.verify().size == 4)
    #expect(lines.last == #"{"index":3,"n":3}"#)
  }

  /// The pending record excuses only what it proves: the log's own signed next checkpoint over
  /// exactly the lines written after the latest one.
  @Test func aPendingRecordCannotCoverTampering() throws {
    // Lines that are not the pending append's.
    var log = try makeLog(entries: 3)
    #expect(throws: AirlockError.self) {
      try log.append(key: key, interruptAfter: .pending) { existing in
        [Data(#"{"index":\#(existing.count),"n":3}"#.utf8)]
      }
    }
    lines = lines + [#"{"index":3,"n":666}"#]
    var problems = log.verify().problems
    #expect(problems.contains { $0.contains("not those of the pending append") }, "\(problems)")
    #expect(problems.contains { $0.contains("not signed") }, "\(problems)")
    #expect(throws: AirlockError.self) { try log.append(key: key) { _ in [] } }

    // A pending record signed by another key.
    try FileManager.default.removeItem(at: folder)
    log = try makeLog(entries: 3)
    #expect(throws: AirlockError.self) {
      try log.append(key: key, interruptAfter: .line) { existing in [Data(#"{"index":\#(existing.count),"n":3}"#.utf8)]
      }
    }
    let pending = try String(contentsOfFile: log.pendingPath, encoding: .utf8)
    let other = SigningKey()
    let root = Merkle.root(lines.map { Merkle.leafHash(Data($0.utf8)) })
    let forged = try SignedNote.sign(
      "tre.example/airlock/log\n4\n\(root.base64EncodedString())\n", name: "tre.example/airlock/log", key: other)
    let object = try JSONSerialization.jsonObject(with: Data(pending.utf8)) as! [String: Any]
    var replaced = object
    replaced["checkpoint"] = forged
    try JSONSerialization.data(withJSONObject: replaced).write(to: URL(fileURLWithPath: log.pendingPath))
    problems = log.verify().problems
    #expect(problems.contains { $0.contains("does not verify") }, "\(problems)")
    #expect(problems.contains { $0.contains("not signed") }, "\(problems)")

    // Removing the pending record of an interrupted append: its lines are unsigned again.
    unlink(log.pendingPath)
    #expect(log.verify().problems.contains { $0.contains("not signed") })

    // A rolled-back latest checkpoint is still caught when no pending record explains it.
    try FileManager.default.removeItem(at: folder)
    log = try makeLog(entries: 5)
    try Data(contentsOf: URL(fileURLWithPath: log.checkpointsFolder + "/4")).write(
      to: URL(fileURLWithPath: log.checkpointPath))
    #expect(log.verify().problems.contains { $0.contains("rolled back") })
  }

  @Test func concurrentAppendersSerializeOnTheLock() throws {
    _ = try makeLog(entries: 0)
    let folder = folder
    let key = key
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
      let log = try! TransparencyLog.open(at: folder)
      for _ in 0..<5 {
        try! log.append(key: key) { existing in [Data(#"{"index":\#(existing.count),"worker":\#(worker)}"#.utf8)] }
      }
    }
    let log = try TransparencyLog.open(at: folder)
    #expect(log.verify().problems.isEmpty, "\(log.verify().problems)")
    #expect(log.verify().size == 40)
  }

  @Test func theLogRefusesAnotherKey() throws {
    let log = try makeLog(entries: 1)
    #expect(throws: AirlockError.self) { try log.append(key: SigningKey()) { _ in [] } }
    #expect(throws: AirlockError.self) {
      try TransparencyLog.create(at: folder, origin: "tre.example/airlock/log", key: SigningKey())
    }
  }

  /// Issue 19 §6: an old checkpoint copied to a higher number, or garbage at the next size, is a
  /// reported inconsistency, never a crash, and the log keeps working.
  @Test func aPlantedCheckpointIsReportedAndDoesNotStopTheLog() throws {
    let log = try makeLog(entries: 5)
    let old = try Data(contentsOf: URL(fileURLWithPath: log.checkpointsFolder + "/2"))
    try old.write(to: URL(fileURLWithPath: log.checkpointsFolder + "/9"))
    try Data("not a checkpoint\n".utf8).write(to: URL(fileURLWithPath: log.checkpointsFolder + "/6"))
    var problems = log.verify().problems
    #expect(problems.contains { $0.hasSuffix("checkpoints/9: holds a checkpoint of size 2") }, "\(problems)")
    #expect(problems.contains { $0.contains("checkpoints/6: checkpoint signature does not verify") }, "\(problems)")
    // Appends go on past both planted sizes.
    for number in 5..<11 {
      try log.append(key: key) { existing in [Data(#"{"index":\#(existing.count),"n":\#(number)}"#.utf8)] }
    }
    #expect(log.verify().size == 11)
    #expect(try log.archivedCheckpoint(9)?.checkpoint.size == 9)
    problems = log.verify().problems
    // What was in the way stays reported.
    #expect(problems.count == 2, "\(problems)")
    #expect(problems.allSatisfy { $0.contains("not an archived checkpoint") }, "\(problems)")
  }

  @Test func aPlantedOrMalformedLatestCheckpointDoesNotStopTheLog() throws {
    for planted in [
      try Data(contentsOf: URL(fileURLWithPath: try makeLog(entries: 5).checkpointsFolder + "/2")), Data("junk".utf8),
    ] {
      try? FileManager.default.removeItem(at: folder)
      let log = try makeLog(entries: 5)
      try planted.write(to: URL(fileURLWithPath: log.checkpointPath))
      #expect(!log.verify().problems.isEmpty)
      try log.append(key: key) { existing in [Data(#"{"index":\#(existing.count),"n":5}"#.utf8)] }
      #expect(log.verify().problems.isEmpty, "\(log.verify().problems)")
      #expect(log.verify().size == 6)
    }
  }

  @Test func aDeletedArchivedCheckpointIsReported() throws {
    let log = try makeLog(entries: 5)
    unlink(log.checkpointsFolder + "/3")
    let problems = log.verify().problems
    #expect(problems.contains { $0.contains("checkpoints/3: missing") }, "\(problems)")
  }
}
