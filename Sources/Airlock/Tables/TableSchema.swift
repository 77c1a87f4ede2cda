/// Where airlock's reading of a column came from.
public enum RoleSource: String, Codable, Sendable {
  /// Declared in the output's manifest.
  case manifest
  /// The documented naming conventions (`count`, `n_*`, `sd_*`, ...).
  case name
  /// The column's values in the first rows (text, whole numbers, `n (%)` cells).
  case values
  /// The table's shape: the column's place beside the others (labels that key the rows, quarters
  /// beside quarters, quartiles beside a median).
  case shape
  /// The output's kind (a model's, survival table's or histogram's own columns).
  case kind
}

/// How airlock reads one output: its kind, layout and the role of every column, declared in a
/// manifest or inferred from the documented naming conventions and the first rows.
public struct TableSchema: Sendable {
  /// The output's path.
  public var file: String
  /// The header row, as written.
  public var header: [String]
  public var kind: OutputKind
  public var layout: Layout
  /// The role of each column.
  public var roles: [ColumnRole]
  /// Where each column's role came from.
  public var roleSources: [RoleSource]
  /// Everything airlock could not tell about the output (a column it cannot classify, two
  /// plausible readings, a layout it cannot confirm): each makes the output `review`, while every
  /// rule that can still run does.
  public var reviewReasons: [String] = []
  /// Columns airlock could not classify: no rule judges them (they hold role `other`).
  public var unclassifiedColumns: [Int] = []
  /// Whether the layout itself is in doubt: the rules that rely on the table's structure (margins,
  /// class disclosure, differencing) do not run, the per-cell rules do.
  public var layoutInDoubt = false
  /// The first reason airlock cannot read the output as it stands, if any.
  public var unclassifiedReason: String? { reviewReasons.first }
  /// In a crosstab, the name of the column dimension.
  public var columnsDimension: String
  /// The manifest that declared the output, if any.
  public var declaration: OutputDeclaration?
  /// Whether the kind and roles came from a manifest rather than inference.
  public var isDeclared: Bool { declaration != nil }

  /// Indices of dimension columns, in order.
  public var dimensionColumns: [Int] { roles.indices.filter { roles[$0] == .dimension } }

  /// Indices of value columns (everything a rule judges), in order.
  public var valueColumns: [Int] {
    roles.indices.filter { [.count, .percentage, .magnitude, .statistic, .other].contains(roles[$0]) }
  }

  /// The role of each value column in a crosstab (all the same), or each column's own role.
  public func role(ofColumn column: Int) -> ColumnRole { roles[column] }

