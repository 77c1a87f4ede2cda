import CByteClasses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Limits that keep a hostile input from exhausting memory.
public struct ReadLimits: Sendable, Equatable {
  /// The most bytes one field may hold.
  public var maxFieldBytes: Int
  /// The most fields one row may hold.
  public var maxFields: Int
  /// The most bytes a gzip file may inflate to.
  public var maxDecompressedBytes: Int
  /// The least bytes each thread reads of a large plain file checked by streaming rules only
  /// (0: one thread).
  public var segmentBytes: Int
  /// The most threads that read one file (nil: one per core, at most 8).
  public var threads: Int?

  public init(
    maxFieldBytes: Int = 1 << 20, maxFields: Int = 100_000, maxDecompressedBytes: Int = 8 << 30,
    segmentBytes: Int = 32 << 20, threads: Int? = nil
  ) {
    self.maxFieldBytes = maxFieldBytes
    self.maxFields = maxFields
    self.maxDecompressedBytes = maxDecompressedBytes
    self.segmentBytes = segmentBytes
    self.threads = threads
  }
}

/// Reads CSV or TSV records (RFC 4180) from a byte stream, keeping each field's line and column.
///
/// Handles quoted delimiters, doubled quotes, newlines inside quotes, LF and CRLF, and a UTF-8
/// byte-order mark. Anything else that is malformed (an unterminated quote, a stray quote, a bare
/// carriage return, a NUL or other control byte, invalid UTF-8, an oversized field) throws an
/// ``AirlockError`` naming `file:line:column`.
///
/// Fields are not copied: each is a span of the read buffer (doubled quotes are undone in place),
/// valid until the next call to ``next()``. A record that runs past the end of the buffer is moved
/// to its front and parsed again once more bytes are in; the buffer grows only for a record longer
/// than itself, so memory does not grow with the file.
final class DelimitedReader {
  let path: String
  private(set) var delimiter: UInt8
  private let limits: ReadLimits
  private var source: any ByteSource
  private var buffer: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  /// Bytes of the stream held in `buffer`.
  private var count = 0
  /// Where the next record starts in `buffer`.
  private var position = 0
  private var atEnd = false
  private var sawAnyByte = false

  /// Per field of the current record: its start and end in `buffer`, and its 1-based column.
  private var starts: UnsafeMutablePointer<Int>
  private var ends: UnsafeMutablePointer<Int>
  private var columns: UnsafeMutablePointer<Int>
  private var fieldCapacity: Int
  /// The number of fields in the current record.
  private(set) var fieldCount = 0

  /// The 1-based line on which the current record starts.
  private(set) var recordLine = 0
  /// Bytes of the (decompressed) stream dropped from the front of the buffer so far.
  private var bytesDropped = 0

  /// The line at `position`.
  private var line = 1
  /// Offset in `buffer` where the line at `position` starts (negative when it started in bytes
  /// already dropped), for columns.
  private var lineStart = 0
  /// Continuation bytes (10xxxxxx) on the line at `position` before it, for columns.
  private var continuationBytes = 0

  private static let quote = UInt8(ascii: "\"")
  private static let newline = UInt8(ascii: "\n")
  private static let carriageReturn = UInt8(ascii: "\r")
  private static let tab = UInt8(ascii: "\t")

