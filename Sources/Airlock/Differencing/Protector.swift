import Foundation

/// `airlock protect`: makes a frequency table pass `airlock check` with the same pack, hiding as
/// little as possible. Primary suppression withholds every cell a rule flags, except that a cell
/// equal to its group's total only because the group's other cells are published zeros has the
/// zeros withheld instead (class disclosure caused by zeros); secondary suppression
/// then withholds the smallest other cells in each line until no withheld cell can be recovered or
/// narrowed below its protection level (the audit of `recoverable-suppression` decides). With
/// rounding (`--method round`, or a pack whose `rounding` rule is on), counts are rounded first.
/// Percentages, rates and cumulative columns are recomputed from the protected counts, or
/// withheld with them (see ``DerivedColumns``): left as they were, they would give the counts back.
public struct Protector {
  /// How to protect.
  public enum Method: String, Sendable, CaseIterable {
    case suppress
    case round
  }

  /// One change made to the table.
  public struct Change: Sendable, Equatable {
    public enum Kind: String, Sendable {
      case primary, secondary, rounded
      /// A percentage, rate or cumulative value recomputed from the protected counts.
      case recomputed
      /// A percentage, rate or cumulative value withheld because what it is computed from is.
      case derived
    }
    public var kind: Kind
    public var line: Int
    public var column: Int
    public var cell: [Finding.Coordinate]
    /// For primary suppressions, the rule codes that flagged the cell; for secondary ones, the
    /// withheld cell they protect.
    public var why: String
  }

  /// The outcome of protecting one table.
  public struct Report: Sendable {
    public var changes: [Change] = []
    /// The published total of the counts hidden, as a share of all counts (margins excluded).
    public var hiddenShare: Double = 0
    public var hiddenCells = 0
    public var cells = 0
    /// The check of the protected table (it passes when protection succeeded).
    public var check: OutputResult
    /// Rounds of check-and-fix.
    public var rounds = 0
  }

  public let pack: RulePack
  public let method: Method
  public let base: Int

  public init(pack: RulePack, method: Method, base: Int? = nil) {
    self.pack = pack
    self.method = method
    let rounding = pack.parameters(of: RoundingRule.self)
    self.base =
      base ?? (rounding.isEnabled && rounding[RoundingRule.scheme] == "base" ? rounding[RoundingRule.base] : 5)
  }

  struct Slot: Hashable {
    let cell: Int
    let measure: Int
  }

