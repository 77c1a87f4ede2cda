import Foundation
import Testing

@testable import Airlock

/// A large plain file checked by streaming rules only is read on several threads; whatever the
/// file holds, the result must be exactly that of one thread.
@Suite struct SegmentedScanTests {
  /// The per-cell pack (whole-table rules off), so that the file is eligible for segments.
  private var streaming: RulePack {
    var result = pack()
    for type in RuleRegistry.builtIn where type is any TableRule.Type || type == CrossOutputDifferencingRule.self {
      result.rules[type.description.name]?.set("enabled", .boolean(false))
    }
    return result
  }

  /// Checks `text` once on one thread and once in segments of about `segmentBytes`.
  private func both(_ text: String, segmentBytes: Int = 2048, findingLimit: Int = 1000) -> (OutputResult, OutputResult)
  {
    let path = write(text, to: "t.csv", in: temporaryFolder())
    let one = Checker(pack: streaming, limits: ReadLimits(segmentBytes: 0), findingLimit: findingLimit).check(paths: [
      path
    ])
    let before = SegmentedScan.segmentedReads.load(ordering: .relaxed)
    let many = Checker(
      pack: streaming, limits: ReadLimits(segmentBytes: segmentBytes, threads: 4), findingLimit: findingLimit
    )
    .check(paths: [path])
    #expect(SegmentedScan.segmentedReads.load(ordering: .relaxed) > before, "the file was read in segments")
    return (one.results[0], many.results[0])
  }

  private func table(rows: Int, seed: UInt64, quotedNewlines: Bool = false) -> String {
    var generator = SplitMix(state: seed)
    var text = "region,sex,count\n"
    for row in 0..<rows {
      let region = quotedNewlines && row % 7 == 0 ? "\"North\nEast \(row % 13)\"" : "R\(row % 37)"
      let count = Int.random(in: 0...40, using: &generator)
      text += "\(region),\(row % 2 == 0 ? "F" : "M"),\(count)\n"
    }
    return text
  }

  @Test func segmentsFindExactlyWhatOneThreadFinds() {
    let (one, many) = both(table(rows: 3000, seed: 1))
    #expect(one.findings.count > 100)
    #expect(many.findings == one.findings)
    #expect(many.omitted == one.omitted)
    #expect(many.rows == one.rows && many.cells == one.cells && many.outcome == one.outcome)
  }

  @Test func theFindingLimitKeepsTheSameFindingsInFileOrder() {
    let (one, many) = both(table(rows: 3000, seed: 2), findingLimit: 7)
    #expect(one.omitted.contains { $0.count > 0 })
    #expect(many.findings == one.findings)
    #expect(many.omitted == one.omitted)
  }

  @Test func aSegmentStartingInsideAQuotedNewlineFallsBackToOneReader() {
    // Line feeds inside quotes: some segment offsets land in them.
    let text = table(rows: 4000, seed: 3, quotedNewlines: true)
    for size in [700, 1500, 3000] {
      let (one, many) = both(text, segmentBytes: size)
      #expect(one.error == nil)
      #expect(many.findings == one.findings, "segments of \(size) bytes")
      #expect(many.rows == one.rows)
    }
  }

  @Test func anErrorInALaterSegmentNamesItsRealLine() {
    var text = table(rows: 3000, seed: 4)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[2500] += ",extra"
    text = lines.joined(separator: "\n")
    let (one, many) = both(text)
    #expect(one.error?.line == 2501)
    #expect(many.error?.line == one.error?.line)
    #expect(many.error?.column == one.error?.column)
    #expect(many.error?.message == one.error?.message)
    #expect(many.findings.isEmpty)
  }

  /// A segment reads the file its first reader opened: one replaced since cannot be opened as a
  /// segment (its predecessor reads on), and one changed since is caught at the segment's end.
  @Test func segmentsRefuseAReplacedOrChangedFile() throws {
    let folder = temporaryFolder()
    let path = write(table(rows: 200, seed: 5), to: "t.csv", in: folder)
    var first = try FileSource(path: path)
    defer { first.close() }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
    defer { buffer.deallocate() }

    // Changed: appended to after the first reader opened it.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("R1,F,12\n".utf8))
    try handle.close()
    var segment = try FileSource(path: path, offset: 100, of: first)
    var caught: AirlockError?
    do { while try segment.read(into: buffer) > 0 {} } catch { caught = error }
    segment.close()
    #expect(caught?.message.contains("the file changed while it was read") == true)

    // Replaced: another file renamed over it.
    let other = write(table(rows: 200, seed: 6), to: "other.csv", in: folder)
    #expect(rename(other, path) == 0)
    #expect(throws: AirlockError.self) { try FileSource(path: path, offset: 100, of: first) }
  }
}