  /// The 64 bytes at `blockStart` in `buffer` as the fast path last classified them (see
  /// ``parsePlainRecord()``); `blockStart` is `Int.min` when the buffer has changed since.
  private var blockStart = Int.min
  private var block = airlock_byte_classes()
  /// Room for the last bytes of the buffer, padded to 64.
  private let padded = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)

  /// Bytes that stop the fast scan of an unquoted field (256 flags).
  private let special: UnsafeMutablePointer<Bool>
  /// Whether plain records take the 64-bytes-at-a-time path (off only to test it against the
  /// byte-by-byte reader).
  let plainFastPath: Bool

  /// - Parameter capacity: the read buffer's size (it grows for longer records); a small file
  ///   needs no more than its size.
  init(
    path: String, source: any ByteSource, delimiter: UInt8, limits: ReadLimits, capacity: Int = 1 << 20,
    plainFastPath: Bool = true
  ) {
    self.plainFastPath = plainFastPath
    self.path = path
    self.source = source
    self.delimiter = delimiter
    self.limits = limits
    self.capacity = max(64, capacity)
    buffer = .allocate(capacity: self.capacity)
    fieldCapacity = 64
    starts = .allocate(capacity: fieldCapacity)
    ends = .allocate(capacity: fieldCapacity)
    columns = .allocate(capacity: fieldCapacity)
    special = .allocate(capacity: 256)
    for b in 0..<256 { special[b] = b < 32 || b >= 127 }
    special[Int(delimiter)] = true
    special[Int(Self.quote)] = true
  }

  /// Changes the delimiter; only before the first record is read.
  func setDelimiter(_ delimiter: UInt8) {
    special[Int(self.delimiter)] = self.delimiter < 32 || self.delimiter >= 128
    self.delimiter = delimiter
    special[Int(delimiter)] = true
    blockStart = Int.min
  }

  deinit {
    source.close()
    buffer.deallocate()
    starts.deallocate()
    ends.deallocate()
    columns.deallocate()
    special.deallocate()
    padded.deallocate()
  }

  /// The bytes of field `index` of the current record (valid until the next ``next()``).
  @inline(__always)
  func fieldBytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: buffer + starts[index], count: ends[index] - starts[index])
  }

  /// Field `index` of the current record as a string (the record is valid UTF-8).
  func field(_ index: Int) -> String {
    String(decoding: fieldBytes(index), as: UTF8.self)
  }

  /// The 1-based character column where field `index` of the current record starts.
  func fieldColumn(_ index: Int) -> Int { columns[index] }

  /// The 1-based character column where each field of the current record starts.
  var fieldColumns: [Int] { Array(UnsafeBufferPointer(start: columns, count: fieldCount)) }

  /// The line the next record starts on.
  var nextLine: Int { line }

  /// The plain file read, as opened (nil for gzip or memory input).
  var openedFile: FileSource? { source as? FileSource }

  /// Bytes of the (decompressed) stream consumed so far.
  var consumedBytes: Int { bytesDropped + position }

  /// Whether the current record is one empty field (a blank line).
  var isBlank: Bool { fieldCount == 1 && ends[0] == starts[0] }

  /// Looks at the first bytes without consuming them: used to sniff encodings and delimiters.
  func peek(_ wanted: Int) throws(AirlockError) -> [UInt8] {
    while count - position < wanted, try readMore() {}
    return Array(
      UnsafeBufferPointer(start: buffer + position, count: min(count - position, wanted)))
  }

  /// Moves the unconsumed bytes to the front of the buffer (growing it when they fill it) and reads
  /// more after them; returns `false` at the end of the stream.
  private func readMore() throws(AirlockError) -> Bool {
    if atEnd { return false }
    blockStart = Int.min
    if position > 0 {
      let kept = count - position
      if kept > 0 { memmove(buffer, buffer + position, kept) }
      bytesDropped += position
      lineStart -= position
      count = kept
      position = 0
    }
    if count == capacity {
      let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
      grown.update(from: buffer, count: count)
      buffer.deallocate()
      buffer = grown
      capacity *= 2
    }
    // Fill the free space (a source may hand out little at a time), so that a record is parsed
    // again only when it outgrows a full buffer.
    let before = count
    while count < capacity {
      let n = try source.read(
        into: UnsafeMutableRawBufferPointer(start: buffer + count, count: capacity - count))
      if n == 0 {
        atEnd = true
        break
      }
      sawAnyByte = true
      count += n
    }
    return count > before
  }

  private func error(_ message: String, line: Int, column: Int) -> AirlockError {
    AirlockError(.input, file: path, line: line, column: column, message)
  }

  /// Skips a UTF-8 byte-order mark and refuses UTF-16 or UTF-32 text.
  func skipByteOrderMark() throws(AirlockError) {
    let head = try peek(4)
    if head.starts(with: [0xEF, 0xBB, 0xBF]) {
      position += 3
      lineStart = position
      return
    }
    if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF])
      || (head.count >= 2 && (head[0] == 0 || head[1] == 0))
    {
      throw error("the file is UTF-16 or UTF-32 encoded; save it as UTF-8", line: 1, column: 1)
    }
  }

  /// Whether the stream had no bytes at all.
  var isEmptyStream: Bool { !sawAnyByte && atEnd }

  private func growFields() {
    let grown = fieldCapacity * 2
    for pointer in [\DelimitedReader.starts, \.ends, \.columns] {
      let old = self[keyPath: pointer]
      let new = UnsafeMutablePointer<Int>.allocate(capacity: grown)
      new.update(from: old, count: fieldCapacity)
      old.deallocate()
      self[keyPath: pointer] = new
    }
    fieldCapacity = grown
  }

  /// Reads the next record; returns `false` at the end of the stream.
  @inline(__always)
  func next() throws(AirlockError) -> Bool {
    fieldCount = 0
    if position >= count, !(try readMore()) { return false }
    while true {
      if try parseRecord() { return true }
      // The record runs past the buffer: fetch more and parse it again from its start.
      _ = try readMore()
    }
  }

  /// Reads the next record that is not a blank line and checks that it has `width` fields (a
  /// ragged row is an error naming where it goes wrong); returns `false` at the end of the stream.
  func nextDataRow(width: Int) throws(AirlockError) -> Bool {
    while try next() {
      if isBlank { continue }
      guard fieldCount == width else {
        let column = fieldCount > width ? columns[width] : fieldCount > 0 ? columns[fieldCount - 1] : 1
        // ONS and NHS England spreadsheets saved as CSV begin with a title and notes, one field each.
        let hint =
          width == 1 && fieldCount > 1
          ? " (a title or notes above the table, as spreadsheets saved as CSV have? the header must be the first line)"
          : ""
        throw error(
          "ragged row: \(fieldCount) fields where the header has \(width)\(hint)", line: recordLine, column: column)
      }
      return true
    }
    return false
  }

  /// Parses the record at `position`. Returns `false`, changing nothing, when it runs past the end
  /// of the buffer and more of the stream remains; otherwise fills the fields and moves past it.
  private func parseRecord() throws(AirlockError) -> Bool {
    if plainFastPath && parsePlainRecord() { return true }
    let buffer = self.buffer
    let end = count
    let delimiter = self.delimiter
    var p = position
    var line = self.line
    var lineStart = self.lineStart
    var continuation = self.continuationBytes
    var fields = 0
    var sawHighByte = false
    var escapedFields = 0
    let maxField = limits.maxFieldBytes

    let special = self.special

    @inline(__always) func column(_ at: Int) -> Int { at - lineStart - continuation + 1 }

    /// At a carriage return at `at`: whether the byte after it is still to be read; an error unless
    /// it is a line feed (or the end of the stream).
    func needsMoreAfterCarriageReturn(_ at: Int) throws(AirlockError) -> Bool {
      if at + 1 >= end && !atEnd { return true }
      if at + 1 < end && buffer[at + 1] != Self.newline {
        throw error(
          "carriage return not followed by a line feed (old Mac line endings are not supported)", line: line,
          column: column(at + 1))
      }
      return false
    }

    while true {
      // A field starts at p.
      if fields == fieldCapacity { growFields() }
      if fields >= limits.maxFields {
        throw error("row has more than \(limits.maxFields) fields", line: line, column: column(p))
      }
      let fieldColumn = column(p)
      columns[fields] = fieldColumn
      var terminator: UInt8 = 0  // delimiter, newline, or 0 at the end of the stream
      if p < end && buffer[p] == Self.quote {
        let quoteLine = line
        p += 1
        let start = p
        var escaped = false
        while true {
          // Fast scan of ordinary bytes.
          while p < end {
            let b = buffer[p]
            if b == Self.quote || b < 32 || b >= 0x80 || b == 127 { break }
            p += 1
          }
          if p - start > maxField {
            throw error(
              "field is longer than \(maxField) bytes", line: quoteLine, column: fieldColumn)
          }
          if p >= end {
            if !atEnd { return false }
            throw error(
              "unterminated quoted field (the quote opened here is never closed)", line: quoteLine,
              column: fieldColumn)
          }
          let b = buffer[p]
          if b == Self.quote {
            if p + 1 >= end && !atEnd { return false }
            if p + 1 < end && buffer[p + 1] == Self.quote {
              escaped = true
              escapedFields += 1
              p += 2
              continue
            }
            starts[fields] = start
            ends[fields] = p
            if escaped { ends[fields] = -1 - p }  // marked: undo doubled quotes once complete
            p += 1
            break
          } else if b == Self.newline {
            p += 1
            line += 1
            lineStart = p
            continuation = 0
          } else if b == Self.carriageReturn || b == Self.tab {
            p += 1
          } else if b >= 0x80 {
            sawHighByte = true
            if b & 0xC0 == 0x80 { continuation += 1 }
            p += 1
          } else {
            throw controlByteError(b, line: line, column: column(p))
          }
        }
        // After the closing quote: a delimiter, a line end or the end of the stream.
        if p >= end {
          if !atEnd { return false }
        } else {
          let b = buffer[p]
          if b == delimiter {
            terminator = delimiter
          } else if b == Self.newline {
            terminator = Self.newline
          } else if b == Self.carriageReturn {
            if try needsMoreAfterCarriageReturn(p) { return false }
            p += 1
            terminator = p < end ? Self.newline : 0
          } else {
            throw error("unexpected character after a closing quote", line: line, column: column(p))
          }
        }
      } else {
        let start = p
        var fieldEnd = -1
        while fieldEnd < 0 {
          while p < end && !special[Int(buffer[p])] { p += 1 }
          if p - start > maxField {
            throw error("field is longer than \(maxField) bytes", line: line, column: fieldColumn)
          }
          if p >= end {
            if !atEnd { return false }
            fieldEnd = p
            break
          }
          let b = buffer[p]
          if b == delimiter {
            fieldEnd = p
            terminator = delimiter
          } else if b == Self.newline {
            fieldEnd = p
            terminator = Self.newline
          } else if b == Self.carriageReturn {
            if try needsMoreAfterCarriageReturn(p) { return false }
            fieldEnd = p
            p += 1
            terminator = p < end ? Self.newline : 0
          } else if b == Self.quote {
            throw error(
              "quote inside an unquoted field (quote the whole field and double the quote)",
              line: line, column: column(p))
          } else if b >= 0x80 {
            sawHighByte = true
            if b & 0xC0 == 0x80 { continuation += 1 }
            p += 1
          } else if b == Self.tab {
            p += 1
          } else {
            throw controlByteError(b, line: line, column: column(p))
          }
        }
        starts[fields] = start
        ends[fields] = fieldEnd
      }
      fields += 1
      if terminator == delimiter {
        p += 1
        continue
      }
      if terminator == Self.newline {
        p += 1
        line += 1
        lineStart = p
        continuation = 0
      }
      break
    }

    // The record is complete: commit it.
    let recordStart = position
    recordLine = self.line
    fieldCount = fields
    position = p
    self.line = line
    self.lineStart = lineStart
    self.continuationBytes = continuation
    // Check the bytes as written, before undoing doubled quotes moves them.
    if sawHighByte { try checkUTF8(from: recordStart, to: p) }
    if escapedFields > 0 { undoDoubledQuotes() }
    return true
  }

  /// The fast path of ``parseRecord()``: a record of plain ASCII fields that ends in a line feed
  /// inside the buffer, split 64 bytes at a time (`airlock_classify64`: SSE2 on x86-64). Returns
  /// `false`, changing nothing, for anything else (a quote, a carriage return, a tab that is not the
  /// delimiter, another control byte, DEL, a byte of 128 or more, a field or row over the limits,
  /// the end of the buffer): ``parseRecord()`` then reads the record byte by byte, as it reads every
  /// record the fast path declines.
  @inline(__always)
  private func parsePlainRecord() -> Bool {
    let buffer = self.buffer
    let end = count
    let columnBase = lineStart + continuationBytes - 1
    let maxField = limits.maxFieldBytes
    let maxFields = min(limits.maxFields, fieldCapacity)
    var fieldStart = position
    var fields = 0
    var q = position

    // Sixty-four bytes at a time, classified once for all the records they hold. Fewer than 64
    // left in the buffer are classified from a copy padded with NUL bytes, which the fast path
    // declines: a record that runs past the end goes to the byte reader, which asks for more.
    while true {
      if q < blockStart || q >= blockStart &+ 64 {
        if q + 64 <= end {
          block = airlock_classify64(buffer + q, delimiter)
        } else {
          guard q < end else { return false }
          padded.initialize(repeating: 0, count: 64)
          padded.update(from: buffer + q, count: end - q)
          block = airlock_classify64(padded, delimiter)
        }
        blockStart = q
      }
      let shift = UInt64(q - blockStart)
      let ends = block.ends >> shift
      let others = block.others >> shift
      // Only the bytes before the first one this path does not handle count.
      let usable = others == 0 ? ends : ends & (others &- 1)
      var bits = usable
      while bits != 0 {
        let at = q + bits.trailingZeroBitCount
        guard fields < maxFields, at - fieldStart <= maxField else { return false }
        starts[fields] = fieldStart
        self.ends[fields] = at
        columns[fields] = fieldStart - columnBase
        fields += 1
        fieldStart = at + 1
        if (block.newlines >> shift) & (bits & (0 &- bits)) != 0 {
          // The record ends here: commit it.
          recordLine = line
          fieldCount = fields
          position = fieldStart
          line += 1
          lineStart = fieldStart
          continuationBytes = 0
          return true
        }
        bits &= bits &- 1
      }
      if others != 0 { return false }
      q = blockStart + 64
    }
  }

  /// Undoes doubled quotes in place in the fields marked by a negative end.
  private func undoDoubledQuotes() {
    for index in 0..<fieldCount where ends[index] < 0 {
      let rawEnd = -1 - ends[index]
      var read = starts[index]
      var write = read
      while read < rawEnd {
        let b = buffer[read]
        buffer[write] = b
        write += 1
        read += b == Self.quote ? 2 : 1
      }
      ends[index] = write
    }
  }

  private func controlByteError(_ byte: UInt8, line: Int, column: Int) -> AirlockError {
    if byte == 0 {
      return error(
        "binary content: NUL byte (this is not a text table)", line: line, column: column)
    }
    return error(
      "control character U+\(String(byte, radix: 16, uppercase: true).leftPadded(to: 4)) in a field",
      line: line,
      column: column)
  }

  /// Refuses a record whose bytes are not valid UTF-8, naming the field that holds the bad byte.
  private func checkUTF8(from start: Int, to end: Int) throws(AirlockError) {
    guard let bad = firstInvalidUTF8(UnsafeBufferPointer(start: buffer + start, count: end - start))
    else { return }
    let offset = start + bad
    var index = 0
    while index < fieldCount - 1 && starts[index + 1] <= offset { index += 1 }
    throw error(
      "invalid UTF-8 in field \(index + 1) (save the file as UTF-8)", line: recordLine,
      column: columns[index])
  }
}

