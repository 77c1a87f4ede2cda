import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads the rest of a large plain file on several threads, one segment each, when only streaming
/// rules apply: the results are exactly those of reading it on one thread.
///
/// Segments start after the first line feed past evenly spaced offsets. That is a record boundary
/// unless the line feed is inside a quoted field, which the previous segment finds out: it must end
/// exactly where the next one starts. If it does not, its reader simply goes on to the end of the
/// file alone and the later segments' work is dropped. Findings are merged in file order under the
/// same per-rule limit, with their lines shifted by the lines before each segment.
///
/// Unchecked `Sendable`: each segment's reader, builder and sink are used by one thread at a time,
/// and everything shared (schema, pack, rules, parser) is immutable.
struct SegmentedScan: @unchecked Sendable {
  let path: String
  let schema: TableSchema
  let pack: RulePack
  let limits: ReadLimits
  let findingLimit: Int
  let rules: [any CellRule]
  let fieldRules: [any FieldRule]
  let parser: ValueParser
  /// The header's width, which every data row must have.
  let width: Int

  /// Files read in segments so far (for tests and benchmarks).
  static let segmentedReads = Atomic<Int>(0)

  /// The threads to read with (`limits.threads`, or one per core up to 8).
  static func threads(_ limits: ReadLimits) -> Int {
    max(1, limits.threads ?? min(ProcessInfo.processInfo.activeProcessorCount, 8))
  }

  /// How many segments to use for `bytes` still to read: eight per thread, so that a thread slowed
  /// by other work on the machine holds the others up less, each at least `limits.segmentBytes`;
  /// one (no segments) for one thread.
  static func segmentCount(bytes: Int, limits: ReadLimits) -> Int {
    let threads = threads(limits)
    guard limits.segmentBytes > 0, threads > 1 else { return 1 }
    return max(1, min(8 * threads, bytes / limits.segmentBytes))
  }

