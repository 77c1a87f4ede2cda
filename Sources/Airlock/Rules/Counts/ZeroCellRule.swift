/// Flags zeros that are not declared structural: they disclose that no one in a group has an attribute.
struct ZeroCellRule: CellRule {
  static let description = RuleDescription(
    code: "C002", name: "zero-cell",
    summary: "A zero that is not structural discloses that nobody in a group has an attribute.",
    rationale: """
      ## What it checks
      A published count of 0 (or a marker the pack says means zero, such as `-`) fails unless the
      output declares it structural: in its manifest (`structural_zeros`) or in a
      `structural_zero` column. A structural zero is one that cannot be otherwise (men giving birth).

      ## Why it is a disclosure risk
      A sampling zero is group (class) disclosure: everyone known to be in the row is known not to
      have the column's attribute. Suppression cannot protect zeros; only declaring them structural,
      combining categories or perturbation can. ONS SRS: "Unweighted counts of zero, excepting
      structural zeros, must be suppressed".

      ## References
      Hundepool et al. (2024) ch. 5; ACRO `zeros_are_disclosive`; ONS SRS output rules.
      """,
    fix: "declare the zero structural in the manifest if it cannot be otherwise, or combine categories",
    examples: [
      Example("no zeros", "region,count\nNorth,12\nSouth,40"),
      Example("a sampling zero fails", "region,count\nNorth,↓0\nSouth,40"),
      Example(
        "a declared structural zero passes", "sex,condition,count\nMale,pregnancy,0\nFemale,pregnancy,40",
        manifest: "structural_zeros:\n  - {sex: Male, condition: pregnancy}\n"),
      Example("a zero marker publishes a zero", "region,count\nNorth,↓-\nSouth,40"),
    ])

  let zeroMarkers: Set<Int>

  init(parameters: RuleParameters, pack: RulePack) {
    zeroMarkers = Set(pack.zeroMarkers.compactMap { marker in pack.markers.firstIndex(of: marker) })
  }

  func judge(_ cell: CellFacts) -> Outcome? {
    guard cell.measure.role == .count else { return nil }
    switch cell.value {
    case .number(let value): return value == 0 && !cell.isStructuralZero ? .fail : nil
    case .withheld(let marker): return zeroMarkers.contains(marker) ? .fail : nil
    case .text: return nil
    }
  }

  func explain(_ cell: CellFacts) -> (reason: String, fix: String?) {
    ("zero count that is not declared structural (class disclosure: nobody in this group has this attribute)", nil)
  }
}
