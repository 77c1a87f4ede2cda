import Foundation

/// What airlock found of an output's additive structure (margins, subtotals, repeated cells) and
/// how it found each part: the report shows it, the class-disclosure rule (C003) and the
/// differencing audit (X001) rely on it, and the table-structure rule (C010) reports what it could
/// not settle.
///
/// Labels such as `Total` are one convention among many, so margins are found from the numbers:
/// within a dimension, a category whose cells equal the sum of the others wherever that can be
/// seen (every category published) is a margin, whatever it is called. See `docs/outputs.md`,
/// "Margins found from the numbers".
public struct TableStructure: Codable, Sendable, Equatable {
  /// How a margin or subtotal was found.
  public enum Source: String, Codable, Sendable, Equatable {
    /// Its cells equal the sum of the others wherever every category is published.
    case arithmetic
    /// Its label is a margin label and the numbers agree (or cannot disagree: rows withheld).
    case labelAndArithmetic = "label+arithmetic"
    /// Its label says margin, and no row could confirm it (cells withheld everywhere): read as a
    /// margin by the differencing audit, which can only gain equations from it.
    case suspected
    /// Declared in the manifest (`margins:`, `hierarchy:`).
    case declared
  }

  /// A margin of one dimension: the label that totals the dimension's other categories.
  public struct Margin: Codable, Sendable, Equatable {
    public var dimension: String
    public var label: String
    public var source: Source
  }

  /// What in the labels (or the manifest) states that codes nest.
  public enum Basis: String, Codable, Sendable, Equatable {
    /// Codes under a code: `North/Leeds` under `North`, `E11.9` under `E11`, or every child the
    /// parent's code extended by the same pattern (`E110`, `E119` under `E11`).
    case codes
    /// Labels indented under the label above them (leading spaces, tabs, non-breaking spaces,
    /// `- ` bullets), as ONS and Excel exports write a hierarchy.
    case indentation
    /// The manifest's `hierarchy:`.
    case declared
  }

  /// A subtotal found in the middle of a dimension: `parent` is the sum of `children`.
  public struct Subtotal: Codable, Sendable, Equatable {
    public var dimension: String
    public var parent: String
    public var children: [String]
    public var source: Source
    /// What in the labels states the nesting (`nil`: a run of rows the numbers alone showed).
    public var inferredFrom: Basis?
  }

  /// A hierarchy the labels or the manifest state whose numbers say otherwise: the parent's cells
  /// are not the sum of its children's where all are published, or are smaller than their
  /// published part. An inferred one is not used; a declared one still is (it wins), and either
  /// needs review (C010).
  public struct Contradiction: Codable, Sendable, Equatable {
    public var dimension: String
    public var parent: String
    public var children: [String]
    public var basis: Basis
  }

  /// A label that reads as a margin but is not the sum of the others: read as a category.
  public struct Disagreement: Codable, Sendable, Equatable {
    public var dimension: String
    public var label: String
    /// Whether the manifest declares the label a category (`categories:`), so nothing is asked.
    public var declaredCategory: Bool
  }

  /// Two rows for the same cell (the same labels in every dimension).
  public struct RepeatedCell: Codable, Sendable, Equatable {
    /// The second cell's index in the store (for findings; not in reports).
    var cell: Int = 0
    public var firstLine: Int
    public var secondLine: Int
    public var coordinates: [Finding.Coordinate]

    private enum CodingKeys: String, CodingKey { case firstLine, secondLine, coordinates }
  }

  public var margins: [Margin] = []
  public var subtotals: [Subtotal] = []
  public var disagreements: [Disagreement] = []
  /// The first repeated cells (at most 20 kept), and how many there are in all.
  public var repeatedCells: [RepeatedCell] = []
  public var repeatedCellCount = 0
  /// Groups where a category is absent (not even a withheld marker) although the dimension's
  /// margin is published: the audit treats such cells as unknowns (see X001).
  public var groupsWithAbsentCategories = 0
  /// Dimensions whose structure was not searched, and why (too many labels to test).
  public var unsearched: [String] = []
  /// Stated hierarchies the numbers contradict (`nil` when there are none: older reports).
  public var contradictions: [Contradiction]?

  public init() {}
}

/// Finds the structure of a stored table. Linear in the cells, except the subtotal search, which
/// runs only on dimensions of at most ``maxSubtotalLabels`` labels.
struct StructureDetector {
  let pack: RulePack
  /// The slack per term when the table is rounded (half the rounding base).
  let tolerancePerTerm: Double
  let markerLower: [Int: Double]

