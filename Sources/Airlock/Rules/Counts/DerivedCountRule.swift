import Foundation

/// Applies the count rules to the counts that percentages, proportions and rates give back.
struct DerivedCountRule: TableRule {
  static let description = RuleDescription(
    code: "C011", name: "derived-count",
    summary: "A percentage or rate gives its count back: that count must meet the count rules.",
    rationale: """
      ## What it checks
      A percentage, proportion or rate is a count divided by a denominator, printed to some
      digits: `2.0` stands for anything from 1.95 to 2.05. airlock finds each one's denominator
      (declared in the manifest with `denominators:`; found from the numbers, as the share of a
      count column within the table's total or within each category of a dimension; a column
      named as a denominator such as `population` or `person_years`) and works out every count
      consistent with the printed value. Those counts get the pack's count rules:

      - below the threshold ("2.0% of 150 is 3, below the threshold of 10"), and the people left
        outside a share near 100%;
      - a zero (`0%` of a group) when zeros are disclosive;
      - everyone in the group (`100%`: class disclosure);
      - in a pack that rounds, a percentage computed from the counts before rounding gives back
        what the rounding hid;
      - with the counts of the other rows, percentages give the total of a group whose total is
        not published, and with it the group's withheld cells.

      When airlock cannot tell what a percentage is of, it tries each count column as the
      denominator, and a finding not every reading makes is `review`: declare the denominator
      (`denominators: {pct: population}`, or `total`, or a dimension for shares within its
      categories). Rates use the multiplier their name states (`rate_per_100k`, `deaths_per_10k`) or
      the manifest's `multipliers:`.

      ## Why it is a disclosure risk
      OpenSAFELY reports statistics computed from unrounded or unredacted counts as the cause of
      about half of its output-checking rejections. A percentage of a known group is that count.

      ## References
      OpenSAFELY output checking; ONS SRS (percentages and rates are treated as their counts);
      Hundepool et al. (2024) ch. 4.
      """,
    fix:
      "publish the percentage only where its count may be published: withhold it with the count, combine categories, or compute it from the rounded counts",
    examples: [
      Example(
        "shares of the table's total, with counts that pass",
        "region,n,percent\nNorth,20,40.0\nSouth,30,60.0\nTotal,50,100.0"),
      Example(
        "2.0% of a group of 150 is 3", "age_band,population,pct_diabetic\n0-15,150,↓2.0\n16-64,900,12.0\n65+,400,20.0"),
      Example(
        "a rate per 10,000 of a population", "region,population,deaths_per_10k\nNorth,15000,↓2.0\nSouth,40000,3.1"),
      Example("0% of a group is a zero", "practice,list_size,pct_vaccinated\nA,120,↓0.0\nB,300,45.0"),
      Example("100% of a group is everyone in it", "practice,list_size,pct_vaccinated\nA,120,↓100.0\nB,300,45.0"),
      Example(
        "with the other rows' counts, percentages give a withheld count back",
        "region,n,percent\nNorth,*,*\nSouth,60,↓60.0\nWest,36,36.0"),
      Example(
        "a denominator airlock cannot confirm: review", "group,n,pct\nA,150,↓2.0",
        outcome: .review),
    ])

  let counts: CountRules
  var threshold: CountThreshold { counts.threshold }
  var thresholdApplies: Bool { counts.thresholdApplies }
  var countUncertainty: Double { counts.countUncertainty }
  var zerosDisclosive: Bool { counts.zerosDisclosive }
  var classDisclosive: Bool { counts.classDisclosive }

  init(parameters: RuleParameters, pack: RulePack) {
    counts = CountRules(pack: pack)
  }

  /// Summary tables publish a group's size beside the share of it with some attribute.
  static let kinds: Set<OutputKind> = [.frequency, .magnitude, .summary]

  static func covers(_ schema: TableSchema, column: Int) -> Bool {
    // The person-time beside a rate is read as its denominator.
    schema.roles[column] == .other && schema.roles.contains(.percentage)
      && NamingConventions.personTimeNames.contains(NamingConventions.normalized(schema.header[column]))
  }

  /// A finding about one cell, before readings are combined.
  struct Verdict {
    var cell: Int
    var measure: Int
    var outcome: Outcome
    var reason: String
  }

  func check(_ table: Table, into sink: inout FindingSink) {
    let derived = DerivedColumns(table: table, countUncertainty: countUncertainty)
    for (measure, reason) in derived.unresolved {
      sink.add(finding(.review, file: table.file, columnName: table.measures[measure].name, reason: reason))
    }
    for share in derived.shares {
      let perReading = share.readings.map { verdicts(share, $0, derived, table) }
      for verdict in combine(perReading, share: share, table: table) {
        report(
          verdict.outcome, table: table, cell: verdict.cell, measure: verdict.measure, into: &sink,
          reason: verdict.reason)
      }
    }
  }