  /// Protects the table at `input`, writing the result to `output`.
  public func protect(input: String, output: String) throws(AirlockError) -> Report {
    var table: Table?
    let checker = OutputChecker(pack: pack, rules: pack.enabledRules(), limits: ReadLimits(), findingLimit: 100_000)
    let first = checker.check(path: input, keeping: true, table: &table)
    if let error = first.error { throw error }
    guard let table, table.kind == .frequency, table.measures.contains(where: { $0.role == .count }) else {
      throw AirlockError(
        .usage, file: input,
        "airlock protect handles frequency tables (counts); this output is a \(first.kind?.rawValue ?? "table") airlock cannot protect"
      )
    }
    if let repeated = table.structure?.repeatedCells.first {
      // Which of two rows for one cell is meant cannot be told: nothing to protect safely.
      throw AirlockError(
        .input, file: input, line: repeated.secondLine,
        "line \(repeated.secondLine) repeats the cell of line \(repeated.firstLine) (the same labels in every dimension): remove the repeated rows, then protect"
      )
    }
    let raw = try RawTable(path: input)
    let marker = Self.marker(pack)
    let derived = DerivedColumns(table: table, countUncertainty: DerivedColumns.uncertainty(pack))
    let recomputedCumulatives = Set(derived.cumulatives.filter { $0.steps != nil }.map(\.measure))
    let counts = table.measures.indices.filter {
      table.measures[$0].role == .count && !recomputedCumulatives.contains($0)
    }
    let derivedMeasures = derived.shares.map(\.measure) + derived.cumulatives.filter { $0.steps != nil }.map(\.measure)
    let slots = Self.slots(of: table, counts: counts + derivedMeasures)
    let slotAt = slots.slotAt
    var values = slots.values
    let original = values
    var decimals: [Int: Int] = [:]
    for share in derived.shares { decimals[share.measure] = share.decimals }
    for cumulative in derived.cumulatives where cumulative.steps != nil {
      decimals[cumulative.measure] = cumulative.decimals
    }
    // Derived values withheld because a rule flagged them, kept withheld when recomputing.
    var flagged = Set<Slot>()
    let isDerived = Set(derivedMeasures)
    var changes: [Change] = []
    func change(_ kind: Change.Kind, _ slot: Slot, _ why: String) {
      changes.append(
        Change(
          kind: kind, line: table.line(ofCell: slot.cell),
          column: table.field(ofCell: slot.cell, measure: slot.measure),
          cell: table.coordinates(ofCell: slot.cell), why: why))
    }

    // Rounding first, margins recomputed from the rounded cells.
    let rounding = pack.parameters(of: RoundingRule.self)
    let roundingScheme = rounding.isEnabled ? rounding[RoundingRule.scheme] : "none"
    if method == .round || roundingScheme != "none" {
      let midpoint = roundingScheme == "midpoint6" && method != .round
      for (slot, value) in values where !isDerived.contains(slot.measure) {
        guard let value, value > 0 else { continue }
        let rounded = midpoint ? (value / 6).rounded(.up) * 6 - 3 : (value / Double(base)).rounded() * Double(base)
        if rounded != value {
          values[slot] = rounded
          change(.rounded, slot, midpoint ? "midpoint-6" : "to the nearest \(base)")
        }
      }
      if !midpoint { recomputeMargins(table: table, counts: counts, values: &values) }
    }

    var report = Report(check: first)
    let keyIndex = Dictionary(
      uniqueKeysWithValues: (0..<table.cellCount).map { cell in
        (table.dimensions.indices.map { table.keys[$0][cell] }, cell)
      })
    let (scratch, candidate) = try Self.candidatePath(for: input)
    defer { try? FileManager.default.removeItem(at: scratch) }

    for round in 1...max(8, table.cellCount * counts.count + 2) {
      report.rounds = round
      recomputeDerived(derived, table: table, values: &values, flagged: flagged)
      try raw.write(to: candidate, values: values, slotAt: slotAt, marker: marker, decimals: decimals)
      let result = checker.check(path: candidate)
      report.check = result
      if let error = result.error { throw error }
      if result.outcome == .pass { break }
      var progress = false
      var withheldFailing: [Slot] = []
      var withheldNow: Set<Slot> = []
      let checked = values  // as the check saw them
      for finding in result.findings where finding.outcome != .pass {
        guard let line = finding.line, let column = finding.column, let slot = slotAt["\(line):\(column)"] else {
          throw AirlockError(.usage, file: input, "cannot protect: \(finding.code) \(finding.rule): \(finding.reason)")
        }
        // A cell withheld in this round answers every finding about it.
        if withheldNow.contains(slot) { continue }
        if finding.code == CellEqualsTotalRule.description.code,
          let zeros = Self.zerosBeside(slot, table: table, keyIndex: keyIndex, values: checked)
        {
          // Class disclosure caused by zeros: withholding the zeros hides less than the full cell.
          for zero in zeros where !withheldNow.contains(zero) {
            values[zero] = .some(nil)
            withheldNow.insert(zero)
            change(
              .primary, zero,
              "\(finding.code) \(finding.rule) (a zero beside a cell that would equal its group's total)")
          }
          progress = true
          continue
        }
        if let value = values[slot], value != nil {
          withheldNow.insert(slot)
          values[slot] = .some(nil)
          if isDerived.contains(slot.measure) { flagged.insert(slot) }
          change(.primary, slot, "\(finding.code) \(finding.rule)")
          progress = true
        } else if !isDerived.contains(slot.measure) {
          withheldFailing.append(slot)
        }
      }
      // First close the lines in which a failing withheld cell is alone; only when none is left,
      // widen the interval of a failing cell with the smallest cell of its lines.
      for slot in withheldFailing
      where secondary(for: slot, table: table, keyIndex: keyIndex, values: &values, widen: false, change: change) {
        progress = true
      }
      if !progress, let slot = withheldFailing.first {
        progress = secondary(for: slot, table: table, keyIndex: keyIndex, values: &values, widen: true, change: change)
      }
      guard progress else {
        throw AirlockError(
          .usage, file: input,
          "cannot protect this table: findings remain that suppression cannot fix (\(result.findings.map(\.code).joined(separator: ", ")))"
        )
      }
    }
    guard report.check.outcome == .pass else {
      throw AirlockError(.usage, file: input, "cannot protect this table within the limit of rounds")
    }
    try raw.write(to: output, values: values, slotAt: slotAt, marker: marker, decimals: decimals)
    for slot in values.keys.sorted(by: { ($0.cell, $0.measure) < ($1.cell, $1.measure) })
    where isDerived.contains(slot.measure) && !flagged.contains(slot) && values[slot]! != original[slot]! {
      if values[slot]! == nil {
        change(.derived, slot, "withheld: what it is computed from is withheld")
      } else {
        change(.recomputed, slot, "recomputed from the protected counts")
      }
    }
    report.changes = changes
    Self.account(&report, table: table, counts: counts, values: values)
    return report
  }

