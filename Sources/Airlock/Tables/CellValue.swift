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