  /// A settled reading's verdicts stand. When the denominator is not known, each count column
  /// was tried as the denominator: what any reading finds is `review`, naming the reading (the
  /// column may as well be the numerator, which gives nothing back).
  func combine(_ perReading: [[Verdict]], share: DerivedColumns.Share, table: Table) -> [Verdict] {
    guard share.readings.first?.basis == .unconfirmed else { return perReading.first ?? [] }
    var seen = Set<[Int]>()
    var result: [Verdict] = []
    let name = table.measures[share.measure].name
    for (reading, verdicts) in perReading.enumerated() {
      for var verdict in verdicts where seen.insert([verdict.cell, verdict.measure]).inserted {
        verdict.outcome = .review
        verdict.reason =
          "what '\(name)' is a share of is not known (declare it: denominators: {\(name): COLUMN}); if it is \(describe(share.readings[reading], table: table)): "
          + verdict.reason
        result.append(verdict)
      }
    }
    return result.sorted { ($0.cell, $0.measure) < ($1.cell, $1.measure) }
  }

  func describe(_ reading: DerivedColumns.Reading, table: Table) -> String {
    switch reading.denominator {
    case .column(let column, _):
      return "'\(table.measures[column].name)'" + (reading.scale == 100 ? "" : " (per \(formatNumber(reading.scale)))")
    case .group(let dimensions, let numerator):
      let within =
        dimensions.isEmpty
        ? "the table's total"
        : "each category of " + dimensions.map { "'\(table.dimensions[$0].name)'" }.joined(separator: " and ")
      return "'\(table.measures[numerator].name)' within \(within)"
    }
  }

  // MARK: One reading

  func verdicts(
    _ share: DerivedColumns.Share, _ reading: DerivedColumns.Reading, _ derived: DerivedColumns, _ table: Table
  ) -> [Verdict] {
    switch reading.denominator {
    case .column(let column, let numerator):
      return columnVerdicts(share, reading, denominator: column, numerator: numerator, table)
    case .group(let dimensions, let numerator):
      return groupVerdicts(share, reading, grouping: dimensions, numerator: numerator, derived, table)
    }
  }

  /// A share of a column of its own row: the count it gives back is judged, or checked against
  /// the published numerator.
  func columnVerdicts(
    _ share: DerivedColumns.Share, _ reading: DerivedColumns.Reading, denominator: Int, numerator: Int?, _ table: Table
  ) -> [Verdict] {
    var verdicts: [Verdict] = []
    let h = share.halfWidth
    let s = reading.scale
    let isPersonTime = NamingConventions.personTimeNames.contains(table.measures[denominator].normalizedName)
    let u = isPersonTime ? 0 : countUncertainty
    let shareName = table.measures[share.measure].name
    let denominatorName = table.measures[denominator].name
    for cell in 0..<table.cellCount where !table.structuralZeroCells.contains(cell) {
      guard case .number(let p) = table.values[share.measure][cell] else { continue }
      let printed = Self.printed(p, share.decimals, scale: s)
      switch table.values[denominator][cell] {
      case .withheld:
        if let numerator, case .number(let count) = table.values[numerator][cell], p > h {
          verdicts.append(
            Verdict(
              cell: cell, measure: share.measure, outcome: .fail,
              reason:
                "'\(shareName)' (\(printed)) and '\(table.measures[numerator].name)' (\(formatNumber(count))) give back the withheld '\(denominatorName)' (about \(formatNumber((count * s / p).rounded())))"
            ))
        }
        continue
      case .text: continue
      case .number(let total):
        guard total > 0 else { continue }
        var low = max(0, (p - h) * (total - u) / s)
        var high = (p + h) * (total + u) / s
        if (low - 1e-9).rounded(.up) > (high + 1e-9).rounded(.down) {
          // No whole count prints as this value to the column's digits: this value was printed
          // with fewer (R's write.csv drops trailing zeros, `7` for `7.0`). Read it to its own.
          let own = DerivedColumns.halfWidth(DerivedColumns.decimals(of: p))
          low = max(0, (p - own) * (total - u) / s)
          high = (p + own) * (total + u) / s
        }
        if !isPersonTime { high = min(high, total + u) }
        if let numerator {
          guard case .number(let count) = table.values[numerator][cell] else { continue }  // withheld: C007
          if let verdict = disagreement(
            cell: cell, share: share, count: count, low: low, high: high,
            expected: count * s / total, p: p,
            what: "\(printed) of \(formatNumber(total)) ('\(denominatorName)')",
            countName: table.measures[numerator].name)
          {
            verdicts.append(verdict)
          }
          continue
        }
        let of =
          isPersonTime
          ? "\(printed) of \(formatNumber(total)) person-time ('\(denominatorName)')"
          : "\(printed) of \(formatNumber(total)) ('\(denominatorName)')"
        if let (outcome, reason) = judge(low: low, high: high, total: isPersonTime ? nil : total, what: of) {
          verdicts.append(Verdict(cell: cell, measure: share.measure, outcome: outcome, reason: reason))
        }
      }
    }
    return verdicts
  }

