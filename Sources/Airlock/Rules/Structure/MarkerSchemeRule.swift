/// Flags suppression schemes that tell small counts from zeros, or mix markers.
struct MarkerSchemeRule: TableRule {
  static let description = RuleDescription(
    code: "C006", name: "marker-scheme",
    summary: "Withheld cells must share one marker that does not tell small counts from zeros.",
    rationale: """
      ## What it checks
      The suppression markers a table uses. It fails a table that marks zeros one way and small
      counts another (`-` beside `<10`), and asks for review when a table mixes markers (`*` beside
      `c`), since each marker must then mean something different.

      ## Why it is a disclosure risk
      Zeros need ambiguity: a scheme in which a reader can tell "none" from "a few" reveals which
      cells are sampling zeros, and a mix of markers can encode what the cells hold. ONS: "'<10' but
      zeros with '-' would not be acceptable".

      ## References
      Hundepool et al. (2024) ch. 5; ONS SRS output rules.
      """,
    fix: "use one opaque marker (such as `*`) for every withheld cell, zeros included",
    examples: [
      Example("one marker passes", "region,count\nNorth,*\nSouth,40\nEast,*\nWest,33"),
      Example(
        "zeros told from small counts", "region,count\nNorth,-\nSouth,40\nEast,<10\nWest,33", outputFinding: true),
      Example(
        "two opaque markers need review", "region,count\nNorth,*\nSouth,40\nEast,c\nWest,33", outcome: .review,
        outputFinding: true),
    ])

  let markers: [String]
  let zeroMarkers: Set<Int>

  init(parameters: RuleParameters, pack: RulePack) {
    markers = pack.markers
    zeroMarkers = Set(pack.zeroMarkers.compactMap { pack.markers.firstIndex(of: $0) })
  }

  func check(_ table: Table, into sink: inout FindingSink) {
    // The empty marker (an empty cell) is left out: it is how many tools write a suppressed cell.
    let used = table.markerUse.keys.filter { !markers[$0].isEmpty }.sorted()
    guard used.count >= 2 else { return }
    let names = used.map { "'\(markers[$0])'" }.joined(separator: ", ")
    let zero = used.filter { zeroMarkers.contains($0) }
    let small = used.filter { ValueParser.impliedRange(of: markers[$0]).map { $0.lowerBound >= 1 } ?? false }
    if !zero.isEmpty && !small.isEmpty {
      sink.add(
        finding(
          .fail, file: table.file,
          reason:
            "the table marks zeros ('\(markers[zero[0]])') apart from small counts ('\(markers[small[0]])'), so a reader can tell which withheld cells are zero"
        ))
    } else {
      sink.add(
        finding(
          .review, file: table.file,
          reason:
            "the table uses several suppression markers (\(names)); a person must confirm they do not encode different values"
        ))
    }
  }
}
