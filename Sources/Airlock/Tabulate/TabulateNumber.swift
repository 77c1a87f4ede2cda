import Foundation

/// A number read from a microdata field, kept exact when it is a whole number.
///
/// Whole numbers are summed as 64-bit integers, so that a published sum is the exact total and not
/// a floating-point approximation of it; other numbers are doubles whose sums are compensated
/// (``ExactSum``) and printed to the decimals the inputs were written with.
public struct TabulateNumber: Sendable, Equatable {
  /// The value, exact when `isInteger`.
  public var integer: Int64
  /// Whether the number is a whole number that fits 64 bits, held exactly in `integer`.
  public var isInteger: Bool
  /// The value as a double.
  public var double: Double
  /// Decimals the value was written with (0 for a whole number).
  public var decimals: Int
  /// The value times 10^decimals, when that is a whole number of at most 15 digits that the
  /// double reads back as (`isDecimal`): such numbers are summed exactly (``ExactSum``).
  var scaled: Int64 = 0
  /// Whether `scaled` holds the value exactly.
  var isDecimal: Bool

  /// A whole number.
  public init(_ value: Int64) {
    integer = value
    isInteger = true
    double = Double(value)
    decimals = 0
    scaled = value
    isDecimal = true
  }

  init(double: Double, decimals: Int) {
    integer = 0
    isInteger = false
    self.double = double
    self.decimals = decimals
    // A decimal as written ("12.25") is m / 10^decimals for a whole m; the double read back
    // from m proves it (two decimals of at most 15 digits never share a double).
    let power = TabulateNumber.powersOfTen[decimals]
    let m = (double * power).rounded()
    if Swift.abs(m) < 9.0e14, m / power == double {
      scaled = Int64(m)
      isDecimal = true
    } else {
      isDecimal = false
    }
  }

  /// 10^0 … 10^12 as doubles (exact).
  static let powersOfTen: [Double] = (0...12).map { pow(10, Double($0)) }

  /// A plain whole number (`-12`, `007`: an optional minus, 1 to 18 digits) read straight from
  /// the bytes, without making a string; nil for anything else, which ``parse(_:)`` then reads.
  @inline(__always)
  static func parseWhole(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
    var index = 0
    let count = bytes.count
    var negative = false
    if count > 0 && bytes[0] == UInt8(ascii: "-") {
      negative = true
      index = 1
    }
    guard count > index, count - index <= 18 else { return nil }
    var value: Int64 = 0
    while index < count {
      let digit = bytes[index] &- UInt8(ascii: "0")
      guard digit < 10 else { return nil }
      value = value &* 10 &+ Int64(digit)
      index += 1
    }
    return negative ? -value : value
  }

  /// Texts that mean "no value" as tools write them (pandas, R, Stata, SAS, Excel): a missing value,
  /// never a number.
  public static let missingTokens: Set<String> = ["", "na", "nan", "<na>", ".", "null", "none", "#n/a", "n/a"]

  /// Whether `text` (trimmed) is one of the ``missingTokens``.
  public static func isMissing(_ text: String) -> Bool {
    missingTokens.contains(text.lowercased())
  }