  /// A share within a group, with its numerator published: checked against the published
  /// counts, and for a group whose total is not published, what it gives back about the
  /// group's withheld cells.
  func groupVerdicts(
    _ share: DerivedColumns.Share, _ reading: DerivedColumns.Reading, grouping: [Int], numerator: Int,
    _ derived: DerivedColumns, _ table: Table
  ) -> [Verdict] {
    var verdicts: [Verdict] = []
    let h = share.halfWidth
    let s = reading.scale
    let u = countUncertainty
    let countName = table.measures[numerator].name
    for group in DerivedColumns.groups(of: table, grouping: grouping) {
      let totalCell = DerivedColumns.totalCell(of: group, grouping: grouping, in: table)
      // The group's own cells: not a margin in any dimension outside the grouping.
      let others = table.dimensions.indices.filter { !grouping.contains($0) }
      let inner = group.filter { cell in
        others.allSatisfy { !table.dimensions[$0].isMarginLabel[Int(table.keys[$0][cell])] }
      }
      var published = 0.0
      var withheld: [Int] = []
      for cell in inner {
        switch table.values[numerator][cell] {
        case .number(let count): published += count
        case .withheld: withheld.append(cell)
        case .text: break
        }
      }
      var publishedTotal: (value: Double, uncertainty: Double)?
      if let totalCell, case .number(let value) = table.values[numerator][totalCell] {
        publishedTotal = (value, u)
      } else if withheld.isEmpty, !inner.isEmpty {
        publishedTotal = (published, u * Double(inner.count))
      }
      guard
        let bounds = derived.denominatorBounds(
          group: group, measure: share.measure, numerator: numerator, scale: s, halfWidth: h, in: table)
      else { continue }
      if let (total, spread) = publishedTotal, total > 0 {
        let low = max(bounds.low, total - spread)
        let high = min(bounds.high, total + spread)
        for cell in group where cell != totalCell {
          guard case .number(let p) = table.values[share.measure][cell],
            case .number(let count) = table.values[numerator][cell]
          else { continue }
          let printed = Self.printed(p, share.decimals, scale: s)
          if let verdict = disagreement(
            cell: cell, share: share, count: count, low: max(0, (p - h) * low / s), high: (p + h) * high / s,
            expected: count * s / total, p: p, what: "\(printed) of \(formatNumber(total))", countName: countName)
          {
            verdicts.append(verdict)
          }
        }
        continue
      }
      // No published total: the shares of the published rows give it, and with it what the
      // withheld rows add up to.
      guard !withheld.isEmpty, bounds.high.isFinite, bounds.rows >= 1 else { continue }
      guard
        let reported = group.first(where: {
          table.values[share.measure][$0].number != nil && table.values[numerator][$0].number != nil
        })
      else { continue }
      let spread = u * Double(inner.count - withheld.count)
      let low = max(0, bounds.low - published - spread)
      let high = bounds.high - published + spread
      let lowCount = (low - 1e-9).rounded(.up)
      let highCount = (high + 1e-9).rounded(.down)
      let about =
        "with the published '\(countName)', the percentages give the group's total (\(Self.range(bounds.low, bounds.high)))"
      if withheld.count == 1 && lowCount == highCount {
        verdicts.append(
          Verdict(
            cell: reported, measure: share.measure, outcome: .fail,
            reason:
              "\(about), so the withheld count on line \(table.line(ofCell: withheld[0])) is \(formatNumber(lowCount))")
        )
      } else if thresholdApplies, highCount >= 1, lowCount >= 1, !threshold.allows(highCount) {
        verdicts.append(
          Verdict(
            cell: reported, measure: share.measure, outcome: .fail,
            reason:
              "\(about), so the \(withheld.count) withheld count\(withheld.count == 1 ? "" : "s") add up to \(Self.range(lowCount, highCount)), below the threshold of \(threshold.threshold)"
          ))
      }
    }
    return verdicts
  }

