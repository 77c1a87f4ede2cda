import Foundation

/// What a cell of a value column holds.
public enum CellValue: Sendable, Equatable {
  /// A published number.
  case number(Double)
  /// A withheld cell: one of the pack's suppression markers (index into the pack's list).
  case withheld(marker: Int)
  /// Text that is neither a number nor a known marker.
  case text

  /// The number, if published.
  public var number: Double? {
    if case .number(let value) = self { return value }
    return nil
  }
}

/// Parses the text of value cells: numbers and the pack's suppression markers.
public struct ValueParser: Sendable {
  /// The markers that stand for a withheld cell, as written in the pack.
  public let markers: [String]
  private let lookup: [String: Int]

  public init(markers: [String]) {
    self.markers = markers
    var lookup: [String: Int] = [:]
    for (index, marker) in markers.enumerated() where lookup[marker.lowercased()] == nil {
      lookup[marker.lowercased()] = index
    }
    self.lookup = lookup
  }

  /// Parses one field's bytes.
  @inline(__always)
  public func parse<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> CellValue where Bytes.Index == Int {
    if let integer = Self.parseInteger(bytes) { return .number(Double(integer)) }
    return parseText(String(decoding: bytes, as: UTF8.self))
  }

  /// The general path, for anything that is not a plain integer: markers, decimals, e-notation,
  /// thousands separators, and the count of an `n (%)` cell.
  @inline(never)
  func parseText(_ raw: String) -> CellValue {
    let text = Self.trimmed(raw)
    let lower = text.lowercased()
    if let marker = lookup[lower] { return .withheld(marker: marker) }
    if let value = Self.number(text) { return .number(value) }
    if let marker = noValueMarker(lower) { return .withheld(marker: marker) }
    if case .count(let count, _)? = CombinedCell(text) { return .number(count) }
    return .text
  }

  /// Spellings tools use for "no value" (pandas `NaN` and `<NA>`, R `NA`, Stata and SAS `.`,
  /// SQL `NULL`, Excel `#N/A`), and ONS's bracketed shorthand (`[c]`, `[x]`), read as the pack's
  /// marker of the same meaning: a cell with no published value is a withheld cell (fail closed;
  /// see docs/outputs.md), never a number and never a label.
  private func noValueMarker(_ lower: String) -> Int? {
    if lower.count > 2, lower.hasPrefix("["), lower.hasSuffix("]"),
      let marker = lookup[String(lower.dropFirst().dropLast())]
    {
      return marker
    }
    guard Self.noValueSpellings.contains(lower) else { return nil }
    return lookup["na"] ?? lookup[""]
  }

  /// See ``noValueMarker(_:)``.
  static let noValueSpellings: Set<String> = ["nan", "<na>", ".", "..", ":", "null", "none", "#n/a", "na", ""]

  /// The text without surrounding spaces, tabs and non-breaking spaces.
  static func trimmed(_ text: String) -> String {
    var slice = Substring(text)
    while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
    while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
    return String(slice)
  }

  private static func isSpace(_ character: Character) -> Bool {
    character == " " || character == "\t" || character == "\u{00A0}" || character == "\u{202F}"
  }

