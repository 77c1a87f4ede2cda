/// Limits that keep a hostile input from exhausting memory.
public struct ReadLimits: Sendable, Equatable {
  /// The most bytes one field may hold.
  public var maxFieldBytes: Int
  /// The most fields one row may hold.
  public var maxFields: Int
  /// The most bytes a gzip file may inflate to.
  public var maxDecompressedBytes: Int

  public init(maxFieldBytes: Int = 1 << 20, maxFields: Int = 100_000, maxDecompressedBytes: Int = 8 << 30) {
    self.maxFieldBytes = maxFieldBytes
    self.maxFields = maxFields
    self.maxDecompressedBytes = maxDecompressedBytes
  }
}

/// Reads CSV or TSV records (RFC 4180) from a byte stream, keeping each field's line and column.
///
/// Handles quoted delimiters, doubled quotes, newlines inside quotes, LF and CRLF, and a UTF-8
/// byte-order mark. Anything else that is malformed (an unterminated quote, a stray quote, a bare
/// carriage return, a NUL or other control byte, invalid UTF-8, an oversized field) throws an
/// ``AirlockError`` naming `file:line:column`. The record buffers are reused, so memory does not
/// grow with the file.
final class DelimitedReader {
  let path: String
  private(set) var delimiter: UInt8
  private let limits: ReadLimits
  private var source: any ByteSource
  private var chunk: UnsafeMutableRawBufferPointer
  private var chunkCount = 0
  private var position = 0
  private var atEnd = false
  private var sawAnyByte = false

  /// The current record's unescaped field bytes, one after another.
  private(set) var bytes: [UInt8] = []
  /// The end offset in `bytes` of each field of the current record.
  private(set) var fieldEnds: [Int] = []
  /// The 1-based character column where each field of the current record starts.
  private(set) var fieldColumns: [Int] = []
  /// The 1-based line on which the current record starts.
  private(set) var recordLine = 0
  /// How many bytes have been consumed from the (decompressed) stream.
  private(set) var bytesRead = 0

  private var line = 1
  /// Byte offset (in the stream) where the current line starts, for columns.
  private var lineStart = 0
  /// Continuation bytes (10xxxxxx) seen on the current line before `position`, for columns.
  private var continuationBytes = 0

  private static let quote = UInt8(ascii: "\"")
  private static let newline = UInt8(ascii: "\n")
  private static let carriageReturn = UInt8(ascii: "\r")
  private static let tab = UInt8(ascii: "\t")

  /// Bytes that stop the fast scan of an unquoted field.
  private var special: [Bool]

  init(path: String, source: any ByteSource, delimiter: UInt8, limits: ReadLimits) {
    self.path = path
    self.source = source
    self.delimiter = delimiter
    self.limits = limits
    chunk = .allocate(byteCount: 1 << 20, alignment: 16)
    var special = [Bool](repeating: false, count: 256)
    for b in 0..<32 { special[b] = true }
    for b in 128..<256 { special[b] = true }
    special[Int(delimiter)] = true
    special[Int(Self.quote)] = true
    special[127] = true
    self.special = special
  }

  /// Changes the delimiter; only before the first record is read.
  func setDelimiter(_ delimiter: UInt8) {
    special[Int(self.delimiter)] = self.delimiter < 32 || self.delimiter >= 128
    self.delimiter = delimiter
    special[Int(delimiter)] = true
  }

  deinit {
    source.close()
    chunk.deallocate()
  }

  /// The number of fields in the current record.
  var fieldCount: Int { fieldEnds.count }

  /// The bytes of field `index` of the current record.
  func fieldBytes(_ index: Int) -> ArraySlice<UInt8> {
    let start = index == 0 ? 0 : fieldEnds[index - 1]
    return bytes[start..<fieldEnds[index]]
  }

  /// Field `index` of the current record as a string (the record is valid UTF-8).
  func field(_ index: Int) -> String {
    String(decoding: fieldBytes(index), as: UTF8.self)
  }

  /// Bytes of the (decompressed) stream consumed so far.
  var consumedBytes: Int { bytesRead + position }

  /// Whether the current record is one empty field (a blank line).
  var isBlank: Bool { fieldEnds.count == 1 && fieldEnds[0] == 0 }

