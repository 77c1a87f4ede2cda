/// Flags people's names in free text: a title and a name, or a name beside an age or a date.
struct PersonNameRule: FieldRule {
  static let description = RuleDescription(
    code: "I007", name: "person-name",
    summary: "A person's name in an output identifies them, however short the note.",
    rationale: """
      ## What it checks
      Every field (column names, labels and values) for a person's name written as one:
      - a title (`Mr`, `Mrs`, `Ms`, `Miss`, `Mx`, `Dr`, `Prof`, with or without a full stop) followed
        by a capitalised name (`Mrs Patel`, `Dr. A Jones`);
      - two capitalised words (a first name and a surname) beside an age (`aged 34`, `age 34`,
        `34 years`, `34yo`, `a 34-year-old`) or a date (`12/03/1984`, `1984-03-12`, `born`,
        `DOB`). A bare number beside them is not an age: labels carry counts that way
        (`North East (12)`).
      A short note that names a patient fails whatever its length (the free-text rule, I005, only
      judges long text). Place and organisation names beside a date (`Leeds General, 2023-01-02`)
      can match: a person decides. The finding never quotes the name.

      ## Why it is a disclosure risk
      A name is a direct identifier. With an age or a date of birth beside it, it is one person.

      ## References
      ICO anonymisation code of practice (direct identifiers).
      """,
    fix: "remove the name from the output (and any note it came from)",
    examples: [
      Example(
        "category labels pass", "region,diagnosis,count\nNorth East,Diabetes Mellitus,12\nSouth West,Heart Failure,40"),
      Example("a title and a name", "note,count\n↓seen by Mrs Patel,12"),
      Example("a title with a full stop", "note,count\n↓Dr. Jones reviewed,12"),
      Example("a name and an age", "note,count\n\"↓John Smith, aged 34\",12"),
      Example("a name and a date of birth", "note,count\n↓Jane Doe 12/03/1984,12"),
      Example("titles without a name pass", "title,count\nMr,12\nMrs,14\nDr,3"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)? {
    guard field.bytes.count >= 5 else { return nil }
    return IdentifierScanning.withBytes(field.bytes, Self.containsName) ? (.fail, "a person's name") : nil
  }

  private static let titles: [[UInt8]] = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof"].map { Array($0.utf8) }

  /// Whether the bytes hold a name with a title, or a name beside an age or a date.
  static func containsName(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    // Every match starts with a capital followed by a small letter: most fields (numbers, codes,
    // capitals) are dismissed in one pass without splitting them into words.
    var candidate = false
    for i in 0..<max(0, buffer.count - 1) where IdentifierScanning.isUpper(buffer[i]) && buffer[i + 1] &- 97 < 26 {
      candidate = true
      break
    }
    guard candidate else { return false }
    // Word by word, remembering the one before: no array of words is built.
    var previous: (start: Int, end: Int)?
    var position = 0
    while let word = nextWord(buffer, from: &position) {
      defer { previous = word }
      guard let before = previous, isCapitalised(buffer, word) else { continue }
      let gap = buffer[before.end..<word.start]
      // A title, then a capitalised name (an initial counts: `Dr A Jones`).
      if titles.contains(where: { $0.elementsEqual(buffer[before.start..<before.end]) }) {
        if gap.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ".") }) && gap.contains(UInt8(ascii: " ")) {
          return true
        }
      }
      // Two capitalised words beside an age or a date.
      guard before.end - before.start >= 2, word.end - word.start >= 2, isCapitalised(buffer, before),
        gap.allSatisfy({ $0 == UInt8(ascii: " ") })
      else { continue }
      if followedByAgeOrDate(buffer, from: word.end) || precededByAge(buffer, before: before.start) { return true }
    }
    return false
  }

  /// The next run of ASCII letters from `position` (apostrophes and hyphens inside names kept:
  /// `O'Neil`, `Smith-Jones`), skipping words glued to digits (`P01`, `34yo`), which are not names.
  static func nextWord(_ buffer: UnsafeBufferPointer<UInt8>, from position: inout Int) -> (start: Int, end: Int)? {
    var i = position
    while i < buffer.count {
      guard IdentifierScanning.isLetter(buffer[i]) else {
        i += 1
        continue
      }
      let start = i
      while i < buffer.count
        && (IdentifierScanning.isLetter(buffer[i])
          || ((buffer[i] == UInt8(ascii: "'") || buffer[i] == UInt8(ascii: "-")) && i + 1 < buffer.count
            && IdentifierScanning.isLetter(buffer[i + 1])))
      {
        i += 1
      }
      if !(start > 0 && IdentifierScanning.isDigit(buffer[start - 1]))
        && !(i < buffer.count && IdentifierScanning.isDigit(buffer[i]))
      {
        position = i
        return (start, i)
      }
    }
    position = i
    return nil
  }

  /// An upper-case letter followed by lower-case letters only (or a single capital: an initial).
  static func isCapitalised(_ buffer: UnsafeBufferPointer<UInt8>, _ word: (start: Int, end: Int)) -> Bool {
    guard IdentifierScanning.isUpper(buffer[word.start]) else { return false }
    var sawLower = word.end - word.start == 1
    for i in word.start + 1..<word.end where IdentifierScanning.isLetter(buffer[i]) {
      if IdentifierScanning.isUpper(buffer[i])
        && !(buffer[i - 1] == UInt8(ascii: "'") || buffer[i - 1] == UInt8(ascii: "-"))
      {
        return false
      }
      sawLower = true
    }
    return sawLower
  }

  private static func lowerWord(_ buffer: UnsafeBufferPointer<UInt8>, at i: Int, _ word: StaticString) -> Bool {
    word.withUTF8Buffer { target in
      guard i + target.count <= buffer.count else { return false }
      for k in 0..<target.count where IdentifierScanning.lower(buffer[i + k]) != target[k] { return false }
      return i + target.count == buffer.count || !IdentifierScanning.isLetter(buffer[i + target.count])
    }
  }

  /// An age (`aged 34`, `age 34`, `34 years`, `34yo`) or a date (`12/03/1984`,
  /// `1984-03-12`, `born`, `DOB`) just after position `i`.
  static func followedByAgeOrDate(_ buffer: UnsafeBufferPointer<UInt8>, from i: Int) -> Bool {
    let n = buffer.count
    var j = i
    while j < n && (buffer[j] == UInt8(ascii: " ") || buffer[j] == UInt8(ascii: ",")) { j += 1 }
    guard j < n else { return false }
    if lowerWord(buffer, at: j, "born") || lowerWord(buffer, at: j, "dob") { return true }
    for word: StaticString in ["aged", "age", "b"] where lowerWord(buffer, at: j, word) {
      var k = j + word.utf8CodeUnitCount
      while k < n
        && (buffer[k] == UInt8(ascii: " ") || buffer[k] == UInt8(ascii: ".") || buffer[k] == UInt8(ascii: ":"))
      { k += 1 }
      if k < n && IdentifierScanning.isDigit(buffer[k]) { return true }
    }
    var k = j
    if buffer[k] == UInt8(ascii: "(") { k += 1 }
    let digitsStart = k
    while k < n && IdentifierScanning.isDigit(buffer[k]) { k += 1 }
    let digits = k - digitsStart
    guard digits > 0 else { return false }
    // A whole date: three groups of digits (`12/03/1984`, `1984-03-12`, `12.03.84`) with one
    // separator; two groups (`03-05`) may be a range or a code.
    if k < n, buffer[k] == UInt8(ascii: "/") || buffer[k] == UInt8(ascii: "-") || buffer[k] == UInt8(ascii: ".") {
      let separator = buffer[k]
      var m = k + 1
      var second = 0
      while m < n && IdentifierScanning.isDigit(buffer[m]) {
        m += 1
        second += 1
      }
      if (1...2).contains(second) && m < n && buffer[m] == separator {
        var third = 0
        m += 1
        while m < n && IdentifierScanning.isDigit(buffer[m]) {
          m += 1
          third += 1
        }
        let yearFirst = digits == 4 && third <= 2 && third >= 1
        let yearLast = digits <= 2 && (third == 2 || third == 4)
        if (yearFirst || yearLast) && !(m < n && IdentifierScanning.isDigit(buffer[m])) { return true }
      }
      return false
    }
    // A bare number (`, 34`, `(34)`) is not enough: labels carry counts that way (`North East (12)`).
    guard digits <= 3 else { return false }
    var m = k
    while m < n && buffer[m] == UInt8(ascii: " ") { m += 1 }
    for unit: StaticString in ["years", "year", "yrs", "yr", "yo", "y"] where lowerWord(buffer, at: m, unit) {
      return true
    }
    return false
  }

  /// An age such as `34-year-old` or `34 year old` just before the name starting at `start`.
  static func precededByAge(_ buffer: UnsafeBufferPointer<UInt8>, before start: Int) -> Bool {
    // Most names have no age before them: look at the bytes first (`… old ` or `… yo `).
    var end = start
    while end > 0 && buffer[end - 1] == UInt8(ascii: " ") { end -= 1 }
    guard end >= 2,
      IdentifierScanning.lower(buffer[end - 1]) == UInt8(ascii: "o")
        || IdentifierScanning.lower(buffer[end - 1]) == UInt8(ascii: "d")
    else { return false }
    let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[max(0, start - 16)..<start]), as: UTF8.self)
      .lowercased()
    for suffix in ["year old ", "year-old ", "years old ", "yr old ", "yr-old ", "yo "] where text.hasSuffix(suffix) {
      var before = text.dropLast(suffix.count)
      if before.hasSuffix("-") || before.hasSuffix(" ") { before = before.dropLast() }
      return before.last?.isNumber == true
    }
    return false
  }

}
