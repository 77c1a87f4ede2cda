/// Flags UK telephone numbers, which reach one person or household.
struct PhoneNumberRule: FieldRule {
  static let description = RuleDescription(
    code: "I006", name: "uk-phone-number",
    summary: "A UK telephone number reaches one person or household.",
    rationale: """
      ## What it checks
      Every field (column names, labels and values) for a UK telephone number: `0` then an area or
      service digit (1, 2, 3, 7 or 8) and the rest of an eleven-digit national number (ten for some
      `01` areas), or `+44` / `0044` then the ten digits without the `0` (a `(0)` may stay), written
      together or grouped with spaces, hyphens, dots and brackets (`07700 900123`,
      `(020) 7946 0958`, `+44 (0)161 496 0000`). The number stands alone: no letter or digit just
      before it, no digit just after. A plain number in a column of counts or statistics is a
      statistic unless the column's name says it holds identifiers. The finding never quotes the
      number.

      ## Why it is a disclosure risk
      A telephone number is a direct identifier: it reaches one person, household or practice.

      ## References
      Ofcom National Telephone Numbering Plan.
      """,
    fix: "remove the telephone number from the output",
    examples: [
      Example("counts and codes are not phone numbers", "practice,count\nP01,12\nE01000001,40"),
      Example("a mobile number in a note", "note,count\n\"↓call 07700 900123 after 6\",12"),
      Example("a landline with brackets", "contact,count\n↓(020) 7946 0958,12"),
      Example("an international form", "contact,count\n↓+44 (0)161 496 0000,12"),
      Example("a date range is not a phone number", "period,count\n01-02-2023,12\n2023-01-02,14"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)? {
    guard field.bytes.count >= 10 else { return nil }
    let found = IdentifierScanning.withBytes(field.bytes) { buffer in
      IdentifierScanning.digitCount(buffer, atLeast: 10) >= 10 && Self.containsPhoneNumber(buffer)
    }
    return found && !IdentifierScanning.isStatistic(field) ? (.fail, "a UK telephone number") : nil
  }

  /// The digits of a national number read so far (with the leading 0, which `+44` stands for):
  /// only their count and the first two are needed, so nothing is allocated.
  struct NationalDigits {
    var count = 0
    var first: UInt8 = 0
    var second: UInt8 = 0

    init(international: Bool) {
      if international { append(0) }
    }

    mutating func append(_ digit: UInt8) {
      if count == 0 { first = digit } else if count == 1 { second = digit }
      count += 1
    }

    /// Eleven digits starting 01, 02, 03, 07 or 08, or ten starting 01 (a few areas).
    var isWholeNumber: Bool {
      guard count >= 10, first == 0 else { return false }
      switch second {
      case 1: return true
      case 2, 3, 7, 8: return count == 11
      default: return false
      }
    }
  }

  /// Whether the bytes hold a UK telephone number.
  static func containsPhoneNumber(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = buffer.count
    func digit(_ i: Int) -> Bool { i >= 0 && i < n && IdentifierScanning.isDigit(buffer[i]) }
    func byte(_ i: Int, _ c: Unicode.Scalar) -> Bool { i >= 0 && i < n && buffer[i] == UInt8(ascii: c) }
    var start = 0
    while start < n {
      defer { start += 1 }
      // Standing alone: nothing alphanumeric (or `+`) just before.
      if start > 0 && (IdentifierScanning.isAlphanumeric(buffer[start - 1]) || buffer[start - 1] == UInt8(ascii: "+")) {
        continue
      }
      // Nor the decimal part of a number (`0.0123456789`).
      if start > 1 && (buffer[start - 1] == UInt8(ascii: ".") || buffer[start - 1] == UInt8(ascii: ","))
        && digit(start - 2)
      {
        continue
      }
      var i = start
      var international = false
      if byte(i, "+") && byte(i + 1, "4") && byte(i + 2, "4") {
        international = true
        i += 3
      } else if byte(i, "0") && byte(i + 1, "0") && byte(i + 2, "4") && byte(i + 3, "4") {
        international = true
        i += 4
      } else if byte(i, "(") && byte(i + 1, "0") {
        i += 1
      } else if !byte(i, "0") {
        continue
      }
      // The digits, through separators; a bracketed (0) after +44 is dropped. The number ends at
      // a digit not followed by another: it counts when the digits so far make a national number.
      var digits = NationalDigits(international: international)
      var previousWasSeparator = false
      // Digits are grouped in twos or more: single digits apart (`0 1 2 3 …`) are not a number.
      var group = 0
      while i < n && digits.count < 11 {
        let b = buffer[i]
        if IdentifierScanning.isDigit(b) {
          digits.append(b &- 48)
          group += 1
          previousWasSeparator = false
          if !digit(i + 1) && group >= 2 && digits.isWholeNumber { return true }
        } else if group == 1 && !(international && digits.count == 1) && digits.count > 1 {
          break
        } else if b == UInt8(ascii: " ") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "(")
          || b == UInt8(ascii: ")")
        {
          if international && b == UInt8(ascii: "(") && byte(i + 1, "0") && byte(i + 2, ")") {
            i += 3
            previousWasSeparator = true
            continue
          }
          // Two separators in a row only around brackets (`(020) 7946`).
          let bracket = b == UInt8(ascii: "(") || b == UInt8(ascii: ")") || buffer[i - 1] == UInt8(ascii: ")")
          if previousWasSeparator && !bracket { break }
          previousWasSeparator = true
          group = 0
        } else {
          break
        }
        i += 1
      }
    }
    return false
  }
}
