extension String {
  /// Whether the string holds a control character (C0, DEL or C1): a file name with one could
  /// forge lines of a report or a terminal's colours, so airlock refuses such names.
  public var containsControlCharacter: Bool {
    unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
  }

  /// The string with control characters escaped (`\n`, `\u{1B}`), for reports and messages.
  public var escapingControlCharacters: String {
    guard containsControlCharacter else { return self }
    var out = ""
    for scalar in unicodeScalars {
      switch scalar.value {
      case 0x0A: out += "\\n"
      case 0x0D: out += "\\r"
      case 0x09: out += "\\t"
      case 0..<0x20, 0x7F...0x9F: out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
