/// Flags full UK postcodes (outward and inward code), which locate a handful of addresses.
struct PostcodeRule: FieldRule {
  static let description = RuleDescription(
    code: "I002", name: "full-postcode",
    summary: "A full UK postcode locates a few households and can identify a person.",
    rationale: """
      ## What it checks
      Every field (column names, labels and values) for a full UK postcode: an outward code (`A9`,
      `A99`, `AA9`, `AA99`, `A9A` or `AA9A`, with the Royal Mail letter rules: no Q, V or X
      first, no I, J or Z second) followed by an inward code (a digit and two letters other than
      C, I, K, M, O and V), with one space between them or none, standing alone (no letter or
      digit just before or after). `GIR 0AA` counts too. Examples: `SW1A 1AA`, `E1 6AN`,
      `M11AE`. A district or sector alone (`SW1A`, `SW1A 1`) is not a full postcode and passes:
      it covers thousands of addresses.

      Postcodes are matched in capitals or in small letters, but not in mixed case, and in
      small letters a run ending in an ordinal (`q1 2nd`, `h1 3rd`) is read as text. Without
      a space only capitals count (`E11AA`; `e11aa` could be anything). Only positions with a
      digit followed by two letters are examined, so most fields cost one pass over their bytes.
      The fixed-width forms of the ONS Postcode Directory count too: `PCD7` pads the outward code
      to four characters (`M1  1AE`, `SW1A1AA`) and `PCD8` puts a space after it (`M1   1AE`,
      `SW1A 1AA`), so up to three spaces in capitals.
      The finding never quotes the postcode.

      ## Why it is a disclosure risk
      A full postcode covers about 15 addresses on average (often one large building or a single
      farm): with an age or a sex it singles out a person. Outputs are released at district,
      LSOA or coarser level.

      ## References
      ONS Postcode Directory user guide (postcode units, average 15 addresses); Royal Mail
      postcode format (BS 7666).
      """,
    fix:
      "remove the postcode, or aggregate to the postcode district or a statistical geography (LSOA, MSOA, local authority)",
    examples: [
      Example("postcode districts are not full postcodes", "district,count\nSW1A,12\nE1,40\nM1,25"),
      Example("a full postcode as a label", "postcode,count\n↓SW1A 1AA,12\nE1,40"),
      Example("a postcode inside an address", "address,count\n\"↓10 Downing Street, London SW1A 2AA\",12"),
      Example("PCD7 and PCD8 fixed-width forms", "pcd,count\n↓M1  1AE,12\n↓M1   1AE,14\n↓SW1A1AA,16"),
      Example("a sector and a district in a fixed-width column", "pcds,count\nM1  1,12\nM1,14"),
    ])