  /// Parses a plain decimal number (`12`, `-3.25`, `1e+05`); nil for anything else, including
  /// `inf`, `nan` and hexadecimal, which `Double(_:)` would accept.
  public static func parse(_ text: String) -> TabulateNumber? {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return nil }
    var index = 0
    if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") { index = 1 }
    var digits = 0
    var fraction = 0
    var seenPoint = false
    var exponent = 0
    while index < bytes.count {
      let b = bytes[index]
      if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
        digits += 1
        if seenPoint { fraction += 1 }
      } else if b == UInt8(ascii: ".") && !seenPoint {
        seenPoint = true
      } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
        guard digits > 0, let value = Int(String(decoding: bytes[(index + 1)...], as: UTF8.self)),
          abs(value) < 400
        else { return nil }
        exponent = value
        index = bytes.count
        break
      } else {
        return nil
      }
      index += 1
    }
    guard digits > 0 else { return nil }
    if !seenPoint && exponent == 0, let whole = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) {
      return TabulateNumber(whole)
    }
    guard let value = Double(text), value.isFinite else { return nil }
    let decimals = min(12, max(0, fraction - exponent))
    if decimals == 0, abs(value) < 9.0e15 {
      // `1e+05` and `12.0e1` are whole numbers: exact from here on.
      return TabulateNumber(Int64(value))
    }
    return TabulateNumber(double: value, decimals: decimals)
  }

  /// The product, exact for whole numbers that do not overflow.
  public func multiplied(by other: TabulateNumber) -> TabulateNumber {
    if isInteger && other.isInteger {
      let (product, overflow) = integer.multipliedReportingOverflow(by: other.integer)
      if !overflow { return TabulateNumber(product) }
    }
    // Two decimals multiply exactly (12.5 × 0.25 = 3.125) while the digits fit.
    if isDecimal && other.isDecimal && decimals + other.decimals <= 12 {
      let (product, overflow) = scaled.multipliedReportingOverflow(by: other.scaled)
      if !overflow && Swift.abs(product) < 900_000_000_000_000 {
        return TabulateNumber(
          double: Double(product) / Self.powersOfTen[decimals + other.decimals], decimals: decimals + other.decimals)
      }
    }
    return TabulateNumber(double: double * other.double, decimals: min(12, decimals + other.decimals))
  }

  /// The absolute value.
  public var magnitude: TabulateNumber {
    if isInteger, integer != .min { return TabulateNumber(Swift.abs(integer)) }
    return TabulateNumber(double: Swift.abs(double), decimals: decimals)
  }

  /// Whether `self` ranks above `other` by value, ties (equal values) broken by more decimals, so
  /// that which of two equal values is kept (`1.5`, `1.50`) does not depend on the order they
  /// come in.
  @inline(__always)
  func ranksAbove(_ other: TabulateNumber) -> Bool {
    double != other.double ? double > other.double : decimals > other.decimals
  }

  /// The number as written to an output: a whole number exactly, otherwise to its decimals.
  public var formatted: String {
    if isInteger { return String(integer) }
    return TabulateNumber.format(double, decimals: decimals)
  }

  /// `value` to `decimals` places, without a negative zero.
  public static func format(_ value: Double, decimals: Int) -> String {
    let text = String(format: "%.\(decimals)f", value)
    if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
    return text
  }
}

/// A sum that is exact, and so the same in whatever order its terms are added: whole numbers and
/// decimals as written (at most 12 places) are added as a 128-bit count of 10^-12; a term that is
/// not such a decimal (`1e-20`, a product of too many places) makes the rest of the sum
/// compensated (Neumaier) instead. Printed to the most decimals any term was written with, so that
/// the published sum and the evidence agree to the printed digit.
///
/// Order independence is what lets `airlock tabulate` fold margins from units' totals, stream
/// sorted input and fold spilled partitions one by one, and still write the same bytes.
public struct ExactSum: Sendable, Equatable {
  /// The sum while every term was a whole number and it fits 64 bits (the common case, kept
  /// apart because 128-bit conversions are slow).
  private var small: Int64 = 0
  private var isSmall = true
  /// The sum in units of 10^-12, while `exact` and not `isSmall`.
  private var scaled: Int128 = 0
  private var exact = true
  /// Whether every term was a whole number.
  private var whole = true
  private var sum = 0.0
  private var compensation = 0.0
  private var decimals = 0

  private static let scale = 12
  private static let powers: [Int128] = (0...12).map { (exponent: Int) -> Int128 in
    var power: Int128 = 1
    for _ in 0..<exponent { power *= 10 }
    return power
  }

  /// `value` as 128 bits (without the generic conversion).
  @inline(__always)
  private static func wide(_ value: Int64) -> Int128 {
    Int128(_low: UInt64(bitPattern: value), _high: value < 0 ? -1 : 0)
  }

  /// `value` as a double, through 64 bits when it fits.
  @inline(__always)
  private static func approximateDouble(_ value: Int128) -> Double {
    let low = Int64(bitPattern: value._low)
    if value._high == (low < 0 ? -1 : 0) { return Double(low) }
    return Double(value)
  }

  /// An empty sum (0).
  public init() {}