  /// When `slot` equals its group's total only because the group's other cells are published
  /// zeros, and no group it is in has a published margin, those zeros: withholding them (0 hidden)
  /// leaves the cell's group total unknown, where withholding the cell hides all of it. `nil` when
  /// the cell equals a published margin in some dimension (the zeros would then be recoverable,
  /// and the cell is withheld as before).
  static func zerosBeside(_ slot: Slot, table: Table, keyIndex: [[UInt32]: Int], values: [Slot: Double?]) -> [Slot]? {
    guard !table.isMargin(slot.cell), let value = values[slot] ?? nil, value > 0 else { return nil }
    let key = table.dimensions.indices.map { table.keys[$0][slot.cell] }
    var zeros: [Slot] = []
    for d in table.dimensions.indices {
      let dimension = table.dimensions[d]
      var others: [Slot] = []
      var margin: Slot?
      for label in 0..<dimension.labels.count where UInt32(label) != key[d] {
        var other = key
        other[d] = UInt32(label)
        // A structural zero is not a category anyone could be in (as `cell-equals-total` reads it).
        guard let cell = keyIndex[other], !table.structuralZeroCells.contains(cell) else { continue }
        if dimension.isMarginLabel[label] {
          margin = Slot(cell: cell, measure: slot.measure)
        } else {
          others.append(Slot(cell: cell, measure: slot.measure))
        }
      }
      let published = others.filter { (values[$0] ?? nil) != nil }
      // The cell is its group's total along d only when every other category is a published zero.
      guard !published.isEmpty, published.count == others.count, published.allSatisfy({ values[$0]! == 0 }) else {
        continue
      }
      if let margin, (values[margin] ?? nil) != nil { return nil }
      zeros += published
    }
    return zeros.isEmpty ? nil : zeros
  }

  /// The marker written for withheld cells: the pack's first marker that implies no range.
  static func marker(_ pack: RulePack) -> String {
    pack.markers.first { !$0.isEmpty && ValueParser.impliedRange(of: $0) == nil && !pack.zeroMarkers.contains($0) }
      ?? "*"
  }

  /// Every count of `table` by its position in the file (`line:field`), and its value (`nil` inside: withheld).
  static func slots(of table: Table, counts: [Int]) -> (slotAt: [String: Slot], values: [Slot: Double?]) {
    var slotAt: [String: Slot] = [:]
    var values: [Slot: Double?] = [:]
    for cell in 0..<table.cellCount {
      for measure in counts {
        let slot = Slot(cell: cell, measure: measure)
        slotAt["\(table.line(ofCell: cell)):\(table.field(ofCell: cell, measure: measure))"] = slot
        switch table.values[measure][cell] {
        case .number(let value): values[slot] = value
        default: values[slot] = .some(nil)
        }
      }
    }
    return (slotAt, values)
  }

