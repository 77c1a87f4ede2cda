/// Interned labels of one dimension: each distinct label is stored once and cells refer to it by
/// number.
public struct LabelPool: Sendable {
  public private(set) var labels: [String] = []
  private var ids: [String: UInt32] = [:]

  public init() {}

  /// The id of `label`, adding it if new.
  public mutating func intern(_ label: String) -> UInt32 {
    if let id = ids[label] { return id }
    let id = UInt32(labels.count)
    labels.append(label)
    ids[label] = id
    return id
  }

  /// The id of `label`, if present.
  public func id(of label: String) -> UInt32? { ids[label] }

  public var count: Int { labels.count }
}

/// Unsigned integers packed as tightly as the largest value allows (1, 2 or 4 bytes each).
struct PlainIDs: Sendable {
  private enum Storage: Sendable {
    case narrow([UInt8])
    case medium([UInt16])
    case wide([UInt32])
  }
  private var storage = Storage.narrow([])

  /// Makes room for `count` ids in all (in the current width).
  mutating func reserve(_ count: Int) {
    switch storage {
    case .narrow(var a):
      storage = .medium([])
      a.reserveCapacity(count)
      storage = .narrow(a)
    case .medium(var a):
      storage = .narrow([])
      a.reserveCapacity(count)
      storage = .medium(a)
    case .wide(var a):
      storage = .narrow([])
      a.reserveCapacity(count)
      storage = .wide(a)
    }
  }

  var count: Int {
    switch storage {
    case .narrow(let a): a.count
    case .medium(let a): a.count
    case .wide(let a): a.count
    }
  }

  @inline(__always)
  subscript(index: Int) -> UInt32 {
    switch storage {
    case .narrow(let a): UInt32(a[index])
    case .medium(let a): UInt32(a[index])
    case .wide(let a): a[index]
    }
  }

  mutating func append(_ value: UInt32) {
    switch storage {
    case .narrow(var a):
      if value <= UInt8.max {
        storage = .medium([])  // release the reference so the append does not copy
        a.append(UInt8(value))
        storage = .narrow(a)
      } else {
        storage = .medium(a.map(UInt16.init))
        append(value)
      }
    case .medium(var a):
      if value <= UInt16.max {
        storage = .narrow([])
        a.append(UInt16(value))
        storage = .medium(a)
      } else {
        storage = .wide(a.map(UInt32.init))
        append(value)
      }
    case .wide(var a):
      storage = .narrow([])
      a.append(value)
      storage = .wide(a)
    }
  }

  /// Bytes the ids take (elements × width: the allocator's rounding, which varies from run to run,
  /// is left out, so that reports are the same every time).
  var byteCount: Int {
    switch storage {
    case .narrow(let a): a.count
    case .medium(let a): a.count * 2
    case .wide(let a): a.count * 4
    }
  }
}

/// The label ids of one dimension, one per cell: as runs while equal ids come in runs (a sorted
/// export's outer dimensions), packed one per cell otherwise.
///
/// Runs cost a start and an id each, plus an index of the run at every 256th cell, so that reading
/// any cell is a lookup and a short forward scan. A column whose runs turn out short (under 4 cells
/// on average) switches to one id per cell.
public struct PackedIDs: Sendable {
  /// Per run, the first cell; per run, the id (`runIDs`); per 256 cells, the run holding the first.
  private var runStarts: [UInt32] = []
  private var runIDs = PlainIDs()
  private var blockRuns: [UInt32] = []
  /// One id per cell, once runs are abandoned.
  private var plain: PlainIDs?
  private var reserved = 0
  public private(set) var count = 0

  public init() {}

  /// Makes room for `count` ids in all.
  public mutating func reserve(_ count: Int) {
    reserved = count
    plain?.reserve(count)
  }

  public subscript(index: Int) -> UInt32 {
    if let plain { return plain[index] }
    precondition(index >= 0 && index < count, "cell index out of range")
    var run = Int(blockRuns[index >> 8])
    while run + 1 < runStarts.count && Int(runStarts[run + 1]) <= index { run += 1 }
    return runIDs[run]
  }

  public mutating func append(_ value: UInt32) {
    if plain != nil {
      plain!.append(value)
      count += 1
      return
    }
    if runStarts.isEmpty || runIDs[runStarts.count - 1] != value {
      runStarts.append(UInt32(count))
      runIDs.append(value)
    }
    if count & 255 == 0 { blockRuns.append(UInt32(runStarts.count - 1)) }
    count += 1
    if count >= 4096 && runStarts.count * 4 > count { abandonRuns() }
  }

  private mutating func abandonRuns() {
    var ids = PlainIDs()
    ids.reserve(max(reserved, count))
    for run in runStarts.indices {
      let end = run + 1 < runStarts.count ? Int(runStarts[run + 1]) : count
      for _ in Int(runStarts[run])..<end { ids.append(runIDs[run]) }
    }
    plain = ids
    runStarts = []
    runIDs = PlainIDs()
    blockRuns = []
  }

