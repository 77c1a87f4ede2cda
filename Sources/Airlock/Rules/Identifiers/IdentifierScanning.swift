/// Byte-level helpers shared by the direct-identifier rules. They run on every field of every
/// output, so they work on the field's bytes in place: no `String`, no `Regex`, no allocation.
enum IdentifierScanning {
  @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }
  @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 97 < 26 }
  @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte &- 65 < 26 }
  @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
  @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { isUpper(byte) ? byte | 0x20 : byte }

  /// Calls `body` with the field's bytes as a buffer (contiguous storage: no copy).
  @inline(__always)
  static func withBytes<R>(_ bytes: ArraySlice<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    bytes.withUnsafeBufferPointer(body)
  }

  /// The number of ASCII digits, stopping early once `enough` are seen.
  @inline(__always)
  static func digitCount(_ buffer: UnsafeBufferPointer<UInt8>, atLeast enough: Int) -> Int {
    var count = 0
    for byte in buffer where isDigit(byte) {
      count += 1
      if count >= enough { return count }
    }
    return count
  }

  /// Whether `buffer` contains `byte`.
  @inline(__always)
  static func contains(_ buffer: UnsafeBufferPointer<UInt8>, _ byte: UInt8) -> Bool {
    for b in buffer where b == byte { return true }
    return false
  }

  /// Whether the field is a plain number in a column of statistics (counts, sums, percentages,
  /// statistics, evidence) whose name does not say it holds identifiers. Such a number is a
  /// statistic, however its digits happen to fall: about one ten-digit total in eleven passes the
  /// NHS check digit (issue 15). Labels, text and identifier-named columns are always judged.
  static func isStatistic(_ field: FieldFacts) -> Bool {
    guard !field.isHeader, !field.traits.isIdentifier else { return false }
    switch field.role {
    case .count, .percentage, .magnitude, .statistic, .evidence: break
    case .dimension, .other, .structuralZeroFlag: return false
    }
    return withBytes(field.bytes) { buffer in
      // Optional sign, digits, an optional decimal part: no separators, no letters.
      var i = 0
      if i < buffer.count && (buffer[i] == UInt8(ascii: "-") || buffer[i] == UInt8(ascii: "+")) { i += 1 }
      var digits = 0
      var point = false
      while i < buffer.count {
        if isDigit(buffer[i]) {
          digits += 1
        } else if buffer[i] == UInt8(ascii: ".") && !point {
          point = true
        } else {
          return false
        }
        i += 1
      }
      return digits > 0
    }
  }

}