  /// A scratch folder and the path in it where candidate versions of `input` are written and checked;
  /// a manifest beside the input applies to the candidate too.
  static func candidatePath(for input: String) throws(AirlockError) -> (scratch: URL, candidate: String) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-protect-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let candidate = scratch.appendingPathComponent(
      (input as NSString).lastPathComponent.replacingOccurrences(of: ".gz", with: "")
    ).path
    if let declaration = try OutputDeclaration.find(for: input), !declaration.source.isEmpty,
      let text = try? String(contentsOfFile: declaration.source, encoding: .utf8),
      declaration.source.hasSuffix(".airlock.yaml") && !declaration.source.hasSuffix("/airlock.yaml")
    {
      try? text.write(
        toFile: scratch.appendingPathComponent(
          OutputDeclaration.baseName(of: (candidate as NSString).lastPathComponent) + ".airlock.yaml"
        ).path, atomically: true, encoding: .utf8)
      // The evidence the manifest names (as `airlock tabulate` writes it) goes along, so that the
      // candidate is checked with it rather than failing for want of it.
      if let evidence = declaration.evidenceFile, !evidence.contains("/") {
        let folder = (input as NSString).deletingLastPathComponent
        try? FileManager.default.copyItem(
          atPath: (folder as NSString).appendingPathComponent(evidence),
          toPath: scratch.appendingPathComponent(evidence).path)
      }
    }
    return (scratch, candidate)
  }

  /// Fills the report's information loss: cells and counts hidden (margins excluded).
  static func account(_ report: inout Report, table: Table, counts: [Int], values: [Slot: Double?]) {
    var hidden = 0.0
    var total = 0.0
    for cell in 0..<table.cellCount where !table.isMargin(cell) {
      for measure in counts {
        let original = table.values[measure][cell].number ?? 0
        total += original
        report.cells += 1
        if values[Slot(cell: cell, measure: measure)] == .some(nil) {
          hidden += original
          report.hiddenCells += 1
        }
      }
    }
    report.hiddenShare = total > 0 ? hidden / total : 0
  }

  /// Withholds the smallest published, non-zero cell in each line through `slot` that has no other
  /// withheld cell; with `widen`, when every line already has one, the smallest in any of its lines.
  private func secondary(
    for slot: Slot, table: Table, keyIndex: [[UInt32]: Int], values: inout [Slot: Double?], widen: Bool,
    change: (Change.Kind, Slot, String) -> Void
  ) -> Bool {
    let key = table.dimensions.indices.map { table.keys[$0][slot.cell] }
    // The lines through the cell: in each dimension, the other children of each sum the cell is a
    // child of, and the children of a sum it totals (a margin, or a parent of a hierarchy).
    var lines: [[Slot]] = []
    for d in table.dimensions.indices {
      for group in TableEquations.groups(of: table, dimension: d) {
        let members: [UInt32]
        if group.parent == key[d] {
          members = group.children
        } else if group.children.contains(key[d]) {
          members = group.children.filter { $0 != key[d] }
        } else {
          continue
        }
        var line: [Slot] = []
        for label in members {
          var other = key
          other[d] = label
          if let cell = keyIndex[other] { line.append(Slot(cell: cell, measure: slot.measure)) }
        }
        lines.append(line)
      }
    }
    func pick(_ line: [Slot]) -> Slot? {
      line.filter { (values[$0] ?? nil).map { $0 > 0 } ?? false }.min { (values[$0]! ?? 0) < (values[$1]! ?? 0) }
    }
    let name = table.dimensions.indices.map { table.label(ofCell: slot.cell, dimension: $0) }.joined(separator: "/")
    var changed = false
    for line in lines where !line.contains(where: { values[$0] == .some(nil) }) {
      if let choice = pick(line) {
        values[choice] = .some(nil)
        change(.secondary, choice, "protects \(name)")
        changed = true
      }
    }
    if !changed, widen, let choice = lines.compactMap(pick).min(by: { (values[$0]! ?? 0) < (values[$1]! ?? 0) }) {
      values[choice] = .some(nil)
      change(.secondary, choice, "widens the interval of \(name)")
      changed = true
    }
    return changed
  }

  /// Sets every percentage, rate and cumulative value from the protected counts: a share of a
  /// group whose total is withheld, or beside a withheld count, is withheld; a cumulative value
  /// is withheld from the first withheld step of its run on. Shares whose denominator airlock
  /// could not settle keep their values (the checks decide, and withhold them if need be).
  private func recomputeDerived(
    _ derived: DerivedColumns, table: Table, values: inout [Slot: Double?], flagged: Set<Slot>
  ) {
    func value(_ cell: Int, _ measure: Int) -> Double? {
      if let stored = values[Slot(cell: cell, measure: measure)] { return stored }
      return table.values[measure][cell].number  // a column protect does not change (person-time)
    }
    func set(_ cell: Int, _ measure: Int, _ new: Double?) {
      let slot = Slot(cell: cell, measure: measure)
      // A value the input withheld stays withheld: protect never publishes more than it was given.
      guard !flagged.contains(slot), values[slot] != nil, table.values[measure][cell].number != nil else { return }
      values[slot] = .some(new)
    }
    for share in derived.shares {
      guard share.readings.count == 1, let reading = share.readings.first, reading.basis != .unconfirmed else {
        continue
      }
      switch reading.denominator {
      case .column(let denominator, let numerator):
        guard let numerator else { continue }
        for cell in 0..<table.cellCount
        where table.values[share.measure][cell].number != nil || values[Slot(cell: cell, measure: share.measure)] != nil
        {
          guard let count = value(cell, numerator), let total = value(cell, denominator), total > 0 else {
            set(cell, share.measure, nil)
            continue
          }
          set(cell, share.measure, count * reading.scale / total)
        }
      case .group(let grouping, let numerator):
        let others = table.dimensions.indices.filter { !grouping.contains($0) }
        for group in DerivedColumns.groups(of: table, grouping: grouping) {
          let totalCell = DerivedColumns.totalCell(of: group, grouping: grouping, in: table)
          let inner = group.filter { cell in
            others.allSatisfy { !table.dimensions[$0].isMarginLabel[Int(table.keys[$0][cell])] }
          }
          var total: Double?
          if let totalCell {
            total = value(totalCell, numerator)
          } else {
            let parts = inner.map { value($0, numerator) }
            total = parts.contains { $0 == nil } ? nil : parts.reduce(0) { $0 + ($1 ?? 0) }
          }
          for cell in group where table.values[share.measure][cell] != .text {
            guard let total, total > 0, let count = value(cell, numerator) else {
              set(cell, share.measure, nil)
              continue
            }
            set(cell, share.measure, count * reading.scale / total)
          }
        }
      }
    }
    for cumulative in derived.cumulatives {
      guard let steps = cumulative.steps else { continue }
      for run in DerivedColumns.runs(of: cumulative, in: table) {
        var running: Double? = 0
        for cell in run {
          if let sum = running, let step = value(cell, steps) { running = sum + step } else { running = nil }
          set(cell, cumulative.measure, running)
        }
      }
    }
  }

  /// Sets every margin to the sum of the cells it totals (after rounding).
  private func recomputeMargins(table: Table, counts: [Int], values: inout [Slot: Double?]) {
    let keyIndex = Dictionary(
      uniqueKeysWithValues: (0..<table.cellCount).map { cell in
        (table.dimensions.indices.map { table.keys[$0][cell] }, cell)
      })
    // Every sum (margins, and the parents of declared hierarchies) from its parts, repeated so that
    // a grand total adds up recomputed subtotals.
    let sums = table.dimensions.indices.flatMap { d in TableEquations.groups(of: table, dimension: d).map { (d, $0) } }
    for _ in 0..<(table.dimensions.count * (sums.count + 1)) {
      var changed = false
      for (d, group) in sums {
        for cell in 0..<table.cellCount where table.keys[d][cell] == group.parent {
          let key = table.dimensions.indices.map { table.keys[$0][cell] }
          for measure in counts {
            var sum = 0.0
            var complete = true
            for label in group.children {
              var part = key
              part[d] = label
              guard let partCell = keyIndex[part], let value = values[Slot(cell: partCell, measure: measure)] ?? nil
              else {
                complete = false
                break
              }
              sum += value
            }
            let slot = Slot(cell: cell, measure: measure)
            if complete, values[slot] != .some(sum) {
              values[slot] = sum
              changed = true
            }
          }
        }
      }
      if !changed { break }
    }
  }
}

