import Foundation

/// A frequency table reduced to what differencing across outputs needs: its dimensions, the
/// population it declares, and its published counts keyed by labels. Stored in the release
/// history; built from a checked output.
public struct ComparableTable: Codable, Sendable, Equatable {
  /// Where the table came from (a file path, or a released request's file name).
  public var source: String
  /// Dimension names (normalized), in table order.
  public var dimensions: [String]
  /// The declared population, if any.
  public var population: String?
  /// The file this table's population is declared a subset of (manifest `subset_of`).
  public var subsetOf: String?
  /// Published counts: labels (joined by U+001F, in `dimensions` order) to value. Withheld cells are absent.
  public var cells: [String: Double]
  /// Positions of the cells in the source file, for findings (not stored in the history).
  public var positions: [String: Position]? = nil
  /// Keys of the withheld cells, for the linked-tables audit (stored in the history, so that a
  /// table released with a withheld cell is audited with new tables linked to it).
  public var withheld: Set<String>? = nil

  /// What the output's manifest declares about linking it with other outputs of the run (not
  /// stored in the history).
  var links: DeclaredLinks? = nil

  /// `same_dimension_as`, `different_dimension_from` and `not_linked`, with dimension names
  /// normalized as ``dimensions`` are.
  struct DeclaredLinks: Sendable, Equatable {
    /// A dimension of this table and one of the table read from `file`.
    struct Pair: Sendable, Equatable, Hashable {
      var dimension: String
      var file: String
      var other: String
    }
    var same: [Pair] = []
    var different: [Pair] = []
    /// File names never compared or linked with this table.
    var notLinked: Set<String> = []

    init?(_ declaration: OutputDeclaration?) {
      guard let declaration,
        !(declaration.sameDimensions.isEmpty && declaration.differentDimensions.isEmpty
          && declaration.notLinked.isEmpty)
      else { return nil }
      func pair(_ link: OutputDeclaration.DimensionLink) -> Pair {
        Pair(
          dimension: NamingConventions.normalized(link.dimension.label), file: link.file,
          other: NamingConventions.normalized(link.otherDimension))
      }
      same = declaration.sameDimensions.map(pair)
      different = declaration.differentDimensions.map(pair)
      notLinked = Set(declaration.notLinked.map(\.label))
    }
  }

  /// The file name outputs are named by in manifests.
  var fileName: String { (source as NSString).lastPathComponent }

  /// Whether either table's manifest declares the two never compared or linked (`not_linked`).
  func isDeclaredUnlinked(with other: ComparableTable) -> Bool {
    links?.notLinked.contains(other.fileName) == true || other.links?.notLinked.contains(fileName) == true
  }

  /// The dimension pairs (this table's index, `other`'s index) either manifest declares the same
  /// (`same_dimension_as`) and declares different (`different_dimension_from`).
  func declaredPairs(with other: ComparableTable) -> (same: [(Int, Int)], different: Set<[Int]>) {
    var same: [(Int, Int)] = []
    var different = Set<[Int]>()
    func resolve(
      _ pairs: [DeclaredLinks.Pair], from a: ComparableTable, to b: ComparableTable, flipped: Bool,
      _ body: (Int, Int) -> Void
    ) {
      for pair in pairs where pair.file == b.fileName {
        guard let x = a.dimensions.firstIndex(of: pair.dimension), let y = b.dimensions.firstIndex(of: pair.other)
        else { continue }
        flipped ? body(y, x) : body(x, y)
      }
    }
    resolve(links?.same ?? [], from: self, to: other, flipped: false) { same.append(($0, $1)) }
    resolve(other.links?.same ?? [], from: other, to: self, flipped: true) { same.append(($0, $1)) }
    resolve(links?.different ?? [], from: self, to: other, flipped: false) { different.insert([$0, $1]) }
    resolve(other.links?.different ?? [], from: other, to: self, flipped: true) { different.insert([$0, $1]) }
    return (same, different)
  }

  /// Where a cell is in its file.
  public struct Position: Codable, Sendable, Equatable {
    public var line: Int
    public var column: Int
    public var columnName: String
  }