  /// The number a value cell's text writes, in the ways tools write whole numbers and decimals:
  /// `5`, `+5`, `5.0`, `0005`, `1e+05`, `9.814997e+08`, thousands separated by commas, spaces,
  /// non-breaking spaces or apostrophes (`1,234`, `1 234`, `12'345.5`) in groups of three, and
  /// Excel's formatted `12.5%` and `£1,234`.
  static func number(_ text: String) -> Double? {
    var text = Substring(text)
    if text.hasPrefix("+") { text = text.dropFirst() }
    // Excel writes formatted cells as shown: `12.5%`, `£1,234`.
    if text.count > 1, let first = text.first, "£$€".contains(first) { text = text.dropFirst() }
    if text.count > 1 && text.hasSuffix("%") { text = text.dropLast() }
    if let value = Double(text), value.isFinite, !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) {
      return value
    }
    return withoutThousandsSeparators(text).flatMap { Double($0) }
  }

  /// `1,234,567.5` as `1234567.5` when every group after the first has three digits and one
  /// separator is used throughout; `nil` for anything else (`1,5` is not read as 15 or 1.5).
  static func withoutThousandsSeparators(_ text: Substring) -> String? {
    var digits = ""
    var rest = Substring(text)
    if rest.hasPrefix("-") {
      digits = "-"
      rest = rest.dropFirst()
    }
    var fraction = Substring("")
    if let dot = rest.firstIndex(of: ".") {
      fraction = rest[dot...]
      rest = rest[..<dot]
      guard fraction.count > 1, fraction.dropFirst().allSatisfy(\.isASCIIDigit) else { return nil }
    }
    guard let separator = rest.first(where: { !$0.isASCIIDigit }),
      [",", " ", "\u{00A0}", "\u{202F}", "'"].contains(separator)
    else { return nil }
    let groups = rest.split(separator: separator, omittingEmptySubsequences: false)
    guard groups.count >= 2, (1...3).contains(groups[0].count),
      groups.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), groups.dropFirst().allSatisfy({ $0.count == 3 })
    else { return nil }
    return digits + groups.joined() + fraction
  }

  /// The fast path: an optional minus sign and 1 to 15 digits, nothing else.
  @inline(__always)
  static func parseInteger<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Int? where Bytes.Index == Int {
    var index = bytes.startIndex
    let end = bytes.endIndex
    guard index < end else { return nil }
    var negative = false
    if bytes[index] == UInt8(ascii: "-") {
      negative = true
      index += 1
    }
    guard index < end, end - index <= 15 else { return nil }
    var value = 0
    while index < end {
      let digit = bytes[index] &- UInt8(ascii: "0")
      guard digit < 10 else { return nil }
      value = value &* 10 &+ Int(digit)
      index += 1
    }
    return negative ? -value : value
  }

  /// ``parseInteger(_:)`` for bytes in memory: one to eight plain digits are read eight bytes at a
  /// time without a loop (the common count); anything else takes the general path.
  @inline(__always)
  static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    let digits = eightDigits(bytes)
    if digits >= 0 { return digits }
    return parseInteger(bytes[...])
  }

  /// The value of one to eight ASCII digits (leading zeros allowed), or -1 for anything else.
  ///
  /// The digits are loaded as one word (two loads that may overlap, never past the end), left-padded
  /// with `0`s to eight, checked all at once (every byte 0x30...0x39, tested without carries between
  /// bytes) and combined by three multiplications: the classic SWAR conversion.
  @inline(__always)
  static func eightDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    let n = bytes.count
    guard n >= 1, n <= 8 else { return -1 }
    let zeros: UInt64 = 0x3030_3030_3030_3030
    let key = ByteStringTable.shortKey(bytes)
    // The first digit ends up in the lowest byte that holds a digit; the padding goes below it.
    let word = n == 8 ? key : key << UInt64(8 * (8 - n)) | zeros >> UInt64(8 * n)
    guard word & 0xF0F0_F0F0_F0F0_F0F0 == zeros, (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == zeros else {
      return -1
    }
    var value = word & 0x0F0F_0F0F_0F0F_0F0F
    value = (value &* 2561) >> 8 & 0x00FF_00FF_00FF_00FF
    value = (value &* 6_553_601) >> 16 & 0x0000_FFFF_0000_FFFF
    value = (value &* 42_949_672_960_001) >> 32 & 0xFFFF_FFFF
    return Int(value)
  }

  /// The range of true values a marker stands for, when its text says so (`<10` is 1...9 unless
  /// `allowZero`, `1to5` and `1-5` are 1...5), or `nil` for an opaque marker such as `*`.
  public static func impliedRange(of marker: String) -> ClosedRange<Int>? {
    let text = marker.trimmingWhitespace().lowercased()
    if text.hasPrefix("<="), let bound = Int(text.dropFirst(2)) { return 1...max(1, bound) }
    if text.hasPrefix("<"), let bound = Int(text.dropFirst(1)), bound > 1 { return 1...(bound - 1) }
    for separator in ["to", "-", "–"] {
      let parts = text.components(separatedBy: separator)
      if parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high { return low...high }
    }
    return nil
  }
}