  /// Reads the ids of cells in increasing order cheaply: it remembers the run it is in.
  public struct SequentialReader {
    private let ids: PackedIDs
    private var run = 0
    private var runEnd = 0

    init(_ ids: PackedIDs) { self.ids = ids }

    /// The id of `cell`; fastest when cells come in increasing order.
    @inline(__always)
    public mutating func id(of cell: Int) -> UInt32 {
      if let plain = ids.plain { return plain[cell] }
      if cell >= runEnd || cell < Int(ids.runStarts[run]) {
        run = Int(ids.blockRuns[cell >> 8])
        while run + 1 < ids.runStarts.count && Int(ids.runStarts[run + 1]) <= cell { run += 1 }
        runEnd = run + 1 < ids.runStarts.count ? Int(ids.runStarts[run + 1]) : ids.count
      }
      return ids.runIDs[run]
    }
  }

  /// A reader for going through the cells in order.
  public func sequentialReader() -> SequentialReader { SequentialReader(self) }

  /// Bytes the ids take (elements × width, the same on every run).
  public var byteCount: Int {
    if let plain { return plain.byteCount }
    return runStarts.count * 4 + runIDs.byteCount + blockRuns.count * 4
  }
}

/// Cell values packed as tightly as they allow: 2 bytes a cell for the usual counts (whole numbers
/// below 65,279), markers and text; other values (large or fractional) in a side list of exceptions.
public struct PackedValues: Sendable {
  private static let overflowCode: UInt16 = 0xFEFF
  private static let markerBase: UInt16 = 0xFF00
  private static let textCode: UInt16 = 0xFFFF

  /// 0...0xFEFE are numbers; 0xFEFF means "see `overflow`"; 0xFF00 + k is marker k; 0xFFFF is text.
  private var codes: [UInt16] = []
  /// Values that do not fit a code, by cell index (appended in order, so sorted).
  private var overflowIndices: [UInt32] = []
  private var overflowValues: [Double] = []

  public init() {}

  public var count: Int { codes.count }

  /// Makes room for `count` cells in all.
  public mutating func reserve(_ count: Int) { codes.reserveCapacity(count) }

  public subscript(index: Int) -> CellValue {
    let code = codes[index]
    if code < Self.overflowCode { return .number(Double(code)) }
    if code == Self.textCode { return .text }
    if code >= Self.markerBase { return .withheld(marker: Int(code - Self.markerBase)) }
    // Binary search of the exceptions.
    var low = 0
    var high = overflowIndices.count
    let target = UInt32(index)
    while low < high {
      let mid = (low + high) / 2
      if overflowIndices[mid] < target { low = mid + 1 } else { high = mid }
    }
    return .number(overflowValues[low])
  }

  public mutating func append(_ value: CellValue) {
    switch value {
    case .number(let x):
      if x >= 0 && x < Double(Self.overflowCode) && x == x.rounded() {
        codes.append(UInt16(x))
      } else {
        overflowIndices.append(UInt32(codes.count))
        overflowValues.append(x)
        codes.append(Self.overflowCode)
      }
    case .withheld(let marker):
      codes.append(Self.markerBase + UInt16(min(marker, 0xFE)))
    case .text:
      codes.append(Self.textCode)
    }
  }

  /// Bytes the values take (elements × width, the same on every run).
  public var byteCount: Int { codes.count * 2 + overflowIndices.count * 4 + overflowValues.count * 8 }
}

/// A dimension of a table: a name and the labels its cells take.
public struct Dimension: Sendable {
  /// The dimension's name (a column header, or a crosstab's declared column dimension).
  public var name: String
  /// The distinct labels, interned.
  public var labels = LabelPool()
  /// For each label id, whether the label is a margin (`Total`, `All`, ...).
  public var isMarginLabel: [Bool] = []

  public init(name: String) { self.name = name }
}

/// A value column of a table: what it measures and where it sits in the file.
public struct Measure: Sendable {
  /// The column header (for a crosstab, the name of the statistic, `count`).
  public var name: String { didSet { normalizedName = NamingConventions.normalized(name) } }
  /// What the column holds.
  public var role: ColumnRole
  /// The 1-based field number in long layout; `nil` in a crosstab, where it is the column label's.
  public var field: Int?
  /// `name` as ``NamingConventions/normalized(_:)`` writes it, worked out once: rules look measures
  /// up by it for every cell.
  public private(set) var normalizedName: String

  public init(name: String, role: ColumnRole, field: Int?) {
    self.name = name
    self.role = role
    self.field = field
    normalizedName = NamingConventions.normalized(name)
  }
}

/// A second reading of a table (boxed: a table holds at most one).
public final class TableView: Sendable {
  public let table: Table
  init(_ table: Table) { self.table = table }
}

