/// Flags email addresses.
struct EmailAddressRule: FieldRule {
  static let description = RuleDescription(
    code: "I003", name: "email-address",
    summary: "An email address identifies a person directly.",
    rationale: """
      ## What it checks
      Every field (column names, labels and values) that holds an `@` is searched for an email
      address: a local part of letters, digits and `. _ % + - ' !#$&*/=?^{|}~`, then `@`, then a
      domain of at least two dot-separated labels of letters, digits and hyphens, the last of two
      or more letters (`jane.doe@nhs.net`). An `@` without such a domain (`rate@30d`, `n@risk`)
      passes. Fields without an `@` are not examined further. The finding never quotes the address.

      ## Why it is a disclosure risk
      An email address names a person (or a role that a few people hold) and has no place in a
      statistical output.

      ## References
      RFC 5322 §3.4.1 (addr-spec, simplified).
      """,
    fix: "remove the email address from the output",
    examples: [
      Example("an @ without a domain", "measure,count\nrate@30d,12"),
      Example("an email address as a label", "contact,count\n↓jane.doe@nhs.net,12"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)? {
    guard field.bytes.count >= 6 else { return nil }
    let found = IdentifierScanning.withBytes(field.bytes) { buffer in
      IdentifierScanning.contains(buffer, UInt8(ascii: "@")) && Self.containsEmail(buffer)
    }
    return found ? (.fail, "an email address") : nil
  }

  private static func isLocal(_ byte: UInt8) -> Bool {
    if IdentifierScanning.isAlphanumeric(byte) { return true }
    switch byte {
    case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-"),
      UInt8(ascii: "'"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "&"),
      UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"),
      UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
      return true
    default: return false
    }
  }

  /// Whether the bytes hold an email address.
  static func containsEmail(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = buffer.count
    for at in 0..<n where buffer[at] == UInt8(ascii: "@") {
      // A local part: at least one allowed character just before.
      guard at > 0, isLocal(buffer[at - 1]), buffer[at - 1] != UInt8(ascii: ".") else { continue }
      // A domain: labels of letters, digits and hyphens separated by dots; two labels or more, the
      // last of two or more letters.
      var i = at + 1
      var labels = 0
      var lastLabelLetters = true
      var lastLabelLength = 0
      while i < n {
        let labelStart = i
        var letters = true
        while i < n && (IdentifierScanning.isAlphanumeric(buffer[i]) || buffer[i] == UInt8(ascii: "-")) {
          if !IdentifierScanning.isLetter(buffer[i]) { letters = false }
          i += 1
        }
        let length = i - labelStart
        guard length > 0 else { break }
        labels += 1
        lastLabelLetters = letters
        lastLabelLength = length
        // Continue past a dot only if another label follows.
        if i + 1 < n && buffer[i] == UInt8(ascii: ".") && IdentifierScanning.isAlphanumeric(buffer[i + 1]) {
          i += 1
        } else {
          break
        }
      }
      if labels >= 2 && lastLabelLetters && lastLabelLength >= 2 { return true }
    }
    return false
  }
}