  /// Adds `number`.
  @inline(__always)
  public mutating func add(_ number: TabulateNumber) {
    if isSmall && number.isInteger {
      let (result, overflow) = small.addingReportingOverflow(number.integer)
      if !overflow {
        small = result
        return
      }
    }
    if isSmall { leaveSmall() }
    if number.decimals > decimals { decimals = number.decimals }
    if !number.isInteger { whole = false }
    if exact {
      if number.isDecimal && number.decimals <= Self.scale {
        let (result, overflow) = scaled.addingReportingOverflow(
          Self.wide(number.scaled) * Self.powers[Self.scale - number.decimals])
        if !overflow {
          scaled = result
          return
        }
      }
      leaveExact()
    }
    compensate(number.double)
  }

  /// Adds another sum (the same result as adding its terms, when both are exact).
  public mutating func add(_ other: ExactSum) {
    if isSmall && other.isSmall {
      let (result, overflow) = small.addingReportingOverflow(other.small)
      if !overflow {
        small = result
        return
      }
    }
    if isSmall { leaveSmall() }
    var other = other
    if other.isSmall { other.leaveSmall() }
    if other.decimals > decimals { decimals = other.decimals }
    if !other.whole { whole = false }
    if exact && other.exact {
      let (result, overflow) = scaled.addingReportingOverflow(other.scaled)
      if !overflow {
        scaled = result
        return
      }
    }
    if exact { leaveExact() }
    if other.exact {
      compensate(other.value)
    } else {
      compensate(other.sum)
      compensate(other.compensation)
    }
  }

  /// The absolute value of the sum.
  public var magnitude: ExactSum {
    var result = self
    if isSmall {
      if small < 0 {
        if small == .min { result.leaveSmall() } else { result.small = -small }
      }
      if result.isSmall { return result }
    }
    if result.exact {
      if result.scaled < 0 { result.scaled = 0 - result.scaled }
    } else if sum + compensation < 0 {
      result.sum = -sum
      result.compensation = -compensation
    }
    return result
  }

  /// Whether the sum is below zero.
  public var isNegative: Bool { isSmall ? small < 0 : exact ? scaled < 0 : sum + compensation < 0 }

  /// From the 64-bit sum of whole numbers to the 128-bit one.
  private mutating func leaveSmall() {
    scaled = Self.wide(small) * Self.powers[Self.scale]
    small = 0
    isSmall = false
  }

  private mutating func leaveExact() {
    sum = Self.double(scaled)
    compensation = 0
    exact = false
  }

  @inline(__always)
  private mutating func compensate(_ value: Double) {
    let t = sum + value
    compensation += Swift.abs(sum) >= Swift.abs(value) ? (sum - t) + value : (value - t) + sum
    sum = t
  }

  /// The exact sum `scaled` × 10^-12 as decimal text with `places` decimals (`places` ≤ 12, and
  /// `scaled` a multiple of 10^(12 - places)).
  private static func text(_ scaled: Int128, places: Int) -> String {
    let negative = scaled < 0
    let magnitude = negative ? 0 - scaled : scaled
    let whole = magnitude / powers[scale]
    var text = (negative ? "-" : "") + String(whole)
    if places > 0 {
      let fraction = String((magnitude % powers[scale]) / powers[scale - places])
      text += "." + String(repeating: "0", count: places - fraction.count) + fraction
    }
    return text
  }

  /// The double nearest the exact sum `scaled` × 10^-12.
  private static func double(_ scaled: Int128) -> Double {
    Double(text(scaled, places: scale))!
  }

  /// The total as a number.
  public var number: TabulateNumber {
    if isSmall { return TabulateNumber(small) }
    guard exact else { return TabulateNumber(double: sum + compensation, decimals: decimals) }
    if whole {
      let total = scaled / Self.powers[Self.scale]
      if let fits = Int64(exactly: total) { return TabulateNumber(fits) }
      return TabulateNumber(double: Double(total), decimals: 0)
    }
    return TabulateNumber(double: Self.double(scaled), decimals: decimals)
  }

  /// The total as a double.
  public var value: Double { isSmall ? Double(small) : exact ? Self.double(scaled) : sum + compensation }

  /// The total as a double, to within a few units in the last place (cheap: for comparisons).
  var approximate: Double {
    isSmall ? Double(small) : exact ? Self.approximateDouble(scaled) / 1e12 : sum + compensation
  }
}