  init(parameters: RuleParameters, pack: RulePack) {}

  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)? {
    guard field.bytes.count >= 5 else { return nil }
    return IdentifierScanning.withBytes(field.bytes, Self.containsPostcode) ? (.fail, "a full UK postcode") : nil
  }

  private static func letterIn(_ byte: UInt8, _ allowed: StaticString) -> Bool {
    let upper = byte & ~0x20
    return allowed.withUTF8Buffer { $0.contains(upper) }
  }

  /// Whether the bytes hold a full UK postcode.
  static func containsPostcode(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = buffer.count
    guard n >= 5 else { return false }
    // Anchor on the inward code: a digit and two letters, then the end or a non-alphanumeric.
    var j = 1
    while j + 2 < n {
      let d = buffer[j]
      guard IdentifierScanning.isDigit(d), IdentifierScanning.isLetter(buffer[j + 1]),
        IdentifierScanning.isLetter(buffer[j + 2]),
        j + 3 == n || !IdentifierScanning.isAlphanumeric(buffer[j + 3])
      else {
        j += 1
        continue
      }
      if matchOutward(buffer, inwardAt: j) { return true }
      j += 1
    }
    return false
  }

  private static let inwardLetters: StaticString = "ABDEFGHJLNPQRSTUWXYZ"

  /// Whether an outward code (and a valid inward code) ends just before the inward code at `j`.
  private static func matchOutward(_ buffer: UnsafeBufferPointer<UInt8>, inwardAt j: Int) -> Bool {
    guard letterIn(buffer[j + 1], inwardLetters), letterIn(buffer[j + 2], inwardLetters) else { return false }
    // Fixed-width forms pad the outward code with spaces: PCD7 (`M1  1AE`, 7 characters) and PCD8
    // (`M1   1AE`, 8), so up to three spaces, in capitals only.
    var spaces = 0
    while spaces < 3 && j - spaces - 1 >= 0 && buffer[j - spaces - 1] == UInt8(ascii: " ") { spaces += 1 }
    let spaced = spaces > 0
    let outwardEnd = j - spaces
    let inwardUpper = IdentifierScanning.isUpper(buffer[j + 1]) && IdentifierScanning.isUpper(buffer[j + 2])
    let inwardLower = !IdentifierScanning.isUpper(buffer[j + 1]) && !IdentifierScanning.isUpper(buffer[j + 2])
    guard inwardUpper || inwardLower else { return false }
    if (!spaced || spaces > 1) && !inwardUpper { return false }
    if inwardLower {
      let a = buffer[j + 1]
      let b = buffer[j + 2]
      let ordinal =
        (a == UInt8(ascii: "s") && b == UInt8(ascii: "t")) || (a == UInt8(ascii: "n") && b == UInt8(ascii: "d"))
        || (a == UInt8(ascii: "r") && b == UInt8(ascii: "d")) || (a == UInt8(ascii: "t") && b == UInt8(ascii: "h"))
      if ordinal { return false }
    }
    // GIR 0AA.
    if spaced && outwardEnd >= 3 && buffer[j] == UInt8(ascii: "0") {
      let g = buffer[outwardEnd - 3]
      let i = buffer[outwardEnd - 2]
      let r = buffer[outwardEnd - 1]
      if g & ~0x20 == UInt8(ascii: "G") && i & ~0x20 == UInt8(ascii: "I") && r & ~0x20 == UInt8(ascii: "R")
        && (outwardEnd == 3 || !IdentifierScanning.isAlphanumeric(buffer[outwardEnd - 4]))
      {
        return true
      }
    }
    for length in 2...4 where outwardEnd >= length {
      let start = outwardEnd - length
      if start > 0 && IdentifierScanning.isAlphanumeric(buffer[start - 1]) { continue }
      let code = UnsafeBufferPointer(rebasing: buffer[start..<outwardEnd])
      // Same case as the inward code.
      var sameCase = true
      for byte in code where IdentifierScanning.isLetter(byte) && IdentifierScanning.isUpper(byte) != inwardUpper {
        sameCase = false
      }
      if sameCase && isOutwardCode(code) { return true }
    }
    return false
  }

  /// A9, A99, AA9, AA99, A9A, AA9A with the Royal Mail letter rules.
  private static func isOutwardCode(_ code: UnsafeBufferPointer<UInt8>) -> Bool {
    let letter = IdentifierScanning.isLetter
    let digit = IdentifierScanning.isDigit
    guard let first = code.first, letter(first), !letterIn(first, "QVX") else { return false }
    switch code.count {
    case 2: return digit(code[1])
    case 3:
      if digit(code[1]) && digit(code[2]) { return true }  // A99
      if letter(code[1]) && digit(code[2]) { return !letterIn(code[1], "IJZ") }  // AA9
      if digit(code[1]) && letter(code[2]) { return letterIn(code[2], "ABCDEFGHJKPSTUW") }  // A9A
      return false
    case 4:
      guard letter(code[1]), !letterIn(code[1], "IJZ"), digit(code[2]) else { return false }
      if digit(code[3]) { return true }  // AA99
      return letter(code[3]) && letterIn(code[3], "ABEHMNPRVWXY")  // AA9A
    default: return false
    }
  }
}
