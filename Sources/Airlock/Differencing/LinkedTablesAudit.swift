import Foundation

/// Linked tables (τ-ARGUS's term): outputs of one run whose dimensions map onto each other, such as
/// a two-way table of age by sex and the one-way table of its age margins published as a second
/// file, are one system of equations. A cell each protects on its own may be given back by the
/// two together: `ages.csv 0-15 (125) − by_sex.csv 0-15/Male (120) = 5`.
///
/// Dimensions are matched by name, or by content when the names differ (`age_band` and
/// `age_group` with the same labels); labels by a canonical form (`0-15`, `0 to 15`, `0–15` and
/// `[0,16)` are one band; `M` and `Male`, `F` and `Female` one category). Each table's own margins
/// and the links between the tables are audited together, as the within-table audit (X001) does:
/// exact recovery, then LP intervals against the protection width. Only what the tables give away
/// together is reported here; what one table gives away alone is X001's.
struct LinkedTablesAudit {
  let minWidth: Double

  /// A withheld cell that the linked tables give away.
  struct Derivation: Equatable {
    /// The table (index into the audited list) and the cell's key in it.
    var table: Int
    var key: String
    var reason: String
    var outcome: Outcome = .fail
  }

  /// A table read for linking: canonical dimension names and labels per cell.
  private struct Linked {
    var source: String
    /// The table as read, for what its manifest declares about links.
    var table: ComparableTable
    var dimensions: [String]
    /// Canonical labels per dimension, per cell key (published and withheld).
    var labels: [String: [String]] = [:]
    var published: [String: Double]
    var withheld: Set<String>
    /// Per dimension, the canonical category labels (margins left out).
    var categories: [Set<String>]
    /// The cells' keys and canonical labels, sorted by key: every pass over the cells takes them
    /// in this order, so that equations, and which of two equal findings is reported, do not
    /// depend on a dictionary's order.
    var sortedLabels: [(key: String, labels: [String])] = []
    /// The cell with each set of canonical labels (of two keys that read the same, the later).
    var byLabels: [[String]: String] = [:]

    init(_ table: ComparableTable) {
      source = table.source
      self.table = table
      dimensions = table.dimensions
      published = table.cells
      withheld = table.withheld ?? []
      var categories = [Set<String>](repeating: [], count: table.dimensions.count)
      // Labels repeat across cells: each distinct one is put in canonical form once.
      var memo: [Substring: String] = [:]
      func canonical(_ label: Substring) -> String {
        if let known = memo[label] { return known }
        let value = LinkedTablesAudit.canonical(String(label))
        memo[label] = value
        return value
      }
      for key in Array(table.cells.keys) + Array(withheld) {
        let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(canonical)
        guard parts.count == table.dimensions.count else { continue }
        labels[key] = parts
        for (d, label) in parts.enumerated() where label != "\u{2211}" { categories[d].insert(label) }
      }
      self.categories = categories
      sortedLabels = labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
      for (key, labels) in sortedLabels { byLabels[labels] = key }
    }
  }

  /// `label` in the form linked tables compare: trimmed and lowercased; bands as their interval
  /// (`0-15`, `0 to 15`, `0–15`, `[0,16)` alike); a few category synonyms (`M`, `Male`, `Men`).
  static func canonical(_ label: String) -> String {
    if label == "\u{2211}" { return label }
    let text = StructureDetector.folded(label)
    if let synonym = synonyms[text] { return synonym }
    if let band = band(text) { return "band:\(band.low)-\(band.high)" }
    return text
  }

