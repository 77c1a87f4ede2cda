import Foundation

/// Turns microdata into a table with exact, unit-level evidence (`airlock tabulate`).
///
/// The input is read once, through airlock's own reader, and no record is kept: each is folded into
/// its full cell (``CubeFold``) and, with `--unit`, into its unit's total in that cell
/// (``UnitGatherer``: in memory, streamed from sorted input, or spilled to partitions under a
/// budget); each unit's totals are then emitted once into every grouping set of the cube (the full
/// table, and with margins every margin). Dominance is about units, not records: a unit with two
/// records in a cell is one contributor whose contribution is their sum, so `top1`…`topK`,
/// `sum_abs` and `n_negative` are over units' totals in the cell. Unit ids and labels are compared
/// as bytes (never as hashes, never as Unicode-equivalent strings).
public struct Tabulator: Sendable {
  /// What to tabulate.
  public let request: TabulateRequest
  /// The pack: its margin label and the dominance rules' top contributions.
  public let pack: RulePack
  /// The reader's limits.
  public var limits: ReadLimits
  /// Threads: with 2 or more and `--unit`, units' totals are gathered on a second thread while
  /// the first reads (the output is the same bytes either way). `AIRLOCK_TABULATE_THREADS`
  /// overrides the default (2 where there are two cores or more).
  public var threads: Int = {
    if let text = ProcessInfo.processInfo.environment["AIRLOCK_TABULATE_THREADS"], let n = Int(text), n >= 1 {
      return n
    }
    return ProcessInfo.processInfo.activeProcessorCount >= 2 ? 2 : 1
  }()
  /// Records per batch handed to the second thread (small in tests, to cross many batches).
  var batchSize = 1 << 15
  /// Where `--memory` writes its spill folder (beside the output; removed on every exit path).
  public var spillFolder: String = FileManager.default.temporaryDirectory.path

  /// The label written for a missing label (`--missing category`).
  public static let missingLabel = "(missing)"

  /// A tabulator of `request` under `pack`.
  public init(request: TabulateRequest, pack: RulePack, limits: ReadLimits = ReadLimits()) {
    self.request = request
    self.pack = pack
    self.limits = limits
  }

  /// How many top contributions the evidence carries: the most any of the pack's dominance rules
  /// reads (the largest n of the (n, k) pairs; the p% rule's coalition plus one), at least 2.
  public var topCount: Int {
    let pairs = pack.parameters(of: NKDominanceRule.self)[NKDominanceRule.pairs].compactMap {
      Int($0.split(separator: ":").first ?? "")
    }
    let coalition = pack.parameters(of: PPercentRule.self)[PPercentRule.coalition]
    return max(2, pairs.max() ?? 2, coalition + 1)
  }

  /// The label of margin cells: the pack's first margin label.
  public var marginLabel: String { pack.margins.first ?? "Total" }

  /// The evidence columns written for `k` top contributions.
  static func evidenceNames(k: Int, weighted: Bool, statistic: TabulateRequest.Statistic = .sum, units: Bool = true)
    -> [String]
  {
    var names = ["n"]
    if statistic != .count { names.append("n_missing") }
    if units { names.append("n_units") }
    if statistic != .count {
      names += ["sum", "sum_abs", "n_negative"] + (1...k).map { "top\($0)" } + ["min", "max", "n_distinct"]
    }
    if weighted { names.append("weighted_total") }
    return names
  }

  // MARK: - Reading

  /// Labels of one dimension, interned by their bytes.
  struct Dimension {
    var name: String
    var labels: [[UInt8]] = []
    var index = ByteTable(capacity: 16)
    /// Declared levels, in order (their indices come first).
    var declared = false
    var missingIndex: Int32?
    /// The labels as strings (Unicode-equivalent spellings compare equal), to refuse two spellings.
    var texts = Set<String>()

    mutating func intern(_ bytes: [UInt8]) -> Int32 {
      var table = index
      index = ByteTable()
      let interned = bytes.withUnsafeBufferPointer { table.intern($0) }
      index = table
      if interned.isNew { labels.append(bytes) }
      return interned.index
    }
  }

  /// What was read and folded: dimensions, full cells, the cube's totals, and counts for the
  /// provenance.
  struct Microdata {
    var dimensions: [Dimension]
    var fold: CubeFold
    /// Full cells by their key's bytes.
    var cellTable = ByteTable(capacity: 256)
    var records = 0
    var units = 0
    var rowsRead = 0
    var droppedByFilter = 0
    var droppedMissingLabel = 0
    /// Spill partitions written (`--memory`).
    var partitions = 0
    /// Distinct full keys (a label index per dimension), by cell index.
    var cells: [[Int32]] { fold.cellKeys }
  }