  /// Subtotals are searched for among at most this many labels of a dimension.
  static let maxSubtotalLabels = 400
  /// The longest run of children a subtotal is tested against.
  static let maxChildren = 24
  /// Tables of up to this many cells are searched for subtotals that nothing hints at (runs of
  /// rows a row equals, under any labels); larger ones only where labels hint at them.
  static let exhaustiveCells = 1_000_000

  init(pack: RulePack) {
    self.pack = pack
    var lower: [Int: Double] = [:]
    for (index, marker) in pack.markers.enumerated() {
      if let range = ValueParser.impliedRange(of: marker) { lower[index] = Double(range.lowerBound) }
    }
    markerLower = lower
    let rounding = pack.parameters(of: RoundingRule.self)
    tolerancePerTerm =
      rounding.isEnabled && rounding[RoundingRule.scheme] == "base"
      ? Double(rounding[RoundingRule.base]) / 2
      : rounding.isEnabled && rounding[RoundingRule.scheme] == "midpoint6" ? 3 : 0
  }

  /// Labels that read as margins beside the pack's and the manifest's: what real outputs call
  /// their totals (pandas `All`, R `Sum`, ONS `All persons`, ...). Compared after folding case
  /// and spaces.
  static let marginWords: Set<String> = [
    "total", "totals", "all", "overall", "grand total", "sum", "all ages", "all persons", "persons",
    "all people", "people", "both sexes", "both", "everyone", "all patients", "all groups", "all categories",
    "total population", "n_total", "total_n", "all_total", "(all)", "[all]", "all levels", "all regions",
    "whole population", "combined", "all areas", "england", "all sexes", "all genders", "any",
  ]
  /// The labels that say margin strongly enough that a disagreement with the numbers is asked about.
  static let strongMarginWords: Set<String> = [
    "total", "totals", "all", "overall", "grand total", "sum", "(all)", "[all]",
  ]

  /// `label` with case folded, non-breaking and repeated spaces made one space, trimmed.
  static func folded(_ label: String) -> String {
    var out = ""
    var space = false
    for scalar in label.unicodeScalars {
      let isSpace =
        scalar == " " || scalar == "\t" || scalar == "\u{00A0}" || scalar == "\u{2007}" || scalar == "\u{202F}"
      if isSpace {
        space = !out.isEmpty
        continue
      }
      if space { out.append(" ") }
      space = false
      out.unicodeScalars.append(scalar)
    }
    return out.lowercased()
  }

  /// How strongly a label says "margin": 2 the pack's, the manifest's or a strong word; 1 another
  /// margin word, a word starting `all `/`total `, or an empty label; 0 not at all.
  func marginEvidence(_ label: String, declaration: OutputDeclaration?) -> Int {
    let word = Self.folded(label)
    if declaration?.categories.contains(where: { Self.folded($0) == word }) ?? false { return 0 }
    if pack.margins.contains(where: { Self.folded($0) == word })
      || (declaration?.margins.contains(where: { Self.folded($0) == word }) ?? false)
      || Self.strongMarginWords.contains(word)
    {
      return 2
    }
    if word.isEmpty || Self.marginWords.contains(word) || word.hasPrefix("all ") || word.hasPrefix("total ")
      || word.hasSuffix(" total") || word.hasSuffix("_total") || word.hasPrefix("total_")
    {
      return 1
    }
    return 0
  }

  /// The measure structure is read from: the first count column, else the first sum.
  static func referenceMeasure(of table: Table) -> Int? {
    table.measures.indices.first { table.isAdditiveCount($0) } ?? table.measures.firstIndex { $0.role == .magnitude }
  }

  /// Finds the structure of `table`: sets which labels are margins, the sums of each dimension
  /// (``Table/foundSums``) and ``Table/structure``.
  func detect(in table: inout Table) {
    detectOwn(in: &table)
    guard var view = table.countsAsDimension(named: table.declaration?.columnsDimension ?? "column") else { return }
    detectOwn(in: &view)
    guard let sums = view.foundSums?[view.dimensions.count - 1], !sums.isEmpty else { return }
    // The count columns total one another: the view is the structure the count rules read.
    view.structure?.repeatedCells = table.structure?.repeatedCells ?? []
    view.structure?.repeatedCellCount = table.structure?.repeatedCellCount ?? 0
    table.structure = view.structure
    table.countView = TableView(view)
  }