  /// Infers or applies the declared schema from the header and a sample of rows.
  static func make(
    file: String, header: [String], sample: [[String]], lines: [Int] = [], declaration: OutputDeclaration?,
    parser: ValueParser, rowIndexFirst: Bool = false
  ) throws(AirlockError) -> TableSchema {
    let names = header.map(NamingConventions.normalized)
    var roles = [ColumnRole?](repeating: nil, count: header.count)
    var sources = [RoleSource](repeating: .values, count: header.count)
    var reasons: [String] = []
    func line(ofSampleRow row: Int) -> Int { row < lines.count ? lines[row] : row + 2 }

    // Declared columns first.
    if let declaration {
      let declared: [(String, [String]?, ColumnRole)] = [
        ("dimensions", declaration.dimensions, .dimension), ("counts", declaration.counts, .count),
        ("percentages", declaration.percentages, .percentage), ("magnitudes", declaration.magnitudes, .magnitude),
        ("statistics", declaration.statistics, .statistic), ("evidence", declaration.evidence, .evidence),
      ]
      for (key, columns, role) in declared {
        for column in columns ?? [] {
          guard let index = header.firstIndex(of: column) else {
            throw AirlockError(
              .configuration, file: declaration.source,
              "\(key): column '\(column)' is not in \(file) (its columns: \(header.joined(separator: ", ")))")
          }
          roles[index] = role
          sources[index] = .manifest
        }
      }
      // A declaration is a claim: a column declared something other than a count whose name says
      // count (`n`, `count`, `n_patients`) is still checked as a count, and the conflict needs a
      // person. Declaring a count away must never silence the threshold.
      let otherWords = [
        "pct", "percent", "%", "rate", "prop", "share", "mean", "median", "sd", "std", "avg", "sum", "ratio",
      ]
      for index in header.indices
      where sources[index] == .manifest && roles[index] != .count
        && roles[index] != .magnitude && NamingConventions.role(ofHeader: header[index]) == .count
        && !otherWords.contains(where: { names[index].contains($0) })
      {
        let declaredAs = roles[index].map { $0 == .evidence ? "evidence" : "a \($0.rawValue)" } ?? "something else"
        reasons.append(
          "the manifest declares column '\(header[index])' \(declaredAs), but its name says count: it is checked as a count, and the declaration needs a checker's review"
        )
        roles[index] = .count
      }
    }

    if let declaration, case .columns(let names) = declaration.designLimits {
      for name in names where !header.contains(name) {
        throw AirlockError(
          .configuration, file: declaration.source,
          "design_limits: column '\(name)' is not in \(file) (its columns: \(header.joined(separator: ", ")))")
      }
    }

    // Kind from the header.
    let nameSet = Set(names)
    var kind: OutputKind
    if let declared = declaration?.kind {
      kind = declared
    } else if !nameSet.isDisjoint(with: NamingConventions.modelTermNames)
      && !nameSet.isDisjoint(with: NamingConventions.modelEstimateNames)
    {
      kind = .model
    } else if nameSet.contains("time") && !nameSet.isDisjoint(with: NamingConventions.survivalNames) {
      kind = .survival
    } else if !nameSet.isDisjoint(with: NamingConventions.histogramNames) {
      kind = .histogram
    } else {
      kind = .frequency
    }

    if rowIndexFirst && roles[0] == nil {
      // The file says so (pandas' named-index row): the first column labels the rows.
      roles[0] = .dimension
      sources[0] = .shape
    }

    // Roles by name, then by content.
    let looks = header.indices.map { SampleColumn(column: $0, sample: sample, parser: parser) }
    for index in header.indices where roles[index] == nil {
      let name = names[index]
      if kind == .model || kind == .survival || (kind == .histogram && NamingConventions.histogramNames.contains(name))
      {
        sources[index] = .kind
        if NamingConventions.modelTermNames.contains(name) {
          roles[index] = .dimension
        } else if kind == .model && NamingConventions.isModelCount(name) {
          // `events`, `cases`, `exposed`: people, whose counts the count rules judge (not the
          // model's degrees of freedom).
          roles[index] = .count
        } else if let role = NamingConventions.role(ofHeader: header[index]),
          role == .evidence || role == .dimension || (kind == .model && role == .count)
        {
          // A survival table's label columns (`group`, `sex`) stay dimensions, one curve each; its
          // `time` is a value the survival rules judge.
          roles[index] =
            role == .dimension && (kind == .histogram || (kind == .survival && name == "time")) ? .other : role
        } else {
          roles[index] = .other
        }
        continue
      }
      let look = looks[index]
      if nameSet.contains("f_" + name) {
        // SAS writes a variable's formatted value beside it (`sex` coded 1, 2 and `F_sex` Male,
        // Female): the coded column is a label, whatever its values.
        roles[index] = .dimension
        sources[index] = .shape
        continue
      }
      if look.hasCombinedCells && look.texts == 0 {
        // `3 (0.1%)` holds a count whatever the column is called (gtsummary's `Overall`, tableone's
        // stratum `1`); statistic cells beside them (`45.2 (12.1)`) are read below.
        roles[index] = .count
        continue
      }
      if rowIndexFirst {
        // The other headers are categories of the columns (`F`, `N`, `All`): read by their values.
        continue
      }
      if let role = NamingConventions.role(ofHeader: header[index]) {
        if role == .statistic && look.texts > 0 && look.numbers == 0 {
          // `mode_of_delivery` holding `Caesarean`, `p1` holding practice names: a statistic's
          // name on a label column.
          roles[index] = .dimension
          continue
        }
        roles[index] = role
        sources[index] = .name
      }
    }

    // Quartiles or quarters, percentiles or practices: `q1`..`q4` and `p1`..`p99` are decided by
    // their neighbours and values, not by the name alone.
    var categoryColumns: [Int] = []
    let statisticNeighbour = header.indices.contains { index in
      roles[index] == .statistic && sources[index] != .values && !Self.isQuantileName(names[index])
    }
    // (Under a pandas named-index row the headers are categories already.)
    for family in ["q", "p"] where !rowIndexFirst {
      let columns = header.indices.filter {
        sources[$0] != .manifest && sources[$0] != .kind && roles[$0] != .dimension && looks[$0].texts == 0
          && names[$0].hasPrefix(family) && Self.isQuantileName(names[$0])
      }
      guard !columns.isEmpty else { continue }
      let numbers = columns.compactMap { Int(names[$0].dropFirst()) }.sorted()
      let whole = columns.allSatisfy { looks[$0].decimals == 0 && looks[$0].exponents == 0 && looks[$0].texts == 0 }
      // Quarters publish q2 and q4; quartiles are q1 and q3 beside a median. Practices or periods
      // P1, P2, P3 run from 1; percentiles are p5, p25, p50, ...
      let categoryRun =
        family == "q"
        ? numbers.contains(2) || numbers.contains(4) : numbers == Array(1...max(1, numbers.count)) && numbers.count >= 2
      let listed = columns.map { "'\(header[$0])'" }.joined(separator: ", ")
      if statisticNeighbour {
        for column in columns {
          roles[column] = .statistic
          sources[column] = .shape
        }
      } else if whole && categoryRun {
        for column in columns {
          roles[column] = nil
          sources[column] = .shape
          categoryColumns.append(column)
        }
      } else if !whole {
        for column in columns {
          roles[column] = .statistic
          sources[column] = .values
        }
      } else {
        for column in columns {
          roles[column] = .statistic
          sources[column] = .name
        }
        reasons.append(
          "columns \(listed) may be \(family == "q" ? "quartiles" : "percentiles") (statistics) or categories (\(family == "q" ? "quarters" : "practices or periods") of a crosstab, counts in each): declare this output (statistics: or counts:)"
        )
      }
    }

    var integerColumns: [Int] = []
    var decimalColumns: [Int] = []
    for index in header.indices where roles[index] == nil {
      let look = looks[index]
      if categoryColumns.contains(index) {
        integerColumns.append(index)
      } else if index == 0 && names[0] == "row" && Self.isRowIndex(sample) {
        // pandas `to_csv()` and R `write.csv()` write the row index (0, 1, 2, ... or "1", "2", ...)
        // under an empty header: row numbers, not counts.
        roles[index] = .dimension
        sources[index] = .shape
      } else if look.texts > 0 || (look.numbers == 0 && !sample.isEmpty && index == 0) {
        roles[index] = .dimension
      } else if look.decimals > 0 || look.exponents > 0 {
        // Numbers written in e-notation (`9.814997e+08`) come from floating-point columns: sums,
        // means, rates; never read as counts by their values alone.
        decimalColumns.append(index)
      } else {
        integerColumns.append(index)
      }
    }

    // The statistic family decides the kind of a table of values.
    let assigned = roles.compactMap { $0 }
    if declaration?.kind == nil && kind == .frequency {
      if assigned.contains(.statistic) {
        kind = .summary
      } else if assigned.contains(.magnitude) {
        kind = .magnitude
      }
    }
    if kind == .summary {
      // `n_obs` beside means and medians is the count they rest on, and is judged as one.
      for index in header.indices where names[index] == "n_obs" && sources[index] == .name { roles[index] = .count }
    }

    let namedValueColumn =
      header.indices.contains { index in
        [.name, .manifest].contains(sources[index])
          && [.count, .percentage, .magnitude, .statistic].contains(roles[index])
      } || header.indices.contains { looks[$0].hasCombinedCells && roles[$0] == .count && sources[$0] == .values }
    var layout = declaration?.layout ?? .long
    let combinedColumns = header.indices.filter {
      looks[$0].hasCombinedCells && roles[$0] == .count && sources[$0] == .values
    }
    if declaration?.layout == nil && kind == .frequency && decimalColumns.isEmpty
      && ((!namedValueColumn && integerColumns.count >= 2)
        || (combinedColumns.count >= 2 && combinedColumns.count == header.indices.filter { roles[$0] == .count }.count
          && integerColumns.isEmpty))
    {
      // Unnamed integer columns beside labels: a crosstab whose column headers are categories. So
      // is a Table 1 whose columns (`Overall`, `Treated`, `Control`) hold `n (%)` cells.
      layout = .wide
    }
    for index in integerColumns {
      // The conservative reading: integers are counts.
      roles[index] = .count
    }
    var unclassifiedColumns: [Int] = []
    for index in decimalColumns {
      roles[index] = .other
      unclassifiedColumns.append(index)
      reasons.append(
        looks[index].exponents > 0 && looks[index].decimals == 0
          ? "cannot tell what column '\(header[index])' holds (numbers written in e-notation, as floating-point columns are, under a name with no conventional meaning): declare this output"
          : "cannot tell what column '\(header[index])' holds (numbers that are not counts, with no conventional name): declare this output"
      )
    }

    // Integer columns before a table's one conventional count column are labels when the rows need
    // them as keys (`n_comorbidities,sex,count`: without it, every sex would appear twice); when
    // both readings hold up, a person must say which.
    // (Long tables have a few columns; a very wide one is not read this way, so that inference
    // stays linear in the columns.)
    if layout == .long, header.count <= 64,
      let anchor = header.indices.first(where: {
        roles[$0] == .count && sources[$0] == .name && NamingConventions.countNames.contains(names[$0])
      })
    {
      var keys = header.indices.filter { roles[$0] == .dimension }
      for index in header.indices
      where index < anchor && roles[index] == .count && declaration?.counts?.contains(header[index]) != true {
        let byName = sources[index] == .name
        guard byName ? !NamingConventions.countNames.contains(names[index]) : sources[index] == .values else {
          continue
        }
        let before = Self.distinctKeys(sample, keys)
        if before < sample.count && Self.distinctKeys(sample, keys + [index]) > before {
          roles[index] = .dimension
          sources[index] = .shape
          keys.append(index)
        } else if byName && looks[index].isCategoryRun {
          reasons.append(
            "column '\(header[index])' reads as a count by its name and as a label by its values (a short run of whole numbers, like categories): declare which (dimensions: or counts:)"
          )
        }
      }
    }

    // Statistic cells in a count column need the number of people behind them.
    let statisticColumns = header.indices.filter { roles[$0] == .count && looks[$0].statisticRow != nil }
    if let row = statisticColumns.compactMap({ looks[$0].statisticRow }).min() {
      reasons.append(
        "column\(statisticColumns.count == 1 ? "" : "s") \(statisticColumns.map { "'\(header[$0])'" }.joined(separator: ", ")) hold\(statisticColumns.count == 1 ? "s" : "") statistics written as combined cells (mean (sd), median [IQR] or a range; the first on line \(line(ofSampleRow: row))): they rest on a number of people the output does not give, so a person must check them"
      )
    }
    let statisticRows = Set(
      header.indices.contains { !looks[$0].countCellRows.isEmpty }
        ? sample.indices.filter { Self.rowLabelSaysStatistic(sample[$0], roles: roles) } : [])
    for index in header.indices where roles[index] == .count && !statisticRows.isEmpty {
      if let row = looks[index].countCellRows.first(where: statisticRows.contains) {
        reasons.append(
          "line \(line(ofSampleRow: row)) is labelled as a statistic but its cells in column '\(header[index])' are written like n (%): they are read as counts; a person must confirm"
        )
      }
    }

    var finalRoles = roles.map { $0 ?? .other }
    var layoutInDoubt = false
    if layout == .wide {
      // A manifest that declares the layout says where the labels are.
      let firstValue = finalRoles.firstIndex { $0 != .dimension } ?? finalRoles.count
      for index in finalRoles.indices where finalRoles[index] == .dimension && declaration?.layout == nil {
        if index > firstValue {
          reasons.append("crosstab has a label column '\(header[index])' after its value columns: declare this output")
          layoutInDoubt = true
          break
        }
      }
      let valueRoles = Set(finalRoles.filter { $0 != .dimension && $0 != .evidence && $0 != .structuralZeroFlag })
      if valueRoles.count > 1 {
        // A crosstab's cells share one kind: read as one, a count column would be judged as a
        // percentage, or the reverse.
        reasons.append(
          "crosstab mixes kinds of value column (\(valueRoles.map(\.rawValue).sorted().joined(separator: ", "))): each column is read on its own; declare this output"
        )
        layoutInDoubt = true
      }
      // Read column by column instead: each value column keeps its role, and the per-cell rules run.
      if layoutInDoubt { layout = .long }
    }
    // A frequency table whose manifest leaves it no count column, but declares a dimension of
    // whole numbers: that column is its counts, declared away (the claim is checked, not trusted).
    if declaration != nil, kind == .frequency, !finalRoles.contains(.count), !sample.isEmpty {
      // The rightmost such column: counts sit after their labels (a `year` before them is a label).
      for index in header.indices.reversed() where sources[index] == .manifest && finalRoles[index] == .dimension {
        let wholeNumbers = sample.allSatisfy { row in
          index < row.count
            && parser.parse(ArraySlice(row[index].utf8)).number.map { $0 >= 0 && $0 == $0.rounded() } == true
        }
        guard wholeNumbers, header.indices.contains(where: { $0 != index && finalRoles[$0] == .dimension }) else {
          continue
        }
        reasons.append(
          "the manifest declares column '\(header[index])' a dimension, but it holds whole numbers and the table has no count column: it is checked as a count, and the declaration needs a checker's review"
        )
        finalRoles[index] = .count
        break
      }
    }
    if sample.isEmpty {
      reasons.append("the output has no data rows (a header only): nothing to check")
    } else if !finalRoles.contains(where: { [.count, .percentage, .magnitude, .statistic, .other].contains($0) }) {
      reasons.append("no value columns found (every column holds labels): declare this output")
      finalRoles = finalRoles.map { $0 == .dimension ? .dimension : $0 }
    }
    return TableSchema(
      file: file, header: header, kind: kind, layout: layout, roles: finalRoles, roleSources: sources,
      reviewReasons: reasons, unclassifiedColumns: unclassifiedColumns, layoutInDoubt: layoutInDoubt,
      columnsDimension: declaration?.columnsDimension ?? "column", declaration: declaration)
  }

