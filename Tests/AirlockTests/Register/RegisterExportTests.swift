import Foundation
import Testing

@testable import Airlock

/// `Register.export(_:verifiedSize:format:)`: the register of a verified decision log (moved out
/// of `airlock register export`, issue 20).
@Suite struct RegisterExportTests {
  @Test func oneRowPerRequestAndABadEntryIsNamedByItsLine() throws {
    let f = ReviewFixture()
    try f.store.enableLog(origin: "tre.example/airlock/log")
    let id = try f.approvedRequest()
    let log = try f.store.decisionLog()
    let (problems, size) = log.verify()
    #expect(problems.isEmpty, "\(problems)")
    let rows = try Register.export(log, verifiedSize: size, format: .jsonl).split(separator: "\n")
    #expect(rows.count == 1 && rows[0].contains("\"request\":\"\(id)\""), "\(rows)")
    // Only the verified prefix counts: an entry after it is not read.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log.entriesPath))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("not an entry\n".utf8))
    try handle.close()
    #expect(try Register.export(log, verifiedSize: size, format: .jsonl).split(separator: "\n") == rows)
    do {
      _ = try Register.export(log, verifiedSize: size + 1, format: .jsonl)
      Issue.record("a bad entry was exported")
    } catch {
      #expect(error.kind == .input && error.line == size + 1 && error.file == log.entriesPath, "\(error)")
    }
  }
}