  /// Looks at the first bytes without consuming them: used to sniff encodings and delimiters.
  func peek(_ count: Int) throws(AirlockError) -> [UInt8] {
    try fill()
    return Array(UnsafeRawBufferPointer(rebasing: chunk[position..<min(chunkCount, position + count)]))
  }

  private func fill() throws(AirlockError) {
    guard position >= chunkCount, !atEnd else { return }
    bytesRead += chunkCount
    lineStart -= chunkCount
    position = 0
    chunkCount = 0
    while chunkCount == 0 {
      let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0...]))
      if n == 0 {
        atEnd = true
        return
      }
      chunkCount = n
      sawAnyByte = true
    }
  }

  private func error(_ message: String, line: Int? = nil, column: Int? = nil) -> AirlockError {
    AirlockError(.input, file: path, line: line ?? self.line, column: column ?? currentColumn, message)
  }

  /// The 1-based character column of the byte at `position`.
  private var currentColumn: Int { position - lineStart - continuationBytes + 1 }

  /// Skips a UTF-8 byte-order mark and refuses UTF-16 or UTF-32 text.
  func skipByteOrderMark() throws(AirlockError) {
    let head = try peek(4)
    if head.starts(with: [0xEF, 0xBB, 0xBF]) {
      position += 3
      lineStart = position
      return
    }
    if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) || (head.count >= 2 && (head[0] == 0 || head[1] == 0)) {
      throw error("the file is UTF-16 or UTF-32 encoded; save it as UTF-8", line: 1, column: 1)
    }
  }

  /// Whether the stream had no bytes at all.
  var isEmptyStream: Bool { !sawAnyByte && atEnd }

  private enum State {
    case fieldStart, unquoted, quoted, afterQuote
  }

  /// Reads the next record; returns `false` at the end of the stream.
  func next() throws(AirlockError) -> Bool {
    bytes.removeAll(keepingCapacity: true)
    fieldEnds.removeAll(keepingCapacity: true)
    fieldColumns.removeAll(keepingCapacity: true)
    try fill()
    if position >= chunkCount && atEnd { return false }
    recordLine = line
    var state = State.fieldStart
    var sawHighByte = false
    var pendingCarriageReturn = false
    var quoteLine = 0
    var quoteColumn = 0
    var fieldStartCount = 0

    func endField() throws(AirlockError) {
      fieldEnds.append(bytes.count)
      if fieldEnds.count > limits.maxFields {
        throw error("row has more than \(limits.maxFields) fields")
      }
    }

    while true {
      if position >= chunkCount {
        try fill()
        if position >= chunkCount {
          // End of stream.
          if state == .quoted {
            throw error("unterminated quoted field (the quote opened here is never closed)", line: quoteLine, column: quoteColumn)
          }
          if pendingCarriageReturn {
            pendingCarriageReturn = false
          }
          if state == .fieldStart { fieldColumns.append(currentColumn) }
          try endField()
          break
        }
      }
      let byte = chunk[position]
      if pendingCarriageReturn {
        guard byte == Self.newline else {
          throw error("carriage return not followed by a line feed (old Mac line endings are not supported)")
        }
        pendingCarriageReturn = false
      }
      switch state {
      case .fieldStart, .unquoted:
        if state == .fieldStart {
          fieldColumns.append(currentColumn)
          fieldStartCount = bytes.count
          if byte == Self.quote {
            quoteLine = line
            quoteColumn = currentColumn
            state = .quoted
            position += 1
            continue
          }
          state = .unquoted
        }
        // Fast scan of ordinary bytes.
        var end = position
        while end < chunkCount && !special[Int(chunk[end])] { end += 1 }
        if end > position {
          bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[position..<end]))
          position = end
          if bytes.count - fieldStartCount > limits.maxFieldBytes {
            throw error("field is longer than \(limits.maxFieldBytes) bytes", line: line, column: fieldColumns.last)
          }
          continue
        }
        if byte == delimiter {
          try endField()
          state = .fieldStart
          position += 1
        } else if byte == Self.newline {
          try endField()
          position += 1
          newLine()
          return try finishRecord(sawHighByte: sawHighByte)
        } else if byte == Self.carriageReturn {
          pendingCarriageReturn = true
          position += 1
        } else if byte == Self.quote {
          throw error("quote inside an unquoted field (quote the whole field and double the quote)")
        } else if byte >= 0x80 {
          sawHighByte = true
          if byte & 0xC0 == 0x80 { continuationBytes += 1 }
          bytes.append(byte)
          position += 1
        } else if byte == Self.tab {
          bytes.append(byte)
          position += 1
        } else {
          throw controlByteError(byte)
        }
      case .quoted:
        var end = position
        while end < chunkCount {
          let b = chunk[end]
          if b == Self.quote || b < 32 || b >= 0x80 || b == 127 { break }
          end += 1
        }
        if end > position {
          bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[position..<end]))
          position = end
          if bytes.count - fieldStartCount > limits.maxFieldBytes {
            throw error("field is longer than \(limits.maxFieldBytes) bytes", line: quoteLine, column: quoteColumn)
          }
          continue
        }
        if byte == Self.quote {
          state = .afterQuote
        } else if byte == Self.newline {
          bytes.append(byte)
          position += 1
          newLine()
          continue
        } else if byte == Self.carriageReturn || byte == Self.tab {
          bytes.append(byte)
        } else if byte >= 0x80 {
          sawHighByte = true
          if byte & 0xC0 == 0x80 { continuationBytes += 1 }
          bytes.append(byte)
        } else {
          throw controlByteError(byte)
        }
        position += 1
      case .afterQuote:
        if byte == Self.quote {
          bytes.append(byte)
          state = .quoted
          position += 1
        } else if byte == delimiter {
          try endField()
          state = .fieldStart
          position += 1
        } else if byte == Self.newline {
          try endField()
          position += 1
          newLine()
          return try finishRecord(sawHighByte: sawHighByte)
        } else if byte == Self.carriageReturn {
          pendingCarriageReturn = true
          position += 1
        } else {
          throw error("unexpected character after a closing quote")
        }
      }
    }
    return try finishRecord(sawHighByte: sawHighByte)
  }

  private func newLine() {
    line += 1
    lineStart = position
    continuationBytes = 0
  }

  private func controlByteError(_ byte: UInt8) -> AirlockError {
    if byte == 0 {
      return error("binary content: NUL byte (this is not a text table)")
    }
    return error("control character U+\(String(byte, radix: 16, uppercase: true).leftPadded(to: 4)) in a field")
  }

  private func finishRecord(sawHighByte: Bool) throws(AirlockError) -> Bool {
    guard sawHighByte else { return true }
    if let bad = firstInvalidUTF8(bytes) {
      // Find the field holding the bad byte.
      var index = 0
      while index < fieldEnds.count - 1 && fieldEnds[index] <= bad { index += 1 }
      throw error(
        "invalid UTF-8 in field \(index + 1) (save the file as UTF-8)", line: recordLine,
        column: fieldColumns[index])
    }
    return true
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
  static func open(path: String, name: String? = nil, memory: [UInt8]? = nil, limits: ReadLimits) throws(AirlockError)
    -> DelimitedReader
  {
    let name = (name ?? path).lowercased()
    let file: any ByteSource = if let memory { MemorySource(memory) } else { try FileSource(path: path) }
    let source: any ByteSource =
      name.hasSuffix(".gz") ? try GzipSource(file: file, path: path, limit: limits.maxDecompressedBytes) : file
    let reader = DelimitedReader(path: path, source: source, delimiter: UInt8(ascii: ","), limits: limits)
    try reader.skipByteOrderMark()
    reader.setDelimiter(sniffDelimiter(name: name, head: try reader.peek(64 * 1024)))
    return reader
  }

  /// The extension's delimiter, unless the header line has none of it but has another.
  static func sniffDelimiter(name: String, head: [UInt8]) -> UInt8 {
    var base = name.lowercased()
    if base.hasSuffix(".gz") { base = String(base.dropLast(3)) }
    let preferred = base.hasSuffix(".tsv") || base.hasSuffix(".tab") ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    var counts: [UInt8: Int] = [:]
    var inQuotes = false
    for byte in head {
      if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
      if byte == UInt8(ascii: "\n") && !inQuotes { break }
      if !inQuotes, [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")].contains(byte) {
        counts[byte, default: 0] += 1
      }
    }
    if counts[preferred, default: 0] > 0 { return preferred }
    return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? preferred
  }
}

/// The offset of the first byte that is not part of valid UTF-8, or `nil` if all are valid.
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
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