  /// The offsets where segments 2... start: just after the first line feed at or after each of
  /// `count - 1` evenly spaced offsets between `start` and `size`; fewer when one has none nearby.
  static func boundaries(path: String, start: Int, size: Int, count: Int) -> [Int] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else { return [] }
    defer { close(descriptor) }
    var result: [Int] = []
    var window = [UInt8](repeating: 0, count: 64 * 1024)
    for k in 1..<max(1, count) {
      let offset = start + (size - start) / count * k
      let n = window.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
      guard n > 0, let newline = window[0..<n].firstIndex(of: UInt8(ascii: "\n")) else { break }
      let boundary = offset + newline + 1
      guard boundary > (result.last ?? start), boundary < size else { break }
      result.append(boundary)
    }
    return result
  }

  /// One segment's reader and what it found.
  private final class Segment: @unchecked Sendable {
    let reader: DelimitedReader?
    /// The builder that reads it: the first segment's is the caller's; the others get the builder
    /// of the worker that takes them, which keeps what it learnt (which values and labels the rules
    /// find nothing in) from one segment to the next.
    var builder: TableBuilder?
    let start: Int
    let end: Int
    var sink: FindingSink
    var error: AirlockError?
    /// Whether the segment stopped exactly at `end`.
    var endsExactly = false
    /// Rows and cells read in this segment.
    var rows = 0
    var cells = 0

    init(reader: DelimitedReader?, builder: TableBuilder?, start: Int, end: Int, findingLimit: Int) {
      self.reader = reader
      self.builder = builder
      self.start = start
      self.end = end
      sink = FindingSink(limit: findingLimit)
    }
  }

  /// Reads from `reader` (positioned after the header and the inference sample, whose rows
  /// `builder` has seen) to the end of the file, using the segments starting at `boundaries`.
  func run(
    reader: DelimitedReader, builder: TableBuilder, boundaries: [Int], sink: inout FindingSink
  ) throws(AirlockError) -> (rows: Int, cells: Int) {
    guard let file = reader.openedFile else { throw AirlockError(.input, file: path, "segmented read of a stream") }
    let ends = boundaries + [Int(file.openedSize)]
    var segments = [Segment(reader: reader, builder: builder, start: 0, end: ends[0], findingLimit: findingLimit)]
    // The rows the caller's builder has seen already (the inference sample) count in the first.
    segments[0].rows = builder.rows
    segments[0].cells = builder.cells
    for (index, start) in boundaries.enumerated() {
      // A segment that cannot open (the file was replaced) is read by its predecessor.
      let source = try? FileSource(path: path, offset: Int64(start), of: file)
      let segmentReader = source.map {
        // A quarter of the usual buffer: it stays in the core's cache, and all segments' buffers
        // together stay small (a longer record grows its reader's buffer as usual).
        DelimitedReader(path: path, source: $0, delimiter: reader.delimiter, limits: limits, capacity: 256 << 10)
      }
      segments.append(
        Segment(reader: segmentReader, builder: nil, start: start, end: ends[index + 1], findingLimit: findingLimit))
    }
    let all = segments
    Self.segmentedReads.add(1, ordering: .relaxed)
    // Each worker takes the next segment nobody has started.
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: min(Self.threads(limits), all.count)) { _ in
      var workerBuilder: TableBuilder?
      while true {
        let index = next.add(1, ordering: .relaxed).oldValue
        guard index < all.count else { return }
        let segment = all[index]
        guard let reader = segment.reader else { continue }
        if segment.builder == nil {
          if workerBuilder == nil { workerBuilder = TableBuilder(schema: schema, pack: pack, storing: false) }
          segment.builder = workerBuilder
        }
        // The last segment reads to the end of the file, where a file that changed is caught.
        let last = index == all.count - 1
        segment.error = read(segment, from: reader, until: last ? .max : segment.end - segment.start, whole: last)
      }
    }

    // Merge in file order; the first segment that does not end where the next starts reads on alone.
    var rows = 0
    var cells = 0
    var lineOffset = 0  // lines before the current segment, for segments after the first
    for (index, segment) in segments.enumerated() {
      guard let segmentReader = segment.reader else { break }  // never reached: see below
      let last = index == segments.count - 1
      // A segment that did not end where the next starts, or whose successor could not open,
      // reads on to the end of the file alone; the later segments' work is dropped.
      let readsOn = !last && segment.error == nil && (!segment.endsExactly || segments[index + 1].reader == nil)
      if readsOn { segment.error = read(segment, from: segmentReader, until: .max, whole: true) }
      sink.merge(segment.sink, lineOffset: lineOffset)
      rows += segment.rows
      cells += segment.cells
      if var error = segment.error {
        if let line = error.line { error.line = line + lineOffset }
        throw error
      }
      if readsOn || last { break }
      lineOffset += segmentReader.nextLine - 1
    }
    return (rows, cells)
  }

  /// Reads rows from `reader` until it has consumed `limit` bytes of its segment (or the end).
  private func read(_ segment: Segment, from reader: DelimitedReader, until limit: Int, whole: Bool) -> AirlockError? {
    let cursor = RowCursor(reader: reader, schema: schema)
    // Every segment read has its builder (its worker's, or the caller's); an error, never a crash.
    guard let builder = segment.builder else {
      return AirlockError(.input, file: path, "segment at byte \(segment.start) was read without a table builder")
    }
    let rowsBefore = builder.rows
    let cellsBefore = builder.cells
    defer {
      segment.rows += builder.rows - rowsBefore
      segment.cells += builder.cells - cellsBefore
    }
    do throws(AirlockError) {
      while reader.consumedBytes < limit, try reader.nextDataRow(width: width) {
        builder.add(
          reader, line: reader.recordLine, rules: rules, fieldRules: fieldRules, sink: &segment.sink, cursor: cursor,
          parser: parser)
      }
    } catch {
      return error
    }
    segment.endsExactly = !whole && reader.consumedBytes == limit
    return nil
  }
}
