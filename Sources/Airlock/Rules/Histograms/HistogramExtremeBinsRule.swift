import Foundation

/// Asks for review of the outer edges of a histogram, which may be the minimum and maximum.
struct HistogramExtremeBinsRule: TableRule {
  static let description = RuleDescription(
    code: "H002", name: "histogram-extreme-bins",
    summary: "The outer edges of a histogram may publish the minimum and maximum values.",
    rationale: """
      ## What it checks
      In each histogram (one per combination of labels when the output has label columns), the
      bins are ordered by their lower edge, and the first and last **non-empty** bins are found
      (a withheld count may be non-empty). The lower edge of the first and the upper edge of the
      last (its lower edge when there is no upper-edge column) need **review**, unless the
      manifest declares them design limits:

      - `design_limits: true`: every edge was fixed before the data were seen (a design grid such
        as ages 0, 5, ..., 120): nothing is flagged, unless a non-empty outer bin's edge is
        written more finely than the narrowest bin's width (`14.37` on a grid of `3.56`): such an
        edge is where the data start, as numpy's and R's default bins are, and the declaration is
        contradicted (**review**). So is an outer edge equal to the observed minimum or maximum
        the evidence sidecar gives (`min`, `max`), however round.
      - `design_limits: {lower: 0, upper: 120}`: the histogram's outermost edges (empty bins
        included) must be these limits; a side whose outermost edge is not its declared limit is
        flagged, saying so. A side without a limit is treated as undeclared. A declared limit
        equal to a non-empty outer bin's finely written edge is contradicted, as above.

      Design limits are a claim: the manifest must give a reason (`design_limits_reason:`, or
      `reason:` inside the mapping), and a checker approving the output accepts the claim by name.

      An edge that is not a number cannot be ordered and needs review too, as does a histogram
      without a count column. Review, not fail: an edge may be a round number chosen in
      advance or the exact value of one person, and only a person can tell (the manifest records
      the answer).

      ## Why it is a disclosure risk
      Most histogram functions (`numpy.histogram`, R `hist`, Stata) take the data's range by
      default, so the first edge is the smallest value observed and the last the largest: one
      person's exact value (the "Endpoints" risk of min and max, which fail by default).

      ## References
      Common output-checking guidance for histograms (end bins reveal the minimum and maximum,
      which fail by default except design limits); ACRO 1.0.2's note "Please check extreme bin
      edges are not disclosive"; OpenSAFELY (redact min/max except broad design limits).
      """,
    fix:
      "set the bin edges in advance (a fixed grid, with open-ended outer bins such as '< 20' and '≥ 80') and declare them with design_limits in the manifest",
    examples: [
      Example(
        "declared design limits pass", "bin_lo,bin_hi,count\n0,40,12\n40,80,40\n80,120,15",
        manifest: "kind: histogram\ndesign_limits: {lower: 0, upper: 120, reason: ages 0 to 120 in the protocol}\n"),
      Example(
        "a grid fixed in advance passes", "bin_lo,bin_hi,count\n10,20,12\n20,30,40",
        manifest: "design_limits: true\ndesign_limits_reason: a grid of decades set in the protocol\n"),
      Example(
        "design limits contradicted by edges taken from the data need review",
        "bin_lo,bin_hi,count\n↓14.37,17.93,12\n17.93,21.49,40\n21.49,↓25.05,15",
        manifest: "design_limits: true\ndesign_limits_reason: fixed in advance\n", outcome: .review),
      Example(
        "edges taken from the data need review", "bin_lo,bin_hi,count\n↓14.37,20,12\n20,30,40\n30,↓41.92,15",
        outcome: .review),
      Example(
        "empty outer bins are not the extremes",
        "bin_lo,bin_hi,count\n0,10,0\n↓10,20,12\n20,↓30,40\n30,40,0", outcome: .review),
    ])

  let enabled: Bool

  init(parameters: RuleParameters, pack: RulePack) { enabled = parameters.isEnabled }

  static let lowerNames: Set<String> = ["bin_lo", "bin_start", "bin_lower"]
  static let upperNames: Set<String> = ["bin_hi", "bin_end", "bin_upper"]

  /// The bins' narrowest positive width (1 when there is none): the finest step of the grid.
  static func typicalWidth(_ widths: [Double]) -> Double {
    widths.filter { $0 > 0 && $0.isFinite }.min() ?? 1
  }