/// A cell that writes several statistics at once, as Table 1 packages (tableone, gtsummary) and
/// spreadsheets do: `n (%)`, `n/N (%)`, `mean (sd)`, `median [IQR]`, `median (q1-q3)`.
public enum CombinedCell: Equatable, Sendable {
  /// A count and what came with it: `3 (0.1%)`, `3/120 (2.5%)`, `137 (86.7)`: the count `n`,
  /// and the denominator `N` when written.
  case count(Double, of: Double?)
  /// Statistics of a distribution: `45.2 (12.1)`, `52 [41, 63]`, `52 (41-63)`, `45.2 ± 12.1`.
  case statistic

  /// Reads `text` (trimmed) as a combined cell, or `nil` when it is not one.
  ///
  /// `x (y)` with a whole `x` and `0 <= y <= 100` is read as `n (%)` (tableone writes percentages
  /// without a `%` sign): the count rules then apply to `x`, the reading that blocks more. A
  /// decimal `x`, or two numbers in the brackets, is a statistic.
  public init?(_ text: String) {
    guard let open = text.firstIndex(where: { $0 == "(" || $0 == "[" || $0 == "±" }) else { return nil }
    let head = ValueParser.trimmed(String(text[..<open]))
    guard !head.isEmpty else { return nil }
    if text[open] == "±" {
      guard ValueParser.number(head) != nil,
        ValueParser.number(ValueParser.trimmed(String(text[text.index(after: open)...]))) != nil
      else { return nil }
      self = .statistic
      return
    }
    let close: Character = text[open] == "(" ? ")" : "]"
    guard text.last == close else { return nil }
    var inner = ValueParser.trimmed(String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
    let percentSign = inner.hasSuffix("%")
    if percentSign { inner = ValueParser.trimmed(String(inner.dropLast())) }
    // `n/N` or `n / N` before the brackets.
    let parts = head.split(separator: "/", maxSplits: 1).map { ValueParser.trimmed(String($0)) }
    if let value = ValueParser.number(inner), parts.count == 2 || close == ")" {
      guard let n = ValueParser.number(parts[0]) else { return nil }
      let total = parts.count == 2 ? ValueParser.number(parts[1]) : nil
      if parts.count == 2 && total == nil { return nil }
      let isCount = n >= 0 && n == n.rounded() && (percentSign || parts.count == 2 || (0...100).contains(value))
      if isCount && (total.map { $0 >= n && $0 == $0.rounded() } ?? true) {
        self = .count(n, of: total)
      } else if parts.count == 1 && !percentSign {
        self = .statistic
      } else {
        return nil
      }
      return
    }
    // Two numbers in the brackets: a range or an interquartile range.
    guard parts.count == 1, ValueParser.number(head) != nil, !percentSign, Self.twoNumbers(inner) else { return nil }
    self = .statistic
  }

  /// Whether `text` is two numbers separated by `,`, `;`, ` to `, an en dash or a hyphen.
  private static func twoNumbers(_ text: String) -> Bool {
    for separator in [",", ";", " to ", "–", "—"] where text.contains(separator) {
      let parts = text.components(separatedBy: separator)
      return parts.count == 2 && parts.allSatisfy { ValueParser.number(ValueParser.trimmed($0)) != nil }
    }
    // A hyphen between numbers, either of which may be negative: `41-63`, `-3.2--1.1`.
    let characters = Array(text)
    for index in characters.indices.dropFirst() where characters[index] == "-" && characters[index - 1] != "-" {
      let left = ValueParser.trimmed(String(characters[..<index]))
      let right = ValueParser.trimmed(String(characters[(index + 1)...]))
      if ValueParser.number(left) != nil && ValueParser.number(right) != nil { return true }
    }
    return false
  }
}