  /// A banded label as its interval, however it is written: `0-15`, `0 to 15`, `0–15`,
  /// `Aged 0 to 15`, `Under 16`, `<16`, `16+`, `16 and over`, `65 plus`, `85 & over`,
  /// `65 years and over`, `[0,16)`, `(15,20]` (whole years: 16 to 20).
  static func band(_ label: String) -> Band? {
    var interval = StructureDetector.folded(label).replacingOccurrences(of: "–", with: "-").replacingOccurrences(
      of: "—", with: "-")
    if interval.hasPrefix("aged ") { interval.removeFirst(5) }
    interval = interval.replacingOccurrences(of: " years", with: "").replacingOccurrences(of: " yrs", with: "")
    if interval.count > 2, let open = interval.first, let close = interval.last, "[(".contains(open),
      "])".contains(close)
    {
      let parts = interval.dropFirst().dropLast().split(separator: ",")
      guard parts.count == 2, let low = Double(parts[0].trimmingCharacters(in: .whitespaces)),
        let high = Double(parts[1].trimmingCharacters(in: .whitespaces))
      else { return nil }
      // Whole years: `(15,20]` is 16 to 20, `[0,16)` is 0 to 15.
      return Band(low: open == "(" ? low + 1 : low, high: close == "]" ? high + 1 : high)
    }
    return Band(
      interval.replacingOccurrences(of: "under ", with: "<").replacingOccurrences(of: " and over", with: "+")
        .replacingOccurrences(of: " and older", with: "+").replacingOccurrences(of: " plus", with: "+")
        .replacingOccurrences(of: " & over", with: "+").replacingOccurrences(of: " or more", with: "+"))
  }

  static let synonyms: [String: String] = [
    "m": "male", "males": "male", "men": "male", "man": "male", "f": "female", "females": "female", "women": "female",
    "woman": "female", "boys": "male", "girls": "female",
  ]

  /// Categories set aside when dimensions are matched by their labels: one table may publish an
  /// `Unknown` row the other leaves out, and the rest still line up.
  static let setAside: Set<String> = [
    "unknown", "missing", "(missing)", "not stated", "not known", "not recorded", "prefer not to say", "na", "n/a",
    "unknown/missing", "missing/unknown", "refused", "don't know",
  ]

  /// For each dimension of `small`, the dimension of `big` it is: as either manifest declares
  /// (`same_dimension_as`), else by name, else by its categories (the same labels, or four in five
  /// shared, `Unknown` and the like set aside), never one declared different
  /// (`different_dimension_from`), with a note of each match not made by name. `nil` when some
  /// dimension has no match, or either manifest declares the tables unlinked (`not_linked`).
  private func mapping(_ small: Linked, onto big: Linked) -> (map: [Int], notes: [String])? {
    let declaresLinks = small.table.links != nil || big.table.links != nil
    if declaresLinks && small.table.isDeclaredUnlinked(with: big.table) { return nil }
    let declared = declaresLinks ? small.table.declaredPairs(with: big.table) : (same: [], different: [])
    var used = Set<Int>()
    var result: [Int] = []
    var notes: [String] = []
    for (d, name) in small.dimensions.enumerated() {
      if let (_, target) = declared.same.first(where: { $0.0 == d && !used.contains($0.1) }) {
        result.append(target)
        used.insert(target)
        notes.append("'\(name)' read as '\(big.dimensions[target])' as declared (same_dimension_as)")
        continue
      }
      if let same = big.dimensions.indices.first(where: {
        big.dimensions[$0] == name && !used.contains($0) && !declared.different.contains([d, $0])
      }) {
        result.append(same)
        used.insert(same)
        continue
      }
      let mine = small.categories[d].subtracting(Self.setAside)
      let match = big.dimensions.indices.filter { !used.contains($0) && !declared.different.contains([d, $0]) }.first {
        other in
        let theirs = big.categories[other].subtracting(Self.setAside)
        let shared = mine.intersection(theirs).count
        return !mine.isEmpty && shared * 5 >= 4 * max(mine.count, theirs.count)
      }
      guard let match else { return nil }
      result.append(match)
      used.insert(match)
      notes.append("'\(name)' read as '\(big.dimensions[match])' by their labels")
    }
    return (result, notes)
  }

