/// Access to the fields of one row, from the reader or from the replayed inference sample.
protocol RowAccess {
  func fieldBytes(_ index: Int) -> ArraySlice<UInt8>
}

extension DelimitedReader: RowAccess {}

/// A row of the inference sample.
struct ReplayRow: RowAccess {
  let fields: [String]
  func fieldBytes(_ index: Int) -> ArraySlice<UInt8> { ArraySlice(fields[index].utf8) }
}

/// Turns rows into cells: runs the per-cell rules on each and, when whole-table rules need it,
/// stores the cells compactly in a ``Table``.
struct TableBuilder {
  let schema: TableSchema
  let pack: RulePack
  let storing: Bool
  private(set) var rows = 0
  private(set) var cells = 0
  private var table: Table
  private let valueColumns: [Int]
  private let dimensionColumns: [Int]
  private let measures: [Measure]
  private let flagColumn: Int?
  private let marginLabels: [[UInt8]]
  private let columnIsMargin: [Bool]
  private var lastLabel: [(bytes: [UInt8], id: UInt32)?]
  private var previousLine = 0
  private var rowIDs: [UInt32]
  private let traits: [ColumnTraits]
  private let structuralZeros: [[(column: Int, label: String)]]

  init(schema: TableSchema, pack: RulePack, storing: Bool) {
    self.schema = schema
    self.pack = pack
    self.storing = storing
    // In long layout, evidence columns are stored beside the values for the rules that need them.
    valueColumns =
      schema.layout == .long
      ? schema.roles.indices.filter { schema.valueColumns.contains($0) || schema.roles[$0] == .evidence }
      : schema.valueColumns
    dimensionColumns = schema.dimensionColumns
    flagColumn = schema.roles.firstIndex(of: .structuralZeroFlag)
    let margins = pack.margins + (schema.declaration?.margins ?? [])
    marginLabels = margins.map { Array($0.lowercased().utf8) }
    columnIsMargin = schema.header.map { header in margins.contains { $0.lowercased() == header.lowercased() } }
    lastLabel = Array(repeating: nil, count: dimensionColumns.count + 1)
    rowIDs = Array(repeating: 0, count: dimensionColumns.count)
    traits = schema.header.map { ColumnTraits(name: $0) }
    structuralZeros = (schema.declaration?.structuralZeros ?? []).map { entry in
      entry.compactMap { key, label in schema.header.firstIndex(of: key).map { ($0, label) } }
    }

    var dimensions = dimensionColumns.map { Dimension(name: schema.header[$0]) }
    if schema.layout == .wide {
      var columns = Dimension(name: schema.columnsDimension)
      for column in schema.valueColumns {
        _ = columns.labels.intern(schema.header[column])
        columns.isMarginLabel.append(pack.isMarginLabel(schema.header[column]) || (schema.declaration?.margins.contains(schema.header[column]) ?? false))
      }
      dimensions.append(columns)
      let role = schema.valueColumns.first.map { schema.roles[$0] } ?? .count
      measures = [Measure(name: role == .count ? "count" : role.rawValue, role: role, field: nil)]
    } else {
      measures = valueColumns.map { Measure(name: schema.header[$0], role: schema.roles[$0], field: $0 + 1) }
    }
    table = Table(
      file: schema.file, kind: schema.kind, layout: schema.layout, dimensions: dimensions, measures: measures,
      keys: Array(repeating: PackedIDs(), count: dimensions.count),
      values: Array(repeating: PackedValues(), count: measures.count))
    table.declaration = schema.declaration
    table.crosstabFields = schema.layout == .wide ? schema.valueColumns.map { $0 + 1 } : []
    table.cellsPerRow = schema.layout == .wide ? max(1, schema.valueColumns.count) : 1
  }

  /// Makes room for about `rows` rows, so that the store does not over-allocate as it grows.
  mutating func reserve(rows: Int) {
    guard storing, rows > 0 else { return }
    let cells = rows * table.cellsPerRow
    for d in table.keys.indices { table.keys[d].reserve(cells) }
    for m in table.values.indices { table.values[m].reserve(cells) }
  }

