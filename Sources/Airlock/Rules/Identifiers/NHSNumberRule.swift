/// Flags NHS numbers (ten digits, or 3-3-4 with a separator) and Scottish CHI numbers (a date of
/// birth and four digits) whose modulus-11 check digit is valid.
struct NHSNumberRule: FieldRule {
  static let description = RuleDescription(
    code: "I001", name: "nhs-number",
    summary: "An NHS number in an output identifies a patient directly.",
    rationale: """
      ## What it checks
      Every field of the output, column names, labels and values alike, for a run of exactly ten
      digits, written together (`9434765919`) or in groups of 3-3-4 separated by one space,
      hyphen, dot, slash or underscore, the same twice (`943 476 5919`, `943.476.5919`), that is
      not part of a longer number or of a decimal, and whose tenth digit is the NHS modulus-11
      check digit: weights 10 down to 2 on the first nine digits, check = 11 − (sum mod 11), 11
      reads as 0 and 10 is never valid. Scottish CHI numbers (a date of birth DDMMYY and four
      digits, with the same check digit) are flagged written together or as 6-4 with a separator
      (`120384-1205`); Northern Irish H&C numbers use the same check digit too. The number is
      found inside longer text (`NHS No. 943.476.5919 seen`). A ten-digit number with a wrong check
      digit is not flagged, nor is a run of one repeated digit (`0000000000`, a placeholder).

      A plain number in a column of counts, sums, percentages or statistics is a statistic, not an
      identifier (about one ten-digit total in eleven has a valid check digit), unless the
      column's name says it holds identifiers (`nhs_number`, `patient_id`, `chi`): labels, text
      and column names are always judged.

      Only fields with at least ten ASCII digits are examined further, so the rule costs one pass
      over the bytes of each field. The finding names the line and column but never quotes the
      number (nor the row's labels, which might be identifiers too).

      ## Why it is a disclosure risk
      The NHS number is a direct identifier: it links the output to one patient's records, with
      no inference needed. It has no place in a statistical output.

      ## References
      NHS Data Dictionary, "NHS NUMBER" (format and modulus-11 check); the Five Safes "safe
      outputs" principle.
      """,
    fix:
      "remove the NHS number from the output (aggregate, or replace the column with a pseudonym that is not released)",
    examples: [
      Example("counts and dates are not NHS numbers", "practice,count\nP1,12\nP2,40"),
      Example("a wrong check digit is not an NHS number", "ref,count\n9434765918,12"),
      Example("an NHS number as a label", "patient,count\n↓9434765919,12"),
      Example("spaced 3-3-4 inside free text", "note,count\n\"↓patient 943 476 5919 seen twice\",12"),
      Example("dotted inside a note", "note,count\n\"↓NHS No. 943.476.5919 (rev)\",12"),
      Example("a CHI number written 6-4", "note,count\n\"↓CHI 120384-1205\",12"),
      Example("a ten-digit total is a statistic", "region,count\nNorth,9434765919\nSouth,40"),
      Example("but not in a column named for identifiers", "region,nhs_number\nNorth,↓9434765919"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)? {
    guard field.bytes.count >= 10 else { return nil }
    let found = IdentifierScanning.withBytes(field.bytes) { buffer in
      IdentifierScanning.digitCount(buffer, atLeast: 10) >= 10 && Self.containsNHSNumber(buffer)
    }
    let chi =
      !found
      && IdentifierScanning.withBytes(field.bytes) { buffer in
        IdentifierScanning.digitCount(buffer, atLeast: 10) >= 10 && Self.containsCHINumber(buffer)
      }
    guard found || chi, !IdentifierScanning.isStatistic(field) else { return nil }
    return (
      .fail,
      found
        ? "an NHS number (ten digits with a valid check digit)"
        : "a CHI number (a date of birth and four digits with a valid check digit)"
    )
  }

  /// The separators a 3-3-4 or 6-4 number may be written with (the same one throughout).
  static func isSeparator(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
      || byte == UInt8(ascii: "_")
  }

  /// Whether the bytes hold a Scottish CHI number written 6-4 with a separator (`120384-1205`):
  /// a valid DDMMYY date, then four digits, with the modulus-11 check digit. Written together it
  /// is ten digits, which ``containsNHSNumber(_:)`` finds.
  static func containsCHINumber(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = buffer.count
    func digit(_ i: Int) -> Bool { i >= 0 && i < n && IdentifierScanning.isDigit(buffer[i]) }
    func value(_ i: Int) -> Int { Int(buffer[i] &- 48) }
    var start = 0
    while start + 11 <= n {
      defer { start += 1 }
      guard !digit(start - 1), (start..<start + 6).allSatisfy(digit), isSeparator(buffer[start + 6]),
        (start + 7..<start + 11).allSatisfy(digit), !digit(start + 11),
        !(start + 11 < n && buffer[start + 11] == UInt8(ascii: ".") && digit(start + 12))
      else { continue }
      let day = value(start) * 10 + value(start + 1)
      let month = value(start + 2) * 10 + value(start + 3)
      guard (1...31).contains(day), (1...12).contains(month) else { continue }
      if isValid({ value(start + $0 + ($0 >= 6 ? 1 : 0)) }) { return true }
    }
    return false
  }

  /// Whether the bytes hold an NHS number with a valid check digit.
  static func containsNHSNumber(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = buffer.count
    func digit(_ i: Int) -> Bool { i < n && IdentifierScanning.isDigit(buffer[i]) }
    // Not inside a longer number: no digit, and no decimal point followed or preceded by a digit.
    func boundaryBefore(_ i: Int) -> Bool {
      i == 0 || !(digit(i - 1) || (buffer[i - 1] == UInt8(ascii: ".") && i >= 2 && digit(i - 2)))
    }
    func boundaryAfter(_ i: Int) -> Bool { i >= n || !(digit(i) || (buffer[i] == UInt8(ascii: ".") && digit(i + 1))) }
    var i = 0
    while i < n {
      guard digit(i) else {
        i += 1
        continue
      }
      let start = i
      if boundaryBefore(start) {
        // Ten digits together.
        if (start..<start + 10).allSatisfy(digit) && boundaryAfter(start + 10)
          && isValid({ Int(buffer[start + $0] &- 48) })
        {
          return true
        }
        // 3-3-4 with one kind of separator.
        if start + 12 <= n, (start..<start + 3).allSatisfy(digit) {
          let separator = buffer[start + 3]
          if isSeparator(separator) && buffer[start + 7] == separator
            && (start + 4..<start + 7).allSatisfy(digit) && (start + 8..<start + 12).allSatisfy(digit)
            && boundaryAfter(start + 12)
            && isValid({ Int(buffer[start + $0 + ($0 >= 3 ? 1 : 0) + ($0 >= 6 ? 1 : 0)] &- 48) })
          {
            return true
          }
        }
      }
      while digit(i) { i += 1 }
    }
    return false
  }

  /// The modulus-11 check of ten digits (0...9 each).
  static func isValid(_ digit: (Int) -> Int) -> Bool {
    var sum = 0
    var allSame = true
    let first = digit(0)
    for k in 0..<9 {
      let d = digit(k)
      sum += d * (10 - k)
      if d != first { allSame = false }
    }
    let last = digit(9)
    if allSame && last == first { return false }
    var check = 11 - sum % 11
    if check == 11 { check = 0 }
    return check != 10 && check == last
  }
}
