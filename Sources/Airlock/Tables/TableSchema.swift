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
  /// Why airlock cannot classify the output, if it cannot: the output must be declared.
  public var unclassifiedReason: String?
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
    file: String, header: [String], sample: [[String]], declaration: OutputDeclaration?, parser: ValueParser
  ) throws(AirlockError) -> TableSchema {
    let names = header.map(NamingConventions.normalized)
    var roles = [ColumnRole?](repeating: nil, count: header.count)
    var unclassified: String?

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
        }
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

    // Roles by name, then by content.
    var namedValueColumn = false
    for index in header.indices where roles[index] == nil {
      let name = names[index]
      if kind == .model || kind == .survival || (kind == .histogram && NamingConventions.histogramNames.contains(name)) {
        if NamingConventions.modelTermNames.contains(name) {
          roles[index] = .dimension
        } else if let role = NamingConventions.role(ofHeader: header[index]),
          role == .evidence || role == .dimension || (kind == .model && role == .count)
        {
          // A survival table's label columns (`group`, `sex`) stay dimensions, one curve each; its
          // `time` is a value the survival rules judge.
          roles[index] = role == .dimension && (kind == .histogram || (kind == .survival && name == "time")) ? .other : role
        } else {
          roles[index] = .other
        }
        continue
      }
      if let role = NamingConventions.role(ofHeader: header[index]) {
        roles[index] = role
        if [.count, .percentage, .magnitude, .statistic].contains(role) { namedValueColumn = true }
      }
    }
    if declaration?.counts != nil || declaration?.percentages != nil || declaration?.magnitudes != nil
      || declaration?.statistics != nil
    {
      namedValueColumn = true
    }

    var integerColumns: [Int] = []
    var decimalColumns: [Int] = []
    for index in header.indices where roles[index] == nil {
      var sawNumber = false, sawDecimal = false, sawText = false
      for row in sample where index < row.count {
        switch parser.parse(ArraySlice(row[index].utf8)) {
        case .number(let value):
          sawNumber = true
          if value != value.rounded() { sawDecimal = true }
        case .withheld: break
        case .text: sawText = true
        }
      }
      if sawText || (!sawNumber && sample.isEmpty == false && index == 0) {
        roles[index] = .dimension
      } else if sawDecimal {
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

    var layout = declaration?.layout ?? .long
    if declaration?.layout == nil && !namedValueColumn && kind == .frequency && integerColumns.count >= 2
      && decimalColumns.isEmpty
    {
      // Unnamed integer columns beside labels: a crosstab whose column headers are categories.
      layout = .wide
    }
    for index in integerColumns {
      // The conservative reading: integers are counts.
      roles[index] = .count
    }
    for index in decimalColumns {
      roles[index] = .other
      unclassified =
        unclassified
        ?? "cannot tell what column '\(header[index])' holds (numbers that are not counts, with no conventional name): declare this output"
    }

    var finalRoles = roles.map { $0 ?? .other }
    if layout == .wide {
      for index in finalRoles.indices where finalRoles[index] == .dimension {
        if index > (finalRoles.firstIndex { $0 != .dimension } ?? finalRoles.count) {
          unclassified = unclassified ?? "crosstab has a label column '\(header[index])' after its value columns: declare this output"
        }
      }
      let valueRoles = Set(finalRoles.filter { $0 != .dimension && $0 != .evidence && $0 != .structuralZeroFlag })
      if valueRoles.count > 1 {
        unclassified = unclassified ?? "crosstab mixes kinds of value column: declare this output"
      }
    }
    if !finalRoles.contains(where: { [.count, .percentage, .magnitude, .statistic, .other].contains($0) }) {
      unclassified = unclassified ?? "no value columns found (every column holds labels): declare this output"
      finalRoles = finalRoles.map { $0 == .dimension ? .dimension : $0 }
    }
    return TableSchema(
      file: file, header: header, kind: kind, layout: layout, roles: finalRoles, unclassifiedReason: unclassified,
      columnsDimension: declaration?.columnsDimension ?? "column", declaration: declaration)
  }
}
