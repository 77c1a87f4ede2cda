import Foundation

/// A sidecar evidence file (`NAME.evidence.csv`): per cell, keyed by the output's dimension labels,
/// the contributors behind a magnitude: `n`, `sum`, `top1`…`topK`, `n_negative`, `sum_abs`, ...
/// Evidence is supporting data for the checker and is never released.
public struct EvidenceFile: Sendable {
  /// The evidence file's path.
  public var path: String
  /// The dimension columns the evidence is keyed by.
  public var keyColumns: [String]
  /// The evidence names (normalized), in the file's column order.
  public private(set) var names: [String] = []
  /// Per key (labels joined by U+001F), the row's number.
  private var rowOfKey: [String: Int] = [:]
  /// Row by row, one value per name; NaN where the file leaves the field empty.
  private var values: [Double] = []

  /// The evidence of cell `cell` of `table`, if the file has a row for it.
  public func values(forCell cell: Int, in table: Table) -> [String: Double]? {
    row(forCell: cell, in: table).map(values(ofRow:))
  }

  /// The row for cell `cell` of `table` (whose dimensions the key columns name), if any.
  func row(forCell cell: Int, in table: Table) -> Int? {
    let labels = keyColumns.map { column in
      table.dimensions.firstIndex { $0.name == column }.map { table.label(ofCell: cell, dimension: $0) } ?? ""
    }
    return rowOfKey[labels.joined(separator: "\u{1F}")]
  }

  /// The number of keyed rows.
  public var rowCount: Int { rowOfKey.count }

  /// Evidence `name` (normalized) of row `row`, if the file gives it.
  func value(_ name: String, row: Int) -> Double? {
    guard let column = names.firstIndex(of: name) else { return nil }
    let value = values[row * names.count + column]
    return value.isNaN ? nil : value
  }

  private func values(ofRow row: Int) -> [String: Double] {
    var result: [String: Double] = [:]
    for (column, name) in names.enumerated() where !values[row * names.count + column].isNaN {
      result[name] = values[row * names.count + column]
    }
    return result
  }

  /// Loads `path`, keyed by all of `dimensions` (a missing one is an input error) and by
  /// `columnsDimension` when the file has it (a crosstab's evidence per cell rather than per row,
  /// as `airlock tabulate --cols` writes it); evidence columns are the rest.
  static func load(
    path: String, dimensions: [String], columnsDimension: String? = nil, limits: ReadLimits, memory: [UInt8]? = nil
  ) throws(AirlockError) -> EvidenceFile {
    let reader = try DelimitedReader.open(path: path, memory: memory, limits: limits)
    guard try reader.next() else { throw AirlockError(.input, file: path, line: 1, column: 1, "empty evidence file") }
    let header = (0..<reader.fieldCount).map { reader.field($0).trimmingWhitespace() }
    // Every dimension names the cell: a row keyed by fewer would lend one cell's contributors to
    // all the cells that share its other labels, and a dominance rule could pass on them.
    let missing = dimensions.filter { !header.contains($0) }
    guard missing.isEmpty else {
      throw AirlockError(
        .input, file: path, line: 1, column: 1,
        "evidence file lacks the output's dimension column(s) \(missing.joined(separator: ", ")); each row must name its cell by \(dimensions.joined(separator: ", "))"
      )
    }
    var keyColumns = dimensions
    if let columnsDimension, !dimensions.contains(columnsDimension), header.contains(columnsDimension) {
      keyColumns.append(columnsDimension)
    }
    let keyIndices = keyColumns.map { header.firstIndex(of: $0)! }
    let valueIndices = header.indices.filter { !keyIndices.contains($0) }
    var file = EvidenceFile(path: path, keyColumns: keyColumns)
    file.names = valueIndices.map { NamingConventions.normalized(header[$0]) }
    for (position, name) in file.names.enumerated() {
      if let first = file.names.firstIndex(of: name), first < position {
        // Two columns for one piece of evidence: which one counts would be a guess.
        throw AirlockError(
          .input, file: path, line: 1, column: reader.fieldColumns[valueIndices[position]],
          "evidence '\(header[valueIndices[position]])' repeats '\(header[valueIndices[first]])'")
      }
    }
    while try reader.next() {
      if reader.isBlank { continue }
      guard reader.fieldCount == header.count else {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: reader.fieldColumns.last ?? 1,
          "ragged row: \(reader.fieldCount) fields where the header has \(header.count)")
      }
      let key = keyIndices.map { reader.field($0) }.joined(separator: "\u{1F}")
      for index in valueIndices {
        let text = reader.field(index).trimmingWhitespace()
        if text.isEmpty {
          file.values.append(.nan)
          continue
        }
        guard let value = Double(text), value.isFinite else {
          throw AirlockError(
            .input, file: path, line: reader.recordLine, column: reader.fieldColumns[index],
            "evidence '\(header[index])' is not a number")
        }
        file.values.append(value)
      }
      guard file.rowOfKey.updateValue(file.rowOfKey.count, forKey: key) == nil else {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: 1, "duplicate evidence row for the same cell")
      }
    }
    return file
  }

  /// The sidecar evidence path for an output: `NAME.evidence.csv` beside it.
  static func sidecarPath(for path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().appendingPathComponent(
      OutputDeclaration.baseName(of: url.lastPathComponent) + ".evidence.csv"
    ).path
  }
}

/// The evidence behind one magnitude cell, from the output's own evidence columns or the sidecar.
public struct CellEvidence: Sendable, Equatable {
  /// Unweighted number of contributing units (`n_units` / `n_holdings` preferred over `n`).
  public var contributors: Double?
  /// Whether `contributors` counts distinct units (holdings) rather than records.
  public var distinctUnits = false
  /// The cell's total X (the evidence `sum`, or the published value of a sum column).
  public var total: Double?
  /// The largest contributions, by absolute value: `top[0]` is top1.
  public var top: [Double?] = []
  public var negatives: Double?
  public var absoluteTotal: Double?
  public var weightedTotal: Double?
  public var distinctValues: Double?
  /// Records whose value is missing (`n_missing`).
  public var missing: Double?
  /// The evidence `n` (records) and `n_units` (or `n_holdings`) as given, for checking one against
  /// the other.
  public var records: Double?
  public var units: Double?

  /// `topK`, if present.
  public func top(_ k: Int) -> Double? { k <= top.count ? top[k - 1] : nil }

  /// Reads evidence named as in `docs/outputs.md` from `lookup` (normalized names).
  init(lookup: (String) -> Double?) {
    records = lookup("n")
    units = lookup("n_units") ?? lookup("n_holdings")
    if let units {
      contributors = units
      distinctUnits = true
    } else {
      // Records with a missing value contribute nothing to a sum or mean (ACRO counts them).
      contributors = lookup("n").map { $0 - (lookup("n_missing") ?? 0) }
    }
    total = lookup("sum")
    var k = 1
    while let value = lookup("top\(k)") {
      top.append(value)
      k += 1
    }
    negatives = lookup("n_negative")
    absoluteTotal = lookup("sum_abs")
    weightedTotal = lookup("weighted_total")
    distinctValues = lookup("n_distinct")
    missing = lookup("n_missing")
  }

  /// The evidence of `cell` of `table`: its own columns first, then the sidecar file.
  static func of(cell: Int, in table: Table) -> CellEvidence {
    let file = table.sidecarEvidence
    let row = file?.row(forCell: cell, in: table)
    return CellEvidence { name in
      if let measure = table.measure(named: name), case .number(let value) = table.values[measure][cell] {
        return value
      }
      guard let file, let row else { return nil }
      return file.value(name, row: row)
    }
  }
}