  /// What the linked tables among `tables` give away together. The last `released` tables come
  /// from the release history: pairs of two released tables are not audited again, and a cell of
  /// a released table that a new one gives away is reported on the new one, as a whole-output
  /// finding (the released table's cells have no place in it).
  ///
  /// `indexed` (the default) compares only the pairs the ``LinkIndex`` keeps, those with some
  /// published cell of the smaller table equal to a published sum of the larger one's under the
  /// same labels; `false` tries every pair (the reference, for tests). The findings are the same.
  func derive(_ tables: [ComparableTable], released: Int = 0, indexed: Bool = true) -> [Derivation] {
    deriveWithLinks(tables, released: released, indexed: indexed).derivations
  }

  /// Two tables the audit found linked (their published cells add up to each other where both
  /// publish), and how the smaller one's dimensions were matched to the larger one's.
  struct Link: Equatable {
    var small: Int
    var big: Int
    /// Each dimension matched other than by name (`'age_group' read as 'age_band' by their labels`).
    var notes: [String]
  }

  /// ``derive(_:released:indexed:)``, with every pair of tables it found linked: every mapping
  /// made is reported, whether or not the pair gives a cell away.
  func deriveWithLinks(_ tables: [ComparableTable], released: Int = 0, indexed: Bool = true) -> (
    derivations: [Derivation], links: [Link]
  ) {
    var links: [Link] = []
    let linked = tables.map(Linked.init)
    let firstReleased = tables.count - released
    var result: [Derivation] = []
    var reported = Set<String>()
    // Only pairs with a withheld cell can give one away; the cheap tests go first, since a run
    // may hold thousands of tables.
    let byWidth = Dictionary(grouping: linked.indices, by: { linked[$0].dimensions.count })
    let index = indexed ? LinkIndex(linked) : nil
    for big in linked.indices {
      let smaller: [Int]
      if let index {
        smaller = index.candidates(for: big, in: linked)
      } else {
        smaller = byWidth.keys.sorted().filter { $0 < linked[big].dimensions.count }.flatMap { byWidth[$0]! }
      }
      for small in smaller {
        guard big < firstReleased || small < firstReleased else { continue }
        guard !linked[small].withheld.isEmpty || !linked[big].withheld.isEmpty else { continue }
        guard let (map, notes) = mapping(linked[small], onto: linked[big]) else { continue }
        var isLinked = false
        let derived = audit(linked, big: big, small: small, map: map, linked: &isLinked)
        if isLinked { links.append(Link(small: small, big: big, notes: notes)) }
        for var derivation in derived
        where reported.insert("\(derivation.table)\u{1E}\(derivation.key)").inserted {
          if !notes.isEmpty { derivation.reason += " (" + notes.joined(separator: "; ") + ")" }
          if derivation.table >= firstReleased {
            // A released table's withheld cell, given away by a new output.
            let new = derivation.table == big ? small : big
            let labels = ComparableTable.describe(derivation.key)
            derivation = Derivation(
              table: new, key: "",
              reason: "the released table \(tables[derivation.table].source) withheld \(labels); "
                + derivation.reason.replacingOccurrences(
                  of: "this table and \((tables[new].source as NSString).lastPathComponent) together",
                  with: "it and this output together"),
              outcome: derivation.outcome)
          }
          result.append(derivation)
        }
      }
    }
    // Findings in a stable order (whole-output findings, keyed "", in the order found).
    let derivations = result.enumerated().sorted {
      ($0.element.table, $0.element.key, $0.offset) < ($1.element.table, $1.element.key, $1.offset)
    }
    .map(\.element)
    return (derivations, links)
  }