extension DelimitedReader {
  /// Opens a table file for reading: inflated if its name ends in `.gz`, a byte-order mark skipped,
  /// and the delimiter set from the name (`.tsv`, `.tab`: tab; otherwise comma) unless the header
  /// has none of that one but has another (`;`, `|`, tab, comma), which is then used.
  ///
  /// - Parameters:
  ///   - name: the name whose extension counts, when it differs from `path` (a store's
  ///     content-addressed copy of a released file).
  ///   - memory: the file's bytes, read from memory instead of `path` (fuzzing entry points).
  static func open(path: String, name: String? = nil, memory: [UInt8]? = nil, limits: ReadLimits)
    throws(AirlockError)
    -> DelimitedReader
  {
    let name = (name ?? path).lowercased()
    let file: any ByteSource =
      if let memory { MemorySource(memory) } else { try FileSource(path: path) }
    let source: any ByteSource =
      name.hasSuffix(".gz")
      ? try GzipSource(file: file, path: path, limit: limits.maxDecompressedBytes) : file
    // A plain file smaller than the usual buffer gets one just big enough (10,000 small outputs
    // then cost 10,000 small buffers, not 10,000 megabytes).
    let size = (file as? FileSource).map { Int($0.openedSize) }
    let capacity = name.hasSuffix(".gz") ? 1 << 20 : min(1 << 20, (size ?? memory?.count ?? (1 << 20)) + 1)
    let reader = DelimitedReader(
      path: path, source: source, delimiter: UInt8(ascii: ","), limits: limits, capacity: capacity)
    try reader.skipByteOrderMark()
    reader.setDelimiter(sniffDelimiter(name: name, head: try reader.peek(64 * 1024)))
    return reader
  }

