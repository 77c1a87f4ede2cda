/// Flags exact dates that may be dates of birth (or of other events in a person's life).
struct DateOfBirthRule: FieldRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let otherDates = RuleParameter<String>(
    "other_dates", default: "review",
    "what an exact date outside a birth column and outside a label column gets: review or ignore",
    choices: ["review", "ignore"])

  static let description = RuleDescription(
    code: "I004", name: "exact-date",
    summary: "An exact date of birth identifies a person; other exact dates in values need a look.",
    rationale: """
      ## What it checks
      Every field for a full day-month-year date: `1984-03-12`, `1984/3/12`, `12/03/1984`,
      `12-03-1984`, `12.03.1984`, `12 Mar 1984`, `12-March-1984`, `12MAR1984` (a year from 1850
      to 2150 and a day that exists in its month; `03/12/1984` is accepted read either way). A
      year alone or a month and year (`1984-03`) is not an exact date.

      - In a column whose name suggests birth (a word `dob`, `born`, `birthdate`, or any word
        containing `birth`, such as `date_of_birth`, `birth_date`, `DateOfBirth`), any exact date
        **fails**, including the compact `19840312` and two-digit years (`12/03/84`).
      - A column name that is a date (a crosstab by week) passes: it is a category, not a person's
        date.
      - A label (dimension) field that is only a date, with at most a time after it, in a column
        named as a period (a word `date`, `week`, `month`, `period`, `quarter`, `year`, `day`,
        `interval`, `fortnight`, `start` or `end`, and none of `first`, `last`, `earliest`,
        `latest`, `min`, `max`, `event` or a word about death, admission, discharge or diagnosis)
        passes: `2020-03-16` in a `week` column is the period a row counts, and the count rules
        judge the cells.
      - Any other exact date (in a value column, in a column airlock cannot classify, or inside
        longer text such as `admitted 12/03/2019`) needs **review** (`other_dates: review`,
        the default), or is ignored with `other_dates: ignore`. Airlock cannot tell a study date
        from the date of an event in one person's life, and a person can.

      Only fields with at least five ASCII digits are examined further. The finding never quotes
      the date.

      ## Why it is a disclosure risk
      Date of birth with sex and a postcode district identifies most of the population. An exact
      date of death, admission or diagnosis in a value is one person's record.

      ## References
      Sweeney (2000), "Simple demographics often identify people uniquely" (date of birth, sex and
      ZIP code identify 87% of the US population); HIPAA Safe Harbor §164.514(b)(2)(i)(C) (all
      elements of dates except the year).
      """,
    fix:
      "remove exact dates of birth (publish age bands or year of birth at most); for other dates, publish the period (week, month) rather than a person's date",
    parameters: [
      DateOfBirthRule.otherDates.spec
    ],
    examples: [
      Example("dates as period labels pass", "week,count\n2020-03-16,40\n2020-03-23,52"),
      Example("a month and year is not an exact date", "dob_month,count\n1984-03,12"),
      Example("a date of birth fails", "date_of_birth,count\n↓12/03/1984,12"),
      Example(
        "another exact date in a value needs review", "group,first_admission\nA,↓2019-04-02\nB,↓02 Apr 2019",
        outcome: .review),
    ])

  let reviewOtherDates: Bool

  init(parameters: RuleParameters, pack: RulePack) {
    reviewOtherDates = parameters[Self.otherDates] == "review"
  }

  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)? {
    guard field.bytes.count >= 6, !field.isHeader else { return nil }
    let enough = IdentifierScanning.withBytes(field.bytes) { IdentifierScanning.digitCount($0, atLeast: 5) >= 5 }
    guard enough else { return nil }
    // The column name is looked at only once a field looks like it holds a date.
    let birth = field.traits.isBirth
    let match = IdentifierScanning.withBytes(field.bytes) { Self.findDate($0, lenient: birth) }
    guard let match else { return nil }
    if birth { return (.fail, "an exact date in a column whose name suggests dates of birth") }
    guard reviewOtherDates else { return nil }
    if field.role == .dimension && match.whole && field.traits.isPeriod { return nil }
    return (
      .review,
      "an exact date (day, month and year): if it is a date in one person's life (birth, death, admission), it can identify them"
    )
  }

  struct Match {
    /// Whether the date is the whole field (with at most a time after it).
    var whole: Bool
  }

  private static let months: [StaticString] = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
  ]

  static func isDate(year: Int, month: Int, day: Int) -> Bool {
    guard (1850...2150).contains(year), (1...12).contains(month), day >= 1 else { return false }
    let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if month == 2 && day == 29 { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
    return day <= days
  }

  /// The first exact date in the bytes, if any. `lenient` also accepts `YYYYMMDD` and two-digit
  /// years (in birth columns only: elsewhere they are too often something else).
  static func findDate(_ buffer: UnsafeBufferPointer<UInt8>, lenient: Bool) -> Match? {
    let n = buffer.count
    let isDigit = IdentifierScanning.isDigit
    func digit(_ i: Int) -> Bool { i >= 0 && i < n && isDigit(buffer[i]) }
    /// The run of digits at `i`: its value and end.
    func number(_ i: Int, max: Int) -> (value: Int, end: Int)? {
      var j = i
      var value = 0
      while j < n && isDigit(buffer[j]) && j - i < max {
        value = value * 10 + Int(buffer[j] &- 48)
        j += 1
      }
      guard j > i, !digit(j) else { return nil }
      return (value, j)
    }
    func isSeparator(_ b: UInt8) -> Bool { b == UInt8(ascii: "-") || b == UInt8(ascii: "/") || b == UInt8(ascii: ".") }
    /// A month name (3 letters, `sept`, or the full name) at `i`: its number and end.
    func monthName(_ i: Int) -> (month: Int, end: Int)? {
      var j = i
      while j < n && IdentifierScanning.isLetter(buffer[j]) { j += 1 }
      let length = j - i
      guard length >= 3 else { return nil }
      for (index, name) in months.enumerated() {
        let matched = name.withUTF8Buffer { target -> Bool in
          guard length == 3 || length == target.count || (index == 8 && length == 4) else { return false }
          guard length <= target.count else { return false }
          for k in 0..<length where IdentifierScanning.lower(buffer[i + k]) != target[k] { return false }
          return true
        }
        if matched { return (index + 1, j) }
      }
      return nil
    }
    func whole(_ start: Int, _ end: Int) -> Bool {
      for k in 0..<start where buffer[k] != UInt8(ascii: " ") { return false }
      for k in end..<n {
        let b = buffer[k]
        if !(isDigit(b) || b == UInt8(ascii: ":") || b == UInt8(ascii: "T") || b == UInt8(ascii: " ")
          || b == UInt8(ascii: ".")
          || b == UInt8(ascii: "Z") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-"))
        {
          return false
        }
      }
      return true
    }

    var i = 0
    while i < n {
      guard isDigit(buffer[i]), !digit(i - 1) else {
        i += 1
        continue
      }
      var runEnd = i
      while runEnd < n && isDigit(buffer[runEnd]) { runEnd += 1 }
      let runLength = runEnd - i
      if runLength == 4, let year = number(i, max: 4), year.end < n, isSeparator(buffer[year.end]) {
        // YYYY-MM-DD
        let s = buffer[year.end]
        if let month = number(year.end + 1, max: 2), month.end < n, buffer[month.end] == s,
          let day = number(month.end + 1, max: 2), isDate(year: year.value, month: month.value, day: day.value)
        {
          return Match(whole: whole(i, day.end))
        }
      } else if runLength <= 2, let first = number(i, max: 2), first.end < n {
        let s = buffer[first.end]
        if isSeparator(s), let second = number(first.end + 1, max: 2), second.end < n, buffer[second.end] == s,
          let year = number(second.end + 1, max: 4)
        {
          // DD/MM/YYYY (or MM/DD/YYYY), and DD/MM/YY in birth columns.
          let digits = year.end - second.end - 1
          let fullYear = digits == 4 ? year.value : (lenient && digits == 2 ? 1900 + year.value : -1)
          let candidates = digits == 2 ? [fullYear, fullYear + 100] : [fullYear]
          for y in candidates
          where isDate(year: y, month: second.value, day: first.value)
            || isDate(year: y, month: first.value, day: second.value)
          {
            return Match(whole: whole(i, year.end))
          }
        }
        // 12 Mar 1984, 12-Mar-1984, 12MAR1984
        var k = first.end
        if k < n && (buffer[k] == UInt8(ascii: " ") || isSeparator(buffer[k])) { k += 1 }
        if let month = monthName(k) {
          var m = month.end
          if m < n && (buffer[m] == UInt8(ascii: " ") || isSeparator(buffer[m])) { m += 1 }
          if let year = number(m, max: 4), year.end - m == 4,
            isDate(year: year.value, month: month.month, day: first.value)
          {
            return Match(whole: whole(i, year.end))
          }
        }
      } else if lenient && runLength == 8, let compact = number(i, max: 8) {
        let v = compact.value
        if isDate(year: v / 10000, month: v / 100 % 100, day: v % 100) { return Match(whole: whole(i, compact.end)) }
      }
      i = runEnd
    }
    return nil
  }
}