  /// The dimension signature: tables that share it can be compared cell by cell or band by band.
  public var signature: String { dimensions.sorted().joined(separator: "|") }

  /// The cells' keys with labels in sorted-dimension order, sorted, and the values in that order:
  /// two tables with equal `keySet`s can be compared as vectors, without building dictionaries.
  func canonical() -> (keySet: String, values: [Double]) {
    let order = dimensions.indices.sorted { dimensions[$0] < dimensions[$1] }
    let pairs = cells.map { key, value -> (String, Double) in
      let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
      return (order.map { parts.indices.contains($0) ? String(parts[$0]) : "" }.joined(separator: "\u{1F}"), value)
    }.sorted { $0.0 < $1.0 }
    return (pairs.map(\.0).joined(separator: "\u{1E}"), pairs.map(\.1))
  }

  /// The cells keyed with labels in sorted-dimension order (so that the keys of two tables whose
  /// dimensions are listed in different orders match), sorted by key, as the release history
  /// indexes them. Keys without one label per dimension are left out, as the comparison leaves them
  /// out; `isExact` is false when the table has such keys or repeats a dimension name, and then the
  /// history does not prune by these cells.
  func sortedCells() -> (keys: [String], values: [Double], isExact: Bool) {
    let order = dimensions.indices.sorted { dimensions[$0] < dimensions[$1] }
    var exact = Set(dimensions).count == dimensions.count
    var pairs: [(String, Double)] = []
    pairs.reserveCapacity(cells.count)
    for (key, value) in cells {
      let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
      guard parts.count == dimensions.count else {
        exact = false
        continue
      }
      pairs.append((order.map { String(parts[$0]) }.joined(separator: "\u{1F}"), value))
    }
    pairs.sort { $0.0 < $1.0 }
    return (pairs.map(\.0), pairs.map(\.1), exact)
  }

  /// A table others are aligned to (``aligned(to:)``): its categories and labels in canonical
  /// form, worked out once however many tables are aligned to it.
  struct AlignmentTarget {
    let table: ComparableTable
    /// Per dimension, the canonical categories (margins and `Unknown`-like labels left out).
    let categories: [Set<String>]
    /// Per dimension, the label as the target writes it, by canonical form.
    let labels: [[String: String]]

    init(_ table: ComparableTable) {
      self.table = table
      var categories = [Set<String>](repeating: [], count: table.dimensions.count)
      var labels = [[String: String]](repeating: [:], count: table.dimensions.count)
      // Labels repeat across cells: each distinct one is put in canonical form once.
      var memo: [Substring: String] = [:]
      for key in table.cells.keys {
        let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == table.dimensions.count else { continue }
        for (d, part) in parts.enumerated() where part != "\u{2211}" {
          let canonical = memo[part] ?? LinkedTablesAudit.canonical(String(part))
          memo[part] = canonical
          labels[d][canonical] = String(part)
          if !LinkedTablesAudit.setAside.contains(canonical) { categories[d].insert(canonical) }
        }
      }
      (self.categories, self.labels) = (categories, labels)
    }
  }