  private func detectOwn(in table: inout Table) {
    var structure = TableStructure()
    guard table.kind == .frequency || table.kind == .magnitude else {
      // Survival, histogram and model rows are not keyed by their labels alone.
      table.structure = structure
      return
    }
    findRepeatedCells(table, into: &structure)
    guard let measure = Self.referenceMeasure(of: table) else {
      table.structure = structure
      return
    }
    var sums: [[(parent: UInt32, children: [UInt32])]?] = Array(repeating: nil, count: table.dimensions.count)
    for d in table.dimensions.indices {
      let name = table.dimensions[d].name
      if let hierarchy = table.declaration?.hierarchies.first(where: { $0.dimension.label == name }) {
        // A declared hierarchy wins; its margin label is read as before. What the numbers say
        // against it is reported all the same.
        for id in table.dimensions[d].isMarginLabel.indices where table.dimensions[d].isMarginLabel[id] {
          structure.margins.append(
            .init(dimension: name, label: table.dimensions[d].labels.labels[id], source: .declared))
        }
        let contradicted = contradictions(of: hierarchy, dimension: d, in: table, measure: measure)
        if !contradicted.isEmpty { structure.contradictions = (structure.contradictions ?? []) + contradicted }
        continue
      }
      sums[d] = detectDimension(d, of: &table, measure: measure, into: &structure)
    }
    table.foundSums = sums
    table.structure = structure
  }

  /// How far a sum may be from its parts: a few parts in a billion for sums of decimals, half the
  /// rounding base a term for rounded counts.
  private func tolerance(for table: Table, measure: Int) -> (Double, Int) -> Double {
    let isSum = table.measures[measure].role == .magnitude
    let perTerm = tolerancePerTerm
    return { magnitude, terms in isSum ? 1e-9 * max(1, magnitude) : perTerm * Double(terms) + 1e-9 }
  }

  /// The groups of a declared hierarchy whose numbers contradict it (a parent that is not the sum
  /// of its children where all are published, or smaller than their published part).
  private func contradictions(
    of hierarchy: OutputDeclaration.Hierarchy, dimension d: Int, in table: Table, measure: Int
  ) -> [TableStructure.Contradiction] {
    let dimension = table.dimensions[d]
    guard let matrix = DenseCells(table, dimension: d, grouping: TableGrouping(table, along: d), measure: measure)
    else { return [] }
    let tolerance = tolerance(for: table, measure: measure)
    var result: [TableStructure.Contradiction] = []
    for group in hierarchy.groups {
      // Codes are validated against the table when it is read; skip rather than trap.
      guard let parent = dimension.labels.id(of: group.parent.label) else { continue }
      let children = group.children.compactMap { dimension.labels.id(of: $0.label) }
      guard children.count == group.children.count else { continue }
      if matrix.verdict(Int(parent), of: children.map(Int.init), tolerance: tolerance).contradicted {
        result.append(
          .init(
            dimension: dimension.name, parent: group.parent.label, children: group.children.map(\.label),
            basis: .declared))
      }
    }
    return result
  }

  /// Per group along `d`: the published sum, whether a cell is withheld, the withheld cells' least
  /// total, and how many cells are present.
  private struct GroupTotals {
    var sum: Double = 0
    var withheldLower: Double = 0
    var present: Int32 = 0
    var withheld = false
    var magnitude: Double = 0
    /// Published cells other than zero.
    var nonzero: Int32 = 0
  }