  /// Which pairs of tables can be linked, found without trying every pair.
  ///
  /// The audit links a smaller table to a larger one only when some link is seen to hold: a
  /// published cell of the smaller table equal to the sum of the larger one's published cells
  /// with its labels in the shared dimensions and every category in the others (a pair without
  /// one gives nothing, see `audit`). So each larger table's sums over every set of its
  /// dimensions (as wide as some smaller table) are indexed by their labels, as a multiset (which
  /// dimension maps onto which is not known yet), and their value; each published cell of a
  /// smaller table looks itself up. Tables that publish no such sum (every one holds a withheld
  /// cell) are never linked either. Tables of many dimensions, whose sets of dimensions would be
  /// too many to index, and tables whose manifests declare links are kept for every pair.
  private struct LinkIndex {
    /// Published sums by labels and value (in millionths, rounded): the larger tables that have them.
    private var sums: [String: [Int]] = [:]
    /// Per larger table, the smaller tables that look one of its sums up.
    private var pairs: [Int: Set<Int>] = [:]
    /// Tables kept for every pair.
    private var unindexed = Set<Int>()
    /// The most dimensions a table may have to be indexed (2^8 sets of dimensions at most).
    static let maxDimensions = 8

    init(_ tables: [Linked]) {
      let widths = Set(tables.map(\.dimensions.count))
      for (t, table) in tables.enumerated() {
        let width = table.dimensions.count
        if width > Self.maxDimensions || table.table.links != nil {
          unindexed.insert(t)
          continue
        }
        guard widths.contains(where: { $0 < width }) else { continue }
        let byLabels = table.byLabels
        let cellsPerSum = table.categories.map(\.count)
        for subset in 1..<(1 << width) - 1 {
          let shared = (0..<width).filter { subset & (1 << $0) != 0 }
          guard widths.contains(shared.count) else { continue }
          let others = (0..<width).filter { subset & (1 << $0) == 0 }
          let expected = others.reduce(1) { $0 * cellsPerSum[$1] }
          var groups: [[String]: (sum: Double, count: Int, complete: Bool)] = [:]
          for (labels, key) in byLabels {
            // Only cells of a category in every other dimension are summed (not its margin).
            guard others.allSatisfy({ labels[$0] != "\u{2211}" && table.categories[$0].contains(labels[$0]) }) else {
              continue
            }
            let group = shared.map { labels[$0] }
            var entry = groups[group] ?? (0, 0, true)
            entry.count += 1
            if let value = table.published[key] { entry.sum += value } else { entry.complete = false }
            groups[group] = entry
          }
          for (group, entry) in groups where entry.complete && entry.count == expected {
            let signature = Self.signature(group)
            let bucket = Self.bucket(entry.sum)
            for b in [bucket - 1, bucket, bucket + 1] { sums[signature + "\u{1E}\(b)", default: []].append(t) }
          }
        }
      }
      for (s, table) in tables.enumerated() {
        if unindexed.contains(s) { continue }
        for (key, labels) in table.labels {
          guard let value = table.published[key],
            let found = sums[Self.signature(labels) + "\u{1E}\(Self.bucket(value))"]
          else { continue }
          for big in found where tables[big].dimensions.count > table.dimensions.count {
            pairs[big, default: []].insert(s)
          }
        }
      }
    }

    /// Labels as a multiset: sorted, joined.
    static func signature(_ labels: [String]) -> String { labels.sorted().joined(separator: "\u{1F}") }

    /// A value in millionths, rounded: values the audit reads as equal (within 1e-9) fall in the
    /// same or a neighbouring bucket, and each sum is filed under three.
    static func bucket(_ value: Double) -> Int64 {
      let scaled = (value * 1e6).rounded()
      return abs(scaled) < 9e18 ? Int64(scaled) : (scaled < 0 ? Int64.min / 2 : Int64.max / 2)
    }