/// The rows of a CSV/TSV file as written, for rewriting only the cells `protect` changes.
struct RawTable {
  let header: [String]
  let rows: [(line: Int, fields: [String])]
  let delimiter: Character

  init(path: String) throws(AirlockError) {
    let reader = try DelimitedReader.open(path: path, limits: ReadLimits())
    delimiter = Character(UnicodeScalar(reader.delimiter))
    _ = try reader.next()
    header = (0..<reader.fieldCount).map { reader.field($0) }
    var rows: [(Int, [String])] = []
    while try reader.next() {
      if reader.isBlank { continue }
      rows.append((reader.recordLine, (0..<reader.fieldCount).map { reader.field($0) }))
    }
    self.rows = rows
  }

  func write(
    to path: String, values: [Protector.Slot: Double?], slotAt: [String: Protector.Slot], marker: String,
    decimals: [Int: Int] = [:]
  ) throws(AirlockError) {
    func quoted(_ field: String) -> String {
      guard field.contains(delimiter) || field.contains("\"") || field.contains("\n") || field.contains("\r") else {
        return field
      }
      return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    var lines = [header.map(quoted).joined(separator: String(delimiter))]
    for (line, fields) in rows {
      var out = fields
      for index in out.indices {
        guard let slot = slotAt["\(line):\(index + 1)"], let value = values[slot] else { continue }
        out[index] =
          value.map { number in
            decimals[slot.measure].map { String(format: "%.\($0)f", number) } ?? formatNumber(number)
          } ?? marker
      }
      lines.append(out.map(quoted).joined(separator: String(delimiter)))
    }
    do {
      try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw AirlockError(.input, file: path, "cannot write the protected table")
    }
  }
}