/// The compact cell store of one output: cells keyed by interned dimension labels, with packed
/// values per measure. Rules that need the whole table (margins, class disclosure) read it; rules
/// that look at one cell at a time never need it.
public struct Table: Sendable {
  /// The output's path as given.
  public var file: String
  public var kind: OutputKind
  public var layout: Layout
  public var dimensions: [Dimension]
  public var measures: [Measure]
  /// Per dimension, the label id of each cell.
  public var keys: [PackedIDs]
  /// Per measure, the value of each cell.
  public var values: [PackedValues]
  /// The manifest that declared the output, if any.
  public var declaration: OutputDeclaration?
  /// Evidence for the cells from a sidecar `NAME.evidence.csv`, if there is one.
  public var sidecarEvidence: EvidenceFile?
  /// The magnitude cells with their evidence, worked out once for the rules that read them while
  /// the checker runs them (nil otherwise).
  var magnitudeCells: [MagnitudeCell]?
  /// Cells whose zeros are structural (declared in the manifest or by a `structural_zero` column).
  public var structuralZeroCells: Set<Int> = []
  /// In a crosstab, the 1-based field number of each label of the column dimension.
  public var crosstabFields: [Int] = []
  /// How many cells use each marker (index into the pack's list).
  public var markerUse: [Int: Int] = [:]
  /// How many published zeros the table has.
  public var publishedZeros = 0
  /// Per measure, the most digits any of its values shows after the decimal point as written
  /// (`2.0` shows one): a percentage printed as `2.0` stands for 1.95 to 2.05, not 1.5 to 2.5.
  public var printedDecimals: [Int: Int] = [:]
  /// Line of the first data row, and rows whose line does not follow the previous row's.
  var firstLine = 2
  var lineJumps: [(row: Int, line: Int)] = []
  /// Number of cells per source row (the crosstab's value columns, or 1 in long layout).
  var cellsPerRow = 1
  /// What was found of the table's margins, subtotals and repeated cells (``StructureDetector``).
  public var structure: TableStructure?
  /// Per dimension, the sums found from the numbers (each parent label totals its children), or
  /// `nil` where a declared hierarchy or the margin labels decide (see ``TableEquations``).
  var foundSums: [[(parent: UInt32, children: [UInt32])]?]?
  /// The count columns as categories of one more dimension, when they total one another
  /// (`Males, Females, Persons`): class disclosure and the audit of counts read this view.
  public var countView: TableView?

  /// The number of cells.
  public var cellCount: Int { keys.first?.count ?? values.first?.count ?? 0 }

  /// The 1-based source line of `cell`.
  public func line(ofCell cell: Int) -> Int {
    let row = cell / cellsPerRow
    // The last jump at or before this row.
    var low = 0
    var high = lineJumps.count
    while low < high {
      let mid = (low + high) / 2
      if lineJumps[mid].row <= row { low = mid + 1 } else { high = mid }
    }
    if low == 0 { return firstLine + row }
    let jump = lineJumps[low - 1]
    return jump.line + (row - jump.row)
  }

  /// The 1-based field number of `cell` for `measure`.
  public func field(ofCell cell: Int, measure: Int) -> Int {
    if let field = measures[measure].field { return field }
    return crosstabFields[Int(keys[keys.count - 1][cell])]
  }

  /// The column header of `cell` for `measure`.
  public func columnName(ofCell cell: Int, measure: Int) -> String {
    if measures[measure].field != nil { return measures[measure].name }
    return dimensions[dimensions.count - 1].labels.labels[Int(keys[keys.count - 1][cell])]
  }

  /// The label of `cell` in dimension `dimension`.
  public func label(ofCell cell: Int, dimension: Int) -> String {
    dimensions[dimension].labels.labels[Int(keys[dimension][cell])]
  }

  /// The index of the measure whose normalized name is `name`, if any.
  public func measure(named name: String) -> Int? {
    measures.firstIndex { $0.normalizedName == name }
  }

  /// Whether `cell` is a margin in any dimension.
  /// Whether `measure` is a running total (`cum_cases`, or declared `cumulative:`): its values do
  /// not add up across its ordered dimension, so structure and the differencing audit leave it
  /// out; `cumulative-count` (C012) checks its steps.
  public func isCumulative(_ measure: Int) -> Bool {
    let name = measures[measure].name
    return NamingConventions.cumulativeBase(of: name) != nil
      || declaration?.cumulative.contains { $0.label == name } == true
  }

  /// Count columns whose cells add up: every count column but the cumulative ones.
  public func isAdditiveCount(_ measure: Int) -> Bool { measures[measure].role == .count && !isCumulative(measure) }

  public func isMargin(_ cell: Int) -> Bool {
    for d in dimensions.indices where dimensions[d].isMarginLabel[Int(keys[d][cell])] { return true }
    return false
  }

  /// The coordinates of `cell`, for findings.
  public func coordinates(ofCell cell: Int) -> [Finding.Coordinate] {
    dimensions.indices.map {
      Finding.Coordinate(dimension: dimensions[$0].name, label: label(ofCell: cell, dimension: $0))
    }
  }

  /// Bytes used by the cell store (labels excluded: they are stored once each).
  public var cellStoreBytes: Int {
    keys.reduce(0) { $0 + $1.byteCount } + values.reduce(0) { $0 + $1.byteCount }
  }
}
