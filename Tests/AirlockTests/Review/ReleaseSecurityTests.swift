import Foundation
import Testing

@testable import Airlock

/// `release` cannot be redirected, and a folder the store calls released is final (issue 19
/// §2, §8, and the RELEASED log entry of §9).
@Suite struct ReleaseSecurityTests {
  /// The folder swapped for a symbolic link after `release` checked it (the race an attacker runs
  /// with `renameat2(RENAME_EXCHANGE)`): nothing is written through the link.
  @Test func swappingTheFolderForALinkDoesNotRedirectTheRelease() throws {
    let f = ReviewFixture()
    let id = try f.approvedRequest()
    let out = f.folder.appendingPathComponent("out").path
    let moved = f.folder.appendingPathComponent("out-moved").path
    let target = f.folder.appendingPathComponent("elsewhere").path
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    var workflow = f.workflow
    workflow.releaseFolderOpened = { folder in
      rename(folder, moved)
      symlink(target, folder)
    }
    _ = try workflow.release(id, to: out, key: f.ops)
    #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
    #expect(
      Set(try FileManager.default.contentsOfDirectory(atPath: moved)) == [
        "table.csv", ReviewWorkflow.recordFileName(id),
      ])
  }

  /// A symbolic link planted at a subject's name after the folder was opened is never followed.
  @Test func aLinkPlantedAtASubjectsNameIsNeverFollowed() throws {
    let f = ReviewFixture()
    let id = try f.approvedRequest()
    let out = f.folder.appendingPathComponent("out").path
    let target = f.folder.appendingPathComponent("victim").path
    var workflow = f.workflow
    workflow.releaseFolderOpened = { folder in symlink(target, folder + "/table.csv") }
    #expect(refuses("symbolic link") { _ = try workflow.release(id, to: out, key: f.ops) })
    #expect(!FileManager.default.fileExists(atPath: target))
    #expect(try f.status(id) == .approved)
  }

  /// Nothing but released files ever has a name in the folder: no temporary to leave behind.
  @Test func noTemporaryIsEverNamedInTheFolder() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.approvedRequest()
    let out = f.folder.appendingPathComponent("out").path
    // A release that fails part-way (a different file in the way of the record).
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    write("in the way", to: ReviewWorkflow.recordFileName(id), in: URL(fileURLWithPath: out))
    #expect(refuses("refusing to overwrite") { _ = try f.workflow.release(id, to: out, key: f.ops) })
    #expect(try FileManager.default.contentsOfDirectory(atPath: out).allSatisfy { !$0.hasPrefix(".") })
    // A temporary an older release left is removed.
    unlink(out + "/" + ReviewWorkflow.recordFileName(id))
    write("partial", to: ".airlock-tmp-0000", in: URL(fileURLWithPath: out))
    _ = try f.workflow.release(id, to: out, key: f.ops)
    #expect(
      Set(try FileManager.default.contentsOfDirectory(atPath: out))
        == ["table.csv", ReviewWorkflow.recordFileName(id), ReviewWorkflow.receiptFileName(id)])
  }

  /// The receipt is in the folder before the store says released: a release that cannot write it
  /// leaves the request approved (before, the status was committed first, and a kill then left a
  /// released request with a folder that fails `verify --files`).
  @Test func theStoreSaysReleasedOnlyOnceTheFolderIsComplete() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.approvedRequest()
    let out = f.folder.appendingPathComponent("out").path
    try FileManager.default.createDirectory(
      atPath: out + "/" + ReviewWorkflow.receiptFileName(id), withIntermediateDirectories: true)
    #expect(throws: AirlockError.self) { _ = try f.workflow.release(id, to: out, key: f.ops) }
    #expect(try f.status(id) == .approved)
    try FileManager.default.removeItem(atPath: out + "/" + ReviewWorkflow.receiptFileName(id))
    _ = try f.workflow.release(id, to: out, key: f.ops)
    #expect(try f.status(id) == .released)
  }

  /// Concurrent releases of one request log RELEASED once.
  @Test func concurrentReleasesLogReleasedOnce() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.approvedRequest()
    let out = f.folder.appendingPathComponent("out").path
    DispatchQueue.concurrentPerform(iterations: 4) { _ in _ = try? f.workflow.release(id, to: out, key: f.ops) }
    _ = try f.workflow.release(id, to: out, key: f.ops)
    let entries = try f.store.decisionLog().readEntries().entries.map { try LogEntry.parse($0) }
    #expect(entries.filter { $0.decision == "RELEASED" }.count == 1)
    let events = try f.store.read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE type = 'release'") ?? 0
    }
    #expect(events == 1)
  }
}