  /// Whether `edge` is a whole multiple of the power of ten at or below `width` (20 on a grid of
  /// 20s, 18 on a grid of 7s, 0.5 on a grid of 0.5s), as edges chosen in advance are; 14.37 on a
  /// grid of 3.56 is not.
  static func isRound(_ edge: Double, width: Double) -> Bool {
    guard width > 0, width.isFinite, edge.isFinite else { return false }
    let unit = pow(10, (log10(width)).rounded(.down))
    let multiple = edge / unit
    return abs(multiple - multiple.rounded()) < 1e-6
  }

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    schema.kind == .histogram && schema.roles[column] == .other
      && NamingConventions.histogramNames.contains(NamingConventions.normalized(schema.header[column]))
  }

  static let kinds: Set<OutputKind> = [.histogram]

  func check(_ table: Table, into sink: inout FindingSink) {
    guard table.kind == .histogram else { return }
    let names = table.measures.map { NamingConventions.normalized($0.name) }
    guard
      let lower = names.firstIndex(where: Self.lowerNames.contains) ?? names.firstIndex(where: Self.upperNames.contains)
    else { return }
    let upper = names.firstIndex(where: Self.upperNames.contains) ?? lower
    guard let count = table.measures.firstIndex(where: { $0.role == .count }) else {
      sink.add(
        finding(
          .review, file: table.file,
          reason:
            "a histogram without a count column: its bins cannot be checked (declare the count column in the manifest)")
      )
      return
    }
    let declaration = try? OutputDeclaration.find(for: table.file)
    let limits = declaration?.designLimits
    let allDeclared = limits == .all
    var declaredLower: Double?
    var declaredUpper: Double?
    if case .bounds(let l, let u) = limits { (declaredLower, declaredUpper) = (l, u) }

    // One histogram per combination of labels.
    var groups: [GroupKey: [Int]] = [:]
    var order: [GroupKey] = []
    for cell in 0..<table.cellCount {
      var key = GroupKey()
      for d in table.dimensions.indices { key.append(table.keys[d][cell]) }
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(cell)
    }
    for key in order {
      let cells = groups[key]!
      var bins: [(cell: Int, lo: Double, hi: Double)] = []
      var unordered: Int?
      for cell in cells {
        guard case .number(let lo) = table.values[lower][cell], case .number(let hi) = table.values[upper][cell] else {
          unordered = cell
          break
        }
        bins.append((cell, lo, hi))
      }
      if let cell = unordered {
        let measure = table.values[lower][cell].number == nil ? lower : upper
        sink.add(
          finding(
            .review, table: table, cell: cell, measure: measure,
            reason: "a bin edge that is not a number: the bins cannot be ordered to find the extremes"))
        continue
      }
      bins.sort { $0.lo < $1.lo }
      let nonEmpty = bins.filter { table.values[count][$0.cell].number != 0 }
      guard let first = nonEmpty.first, let last = nonEmpty.last, let outerLo = bins.first?.lo,
        let outerHi = bins.last?.hi
      else { continue }
      // A declared limit is a claim, checked against the bins: an outer bin that holds people and
      // whose edge is written more finely than the grid (14.37 on a grid of 3.56) starts where the
      // data start, as numpy's and R's default bins do, and no design fixes that in advance.
      // The evidence, when it gives the histogram's observed minimum and maximum, says outright
      // whether a declared edge is an observed value.
      let width = Self.typicalWidth(bins.map { $0.hi - $0.lo })
      let observed = table.sidecarEvidence?.values(forCell: bins[0].cell, in: table)
      if allDeclared || declaredLower != nil || declaredUpper != nil {
        for (side, edge, bin, measure) in [
          ("lower", outerLo, bins.first!, lower), ("upper", outerHi, bins.last!, upper),
        ]
        where allDeclared || (side == "lower" ? declaredLower : declaredUpper) == edge {
          let extreme = side == "lower" ? "smallest" : "largest"
          if let value = observed?[side == "lower" ? "min" : "max"], value == edge {
            sink.add(
              finding(
                .review, table: table, cell: bin.cell, measure: measure,
                reason:
                  "the manifest declares design limits, but the \(side) edge \(formatNumber(edge)) is the \(extreme) value observed (the evidence's \(side == "lower" ? "min" : "max")): the limit is the data's, which contradicts the declaration"
              ))
          } else if table.values[count][bin.cell].number != 0 && !Self.isRound(edge, width: width) {
            sink.add(
              finding(
                .review, table: table, cell: bin.cell, measure: measure,
                reason:
                  "the manifest declares design limits, but the \(side) edge \(formatNumber(edge)) of a non-empty outer bin is written more finely than the narrowest bin's width \(formatNumber(width)): it reads as the \(extreme) value observed, which contradicts the declaration"
              ))
          }
        }
        if allDeclared { continue }
      }
      if let declaredLower, outerLo == declaredLower {
        // The grid starts at the declared limit.
      } else {
        let note =
          declaredLower.map {
            "the lowest edge \(formatNumber(outerLo)) is not the declared design limit \(formatNumber($0))"
          }
          ?? "the lower edge of the first non-empty bin may be the smallest value observed"
        sink.add(
          finding(
            .review, table: table, cell: first.cell, measure: lower,
            reason: "\(note): declare design_limits if it was fixed in advance"))
      }
      if let declaredUpper, outerHi == declaredUpper {
        // The grid ends at the declared limit.
      } else {
        let note =
          declaredUpper.map {
            "the highest edge \(formatNumber(outerHi)) is not the declared design limit \(formatNumber($0))"
          }
          ?? "the upper edge of the last non-empty bin may be the largest value observed"
        sink.add(
          finding(
            .review, table: table, cell: last.cell, measure: upper,
            reason: "\(note): declare design_limits if it was fixed in advance"))
      }
    }
  }
}