  private func detectDimension(
    _ d: Int, of table: inout Table, measure: Int, into structure: inout TableStructure
  ) -> [(parent: UInt32, children: [UInt32])] {
    let dimension = table.dimensions[d]
    let labelCount = dimension.labels.count
    let evidence = dimension.labels.labels.map { marginEvidence($0, declaration: table.declaration) }
    let declaredMargin = dimension.labels.labels.map { label in
      table.declaration?.margins.contains { Self.folded($0) == Self.folded(label) } ?? false
    }
    let declaredCategory = dimension.labels.labels.map { label in
      table.declaration?.categories.contains { Self.folded($0) == Self.folded(label) } ?? false
    }
    guard labelCount >= 2 else {
      for id in 0..<labelCount { table.dimensions[d].isMarginLabel[id] = false }
      return []
    }
    // The numbers can show a margin of two or more categories; a margin of one category (its
    // other rows left out) is read from its label, unless the numbers disagree.
    let canConfirm = labelCount >= 3
    let grouping = TableGrouping(table, along: d)
    let values = table.values[measure]
    var totals = [GroupTotals](repeating: GroupTotals(), count: grouping.count)
    grouping.forEachCell(table) { cell, group in
      totals[group].present += 1
      switch values[cell] {
      case .number(let v):
        totals[group].sum += v
        totals[group].magnitude += abs(v)
        if v != 0 { totals[group].nonzero += 1 }
      case .withheld(let marker):
        totals[group].withheld = true
        totals[group].withheldLower += markerLower[marker] ?? 0
      case .text:
        totals[group].withheld = true
      }
    }
    let tolerance = tolerance(for: table, measure: measure)

    // Pass 1: each label against the sum of all the others.
    var agree = [Int](repeating: 0, count: labelCount)
    var disagree = [Int](repeating: 0, count: labelCount)
    // Whether a label ever shares a group with another: a label alone in every group totals nothing.
    var accompanied = [Bool](repeating: false, count: labelCount)
    var labels = table.keys[d].sequentialReader()
    // Once every label is ruled out (smaller or larger than the others' sum somewhere), and seen
    // beside another, nothing more can be learnt: most dimensions have no margin.
    var open = labelCount
    var lonely = labelCount
    grouping.forEachCellWhile(table) { cell, group -> Bool in
      let id = Int(labels.id(of: cell))
      let g = totals[group]
      if g.present >= 2 && !accompanied[id] {
        accompanied[id] = true
        lonely -= 1
      }
      if disagree[id] == 0, case .number(let v) = values[cell] {
        let others = g.sum - v
        let slack = tolerance(g.magnitude, labelCount)
        var ruledOut = false
        if !g.withheld && Int(g.present) == labelCount {
          if abs(v - others) <= slack {
            // A cell equal to the one other cell that is not zero shows nothing: a sum needs two parts.
            if v != 0 && canConfirm && g.nonzero >= 3 { agree[id] += 1 }
          } else {
            ruledOut = true
          }
        } else if v + slack < others + g.withheldLower {
          // Smaller than what the others are known to hold: not their sum.
          ruledOut = true
        }
        if ruledOut {
          disagree[id] = 1
          open -= 1
        }
      }
      return open > 0 || lonely > 0
    }
    var margins = (0..<labelCount).filter { disagree[$0] == 0 && agree[$0] > 0 }
    var sources = [TableStructure.Source?](repeating: nil, count: labelCount)
    for id in margins { sources[id] = evidence[id] > 0 ? .labelAndArithmetic : .arithmetic }

    var result: [(parent: UInt32, children: [UInt32])] = []
    var subtotalChildren = Set<Int>()
    if margins.isEmpty {
      // Pass 2: several labels read as margins (a `Total` beside an `All`): each against the
      // others less the other margin-like labels; then subtotals in the middle of the dimension.
      let candidates = (0..<labelCount).filter { evidence[$0] > 0 }
      // Subtotals are searched for where something suggests them: codes that nest, or labels
      // that read as margins but did not add up over every category (the subtotals doubled them).
      let names = dimension.labels.labels
      let stated = labelCount <= Self.maxSubtotalLabels ? Self.statedHierarchy(names) : []
      let suggested = candidates.count >= 2 || candidates.contains { disagree[$0] > 0 } || !stated.isEmpty
      let hinted = suggested || (labelCount <= Self.maxSubtotalLabels && table.cellCount <= Self.exhaustiveCells)
      let matrix = hinted ? DenseCells(table, dimension: d, grouping: grouping, measure: measure) : nil
      if let matrix {
        if candidates.count >= 2 {
          for candidate in candidates {
            let parts = (0..<labelCount).filter { !candidates.contains($0) }
            if matrix.isSum(candidate, of: parts, tolerance: tolerance) {
              margins.append(candidate)
              sources[candidate] = .labelAndArithmetic
            }
          }
        }
        if margins.isEmpty && labelCount <= Self.maxSubtotalLabels {
          // Codes that nest (`North/Leeds` under `North`) are subtotals unless the numbers say
          // otherwise; runs of rows that a row equals are subtotals when the labels nest too, or
          // when a margin over what they leave is confirmed (a row that happens to equal the two
          // after it is not a subtotal).
          // Labels indented under a label are its children the same way, but indentation is
          // presentation the researcher chose: numbers that contradict it are reported (C010),
          // where codes that do not add up are read as a selection of codes.
          var subtotals: [(parent: Int, children: [Int])] = []
          var subtotalSources: [TableStructure.Source] = []
          var subtotalBases: [TableStructure.Basis?] = []
          for group in stated {
            let verdict = matrix.verdict(group.parent, of: group.children, tolerance: tolerance)
            guard !verdict.contradicted else {
              if group.basis == .indentation {
                structure.contradictions =
                  (structure.contradictions ?? []) + [
                    .init(
                      dimension: dimension.name, parent: names[group.parent],
                      children: group.children.map { names[$0] }, basis: .indentation)
                  ]
              }
              continue
            }
            subtotals.append((group.parent, group.children))
            subtotalSources.append(verdict.confirmed ? .labelAndArithmetic : .suspected)
            subtotalBases.append(group.basis)
          }
          let nested = Set(subtotals.flatMap { [$0.parent] + $0.children })
          var runs = findSubtotals(matrix, labelCount: labelCount, excluding: nested, tolerance: tolerance)
          runs.removeAll { run in
            run.children.contains { !Self.nests(names[$0], under: names[run.parent]) } && !subtotals.isEmpty
          }
          if runs.contains(where: { run in run.children.contains { !Self.nests(names[$0], under: names[run.parent]) } })
          {
            let children = Set((subtotals + runs).flatMap(\.children))
            let parents = Set((subtotals + runs).map(\.parent))
            let confirmed = (0..<labelCount).contains { candidate in
              guard !parents.contains(candidate), !children.contains(candidate) else { return false }
              let roots = (0..<labelCount).filter { $0 != candidate && !children.contains($0) }
              return roots.count >= 2 && matrix.isSum(candidate, of: roots, tolerance: tolerance)
            }
            if !confirmed { runs = [] }
          }
          subtotals += runs
          subtotalSources += runs.map { _ in .arithmetic }
          subtotalBases += runs.map { _ in nil }
          for (index, (parent, children)) in subtotals.enumerated() {
            result.append((UInt32(parent), children.map(UInt32.init)))
            subtotalChildren.formUnion(children)
            structure.subtotals.append(
              .init(
                dimension: dimension.name, parent: names[parent], children: children.map { names[$0] },
                source: subtotalSources[index],
                inferredFrom: subtotalBases[index]))
          }
          if !subtotals.isEmpty {
            let parents = Set(subtotals.map(\.parent))
            for candidate in 0..<labelCount where !parents.contains(candidate) && !subtotalChildren.contains(candidate)
            {
              let roots = (0..<labelCount).filter { $0 != candidate && !subtotalChildren.contains($0) }
              guard roots.count >= 2 else { continue }
              let verdict = matrix.verdict(candidate, of: roots, tolerance: tolerance)
              if verdict.confirmed {
                margins.append(candidate)
                sources[candidate] = evidence[candidate] > 0 ? .labelAndArithmetic : .arithmetic
              } else if !verdict.contradicted && evidence[candidate] > 0 && margins.isEmpty {
                // A total over the top level that no row can confirm: read as one.
                agree[candidate] = 0
                disagree[candidate] = 0
              }
            }
          }
        }
      } else if suggested {
        // The labels suggest totals the numbers did not confirm, and the table is too large to
        // search: a person must look (a dimension with no such hint has none to find).
        structure.unsearched.append(dimension.name)
      }
    }
    // Labels that say margin but that no row could test: suspected margins.
    let undecided = (0..<labelCount).filter {
      sources[$0] == nil && agree[$0] == 0 && disagree[$0] == 0 && !subtotalChildren.contains($0)
    }
    if margins.isEmpty {
      for id in undecided where evidence[id] > 0 && !declaredCategory[id] && accompanied[id] {
        margins.append(id)
        sources[id] = declaredMargin[id] ? .declared : .suspected
        break
      }
    }
    for id in 0..<labelCount
    where evidence[id] == 2 && sources[id] == nil && !subtotalChildren.contains(id)
      && !result.contains(where: { $0.parent == UInt32(id) }) && (disagree[id] > 0 || !margins.isEmpty)
    {
      structure.disagreements.append(
        .init(dimension: dimension.name, label: dimension.labels.labels[id], declaredCategory: declaredCategory[id]))
    }
    for id in 0..<labelCount { table.dimensions[d].isMarginLabel[id] = sources[id] != nil }
    for id in margins {
      structure.margins.append(
        .init(dimension: dimension.name, label: dimension.labels.labels[id], source: sources[id]!))
    }
    // One margin totals every category that is not a subtotal's child; several margins in one
    // dimension each total the categories (duplicated totals), and the audit gets each equation.
    let roots = (0..<labelCount).filter { sources[$0] == nil && !subtotalChildren.contains($0) }
    // (A margin of one category shown is its label's reading: the others were left out.)
    if !roots.isEmpty {
      for margin in margins { result.append((UInt32(margin), roots.map(UInt32.init))) }
    }
    if !margins.isEmpty {
      // Groups where a category is absent beside a published margin.
      var present = [Int32](repeating: 0, count: grouping.count)
      var hasMargin = [Bool](repeating: false, count: grouping.count)
      var labels = table.keys[d].sequentialReader()
      let marginSet = Set(margins)
      grouping.forEachCell(table) { cell, group in
        let id = Int(labels.id(of: cell))
        if marginSet.contains(id) {
          if values[cell].number != nil { hasMargin[group] = true }
        } else {
          present[group] += 1
        }
      }
      let categories = Int32(labelCount - margins.count)
      structure.groupsWithAbsentCategories += (0..<grouping.count).count {
        hasMargin[$0] && present[$0] < categories && present[$0] > 0
      }
    }
    return result
  }