  /// Whether a unit id's bytes may be a missing value (the missing spellings are at most four
  /// bytes, and trimmed): if not, no string is made of it.
  @inline(__always)
  static func mayBeMissing(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    bytes.count <= 4 || bytes[0] <= 0x20 || bytes[bytes.count - 1] <= 0x20
  }

  /// A number field: plain whole numbers straight from the bytes, anything else as text.
  @inline(__always)
  static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> (missing: Bool, number: TabulateNumber?) {
    if let whole = TabulateNumber.parseWhole(bytes) { return (false, TabulateNumber(whole)) }
    let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
    if TabulateNumber.isMissing(text) { return (true, nil) }
    return (false, TabulateNumber.parse(text))
  }

  func read() throws(AirlockError) -> Microdata {
    let path = request.data
    let reader = try StatisticalFile.open(path: path, labelled: Set(request.dimensions), limits: limits)
    guard try reader.next() else { throw AirlockError(.input, file: path, line: 1, column: 1, "empty file") }
    let header = (0..<reader.fieldCount).map { reader.field($0).trimmingWhitespace() }
    func column(_ name: String, _ option: String) throws(AirlockError) -> Int {
      guard let index = header.firstIndex(of: name) else {
        throw AirlockError(
          .input, file: path, line: 1, column: 1,
          "no column '\(name)' (named by \(option)); the columns are \(header.joined(separator: ", "))")
      }
      return index
    }
    var dimensionColumns: [Int] = []
    for name in request.rows { dimensionColumns.append(try column(name, "--rows")) }
    for name in request.cols { dimensionColumns.append(try column(name, "--cols")) }
    let variableColumn: Int? = try request.variable.map { (name) throws(AirlockError) in
      try column(name, "--\(request.statistic.rawValue)")
    }
    let unitColumn: Int? = try request.unit.map { (name) throws(AirlockError) in try column(name, "--unit") }
    let weightColumn: Int? = try request.weight.map { (name) throws(AirlockError) in try column(name, "--weight") }
    var filters: [(column: Int, value: [UInt8])] = []
    for filter in request.filters { filters.append((try column(filter.column, "--filter"), Array(filter.value.utf8))) }

    var data = Microdata(
      dimensions: request.dimensions.map { Dimension(name: $0) },
      fold: CubeFold(
        statistic: request.statistic, k: topCount, dimensionCount: request.dimensions.count, margins: request.margins))
    for level in request.levels {
      let d = request.dimensions.firstIndex(of: level.dimension)!
      data.dimensions[d].declared = true
      for label in level.labels {
        _ = data.dimensions[d].intern(Array(label.utf8))
        data.dimensions[d].texts.insert(label)
      }
    }
    let marginFolded = Set(pack.margins.map { $0.trimmingWhitespace().lowercased() })
    let mode: UnitGatherer.Mode =
      request.sortedByUnit ? .sorted : request.memory.map { .spill(budget: $0, folder: spillFolder) } ?? .memory
    let gatherer =
      request.unit == nil
      ? nil : UnitGatherer(mode: mode, counts: request.statistic == .count, inputBytes: inputBytes(path))
    defer { gatherer?.removeSpill() }
    let pipeline = gatherer.flatMap {
      threads > 1 ? UnitPipeline(gatherer: $0, fold: data.fold, batchSize: batchSize) : nil
    }
    var finished = false
    defer { if !finished { pipeline?.cancel() } }
    var key = [Int32](repeating: 0, count: dimensionColumns.count)
    records: while try reader.next() {
      if reader.isBlank { continue }
      guard reader.fieldCount == header.count else {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: reader.fieldColumns.last ?? 1,
          "ragged row: \(reader.fieldCount) fields where the header has \(header.count)")
      }
      data.rowsRead += 1
      for filter in filters where !reader.fieldBytes(filter.column).elementsEqual(filter.value) {
        data.droppedByFilter += 1
        continue records
      }
      if request.missing == .drop {
        for c in dimensionColumns
        where TabulateNumber.isMissing(String(decoding: reader.fieldBytes(c), as: UTF8.self).trimmingWhitespace()) {
          data.droppedMissingLabel += 1
          continue records
        }
      }
      for (d, c) in dimensionColumns.enumerated() {
        if let known = data.dimensions[d].index.find(reader.fieldBytes(c)), known != data.dimensions[d].missingIndex {
          key[d] = known
          continue
        }
        let bytes = Array(reader.fieldBytes(c))
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        if TabulateNumber.isMissing(text) {
          if data.dimensions[d].missingIndex == nil {
            data.dimensions[d].missingIndex = data.dimensions[d].intern(Array(Self.missingLabel.utf8))
          }
          key[d] = data.dimensions[d].missingIndex!
          continue
        }
        let location = (reader.recordLine, reader.fieldColumns[c])
        if text == Self.missingLabel {
          throw AirlockError(
            .input, file: path, line: location.0, column: location.1,
            "the label '\(Self.missingLabel)' of '\(header[c])' would merge with missing labels")
        }
        if data.dimensions[d].declared {
          let file = request.levels.first { $0.dimension == header[c] }!.file
          throw AirlockError(
            .input, file: path, line: location.0, column: location.1,
            "a label of '\(header[c])' is not among the levels declared in \(file)")
        }
        if request.margins && marginFolded.contains(text.lowercased()) {
          throw AirlockError(
            .input, file: path, line: location.0, column: location.1,
            "a label of '\(header[c])' is the pack's margin label '\(text)'; with --margins it would be read as a total"
          )
        }
        // Labels are compared as bytes; two that are the same text in different Unicode spellings
        // (precomposed and decomposed accents) would be two cells that every reader, airlock check
        // among them, takes for one.
        let label = String(decoding: bytes, as: UTF8.self)
        if data.dimensions[d].texts.contains(label) {
          throw AirlockError(
            .input, file: path, line: location.0, column: location.1,
            "a label of '\(header[c])' is another label in a different Unicode spelling (normalize the data to NFC)")
        }
        data.dimensions[d].texts.insert(label)
        key[d] = data.dimensions[d].intern(bytes)
      }
      var value: TabulateNumber?
      if let variableColumn {
        let (missing, number) = Self.number(reader.fieldBytes(variableColumn))
        if !missing {
          guard let number else {
            throw AirlockError(
              .input, file: path, line: reader.recordLine, column: reader.fieldColumns[variableColumn],
              "'\(header[variableColumn])' (--\(request.statistic.rawValue)) is not a number here")
          }
          value = number
        }
      }
      var weight: TabulateNumber?
      if let weightColumn {
        let (_, number) = Self.number(reader.fieldBytes(weightColumn))
        guard let number, number.double >= 0 else {
          throw AirlockError(
            .input, file: path, line: reader.recordLine, column: reader.fieldColumns[weightColumn],
            "the weight '\(header[weightColumn])' must be a number of at least 0")
        }
        weight = number
      }
      let (found, isNew) = key.withUnsafeBytes { data.cellTable.intern($0.bindMemory(to: UInt8.self)) }
      if isNew {
        data.fold.addCell(key)
        pipeline?.addCell(key)
      }
      let cell = Int(found)
      data.records += 1
      data.fold.fold(cell: cell, value: value, weight: weight)
      if let unitColumn, let gatherer {
        let bytes = reader.fieldBytes(unitColumn)
        guard
          !Self.mayBeMissing(bytes)
            || !TabulateNumber.isMissing(String(decoding: bytes, as: UTF8.self).trimmingWhitespace())
        else {
          throw AirlockError(
            .input, file: path, line: reader.recordLine, column: reader.fieldColumns[unitColumn],
            "the unit id '\(header[unitColumn])' is missing")
        }
        if let pipeline {
          let going = pipeline.add(
            unit: bytes, cell: Int32(cell), value: value, line: reader.recordLine,
            column: reader.fieldColumn(unitColumn),
            consumed: reader.consumedBytes)
          if !going { break records }
        } else if let outOfOrder = try gatherer.add(
          unit: bytes, cell: Int32(cell), value: value, into: &data.fold, consumed: reader.consumedBytes)
        {
          throw sortError(reader, unitColumn, header[unitColumn], bytes, outOfOrder)
        }
      } else if request.statistic != .count, let value {
        data.fold.emitRecord(cell: cell, value: value)
      }
    }
    if let pipeline {
      finished = true
      if let failure = try pipeline.finish(consumed: reader.consumedBytes) {
        throw AirlockError(
          .input, file: request.data, line: failure.line, column: failure.column,
          "not sorted by '\(header[unitColumn!])' (--sorted-by unit): '\(failure.unit)' after '\(failure.previous)'")
      }
      data.units = try pipeline.finishGatherer()
      data.fold.unitTotals = pipeline.fold.unitTotals
      data.partitions = pipeline.gatherer.partitionCount
    } else if let gatherer {
      data.units = try gatherer.finish(into: &data.fold)
      data.partitions = gatherer.partitionCount
    } else {
      data.units = data.records
    }
    return data
  }

  private func sortError(
    _ reader: DelimitedReader, _ column: Int, _ name: String, _ bytes: UnsafeBufferPointer<UInt8>,
    _ outOfOrder: UnitGatherer.OutOfOrder
  ) -> AirlockError {
    AirlockError(
      .input, file: request.data, line: reader.recordLine, column: reader.fieldColumns[column],
      "not sorted by '\(name)' (--sorted-by unit): '\(String(decoding: bytes, as: UTF8.self))' after '\(outOfOrder.previous)'"
    )
  }

  /// The input's size in bytes (0 when it cannot be told), to size a spill.
  private func inputBytes(_ path: String) -> Int {
    let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    // The reader counts decompressed bytes: gzip shrinks CSV about fivefold.
    return path.lowercased().hasSuffix(".gz") ? size * 5 : size
  }

  // MARK: - Cells

  /// The most cells a table may have (with its margins): an output, not a copy of the microdata.
  public static let cellLimit = 10_000_000

  /// The most dimensions with `--margins` (each adds a factor of two to the grouping sets).
  public static let marginDimensionLimit = 8

  /// The margin position in a cell key.
  static let margin: Int32 = -1

  /// Per dimension, its label indices in output order: declared levels in their order, else the
  /// labels sorted (numerically when all are numbers, else by bytes); `(missing)` after them.
  static func order(_ dimension: Dimension) -> [Int32] {
    let all = (0..<Int32(dimension.labels.count)).filter { $0 != dimension.missingIndex }
    var ordered: [Int32]
    if dimension.declared {
      ordered = all
    } else {
      let numbers = all.map { TabulateNumber.parse(String(decoding: dimension.labels[Int($0)], as: UTF8.self))?.double }
      if numbers.allSatisfy({ $0 != nil }) {
        ordered = zip(all, numbers).sorted { a, b in
          a.1! != b.1! ? a.1! < b.1! : dimension.labels[Int(a.0)].lexicographicallyPrecedes(dimension.labels[Int(b.0)])
        }.map(\.0)
      } else {
        ordered = all.sorted { dimension.labels[Int($0)].lexicographicallyPrecedes(dimension.labels[Int($1)]) }
      }
    }
    if let missing = dimension.missingIndex { ordered.append(missing) }
    return ordered
  }

  /// The table's cells: every combination seen, and for dimensions with declared levels (and a
  /// crosstab's column dimension) every level beside each combination of the other dimensions;
  /// with margins, each grouping set's projection of them. Sorted by the dimensions' orders, with
  /// margins after the labels they total.
  func cellKeys(_ data: Microdata, orders: [[Int32]]) throws(AirlockError) -> [[Int32]] {
    let dimensionCount = data.dimensions.count
    var expanded = Set(data.cells)
    var full = Set<Int>(data.dimensions.indices.filter { data.dimensions[$0].declared })
    if !request.cols.isEmpty { full.insert(dimensionCount - 1) }
    // A mean (sd, median, ...) of no records is not a number: empty combinations are written for
    // counts and sums only, except in a crosstab, whose every cell must be there.
    let writesEmpty = request.statistic == .count || request.statistic == .sum
    if !writesEmpty { full = request.cols.isEmpty ? [] : [dimensionCount - 1] }
    if !full.isEmpty {
      // Declared levels multiply: refuse a table too large to be an output before building it.
      let levels = full.map { orders[$0].count }.reduce(1) {
        $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1
      }
      if levels > Self.cellLimit {
        throw AirlockError(.usage, "the declared levels make a table of more than \(Self.cellLimit) cells")
      }
      var projections = Set<[Int32]>()
      for key in data.cells {
        var projected = key
        for d in full { projected[d] = Self.margin }
        projections.insert(projected)
      }
      for projected in projections {
        var partial = [projected]
        for d in full.sorted() {
          partial = partial.flatMap { key in
            orders[d].map { label in
              var next = key
              next[d] = label
              return next
            }
          }
        }
        expanded.formUnion(partial)
        if expanded.count > Self.cellLimit {
          throw AirlockError(.usage, "the declared levels make a table of more than \(Self.cellLimit) cells")
        }
      }
    }
    var keys = expanded
    if request.margins {
      for mask in 1..<(1 << dimensionCount) {
        for key in expanded {
          var projected = key
          for d in 0..<dimensionCount where mask & (1 << d) != 0 { projected[d] = Self.margin }
          keys.insert(projected)
        }
      }
    }
    let rank = orders.map { order in Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, Int32($0)) }) }
    func position(_ key: [Int32]) -> [Int32] {
      key.enumerated().map { d, label in label == Self.margin ? Int32.max : rank[d][label]! }
    }
    return keys.map { (position($0), $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
  }

  // MARK: - Results

  /// One cell of the result: its key, published value and evidence, as written.
  public struct Cell: Sendable, Equatable {
    /// The labels, one per dimension (the margin label for margins).
    public var labels: [String]
    /// Whether each dimension is a margin in this cell.
    public var isMargin: [Bool]
    /// The published value as written (empty: no value).
    public var value: String
    /// Evidence by name, as written (empty: none).
    public var evidence: [String: String]
  }

  /// The result of a tabulation: cells in output order, and what the provenance reports.
  public struct Result: Sendable {
    /// The dimensions, rows then columns.
    public var dimensions: [String]
    /// The cells in output order, margins included.
    public var cells: [Cell]
    /// The evidence columns, in order.
    public var evidenceNames: [String]
    /// Records read, and dropped by `--filter` and `--missing drop`.
    public var rowsRead: Int
    public var droppedByFilter: Int
    public var droppedMissingLabel: Int
    /// Distinct units (records without `--unit`).
    public var units: Int
    /// Labels that read as margins but are categories (declared as such in the manifest).
    public var categories: [String]
    /// Per dimension, its labels in order (the margin label last when margins are written).
    public var labelOrder: [[String]]
    /// Cells left out because the statistic has no value there (a mean of no values).
    public var cellsWithoutValue: Int
    /// Count cells whose records reach the pack's threshold but whose units do not (`--count
    /// --unit`): `small-cell-count` reads the published count of records.
    public var fewUnitCells = 0
    /// Spill partitions written (`--memory`; 0 when the pairs fitted the budget).
    public var spillPartitions = 0
  }

  /// Reads the data and computes every cell.
  public func run() throws(AirlockError) -> Result {
    try request.validate()
    let data = try read()
    guard data.records > 0 else {
      throw AirlockError(
        .input, file: request.data,
        "no records to tabulate (\(data.rowsRead) read, \(data.droppedByFilter + data.droppedMissingLabel) dropped by --filter or --missing drop)"
      )
    }
    let orders = data.dimensions.map(Self.order)
    let keys = try cellKeys(data, orders: orders)
    let k = topCount
    let names = Self.evidenceNames(
      k: k, weighted: request.weight != nil, statistic: request.statistic, units: request.unit != nil)
    let recordTotals = data.fold.slotRecordTotals()
    let margin = marginLabel
    var cells: [Cell] = []
    cells.reserveCapacity(keys.count)
    var withoutValue = 0
    let needsValues = request.statistic != .count && request.statistic != .sum
    for key in keys {
      let slot = data.fold.slotIndex[key].map(Int.init)
      let records = slot.map { recordTotals[$0] } ?? CubeFold.RecordTotals()
      let units = slot.map { data.fold.unitTotals[$0] } ?? CubeFold.UnitTotals()
      // A mean (sd, median, minimum, maximum) of no values is not a number, and an empty cell
      // whose evidence says it has no contributors reads as a zero written as withheld: the cell
      // is left out, and counted in the provenance.
      if needsValues && records.valueCount == 0 {
        withoutValue += 1
        continue
      }
      let labels = key.enumerated().map { d, label in
        label == Self.margin ? margin : String(decoding: data.dimensions[d].labels[Int(label)], as: UTF8.self)
      }
      let (value, evidence) = finish(records, units, k: k)
      cells.append(Cell(labels: labels, isMargin: key.map { $0 == Self.margin }, value: value, evidence: evidence))
    }
    if cells.isEmpty {
      throw AirlockError(
        .input, file: request.data, "no record has a value of '\(request.variable ?? "")': nothing to tabulate")
    }
    let marginFolded = Set(pack.margins.map { $0.trimmingWhitespace().lowercased() })
    var categories: [String] = []
    for (d, dimension) in data.dimensions.enumerated() {
      for label in orders[d] {
        let text = String(decoding: dimension.labels[Int(label)], as: UTF8.self)
        if marginFolded.contains(text.trimmingWhitespace().lowercased()) && !categories.contains(text) {
          categories.append(text)
        }
      }
    }
    let labelOrder = data.dimensions.enumerated().map { d, dimension in
      orders[d].map { String(decoding: dimension.labels[Int($0)], as: UTF8.self) } + (request.margins ? [margin] : [])
    }
    if request.margins,
      let level = request.levels.lazy.flatMap(\.labels).first(where: {
        marginFolded.contains($0.trimmingWhitespace().lowercased())
      })
    {
      throw AirlockError(
        .usage, "a declared level is the pack's margin label '\(level)'; with --margins it would be read as a total")
    }
    // A crosstab's column labels are header names beside the row dimensions': none may repeat.
    if !request.cols.isEmpty, let clash = labelOrder.last?.first(where: { request.rows.contains($0) }) {
      throw AirlockError(
        .usage,
        "the --cols label '\(clash)' is also the name of a --rows dimension: the crosstab's header would repeat it")
    }
    var fewUnitCells = 0
    if request.statistic == .count && request.unit != nil {
      let counts = CountThreshold(pack: pack)
      fewUnitCells = cells.count { cell in
        guard let n = Double(cell.value), let units = cell.evidence["n_units"].flatMap(Double.init) else {
          return false
        }
        return counts.allows(n) && !counts.allows(units)
      }
    }
    var result = Result(
      dimensions: request.dimensions, cells: cells, evidenceNames: names, rowsRead: data.rowsRead,
      droppedByFilter: data.droppedByFilter, droppedMissingLabel: data.droppedMissingLabel, units: data.units,
      categories: categories, labelOrder: labelOrder, cellsWithoutValue: withoutValue)
    result.fewUnitCells = fewUnitCells
    result.spillPartitions = data.partitions
    return result
  }

  /// The published value and the evidence of one cell.
  private func finish(_ a: CubeFold.RecordTotals, _ u: CubeFold.UnitTotals, k: Int) -> (String, [String: String]) {
    var evidence: [String: String] = ["n": String(a.n)]
    if request.weight != nil { evidence["weighted_total"] = a.weighted.number.formatted }
    if request.statistic == .count {
      if request.unit != nil { evidence["n_units"] = String(u.units) }
      return (String(a.n), evidence)
    }
    let contributing = a.valueCount
    evidence["n_missing"] = String(a.missing)
    // Over each unit's total in the cell (without --unit, each record is its own unit).
    if request.unit != nil { evidence["n_units"] = String(u.units) }
    evidence["sum"] = a.sum.number.formatted
    evidence["sum_abs"] = u.sumAbs.number.formatted
    evidence["n_negative"] = String(u.negatives)
    for rank in 1...k {
      evidence["top\(rank)"] = rank <= u.top.count ? u.top[rank - 1].formatted : "0"
    }
    let smallest = a.smallest
    let greatest = a.greatest
    evidence["min"] = smallest?.formatted ?? ""
    evidence["max"] = greatest?.formatted ?? ""
    evidence["n_distinct"] = String(a.distinct.count)
    let decimals = request.decimals
    let value: String
    switch request.statistic {
    case .count:
      value = String(a.n)
    case .sum:
      value = request.weight != nil ? a.weighted.number.formatted : a.sum.number.formatted
    case .mean:
      value = contributing > 0 ? TabulateNumber.format(a.sum.value / Double(contributing), decimals: decimals) : ""
    case .sd:
      if contributing > 1 {
        let mean = a.sum.value / Double(contributing)
        var squares = ExactSum()
        // In order of value, so that the order records were read in does not change the digits.
        for x in a.values.sorted(by: { $1.ranksAbove($0) }) {
          let d = x.double - mean
          squares.add(TabulateNumber(double: d * d, decimals: 0))
        }
        value = TabulateNumber.format((squares.value / Double(contributing - 1)).squareRoot(), decimals: decimals)
      } else {
        value = ""
      }
    case .median:
      let sorted = a.values.sorted { $0.double < $1.double }
      if contributing == 0 {
        value = ""
      } else if contributing % 2 == 1 {
        value = TabulateNumber.format(sorted[contributing / 2].double, decimals: decimals)
      } else {
        let lower: Double = sorted[contributing / 2 - 1].double
        let upper: Double = sorted[contributing / 2].double
        value = TabulateNumber.format((lower + upper) / 2, decimals: decimals)
      }
    case .min:
      value = smallest?.formatted ?? ""
    case .max:
      value = greatest?.formatted ?? ""
    }
    return (value, evidence)
  }
}