  /// A share beside its published count that does not agree with it: in a pack that rounds, a
  /// share computed before rounding gives the true count back (fail); otherwise review.
  func disagreement(
    cell: Int, share: DerivedColumns.Share, count: Double, low: Double, high: Double, expected: Double, p: Double,
    what: String, countName: String
  ) -> Verdict? {
    let h = share.halfWidth
    let u = countUncertainty
    if abs(p - expected) <= h * (1 + 1e-9) + 1e-12 { return nil }  // computed from the published values
    let lowCount = (low - 1e-9).rounded(.up)
    let highCount = (high + 1e-9).rounded(.down)
    if u > 0 {
      // The rounded count stands for count ± u; a share computed before rounding narrows that.
      let roundingLow = (count - u).rounded(.up)
      let roundingHigh = (count + u).rounded(.down)
      let narrowedLow = max(lowCount, roundingLow)
      let narrowedHigh = min(highCount, roundingHigh)
      if narrowedLow <= narrowedHigh {
        guard narrowedHigh - narrowedLow < roundingHigh - roundingLow else { return nil }
        return Verdict(
          cell: cell, measure: share.measure, outcome: .fail,
          reason:
            "\(what) is \(Self.range(narrowedLow, narrowedHigh)): the percentage was computed from the counts before rounding and gives back the '\(countName)' the rounding hid (published as \(formatNumber(count)))"
        )
      }
    } else if count >= lowCount - 1e-9 && count <= highCount + 1e-9 {
      return nil
    }
    return Verdict(
      cell: cell, measure: share.measure, outcome: .review,
      reason:
        "\(what) is \(Self.range(lowCount, max(lowCount, highCount))), which does not agree with the published '\(countName)' (\(formatNumber(count))): the percentage may come from other counts"
    )
  }

  /// What is wrong with a count of `count` out of `total` under the pack's count rules.
  enum Problem {
    case zero, everyone, small, fewOutside
  }

  func problem(_ count: Double, total: Double?) -> Problem? {
    if count == 0 { return zerosDisclosive ? .zero : nil }
    if let total, count >= total { return classDisclosive ? .everyone : nil }
    if thresholdApplies && !threshold.allows(count) { return .small }
    if thresholdApplies, let total, !threshold.allows(total - count) { return .fewOutside }
    return nil
  }

  /// The count rules on a count known to lie in `[low, high]` (out of `total`, when it is a
  /// count of a group). Every whole count in the range breaks a rule: fail. Some do, and the
  /// range is narrow (under twice the threshold): review, since the publication all but says
  /// which. A wide range says little: pass.
  func judge(low: Double, high: Double, total: Double?, what: String) -> (Outcome, String)? {
    var lowCount = (low - 1e-9).rounded(.up)
    var highCount = (high + 1e-9).rounded(.down)
    if lowCount > highCount {
      // No whole count prints as this value: take the nearest.
      lowCount = low.rounded(.down)
      highCount = high.rounded(.up)
    }
    let count = Self.range(lowCount, highCount)
    let comparison = "\(threshold.inclusive ? "at or below" : "below") the threshold of \(threshold.threshold)"
    // Beyond 2^53 whole numbers are not all representable (and no count rule fails a count
    // that large): never step through them.
    guard highCount < 9e15 else { return nil }
    let narrow = highCount - lowCount < Double(2 * threshold.threshold)
    guard narrow || highCount - lowCount <= 1_000 else { return nil }
    var problems: [Problem] = []
    var allUnsafe = true
    var candidate = lowCount
    while candidate <= highCount {
      if let found = problem(candidate, total: total) {
        if !problems.contains(found) { problems.append(found) }
      } else {
        allUnsafe = false
        if !narrow { return nil }
      }
      candidate += 1
    }
    guard !problems.isEmpty else { return nil }
    var reasons: [String] = []
    for found in problems {
      switch found {
      case .zero: reasons.append("a zero (nobody in this group)")
      case .everyone: reasons.append("everyone in this group (class disclosure)")
      case .small: reasons.append("a count \(comparison)")
      case .fewOutside:
        let outside = Self.range(max(0, (total ?? 0) - highCount), (total ?? 0) - lowCount)
        reasons.append("so few left outside the group (\(outside)) that they are \(comparison)")
      }
    }
    let list = reasons.count == 1 ? reasons[0] : reasons.dropLast().joined(separator: ", ") + " or " + reasons.last!
    if allUnsafe { return (.fail, "\(what) is \(count): \(list)") }
    return (.review, "\(what) is \(count): it may be \(list) (publish the count, or more digits)")
  }

  /// `3`, or `2 to 4`.
  static func range(_ low: Double, _ high: Double) -> String {
    let a = formatNumber(low.rounded())
    let b = formatNumber(high.rounded())
    return a == b ? a : "\(a) to \(b)"
  }

  /// A share as printed, with its unit: `2.0%`, `0.02`, `2.0 per 1,000`.
  static func printed(_ value: Double, _ decimals: Int, scale: Double) -> String {
    let number = String(format: "%.\(min(decimals, 6))f", value)
    switch scale {
    case 100: return number + "%"
    case 1: return number
    default: return "\(number) per \(formatNumber(scale))"
    }
  }
}