  /// Subtotals in the middle of a dimension: a label whose cells equal the sum of the run of two
  /// or more labels just after it (or just before it, as in `Leeds, York, North`), in every group
  /// where all of them are published, and in at least one where that sum is not zero. Labels are
  /// in the order the file first shows them.
  private func findSubtotals(
    _ matrix: DenseCells, labelCount: Int, excluding: Set<Int>, tolerance: (Double, Int) -> Double
  ) -> [(parent: Int, children: [Int])] {
    var found: [(parent: Int, children: [Int])] = []
    var used = excluding
    for parent in 0..<labelCount where !used.contains(parent) {
      var best: [Int]?
      for direction in [1, -1] {
        var run: [Int] = []
        var next = parent + direction
        while next >= 0 && next < labelCount && run.count < Self.maxChildren {
          if used.contains(next) { break }
          run.append(next)
          next += direction
          guard run.count >= 2 else { continue }
          if matrix.isSum(parent, of: run, tolerance: tolerance) {
            best = run
            break
          }
        }
        if best != nil { break }
      }
      if let best, best.count < labelCount - 1 {
        found.append((parent, best.sorted()))
        used.insert(parent)
        used.formUnion(best)
      }
    }
    return found
  }

  /// The hierarchy the labels state, in label order: labels indented under the label above them
  /// when some are indented (``indentedHierarchy(_:)``), otherwise codes under codes
  /// (``nestedCodes(_:)``, ``codePatternHierarchy(_:)``). Only parents of two or more children:
  /// a single indented row is read as an "of which" line, a part and not a breakdown.
  static func statedHierarchy(_ names: [String]) -> [(parent: Int, children: [Int], basis: TableStructure.Basis)] {
    let indented = indentedHierarchy(names)
    if !indented.isEmpty { return indented.map { ($0.parent, $0.children, .indentation) } }
    var result = nestedCodes(names).map { ($0.parent, $0.children, TableStructure.Basis.codes) }
    let parents = Set(result.map(\.0))
    let children = Set(result.flatMap(\.1))
    for group in codePatternHierarchy(names)
    where !parents.contains(group.parent) && children.isDisjoint(with: group.children) {
      result.append((group.parent, group.children, .codes))
    }
    return result.sorted { $0.0 < $1.0 }
  }

