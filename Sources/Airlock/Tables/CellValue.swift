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
    var text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
    if let marker = lookup[text.lowercased()] { return .withheld(marker: marker) }
    if text.hasPrefix("+") { text.removeFirst() }
    if let value = Double(text), value.isFinite, !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) {
      return .number(value)
    }
    return .text
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
