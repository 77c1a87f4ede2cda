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

  /// A whole number.
  public init(_ value: Int64) {
    integer = value
    isInteger = true
    double = Double(value)
    decimals = 0
  }

  init(double: Double, decimals: Int) {
    integer = 0
    isInteger = false
    self.double = double
    self.decimals = decimals
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
    return TabulateNumber(double: double * other.double, decimals: min(12, decimals + other.decimals))
  }

  /// The absolute value.
  public var magnitude: TabulateNumber {
    if isInteger, integer != .min { return TabulateNumber(Swift.abs(integer)) }
    return TabulateNumber(double: Swift.abs(double), decimals: decimals)
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

/// A sum that is exact for whole numbers (64-bit, until it would overflow) and compensated
/// (Neumaier) otherwise, printed to the most decimals any of its terms was written with, so that
/// the published sum and the evidence agree to the printed digit.
public struct ExactSum: Sendable, Equatable {
  private var integer: Int64 = 0
  private var isInteger = true
  private var sum = 0.0
  private var compensation = 0.0
  private var decimals = 0

  /// An empty sum (0).
  public init() {}

  /// Adds `number`.
  public mutating func add(_ number: TabulateNumber) {
    if isInteger {
      if number.isInteger {
        let (result, overflow) = integer.addingReportingOverflow(number.integer)
        if overflow { isInteger = false } else { integer = result }
      } else {
        isInteger = false
      }
    }
    let value = number.double
    let t = sum + value
    compensation += Swift.abs(sum) >= Swift.abs(value) ? (sum - t) + value : (value - t) + sum
    sum = t
    decimals = max(decimals, number.decimals)
  }

  /// The total as a number.
  public var number: TabulateNumber {
    isInteger ? TabulateNumber(integer) : TabulateNumber(double: sum + compensation, decimals: decimals)
  }

  /// The total as a double.
  public var value: Double { number.double }
}