  /// This table as `target` names things, when its dimensions are `target`'s under other names
  /// (`age_group` for `age_band`: four in five labels shared, and three at least, `Unknown` and
  /// the like set aside) or its labels are written another way (`0 to 15` for `0-15`, `M` for
  /// `Male`): its cells keyed by `target`'s dimensions and labels, and a note of each dimension
  /// matched by labels. `nil` when the tables differ in width or do not match; `renamed` matches
  /// every dimension by its labels (for tables of one signature whose labels are spelt otherwise).
  ///
  /// What either manifest declares wins: a dimension declared the same as one of `target`'s
  /// (`same_dimension_as`) is matched to it, one declared different is never matched to it.
  ///
  /// `own`, this table's own ``AlignmentTarget`` when already made, saves putting its labels in
  /// canonical form again.
  func aligned(to target: AlignmentTarget, renamed: Bool = false, own: AlignmentTarget? = nil) -> (
    table: ComparableTable, notes: [String]
  )? {
    guard dimensions.count == target.table.dimensions.count, renamed || signature != target.table.signature else {
      return nil
    }
    // Each distinct label is put in canonical form once.
    var memo: [Substring: String] = [:]
    for labels in own?.labels ?? [] {
      for (canonical, label) in labels { memo[Substring(label)] = canonical }
    }
    func canonical(_ label: Substring) -> String {
      if let known = memo[label] { return known }
      let value = LinkedTablesAudit.canonical(String(label))
      memo[label] = value
      return value
    }
    let categories: [Set<String>]
    if let own {
      categories = own.categories
    } else {
      let keys = cells.keys.map { $0.split(separator: "\u{1F}", omittingEmptySubsequences: false) }.filter {
        $0.count == dimensions.count
      }
      var ownCategories = [Set<String>](repeating: [], count: dimensions.count)
      for parts in keys {
        for (d, part) in parts.enumerated() where part != "\u{2211}" { ownCategories[d].insert(canonical(part)) }
      }
      categories = ownCategories.map { $0.subtracting(LinkedTablesAudit.setAside) }
    }
    guard let (mine, notes) = matchDimensions(categories, to: target, renamed: renamed) else { return nil }
    func relabel(_ parts: [Substring]) -> String {
      mine.enumerated().map { d, own in
        let label = parts[own]
        return label == "\u{2211}" ? "\u{2211}" : target.labels[d][canonical(label)] ?? String(label)
      }.joined(separator: "\u{1F}")
    }
    var aligned = ComparableTable(
      source: source, dimensions: target.table.dimensions, cells: [:], population: population, subsetOf: subsetOf)
    for (key, value) in cells {
      let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
      if parts.count == dimensions.count { aligned.cells[relabel(parts)] = value }
    }
    aligned.withheld = withheld.map { keys in
      Set(
        keys.map { $0.split(separator: "\u{1F}", omittingEmptySubsequences: false) }.filter {
          $0.count == dimensions.count
        }.map(relabel))
    }
    return (aligned, notes)
  }

  /// Whether ``aligned(to:renamed:)`` would align this table to `target`, from the table's
  /// categories worked out once (`own`, an ``AlignmentTarget`` of this table): the matching
  /// alone, without relabelling any cell. A run compares every pair of tables of one width, and
  /// most do not match.
  func couldAlign(_ own: AlignmentTarget, to target: AlignmentTarget, renamed: Bool = false) -> Bool {
    guard dimensions.count == target.table.dimensions.count, renamed || signature != target.table.signature else {
      return false
    }
    return matchDimensions(own.categories, to: target, renamed: renamed) != nil
  }

  /// For each of `target`'s dimensions, the one of this table it is (as either manifest declares,
  /// by name unless `renamed`, else by `categories`: this table's canonical categories per
  /// dimension, `Unknown` and the like left out), with a note of each match not made by name.
  private func matchDimensions(_ categories: [Set<String>], to target: AlignmentTarget, renamed: Bool) -> (
    mine: [Int], notes: [String]
  )? {
    var mine: [Int] = []  // for each of target's dimensions, the one of this table
    var notes: [String] = []
    let declared =
      target.table.links == nil && links == nil ? (same: [], different: []) : target.table.declaredPairs(with: self)
    for (d, name) in target.table.dimensions.enumerated() {
      if let (_, own) = declared.same.first(where: { $0.0 == d && !mine.contains($0.1) }) {
        mine.append(own)
        notes.append("'\(dimensions[own])' in \(fileName) read as '\(name)' as declared (same_dimension_as)")
        continue
      }
      if !renamed, let same = dimensions.firstIndex(of: name), !mine.contains(same),
        !declared.different.contains([d, same])
      {
        mine.append(same)
        continue
      }
      let theirs = target.categories[d]
      let match = dimensions.indices.filter { !mine.contains($0) && !declared.different.contains([d, $0]) }.first {
        other in
        let ours = categories[other]
        // Three shared categories at least: `Yes`/`No` of two questions are not one dimension.
        let shared = ours.intersection(theirs).count
        return shared >= 3 && shared * 5 >= 4 * max(ours.count, theirs.count)
      }
      guard let match else { return nil }
      mine.append(match)
      if !renamed { notes.append("'\(dimensions[match])' in \(fileName) read as '\(name)' by their labels") }
    }
    return (mine, notes)
  }

