/// Flags counts that do not follow the pack's rounding scheme (a base, or midpoint-6).
struct RoundingRule: CellRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let scheme = RuleParameter<String>(
    "scheme", default: "none", "none, base or midpoint6", choices: ["none", "base", "midpoint6"])
  static let base = RuleParameter<Int>(
    "base", default: 5, "the rounding base for scheme base", range: 2...1_000_000)

  static let description = RuleDescription(
    code: "C005", name: "rounding",
    summary: "Counts must follow the pack's rounding scheme.",
    rationale: """
      ## What it checks
      With `scheme: base`, every published count must be a multiple of `base` (OpenSAFELY and NHS
      Digital round to 5). With `scheme: midpoint6`, every non-zero count must be 6k − 3 (3, 9,
      15, ...), the midpoint of its band of six (OpenSAFELY, for rates and survival tables). Zero
      stays zero. With `scheme: none` the rule checks nothing.

      ## Why it is a disclosure risk
      Unrounded counts can be subtracted from other releases or from margins to recover small
      cells; rounding every count blurs the differences (OpenSAFELY: "your results might be
      combined with other results").

      ## References
      OpenSAFELY output-checking guidance (`docs/outputs/sdc.md`): redact ≤ 7, then round to the
      nearest 5; midpoint-6 rounding. NHS Digital sub-national HES rules.
      """,
    fix: "round every count to the pack's scheme (and recompute totals from the rounded cells)",
    parameters: [
      RoundingRule.scheme.spec,
      RoundingRule.base.spec,
    ],
    examples: [
      Example("multiples of 5 pass", "region,count\nNorth,15\nSouth,40", parameters: ["scheme": .string("base")]),
      Example("an unrounded count fails", "region,count\nNorth,↓13\nSouth,40", parameters: ["scheme": .string("base")]),
      Example("midpoint-6 values pass", "week,count\n1,9\n2,15\n3,0", parameters: ["scheme": .string("midpoint6")]),
      Example(
        "a multiple of 6 is not a midpoint", "week,count\n1,↓12\n2,15", parameters: ["scheme": .string("midpoint6")]),
    ])

  let scheme: String
  let base: Int

  init(parameters: RuleParameters, pack: RulePack) {
    scheme = parameters[Self.scheme]
    base = parameters[Self.base]
  }

  func judge(_ cell: CellFacts) -> Outcome? {
    guard scheme != "none", cell.measure.role == .count, case .number(let value) = cell.value,
      value == value.rounded(), value > 0
    else { return nil }
    // The remainder of the float itself: a hostile count past Int's range must not trap.
    let compliant =
      scheme == "base"
      ? value.truncatingRemainder(dividingBy: Double(base)) == 0 : (value + 3).truncatingRemainder(dividingBy: 6) == 0
    return compliant ? nil : .fail
  }

  func explain(_ cell: CellFacts) -> (reason: String, fix: String?) {
    let expected = scheme == "base" ? "a multiple of \(base)" : "a midpoint-6 value (3, 9, 15, ...)"
    return (
      "count \(formatNumber(cell.value.number ?? 0)) is not \(expected)",
      scheme == "base"
        ? "round every count to the nearest \(base) and recompute totals from the rounded cells"
        : "apply midpoint-6 rounding: ceil(x / 6) × 6 − 3 for every non-zero count"
    )
  }
}