  /// The extension's delimiter, unless the header line has none of it but has another.
  static func sniffDelimiter(name: String, head: [UInt8]) -> UInt8 {
    var base = name.lowercased()
    if base.hasSuffix(".gz") { base = String(base.dropLast(3)) }
    let preferred =
      base.hasSuffix(".tsv") || base.hasSuffix(".tab") ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    var counts: [UInt8: Int] = [:]
    var inQuotes = false
    for byte in head {
      if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
      if byte == UInt8(ascii: "\n") && !inQuotes { break }
      if !inQuotes,
        [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")].contains(byte)
      {
        counts[byte, default: 0] += 1
      }
    }
    if counts[preferred, default: 0] > 0 { return preferred }
    return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
      ?? preferred
  }
}

/// The offset of the first byte that is not part of valid UTF-8, or `nil` if all are valid.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
  var i = 0
  let n = bytes.count
  while i < n {
    let b = bytes[i]
    if b < 0x80 {
      i += 1
      continue
    }
    let length: Int
    var minimum: UInt32
    if b & 0xE0 == 0xC0 {
      length = 2
      minimum = 0x80
    } else if b & 0xF0 == 0xE0 {
      length = 3
      minimum = 0x800
    } else if b & 0xF8 == 0xF0 {
      length = 4
      minimum = 0x10000
    } else {
      return i
    }
    guard i + length <= n else { return i }
    var scalar = UInt32(b) & (0x7F >> UInt32(length))
    for k in 1..<length {
      let c = bytes[i + k]
      guard c & 0xC0 == 0x80 else { return i }
      scalar = (scalar << 6) | UInt32(c & 0x3F)
    }
    if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
    i += length
  }
  return nil
}

extension String {
  func leftPadded(to width: Int, with pad: Character = "0") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}
