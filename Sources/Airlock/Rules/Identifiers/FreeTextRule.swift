/// Flags long free text, which can quote a record.
struct FreeTextRule: FieldRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let maxLength = RuleParameter<Int>(
    "max_length", default: 200, "the longest field (in characters) that passes", range: 1...1_000_000)
  static let maxWords = RuleParameter<Int>(
    "max_words", default: 30, "the most words a field may have", range: 1...100_000)

  static let description = RuleDescription(
    code: "I005", name: "free-text",
    summary: "Long free text can quote a patient's record.",
    rationale: """
      ## What it checks
      Every field (column names, labels and values) longer than `max_length` characters (Unicode
      characters, not bytes), or with more than `max_words` words (runs of characters between
      spaces that hold a letter), fails. Category labels are short: the longest ICD-10 chapter
      title has 12 words and 90 characters. Fields shorter than both limits are dismissed by their
      byte count alone. The finding gives the length, never the text.

      ## Why it is a disclosure risk
      Free text (clinical notes, comments, addresses) is not a statistic: it can quote a record,
      name a person, a place or a rare event, and no cell rule can judge it.

      ## References
      DataSHIELD `nfilter.string` (80) and `nfilter.stringShort` (20) limit the length of strings
      passed to the server; SDAP *Handbook on SDC for Outputs* (free text is not a safe output
      type).
      """,
    fix: "remove the free text, or replace it with a short coded category",
    parameters: [
      FreeTextRule.maxLength.spec,
      FreeTextRule.maxWords.spec,
    ],
    examples: [
      Example(
        "category labels pass",
        "diagnosis,count\nDiseases of the circulatory system (I00-I99),120\nNeoplasms (C00-D48),85"),
      Example(
        "a sentence of more than 30 words fails",
        "comment,count\n↓\(String(repeating: "the patient was seen again ", count: 7)),12"),
      Example(
        "a field longer than the limit fails", "code,count\n↓\(String(repeating: "x", count: 21)),12",
        parameters: ["max_length": .integer(20)]),
    ])

  let maxLength: Int
  let maxWords: Int

  init(parameters: RuleParameters, pack: RulePack) {
    maxLength = parameters[Self.maxLength]
    maxWords = parameters[Self.maxWords]
  }

  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)? {
    let byteCount = field.bytes.count
    // Fewer bytes than the limit means fewer characters; more than `maxWords` words need at least
    // 2 × maxWords + 1 bytes.
    guard byteCount > maxLength || byteCount > 2 * maxWords else { return nil }
    let (characters, words) = IdentifierScanning.withBytes(field.bytes, Self.measure)
    if characters > maxLength { return (.fail, "free text of \(characters) characters (more than \(maxLength))") }
    if words > maxWords { return (.fail, "free text of \(words) words (more than \(maxWords))") }
    return nil
  }

  /// The number of Unicode characters and of words (space-separated runs holding a letter).
  static func measure(_ buffer: UnsafeBufferPointer<UInt8>) -> (characters: Int, words: Int) {
    var characters = 0
    var words = 0
    var inWord = false
    var wordHasLetter = false
    for byte in buffer {
      if byte & 0xC0 != 0x80 { characters += 1 }
      let space = byte == 32 || byte == 9 || byte == 10 || byte == 13
      if space {
        if inWord && wordHasLetter { words += 1 }
        inWord = false
        wordHasLetter = false
      } else {
        inWord = true
        if IdentifierScanning.isLetter(byte) || byte >= 0xC0 { wordHasLetter = true }
      }
    }
    if inWord && wordHasLetter { words += 1 }
    return (characters, words)
  }
}