  /// `q1`..`q4`, `p1`..`p99`.
  static func isQuantileName(_ name: String) -> Bool {
    guard let first = name.first, first == "q" || first == "p", name.count >= 2, name.count <= 3 else { return false }
    return name.dropFirst().allSatisfy(\.isASCIIDigit)
  }

  /// Whether the first column of the sample numbers its rows, from 0 or 1, in order.
  static func isRowIndex(_ sample: [[String]]) -> Bool {
    guard sample.count >= 2, let start = Int(sample[0][0].trimmingWhitespace()), start == 0 || start == 1 else {
      return false
    }
    return sample.enumerated().allSatisfy { offset, row in Int(row[0].trimmingWhitespace()) == start + offset }
  }

  /// The number of distinct combinations of `columns` over the sample's rows.
  static func distinctKeys(_ sample: [[String]], _ columns: [Int]) -> Int {
    Set(sample.map { row in columns.map { $0 < row.count ? row[$0] : "" } }).count
  }

  /// Whether a row's labels name a statistic (`Age, mean (SD)`, `BMI (median [IQR])`).
  static func rowLabelSaysStatistic(_ row: [String], roles: [ColumnRole?]) -> Bool {
    row.indices.contains { index in
      guard index < roles.count, roles[index] == .dimension else { return false }
      let words = row[index].lowercased().split { !$0.isLetter && !$0.isNumber }
      return words.contains { ["mean", "sd", "median", "iqr", "std", "stdev", "range", "min", "max"].contains($0) }
    }
  }
}

