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

  /// Whether a column name (any case; words separated by `_`, space, `-` or `.`) has a word equal
  /// to one of `words`, or a word containing one of `fragments`. Reads the name's UTF-8 in place.
  static func name(_ name: String, hasWord words: [StaticString], orFragment fragments: [StaticString] = []) -> Bool {
    var utf8 = name.utf8[...]
    while !utf8.isEmpty {
      while let first = utf8.first, isSeparator(first) { utf8 = utf8.dropFirst() }
      let end = utf8.firstIndex(where: isSeparator) ?? utf8.endIndex
      let word = utf8[utf8.startIndex..<end]
      if !word.isEmpty {
        for candidate in words where equalsIgnoringCase(word, candidate) { return true }
        for candidate in fragments where containsIgnoringCase(word, candidate) { return true }
      }
      utf8 = utf8[end...]
    }
    return false
  }

  private static func isSeparator(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "_") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
  }

  private static func equalsIgnoringCase(_ word: Substring.UTF8View, _ candidate: StaticString) -> Bool {
    guard word.count == candidate.utf8CodeUnitCount else { return false }
    return candidate.withUTF8Buffer { target in
      zip(word, target).allSatisfy { lower($0) == $1 }
    }
  }

  private static func containsIgnoringCase(_ word: Substring.UTF8View, _ candidate: StaticString) -> Bool {
    candidate.withUTF8Buffer { target in
      guard word.count >= target.count else { return false }
      var start = word.startIndex
      while word.distance(from: start, to: word.endIndex) >= target.count {
        if zip(word[start...], target).allSatisfy({ lower($0) == $1 }) { return true }
        word.formIndex(after: &start)
      }
      return false
    }
  }

  /// Whether a column name says the column holds identifiers.
  static func isIdentifierColumn(_ columnName: String) -> Bool {
    name(
      columnName,
      hasWord: ["nhs", "chi", "id", "ids", "identifier", "patient", "person", "phone", "tel", "telephone", "mobile", "contact"],
      orFragment: ["nhsnumber", "nhsno", "patientid", "phone"])
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

  /// Whether the field is a column name or sits in a column whose name says it holds birth dates.
  static func isBirthColumn(_ columnName: String) -> Bool {
    name(columnName, hasWord: ["dob", "born", "birthdate", "birthday", "bdate"], orFragment: ["birth"])
  }
}