  /// How deep a label is indented, and its text without the indentation: a space or a
  /// non-breaking space is one, a tab four, a `- `, `• ` or `– ` bullet two. `nil` for a label
  /// that is a number once trimmed (right-aligned numbers are padded, not indented).
  static func indentation(of label: String) -> (depth: Int, text: Substring)? {
    var depth = 0
    var rest = Substring(label)
    while let first = rest.unicodeScalars.first {
      if first == " " || first == "\u{00A0}" || first == "\u{2007}" || first == "\u{202F}" {
        depth += 1
      } else if first == "\t" {
        depth += 4
      } else if "-•–".unicodeScalars.contains(first), rest.unicodeScalars.dropFirst().first == " " {
        depth += 2
        rest = Substring(rest.unicodeScalars.dropFirst(2))
        continue
      } else {
        break
      }
      rest = Substring(rest.unicodeScalars.dropFirst())
    }
    if !rest.isEmpty, rest.allSatisfy({ $0.isNumber || ".,-+%".contains($0) }) { return nil }
    return (depth, rest)
  }

  /// Labels indented under the label above them (`North`, `  Leeds`, `  York`): each label's
  /// parent is the nearest label above it that is indented less. Empty when no label is indented
  /// more than another, or when some label is a number (right-aligned, not indented).
  static func indentedHierarchy(_ names: [String]) -> [(parent: Int, children: [Int])] {
    var depths: [Int] = []
    for name in names {
      guard let (depth, text) = indentation(of: name), !text.isEmpty else { return [] }
      depths.append(depth)
    }
    guard let shallowest = depths.min(), depths.contains(where: { $0 > shallowest }) else { return [] }
    var children = [[Int]](repeating: [], count: names.count)
    var stack: [Int] = []
    for (index, depth) in depths.enumerated() {
      while let top = stack.last, depths[top] >= depth { stack.removeLast() }
      if let parent = stack.last { children[parent].append(index) }
      stack.append(index)
    }
    return names.indices.filter { children[$0].count >= 2 }.map { ($0, children[$0]) }
  }