  /// Whether the bytes equal a margin label, ignoring ASCII case and surrounding spaces.
  private func isMarginLabel(_ bytes: ArraySlice<UInt8>) -> Bool {
    var slice = bytes
    while let first = slice.first, first == 32 { slice = slice.dropFirst() }
    while let last = slice.last, last == 32 { slice = slice.dropLast() }
    outer: for label in marginLabels where label.count == slice.count {
      for (a, b) in zip(label, slice) where a != (b >= 65 && b <= 90 ? b + 32 : b) { continue outer }
      return true
    }
    return false
  }

  private func isStructural<Row: RowAccess>(_ row: Row) -> Bool {
    if let flagColumn {
      let text = String(decoding: row.fieldBytes(flagColumn), as: UTF8.self).trimmingWhitespace().lowercased()
      if ["1", "true", "yes", "y"].contains(text) { return true }
    }
    for entry in structuralZeros where !entry.isEmpty {
      if entry.allSatisfy({ String(decoding: row.fieldBytes($0.column), as: UTF8.self) == $0.label }) { return true }
    }
    return false
  }

  /// Adds one data row.
  mutating func add<Row: RowAccess>(
    _ row: Row, line: Int, rules: [any CellRule], fieldRules: [any FieldRule], sink: inout FindingSink,
    cursor: RowCursor, parser: ValueParser
  ) {
    if rows == 0 {
      table.firstLine = line
    } else if line != previousLine + 1 {
      table.lineJumps.append((rows, line))
    }
    previousLine = line
    rows += 1

    if !fieldRules.isEmpty {
      for column in schema.header.indices {
        let context = FieldContext(
          file: schema.file, bytes: row.fieldBytes(column), line: line, field: column + 1,
          columnName: schema.header[column], role: schema.roles[column], isHeader: false, row: cursor,
          traits: traits[column])
        for index in fieldRules.indices { fieldRules[index].inspect(context, into: &sink) }
      }
    }
    var rowIsMargin = false
    for (d, column) in dimensionColumns.enumerated() {
      let bytes = row.fieldBytes(column)
      let margin = isMarginLabel(bytes)
      rowIsMargin = rowIsMargin || margin
      guard storing else { continue }
      if let last = lastLabel[d], last.bytes.elementsEqual(bytes) {
        rowIDs[d] = last.id
        continue
      }
      let label = String(decoding: bytes, as: UTF8.self)
      let id = table.dimensions[d].labels.intern(label)
      if Int(id) == table.dimensions[d].isMarginLabel.count { table.dimensions[d].isMarginLabel.append(margin) }
      rowIDs[d] = id
      lastLabel[d] = (Array(bytes), id)
    }
    if storing && schema.layout == .long {
      for d in dimensionColumns.indices { table.keys[d].append(rowIDs[d]) }
    }

    for (position, column) in valueColumns.enumerated() {
      let value = parser.parse(row.fieldBytes(column))
      let measureIndex = schema.layout == .wide ? 0 : position
      let structural = value.number == 0 ? isStructural(row) : false
      cells += 1
      if !rules.isEmpty {
        let context = CellContext(
          file: schema.file, value: value, measure: measures[measureIndex], line: line, field: column + 1,
          columnName: schema.header[column], isMargin: rowIsMargin || (schema.layout == .wide && columnIsMargin[column]),
          isStructuralZero: structural, kind: schema.kind, row: cursor)
        for index in rules.indices { rules[index].inspect(context, into: &sink) }
      }
      guard storing else { continue }
      if schema.layout == .wide {
        for d in dimensionColumns.indices { table.keys[d].append(rowIDs[d]) }
        table.keys[table.keys.count - 1].append(UInt32(position))
      }
      let cellIndex = table.values[measureIndex].count
      table.values[measureIndex].append(value)
      switch value {
      case .withheld(let marker): table.markerUse[marker, default: 0] += 1
      case .number(0):
        table.publishedZeros += 1
        if structural { table.structuralZeroCells.insert(cellIndex) }
      default: break
      }
    }
  }

  /// The table, if cells were stored.
  func finish() -> Table? { storing ? table : nil }
}