/// What the first rows show of one column, for inference.
struct SampleColumn {
  /// Cells that are plain numbers, and of those, the ones that are not whole or are in e-notation.
  var numbers = 0, decimals = 0, exponents = 0
  /// Cells that are text (neither numbers, markers nor combined cells).
  var texts = 0
  /// Sample rows whose cell is `n (%)` or `n/N (%)`.
  var countCellRows: [Int] = []
  /// The first sample row whose cell is a combined statistic (`mean (sd)`, `median [IQR]`).
  var statisticRow: Int?
  /// The whole numbers seen.
  var wholeNumbers: Set<Double> = []

  init(column: Int, sample: [[String]], parser: ValueParser) {
    for (row, fields) in sample.enumerated() where column < fields.count {
      let text = ValueParser.trimmed(fields[column])
      switch parser.parse(ArraySlice(text.utf8)) {
      case .number(let value):
        if ValueParser.number(text) == nil {
          countCellRows.append(row)
          continue
        }
        numbers += 1
        if value != value.rounded() { decimals += 1 } else { wholeNumbers.insert(value) }
        if text.contains(where: { $0 == "e" || $0 == "E" }) { exponents += 1 }
      case .withheld: break
      case .text:
        if CombinedCell(text) == .statistic {
          statisticRow = statisticRow ?? row
        } else {
          texts += 1
        }
      }
    }
  }

  /// Whether any cell writes several statistics at once.
  var hasCombinedCells: Bool { !countCellRows.isEmpty || statisticRow != nil }

  /// Whether the whole numbers are a short run from 0 or 1 (`0,1,2,3`): what category codes look like.
  var isCategoryRun: Bool {
    guard decimals == 0, texts == 0, let low = wholeNumbers.min(), let high = wholeNumbers.max() else { return false }
    return (low == 0 || low == 1) && high <= 20 && Double(wholeNumbers.count) == high - low + 1
  }
}
