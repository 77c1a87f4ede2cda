/// What a column's name says to the field rules (worked out once per column, not once per field):
/// naming conventions, like ``NamingConventions``, matched on the name's words in place.
struct ColumnTraits: Sendable {
  /// The name suggests dates of birth (`dob`, `date_of_birth`).
  let isBirth: Bool
  /// The name suggests periods (`week`, `month_start`) and no event in one person's life.
  let isPeriod: Bool
  /// The name says the column holds identifiers (`nhs_number`, `patient_id`, `phone`).
  let isIdentifier: Bool

  init(name: String) {
    isBirth = Self.isBirthColumn(name)
    isPeriod = Self.isPeriodColumn(name)
    isIdentifier = Self.isIdentifierColumn(name)
  }

  /// Whether a column's name says it holds birth dates.
  static func isBirthColumn(_ columnName: String) -> Bool {
    name(columnName, hasWord: ["dob", "born", "birthdate", "birthday", "bdate"], orFragment: ["birth"])
  }

  /// Whether a column's name says it holds periods (`week`, `date`, `month_start`) and nothing
  /// that sounds like an event in one person's life (`date_of_death`, `first_admission`).
  static func isPeriodColumn(_ columnName: String) -> Bool {
    name(
      columnName,
      hasWord: ["date", "week", "month", "period", "quarter", "year", "day", "interval", "fortnight", "start", "end"])
      && !name(
        columnName,
        hasWord: [
          "first", "last", "earliest", "latest", "min", "max", "minimum", "maximum", "event", "admitted", "discharged",
          "diagnosed", "dod", "died",
        ], orFragment: ["death", "admission", "discharge", "diagnosis", "birth"])
  }

  /// Whether a column name says the column holds identifiers.
  static func isIdentifierColumn(_ columnName: String) -> Bool {
    name(
      columnName,
      hasWord: [
        "nhs", "chi", "id", "ids", "identifier", "patient", "person", "phone", "tel", "telephone", "mobile", "contact",
      ],
      orFragment: ["nhsnumber", "nhsno", "patientid", "phone"])
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

  private static func lower(_ byte: UInt8) -> UInt8 { byte &- 65 < 26 ? byte | 0x20 : byte }

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
}