  /// Codes that every child extends by the same pattern of letters and digits: `E110`, `E119`
  /// under `E11` (ICD-10 written without its dot), `K0101`, `K0102` under `K01`. A code holds a
  /// letter and a digit and nothing else, so that words (`Northumberland` under `North`) and
  /// numbers (`10` under `1`) never nest this way; children of other patterns under the same
  /// parent (`E110` beside `E11A2`) make no hierarchy.
  static func codePatternHierarchy(_ names: [String]) -> [(parent: Int, children: [Int])] {
    func isCode(_ text: String) -> Bool {
      (2...16).contains(text.utf8.count)
        && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        && text.unicodeScalars.contains { ("0"..."9").contains($0) }
        && text.unicodeScalars.contains { $0.properties.isAlphabetic }
    }
    func shape(_ suffix: Substring) -> String {
      String(suffix.unicodeScalars.map { ("0"..."9").contains($0) ? "9" : "A" })
    }
    let codes = names.indices.filter { isCode(names[$0]) }
    guard codes.count >= 3 else { return [] }
    var result: [(parent: Int, children: [Int])] = []
    for parent in codes {
      let code = names[parent]
      let under = codes.filter { names[$0].count > code.count && names[$0].hasPrefix(code) }
      let direct = under.filter { child in !under.contains { $0 != child && names[child].hasPrefix(names[$0]) } }
      guard direct.count >= 2 else { continue }
      let shapes = Set(direct.map { shape(names[$0].dropFirst(code.count)) })
      if shapes.count == 1 { result.append((parent, direct)) }
    }
    return result
  }

  /// Codes with two or more codes nested directly under them (`North` above `North/Leeds` and
  /// `North/York`; `E11` above `E11.2` and `E11.9`), in label order.
  static func nestedCodes(_ names: [String]) -> [(parent: Int, children: [Int])] {
    var result: [(parent: Int, children: [Int])] = []
    for parent in names.indices {
      let under = names.indices.filter { $0 != parent && nests(names[$0], under: names[parent]) }
      // Direct children only: not under another code that is itself under this one.
      let direct = under.filter { child in !under.contains { $0 != child && nests(names[child], under: names[$0]) } }
      if direct.count >= 2 { result.append((parent, direct)) }
    }
    return result
  }

  /// Whether `child` reads as a code under `parent`: `North/Leeds`, `North - Leeds`, `North: Leeds`
  /// under `North`, `E11.9` under `E11`.
  static func nests(_ child: String, under parent: String) -> Bool {
    let child = child.trimmingWhitespace()
    let parent = parent.trimmingWhitespace()
    guard !parent.isEmpty, child.count > parent.count, child.hasPrefix(parent) else { return false }
    // The code goes on after a separator: `North/Leeds`, `North - Leeds`, `E11.9`; not `Northumberland`.
    let next = child[child.index(child.startIndex, offsetBy: parent.count)]
    return "/-:._ >|".contains(next)
  }

  /// Rows for the same cell: one pass with a bit per possible key (dense tables) or a
  /// dictionary; the first rows of the few repeats kept are found by a second pass.
  private func findRepeatedCells(_ table: Table, into structure: inout TableStructure) {
    guard !table.dimensions.isEmpty, table.cellCount > 1 else { return }
    let grouping = TableGrouping(table, along: nil)
    var seen = [UInt64](repeating: 0, count: (grouping.count + 63) / 64)
    var repeats: [(cell: Int, key: Int)] = []
    grouping.forEachCell(table) { cell, key in
      let (word, bit) = (key >> 6, UInt64(1) << UInt64(key & 63))
      if seen[word] & bit == 0 {
        seen[word] |= bit
        return
      }
      structure.repeatedCellCount += 1
      if repeats.count < 20 { repeats.append((cell, key)) }
    }
    guard !repeats.isEmpty else { return }
    var first: [Int: Int] = [:]
    let wanted = Set(repeats.map(\.key))
    grouping.forEachCell(table) { cell, key in
      if wanted.contains(key) && first[key] == nil { first[key] = cell }
    }
    structure.repeatedCells = repeats.map { repeated in
      .init(
        cell: repeated.cell, firstLine: table.line(ofCell: first[repeated.key]!),
        secondLine: table.line(ofCell: repeated.cell),
        coordinates: table.coordinates(ofCell: repeated.cell))
    }
  }
}