  private enum CodingKeys: String, CodingKey { case source, dimensions, population, subsetOf, cells, withheld }

  /// A table from its parts (for tests and benchmarks).
  public init(
    source: String, dimensions: [String], cells: [String: Double], population: String? = nil, subsetOf: String? = nil
  ) {
    self.source = source
    self.dimensions = dimensions
    self.cells = cells
    self.population = population
    self.subsetOf = subsetOf
  }

  /// The first count column of a frequency `table`, or `nil` for tables of other kinds.
  init?(_ table: Table) {
    guard table.kind == .frequency, let measure = table.measures.indices.first(where: { table.isAdditiveCount($0) }),
      !table.dimensions.isEmpty
    else { return nil }
    source = table.file
    dimensions = table.dimensions.map { NamingConventions.normalized($0.name) }
    population = table.declaration?.population
    subsetOf = table.declaration?.subsetOf
    links = DeclaredLinks(table.declaration)
    var cells: [String: Double] = [:]
    var positions: [String: Position] = [:]
    var withheld = Set<String>()
    for cell in 0..<table.cellCount {
      let key = table.dimensions.indices.map {
        Self.normalizedLabel(
          table.label(ofCell: cell, dimension: $0),
          margin: table.dimensions[$0].isMarginLabel[Int(table.keys[$0][cell])])
      }
      .joined(separator: "\u{1F}")
      if case .number(let value) = table.values[measure][cell] { cells[key] = value } else { withheld.insert(key) }
      positions[key] = Position(
        line: table.line(ofCell: cell), column: table.field(ofCell: cell, measure: measure),
        columnName: table.columnName(ofCell: cell, measure: measure))
    }
    self.cells = cells
    self.positions = positions
    self.withheld = withheld
  }

  /// Margins compare equal whatever their label (`Total`, `All`).
  static func normalizedLabel(_ label: String, margin: Bool) -> String {
    margin ? "\u{2211}" : label.trimmingWhitespace()
  }

  /// The labels of a key, for messages.
  static func describe(_ key: String) -> String {
    key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map { $0 == "\u{2211}" ? "Total" : String($0) }
      .joined(separator: "/")
  }
}

/// A banded label parsed into a half-open interval [low, high): `<20`, `20-39`, `20 to 39`, `70+`,
/// `≥70`, `40_44` (integer bands: `20-39` is [20, 40)).
struct Band: Equatable {
  var low: Double
  var high: Double

  init(low: Double, high: Double) { (self.low, self.high) = (low, high) }

  /// Whether `other` lies inside this band (and is not this band).
  func strictlyContains(_ other: Band) -> Bool { low <= other.low && other.high <= high && self != other }

  init?(_ label: String) {
    let text = label.trimmingWhitespace().lowercased().replacingOccurrences(of: " ", with: "")
    func number(_ s: Substring) -> Double? { Double(s) }
    if text.hasPrefix("<=") || text.hasPrefix("≤"), let n = number(text.drop { "<=≤".contains($0) }) {
      (low, high) = (-.infinity, n + 1)
    } else if text.hasPrefix("<"), let n = number(text.dropFirst()) {
      (low, high) = (-.infinity, n)
    } else if text.hasSuffix("+"), let n = number(text.dropLast()) {
      (low, high) = (n, .infinity)
    } else if text.hasPrefix(">=") || text.hasPrefix("≥"), let n = number(text.drop { ">=≥".contains($0) }) {
      (low, high) = (n, .infinity)
    } else if let separator = ["to", "-", "–", "_"].first(where: { text.contains($0) }) {
      let parts = text.components(separatedBy: separator)
      guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]), a <= b else { return nil }
      (low, high) = (a, b + 1)
    } else {
      return nil
    }
  }
}