    /// The smaller tables to audit with `big`, in the order every pair would be tried in
    /// (narrower first, then in table order).
    func candidates(for big: Int, in tables: [Linked]) -> [Int] {
      let width = tables[big].dimensions.count
      var found = pairs[big] ?? []
      if unindexed.contains(big) {
        found = Set(tables.indices.filter { tables[$0].dimensions.count < width })
      } else {
        found.formUnion(unindexed.filter { tables[$0].dimensions.count < width })
      }
      return found.sorted { (tables[$0].dimensions.count, $0) < (tables[$1].dimensions.count, $1) }
    }
  }

  /// One equation's terms as cells of the tables: `total` = sum of `parts`.
  private struct Source {
    var total: (table: Int, key: String)
    var parts: [(table: Int, key: String)]
  }

  private func audit(_ tables: [Linked], big: Int, small: Int, map: [Int], linked: inout Bool) -> [Derivation] {
    var variables: [String: Int] = [:]
    var cells: [(table: Int, key: String)] = []
    func variable(_ table: Int, _ key: String) -> Int {
      let id = "\(table)\u{1E}\(key)"
      if let known = variables[id] { return known }
      variables[id] = cells.count
      cells.append((table, key))
      return cells.count - 1
    }
    var equations: [LinearProgram.Equation] = []
    var sources: [Source] = []
    var own: [[Int]] = [[], []]  // equation indices of each table's own margins
    // Links whose cells are all published: they show whether the tables share a population.
    var agreeing = 0
    var disagreeing = 0
    func addEquation(_ total: (Int, String), _ parts: [(Int, String)], link: Bool = false) -> Int? {
      var terms: [(Int, Double)] = []
      var rhs = 0.0
      for (cell, coefficient) in [(total, 1.0)] + parts.map({ ($0, -1.0) }) {
        if let value = tables[cell.0].published[cell.1] {
          rhs -= coefficient * value
        } else {
          terms.append((variable(cell.0, cell.1), coefficient))
        }
      }
      if terms.isEmpty && link {
        if abs(rhs) < 1e-9 { agreeing += 1 } else { disagreeing += 1 }
      }
      guard !terms.isEmpty else { return nil }
      equations.append(LinearProgram.Equation(terms: terms, rhs: rhs))
      sources.append(Source(total: total, parts: parts))
      return equations.count - 1
    }
    // The links: each cell of the small table is the sum, in the big one, of the cells with its
    // labels in the shared dimensions and any category in the others.
    let extra = tables[big].dimensions.indices.filter { !map.contains($0) }
    let bigByLabels = tables[big].byLabels
    var combinations: [[String]] = [[]]
    for d in extra {
      combinations = combinations.flatMap { prefix in tables[big].categories[d].sorted().map { prefix + [$0] } }
    }
    for (key, labels) in tables[small].sortedLabels {
      var parts: [String] = []
      for combination in combinations {
        var full = [String](repeating: "", count: tables[big].dimensions.count)
        for (d, target) in map.enumerated() { full[target] = labels[d] }
        for (i, d) in extra.enumerated() { full[d] = combination[i] }
        guard let part = bigByLabels[full] else {
          parts = []
          break
        }
        parts.append(part)
      }
      guard !parts.isEmpty else { continue }
      _ = addEquation((small, key), parts.map { (big, $0) }, link: true)
      // Tables of other populations: the first published link that does not add up settles it,
      // before anything else is built (a run of hundreds of tables tries every pair).
      if disagreeing > 0 { return [] }
    }
    // Each table's own margins.
    for (slot, t) in [big, small].enumerated() {
      let table = tables[t]
      let byLabels = table.byLabels
      for (key, labels) in table.sortedLabels {
        for d in labels.indices where labels[d] == "\u{2211}" {
          let parts = table.categories[d].sorted().map { category -> String? in
            var part = labels
            part[d] = category
            return byLabels[part]
          }
          guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { continue }
          if let index = addEquation((t, key), parts.map { (t, $0!) }) { own[slot].append(index) }
        }
      }
    }
    // Tables of other populations (a one-way table of another cohort) are not linked: their
    // published cells do not add up to each other's. Linked tables show it somewhere.
    guard disagreeing == 0, agreeing > 0 else { return [] }
    linked = true
    guard !cells.isEmpty else { return [] }
    // What the tables give away together, less what each gives away alone (X001's findings).
    let alone = problems(equations: (own[0] + own[1]).map { equations[$0] }, count: cells.count)
    guard let together = problems(equations: equations, count: cells.count) else {
      // Linked (their published cells agree), yet no withheld values fit both: the tables
      // contradict each other, and what they give away cannot be judged. One table's own
      // contradiction is X001's to report.
      guard alone != nil, let cell = cells.first(where: { $0.table == small }) ?? cells.first else { return [] }
      let other = (tables[cell.table == big ? small : big].source as NSString).lastPathComponent
      return [
        Derivation(
          table: cell.table, key: cell.key,
          reason:
            "this table and \(other) add up to each other where both publish, but no values of their withheld cells fit both: the differencing audit cannot run",
          outcome: .review)
      ]
    }
    guard !together.isEmpty else { return [] }
    let aloneProblems = alone ?? [:]
    let exact = ExactRecovery(TableEquations(unknownCount: cells.count, equations: equations))
    let name = { (t: Int) in (tables[t].source as NSString).lastPathComponent }
    func describe(_ cell: (table: Int, key: String)) -> String {
      let labels = cell.key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map {
        $0 == "\u{2211}" ? "Total" : String($0)
      }
      return "\(name(cell.table)) \(labels.joined(separator: "/"))"
    }
    var result: [Derivation] = []
    for (variable, problem) in together.sorted(by: { $0.key < $1.key }) where aloneProblems[variable] == nil {
      let cell = cells[variable]
      var reason =
        "withheld cell can be \(problem), from this table and \(name(cell.table == big ? small : big)) together"
      if let recovered = exact.recovered[variable], let equation = recovered.equation {
        let source = sources[equation]
        let terms = ([source.total] + source.parts).filter { $0 != cell }
        let values = terms.map { term in tables[term.table].published[term.key].map(formatNumber) ?? "recovered" }
        let chain: String
        if source.total == cell {
          chain = zip(terms, values).map { "\(describe($0)) (\($1))" }.joined(separator: " + ")
        } else {
          chain =
            "\(describe(terms[0])) (\(values[0]))"
            + zip(terms.dropFirst(), values.dropFirst()).map { " − \(describe($0)) (\($1))" }.joined()
        }
        reason =
          "withheld cell can be recovered exactly from this table and \(name(cell.table == big ? small : big)) together: \(describe(cell)) = \(chain) = \(formatNumber(recovered.value))"
      }
      result.append(Derivation(table: cell.table == big ? big : small, key: cell.key, reason: reason))
    }
    return result
  }

  /// The unknowns that `equations` give back exactly or narrow below the protection width, with
  /// what the problem is.
  /// `nil` when no values fit the equations.
  private func problems(equations: [LinearProgram.Equation], count: Int) -> [Int: String]? {
    guard !equations.isEmpty else { return [:] }
    let lower = [Double](repeating: 0, count: count)
    let upper = [Double](repeating: LinearProgram.infinity, count: count)
    guard
      case .intervals(let intervals) = LinearProgram().intervals(
        variables: count, lower: lower, upper: upper, equations: equations)
    else { return nil }
    var result: [Int: String] = [:]
    for (variable, raw) in intervals.enumerated() {
      let interval = Interval(lower: (raw.lower - 1e-6).rounded(.up), upper: (raw.upper + 1e-6).rounded(.down))
      guard interval.width < minWidth else { continue }
      result[variable] =
        interval.width < 0.5
        ? "recovered exactly: it is \(formatNumber(interval.lower))"
        : "narrowed to \(interval), narrower than \(formatNumber(minWidth))"
    }
    return result
  }
}