/// The cells of one measure laid out by group and label along one dimension, for testing which
/// labels are sums of which (`nil` when the layout would not fit in a few million slots).
private struct DenseCells {
  let labelCount: Int
  let groupCount: Int
  /// `NaN` for a withheld or absent cell.
  private var values: [Double]

  init?(_ table: Table, dimension d: Int, grouping: TableGrouping, measure: Int) {
    labelCount = table.dimensions[d].labels.count
    groupCount = grouping.count
    let (slots, overflow) = labelCount.multipliedReportingOverflow(by: groupCount)
    guard !overflow, slots <= 1 << 23, slots <= 8 * max(table.cellCount, 1024) else { return nil }
    values = [Double](repeating: .nan, count: slots)
    var labels = table.keys[d].sequentialReader()
    let column = table.values[measure]
    grouping.forEachCell(table) { [labelCount] cell, group in
      values[group * labelCount + Int(labels.id(of: cell))] = column[cell].number ?? .nan
    }
  }

  /// Whether the numbers confirm that `parent` is the sum of `parts` (equal in some group where all
  /// are published, with a sum other than zero) and whether they contradict it (unequal where all
  /// are published, or smaller than its published parts).
  func verdict(_ parent: Int, of parts: [Int], tolerance: (Double, Int) -> Double) -> (
    confirmed: Bool, contradicted: Bool
  ) {
    var confirmed = false
    for group in 0..<groupCount {
      let base = group * labelCount
      let total = values[base + parent]
      guard !total.isNaN else { continue }
      var sum = 0.0
      var magnitude = abs(total)
      var complete = true
      for part in parts {
        let v = values[base + part]
        if v.isNaN {
          complete = false
          continue
        }
        sum += v
        magnitude += abs(v)
      }
      let slack = tolerance(magnitude, parts.count + 1)
      if complete {
        if abs(total - sum) > slack { return (false, true) }
        if sum != 0 { confirmed = true }
      } else if total + slack < sum {
        return (false, true)
      }
    }
    return (confirmed, false)
  }

  /// Whether the numbers confirm that `parent` is the sum of `parts` and nothing contradicts it.
  func isSum(_ parent: Int, of parts: [Int], tolerance: (Double, Int) -> Double) -> Bool {
    let verdict = verdict(parent, of: parts, tolerance: tolerance)
    return verdict.confirmed && !verdict.contradicted
  }
}

extension Table {
  /// The table's count columns read as categories of one more dimension (`Males, Females,
  /// Persons` or `n_male, n_female, n_total` beside the labels), when there are three or more:
  /// the shape of a crosstab, whose totals and class disclosure are then found like any other
  /// dimension's. `nil` when the table has fewer count columns or is a crosstab already.
  func countsAsDimension(named name: String) -> Table? {
    guard layout == .long else { return nil }
    let folded = measures.indices.filter { isAdditiveCount($0) }
    guard folded.count >= 3, folded.allSatisfy({ measures[$0].field != nil }) else { return nil }
    let rows = values[folded[0]].count
    let width = folded.count
    var dimension = Dimension(name: name)
    for measure in folded {
      _ = dimension.labels.intern(measures[measure].name)
      dimension.isMarginLabel.append(false)
    }
    var view = Table(
      file: file, kind: kind, layout: .wide, dimensions: dimensions + [dimension],
      measures: [Measure(name: "count", role: .count, field: nil)],
      keys: Array(repeating: PackedIDs(), count: dimensions.count + 1), values: [PackedValues()])
    for d in view.keys.indices { view.keys[d].reserve(rows * width) }
    view.values[0].reserve(rows * width)
    var readers = keys.map { $0.sequentialReader() }
    for row in 0..<rows {
      for d in readers.indices {
        let id = readers[d].id(of: row)
        for _ in 0..<width { view.keys[d].append(id) }
      }
      for (position, measure) in folded.enumerated() {
        view.keys[dimensions.count].append(UInt32(position))
        let value = values[measure][row]
        view.values[0].append(value)
        if value.number == 0 && structuralZeroCells.contains(row) {
          view.structuralZeroCells.insert(row * width + position)
        }
      }
    }
    view.declaration = declaration
    view.crosstabFields = folded.map { measures[$0].field! }
    view.cellsPerRow = width
    view.firstLine = firstLine
    view.lineJumps = lineJumps
    view.markerUse = markerUse
    view.publishedZeros = publishedZeros
    return view
  }
}
