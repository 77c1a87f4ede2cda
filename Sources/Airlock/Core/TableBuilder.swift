#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Access to the fields of one row, from the reader or from the replayed inference sample.
protocol RowAccess {
  /// The bytes of field `index`, valid until the row changes.
  func fieldBytes(_ index: Int) -> UnsafeBufferPointer<UInt8>
}

extension DelimitedReader: RowAccess {}

/// A row of the inference sample, its fields' bytes held in one allocation.
final class ReplayRow: RowAccess {
  private let base: UnsafeMutablePointer<UInt8>
  private let offsets: [Int]

  init(fields: [String]) {
    var offsets = [0]
    for field in fields { offsets.append(offsets[offsets.count - 1] + field.utf8.count) }
    base = .allocate(capacity: max(1, offsets[offsets.count - 1]))
    for (index, field) in fields.enumerated() {
      _ = UnsafeMutableBufferPointer(start: base + offsets[index], count: field.utf8.count).initialize(from: field.utf8)
    }
    self.offsets = offsets
  }

  deinit { base.deallocate() }

  func fieldBytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: base + offsets[index], count: offsets[index + 1] - offsets[index])
  }
}

/// Whether two byte strings are equal (short ones compared a word at a time, without a call).
@inline(__always)
func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
  let n = a.count
  guard n == b.count else { return false }
  guard n > 0 else { return true }
  let x = UnsafeRawPointer(a.baseAddress!)
  let y = UnsafeRawPointer(b.baseAddress!)
  if n > 16 { return memcmp(x, y, n) == 0 }
  var i = 0
  while i + 8 <= n {
    if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
      return false
    }
    i += 8
  }
  while i < n {
    if x.load(fromByteOffset: i, as: UInt8.self) != y.load(fromByteOffset: i, as: UInt8.self) { return false }
    i += 1
  }
  return true
}

/// A label's id, margin flag and field-rule verdict, packed in the 32-bit values of
/// the builder's label tables.
private struct LabelFacts {
  var id: UInt32
  var isMargin: Bool
  var isQuiet: Bool

  init(id: UInt32, isMargin: Bool, isQuiet: Bool) {
    self.id = id
    self.isMargin = isMargin
    self.isQuiet = isQuiet
  }

  init(packed: UInt32) {
    id = packed & 0x3FFF_FFFF
    isMargin = packed & 0x4000_0000 != 0
    isQuiet = packed & 0x8000_0000 != 0
  }

  var packed: UInt32 { id | (isMargin ? 0x4000_0000 : 0) | (isQuiet ? 0x8000_0000 : 0) }
}

/// The last label seen in one dimension column, so that a run of equal labels costs one compare.
/// Its bytes live in a buffer of its own that grows with the longest label (freed by its builder).
private struct LastLabel {
  private var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
  private var capacity = 32
  private var count = -1  // nothing yet
  /// What is known of it.
  var facts = LabelFacts(id: 0, isMargin: false, isQuiet: false)

  @inline(__always)
  func matches(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
    count == other.count && bytesEqual(UnsafeBufferPointer(start: storage, count: count), other)
  }

  mutating func set(_ other: UnsafeBufferPointer<UInt8>, facts: LabelFacts) {
    if other.count > capacity {
      storage.deallocate()
      capacity = other.count
      storage = .allocate(capacity: capacity)
    }
    if let base = other.baseAddress, other.count > 0 { storage.update(from: base, count: other.count) }
    count = other.count
    self.facts = facts
  }

  func deallocate() { storage.deallocate() }
}

/// What is known of recently seen short labels (8 bytes or fewer), per dimension: a direct-mapped
/// cache in front of the builder's label table, so that labels that change on every row (an age
/// band cycling under a region) cost a few arithmetic operations rather than a hash-table probe.
/// Entries are copies of label-table values; a collision simply replaces the entry.
struct ShortLabelCache {
  static let slotsPerDimension = 256
  private let keys: UnsafeMutablePointer<UInt64>
  /// The label's length plus one (zero: empty slot).
  private let lengths: UnsafeMutablePointer<UInt8>
  private let values: UnsafeMutablePointer<UInt32>
  private let count: Int
  /// Per dimension, the slot of the last label found or stored: a label repeated on the next row
  /// is found without hashing.
  private let last: UnsafeMutablePointer<Int>

  init(dimensions: Int) {
    // Each dimension's last slot starts in its own block: never another dimension's entry (a
    // fuzzed input found that starting every one at slot 0 let a label of the second dimension
    // take the first dimension's facts, field-rule verdict and label id included).
    last = .allocate(capacity: max(1, dimensions))
    for d in 0..<max(1, dimensions) { (last + d).initialize(to: d * Self.slotsPerDimension) }
    count = max(1, dimensions) * Self.slotsPerDimension
    keys = .allocate(capacity: count)
    keys.initialize(repeating: 0, count: count)
    lengths = .allocate(capacity: count)
    lengths.initialize(repeating: 0, count: count)
    values = .allocate(capacity: count)
    values.initialize(repeating: 0, count: count)
  }

  func deallocate() {
    last.deallocate()
    keys.deallocate()
    lengths.deallocate()
    values.deallocate()
  }

  /// The slot of a label of dimension `dimension`, within that dimension's block.
  @inline(__always)
  static func slot(_ dimension: Int, _ key: UInt64, _ length: Int) -> Int {
    let mixed = (key ^ UInt64(length) << 59) &* 0x9E37_79B9_7F4A_7C15
    return dimension * slotsPerDimension + Int(truncatingIfNeeded: mixed >> 56)
  }

  /// The value cached for a label of dimension `dimension` packed as `key` (see
  /// ``ByteStringTable/shortKey(_:)``) with `length` bytes.
  @inline(__always)
  func find(_ dimension: Int, _ key: UInt64, _ length: Int) -> UInt32? {
    let recent = last[dimension]
    if keys[recent] == key && Int(lengths[recent]) == length + 1 { return values[recent] }
    let index = Self.slot(dimension, key, length)
    guard keys[index] == key && Int(lengths[index]) == length + 1 else { return nil }
    last[dimension] = index
    return values[index]
  }

  @inline(__always)
  func store(_ dimension: Int, _ key: UInt64, _ length: Int, _ value: UInt32) {
    let index = Self.slot(dimension, key, length)
    keys[index] = key
    lengths[index] = UInt8(length + 1)
    values[index] = value
    last[dimension] = index
  }
}

/// Bits, one per index, zero to start with; the storage grows to the largest index set, so a small
/// output costs a few words.
private struct BitSet {
  private var words: UnsafeMutablePointer<UInt64>
  private var wordCount: Int

  init() {
    wordCount = 4
    words = .allocate(capacity: wordCount)
    words.initialize(repeating: 0, count: wordCount)
  }

  func deallocate() { words.deallocate() }

  @inline(__always) subscript(index: Int) -> Bool {
    let word = index >> 6
    return word < wordCount && words[word] & (1 << UInt64(index & 63)) != 0
  }

  @inline(__always) mutating func insert(_ index: Int) {
    let word = index >> 6
    if word >= wordCount { grow(to: word + 1) }
    words[word] |= 1 << UInt64(index & 63)
  }

  private mutating func grow(to minimum: Int) {
    var count = wordCount
    while count < minimum { count *= 2 }
    let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
    grown.initialize(from: words, count: wordCount)
    (grown + wordCount).initialize(repeating: 0, count: count - wordCount)
    words.deallocate()
    words = grown
    wordCount = count
  }
}

/// Remembers which cells and fields the streaming rules found nothing in, so that the rules run
/// once per distinct value rather than once per cell (the rules' contract: see ``CellRule`` and
/// ``FieldRule``). Integers are remembered in bit sets small enough to stay in cache.
private final class QuietMemo {
  /// Integer values below this are remembered in bit sets.
  static let integerLimit = 1 << 17
  /// Per measure: a bit per integer value and flags (margin × structural zero), on first use. The
  /// flags pick a block of ``integerLimit`` bits, so the common cells (no flags) share one compact
  /// block that stays in the first-level cache.
  private let cellIntegers: UnsafeMutablePointer<BitSet>
  /// Per measure: a bit per marker and flags.
  private let cellMarkers: UnsafeMutablePointer<BitSet>
  private let measureCount: Int
  private let markerCount: Int
  /// Per column: a bit per integer value written the canonical way, on first use.
  private let fieldIntegers: UnsafeMutablePointer<BitSet>
  private let columnCount: Int
  /// Per column: other texts the field rules found nothing in.
  private var fieldTexts: [ByteStringTable]
  /// Per value column: a bit per positive integer written the canonical way that neither the
  /// field rules (on its text) nor the cell rules (on a cell of that value, not a margin) find
  /// anything in, so that the common cell costs one probe.
  private let quietCells: UnsafeMutablePointer<BitSet>
  private let valueColumnCount: Int

  init(measures: Int, markers: Int, columns: Int, valueColumns: Int) {
    valueColumnCount = valueColumns
    quietCells = .allocate(capacity: valueColumns)
    for index in 0..<valueColumns { (quietCells + index).initialize(to: BitSet()) }
    measureCount = measures
    markerCount = markers
    columnCount = columns
    cellIntegers = .allocate(capacity: measures)
    for index in 0..<measures { (cellIntegers + index).initialize(to: BitSet()) }
    cellMarkers = .allocate(capacity: measures)
    for index in 0..<measures { (cellMarkers + index).initialize(to: BitSet()) }
    fieldIntegers = .allocate(capacity: columns)
    for index in 0..<columns { (fieldIntegers + index).initialize(to: BitSet()) }
    fieldTexts = (0..<columns).map { _ in ByteStringTable() }
  }

  deinit {
    for index in 0..<measureCount {
      cellIntegers[index].deallocate()
      cellMarkers[index].deallocate()
    }
    for index in 0..<columnCount { fieldIntegers[index].deallocate() }
    for index in 0..<valueColumnCount { quietCells[index].deallocate() }
    quietCells.deallocate()
    cellIntegers.deallocate()
    cellMarkers.deallocate()
    fieldIntegers.deallocate()
  }

  /// Whether value column `position` is known to be quiet, field and cell rules alike, for the
  /// positive `integer` written the canonical way, in a cell that is not a margin.
  @inline(__always)
  func isQuietCell(_ position: Int, canonical integer: Int) -> Bool {
    quietCells[position][integer]
  }

  /// Records that value column `position` is quiet for such an integer.
  func recordQuietCell(_ position: Int, canonical integer: Int) {
    quietCells[position].insert(integer)
  }

  /// Whether the cell rules are known to find nothing in a cell holding `integer` (the fast path
  /// of ``isQuiet(_:_:margin:structural:)`` for a value read as an integer).
  @inline(__always)
  func isQuiet(_ measure: Int, integer: Int, margin: Bool, structural: Bool) -> Bool {
    guard integer >= 0, integer < Self.integerLimit else { return false }
    return cellIntegers[measure][integerBit(integer, margin: margin, structural: structural)]
  }

  @inline(__always)
  private func integerBit(_ integer: Int, margin: Bool, structural: Bool) -> Int {
    ((margin ? 2 : 0) | (structural ? 1 : 0)) * Self.integerLimit + integer
  }

  /// Where such a cell is remembered: in the integer bits (true) or the marker bits, and the
  /// index; nil when it is not remembered.
  @inline(__always)
  private func cellBit(_ value: CellValue, margin: Bool, structural: Bool) -> (integer: Bool, index: Int)? {
    let flags = (margin ? 2 : 0) | (structural ? 1 : 0)
    switch value {
    case .number(let number):
      guard number >= 0, number < Double(Self.integerLimit) else { return nil }
      let integer = Int(number)
      guard Double(integer) == number else { return nil }
      return (true, integerBit(integer, margin: margin, structural: structural))
    case .withheld(let marker):
      guard marker < markerCount else { return nil }
      return (false, marker << 2 | flags)
    case .text:
      return nil
    }
  }

  /// Whether the cell rules are known to find nothing in such a cell.
  @inline(__always)
  func isQuiet(_ measure: Int, _ value: CellValue, margin: Bool, structural: Bool) -> Bool {
    guard let (integer, index) = cellBit(value, margin: margin, structural: structural) else { return false }
    return integer ? cellIntegers[measure][index] : cellMarkers[measure][index]
  }

  /// Records that the cell rules found nothing in such a cell.
  func recordQuiet(_ measure: Int, _ value: CellValue, margin: Bool, structural: Bool) {
    guard let (integer, index) = cellBit(value, margin: margin, structural: structural) else { return }
    if integer { cellIntegers[measure].insert(index) } else { cellMarkers[measure].insert(index) }
  }

  /// The most integer cells whose findings are remembered (about a hundred bytes each, so a few
  /// megabytes at most per builder).
  static let loudLimit = 1 << 16
  /// Per integer cell (measure, integer and flags) the cell rules found something in: what they
  /// found, as (code, findings, worst outcome) per rule code.
  private var loud: [Int: [FindingSink.Tally]] = [:]

  @inline(__always)
  private static func loudKey(_ measure: Int, _ integer: Int, margin: Bool, structural: Bool) -> Int? {
    guard integer >= 0, integer < integerLimit else { return nil }
    return measure << 24 | integer << 2 | (margin ? 2 : 0) | (structural ? 1 : 0)
  }

  /// What the cell rules find in a cell holding `integer`, when known.
  @inline(__always)
  func loudTallies(_ measure: Int, integer: Int, margin: Bool, structural: Bool) -> [FindingSink.Tally]? {
    guard !loud.isEmpty, let key = Self.loudKey(measure, integer, margin: margin, structural: structural) else {
      return nil
    }
    return loud[key]
  }

  /// Whether what the cell rules find in such a cell should be remembered.
  func wantsLoud(_ measure: Int, integer: Int, margin: Bool, structural: Bool) -> Bool {
    loud.count < Self.loudLimit && Self.loudKey(measure, integer, margin: margin, structural: structural) != nil
  }

  /// Remembers what the cell rules find in a cell holding `integer`.
  func recordLoud(_ measure: Int, integer: Int, margin: Bool, structural: Bool, _ tallies: [FindingSink.Tally]) {
    guard let key = Self.loudKey(measure, integer, margin: margin, structural: structural) else { return }
    loud[key] = tallies
  }

  /// The value of bytes that are a non-negative integer written the one canonical way (no sign,
  /// no leading zero) below ``integerLimit``, or -1.
  @inline(__always)
  static func canonicalInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    guard bytes.count > 0, bytes.count <= 6, bytes[0] != UInt8(ascii: "0") || bytes.count == 1 else { return -1 }
    let value = ValueParser.eightDigits(bytes)
    return value < integerLimit ? value : -1
  }

  /// Whether the field rules are known to find nothing in these bytes of `column`.
  @inline(__always)
  func isQuietField(_ column: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let integer = Self.canonicalInteger(bytes)
    if integer >= 0 { return fieldIntegers[column][integer] }
    return fieldTexts[column].find(bytes) != nil
  }

  /// Records that the field rules found nothing in these bytes of `column`.
  func recordQuietField(_ column: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
    let integer = Self.canonicalInteger(bytes)
    if integer >= 0 {
      fieldIntegers[column].insert(integer)
    } else {
      fieldTexts[column].insert(bytes, value: 0)
    }
  }
}

/// Turns rows into cells: runs the per-cell rules on each and, when whole-table rules need it,
/// stores the cells compactly in a ``Table``.
final class TableBuilder {
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
  /// Per dimension, the last label seen (labels longer than 8 bytes).
  private let lastLabel: UnsafeMutablePointer<LastLabel>
  /// Per dimension, recent labels of 8 bytes or fewer.
  private let shortLabels: ShortLabelCache
  /// Per dimension, what is known of each label seen: its id in the table's pool (when storing),
  /// whether it is a margin, and whether the field rules found nothing in it (``LabelFacts``).
  private var labelFacts: [ByteStringTable]
  private let memo: QuietMemo
  /// The columns that are neither dimensions nor values (flags, evidence in wide layout), whose
  /// fields the field rules read too (value columns' fields are read with their cells).
  private let otherColumns: [Int]
  private var previousLine = 0
  /// Per dimension, the current row's label id.
  private let rowIDs: UnsafeMutablePointer<UInt32>
  private let traits: [ColumnTraits]
  /// Declared structural zeros: per entry, the label columns and labels to match, and in a
  /// crosstab the column header (the label of its columns dimension) when the entry names one.
  private let structuralZeros: [(columns: [(column: Int, label: String)], header: String?)]

  init(schema: TableSchema, pack: RulePack, storing: Bool) {
    self.schema = schema
    self.pack = pack
    self.storing = storing
    // In long layout, evidence columns are stored beside the values for the rules that need them.
    valueColumns =
      schema.layout == .long
      ? {
        let values = Set(schema.valueColumns)
        return schema.roles.indices.filter { values.contains($0) || schema.roles[$0] == .evidence }
      }()
      : schema.valueColumns
    dimensionColumns = schema.dimensionColumns
    flagColumn = schema.roles.firstIndex(of: .structuralZeroFlag)
    let margins = pack.margins + (schema.declaration?.margins ?? [])
    marginLabels = margins.map { Array($0.lowercased().utf8) }
    columnIsMargin = schema.header.map { header in margins.contains { $0.lowercased() == header.lowercased() } }
    lastLabel = .allocate(capacity: max(1, dimensionColumns.count))
    for d in dimensionColumns.indices { (lastLabel + d).initialize(to: LastLabel()) }
    shortLabels = ShortLabelCache(dimensions: dimensionColumns.count)
    // Sets, worked out once: a crosstab may have tens of thousands of columns.
    let taken = Set(schema.dimensionColumns).union(valueColumns)
    otherColumns = schema.header.indices.filter { !taken.contains($0) }
    labelFacts = dimensionColumns.map { _ in ByteStringTable(maxEntries: 1 << 20, maxBytes: 64 << 20) }
    rowIDs = .allocate(capacity: max(1, dimensionColumns.count))
    rowIDs.initialize(repeating: 0, count: max(1, dimensionColumns.count))
    traits = schema.header.map { ColumnTraits(name: $0) }
    // Keys are checked against the schema before this (`OutputDeclaration.validate(against:)`).
    structuralZeros = (schema.declaration?.structuralZeros ?? []).map { entry in
      let labels = entry.labels
      let header = schema.layout == .wide ? labels[schema.columnsDimension] : nil
      let columns = labels.compactMap { key, label in
        schema.dimensionColumns.first { schema.header[$0] == key }.map { ($0, label) }
      }
      return (columns, header)
    }

    var dimensions = dimensionColumns.map { Dimension(name: schema.header[$0]) }
    if schema.layout == .wide {
      var columns = Dimension(name: schema.columnsDimension)
      for column in schema.valueColumns {
        _ = columns.labels.intern(schema.header[column])
        columns.isMarginLabel.append(
          pack.isMarginLabel(schema.header[column])
            || (schema.declaration?.margins.contains(schema.header[column]) ?? false))
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
    memo = QuietMemo(
      measures: measures.count, markers: pack.markers.count, columns: schema.header.count,
      valueColumns: valueColumns.count)
    table.declaration = schema.declaration
    table.crosstabFields = schema.layout == .wide ? schema.valueColumns.map { $0 + 1 } : []
    table.cellsPerRow = schema.layout == .wide ? max(1, schema.valueColumns.count) : 1
  }

  deinit {
    for d in dimensionColumns.indices { lastLabel[d].deallocate() }
    lastLabel.deinitialize(count: dimensionColumns.count)
    lastLabel.deallocate()
    shortLabels.deallocate()
    rowIDs.deallocate()
  }

  /// Makes room for about `rows` rows, so that the store does not over-allocate as it grows.
  func reserve(rows: Int) {
    guard storing, rows > 0 else { return }
    let cells = rows * table.cellsPerRow
    for d in table.keys.indices { table.keys[d].reserve(cells) }
    for m in table.values.indices { table.values[m].reserve(cells) }
  }

  /// Whether the bytes equal a margin label, ignoring ASCII case and surrounding spaces.
  private func isMarginLabel(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var start = 0
    var end = bytes.count
    while start < end && bytes[start] == 32 { start += 1 }
    while end > start && bytes[end - 1] == 32 { end -= 1 }
    outer: for label in marginLabels where label.count == end - start {
      for (offset, a) in label.enumerated() {
        let b = bytes[start + offset]
        if a != (b >= 65 && b <= 90 ? b + 32 : b) { continue outer }
      }
      return true
    }
    return false
  }

  /// Whether the zero in value column `column` of `row` is declared structural.
  private func isStructural<Row: RowAccess>(_ row: Row, column: Int) -> Bool {
    if let flagColumn {
      let text = String(decoding: row.fieldBytes(flagColumn), as: UTF8.self).trimmingWhitespace().lowercased()
      if ["1", "true", "yes", "y"].contains(text) { return true }
    }
    for entry in structuralZeros {
      if let header = entry.header, header != schema.header[column] { continue }
      if entry.columns.allSatisfy({ String(decoding: row.fieldBytes($0.column), as: UTF8.self) == $0.label }) {
        return true
      }
    }
    return false
  }

  /// What is known of a label of dimension `d` (column `column`), working it out on first sight:
  /// one lookup per label change instead of one per question.
  private func facts(
    _ d: Int, column: Int, _ bytes: UnsafeBufferPointer<UInt8>, line: Int, fieldRules: [any FieldRule],
    sink: inout FindingSink, cursor: RowCursor
  ) -> LabelFacts {
    let hash = ByteStringTable.hash(bytes)
    if let packed = labelFacts[d].find(bytes, hash: hash) {
      let facts = LabelFacts(packed: packed)
      if !facts.isQuiet {
        _ = inspectField(column, bytes, line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor)
      }
      return facts
    }
    let quiet = inspectField(
      column, bytes, line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor, remember: false)
    let margin = isMarginLabel(bytes)
    var id: UInt32 = 0
    if storing {
      id = table.dimensions[d].labels.intern(String(decoding: bytes, as: UTF8.self))
      if Int(id) == table.dimensions[d].isMarginLabel.count { table.dimensions[d].isMarginLabel.append(margin) }
    }
    let facts = LabelFacts(id: id, isMargin: margin, isQuiet: quiet)
    // Past the budget (or 2^30 labels) labels are worked out every time; ids stay right.
    if id < 0x4000_0000 { labelFacts[d].insert(bytes, value: facts.packed) }
    return facts
  }

  /// Runs the field rules on one field unless they are known to find nothing in it; returns
  /// whether they found nothing.
  @inline(__always)
  private func inspectField(
    _ column: Int, _ bytes: UnsafeBufferPointer<UInt8>, line: Int, fieldRules: [any FieldRule], sink: inout FindingSink,
    cursor: RowCursor, remember: Bool = true
  ) -> Bool {
    if fieldRules.isEmpty || (remember && memo.isQuietField(column, bytes)) { return true }
    return runFieldRules(
      column, bytes, line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor, remember: remember)
  }

  /// The slow part of ``inspectField(_:_:line:fieldRules:sink:cursor:remember:)``: runs the rules.
  @inline(never)
  private func runFieldRules(
    _ column: Int, _ bytes: UnsafeBufferPointer<UInt8>, line: Int, fieldRules: [any FieldRule], sink: inout FindingSink,
    cursor: RowCursor, remember: Bool
  ) -> Bool {
    let before = sink.total
    let facts = FieldFacts(
      bytes: ArraySlice(bytes), columnName: schema.header[column], role: schema.roles[column], isHeader: false,
      traits: traits[column])
    let location = FieldLocation(file: schema.file, line: line, field: column + 1)
    for index in fieldRules.indices { fieldRules[index].inspect(facts, at: location, into: &sink) }
    let quiet = sink.total == before
    if quiet && remember { memo.recordQuietField(column, bytes) }
    return quiet
  }

  /// Adds one data row.
  func add<Row: RowAccess>(
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

    var rowIsMargin = false
    for (d, column) in dimensionColumns.enumerated() {
      let bytes = row.fieldBytes(column)
      // Short labels through the cache, longer ones compared with the last; `facts` works out the
      // rest (and runs the field rules on a label it meets for the first time).
      var label: LabelFacts
      var cached = true
      if bytes.count <= 8 {
        let key = ByteStringTable.shortKey(bytes)
        if let packed = shortLabels.find(d, key, bytes.count) {
          label = LabelFacts(packed: packed)
        } else {
          label = facts(d, column: column, bytes, line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor)
          cached = false
          if label.id < 0x4000_0000 { shortLabels.store(d, key, bytes.count, label.packed) }
        }
      } else if lastLabel[d].matches(bytes) {
        label = lastLabel[d].facts
      } else {
        label = facts(d, column: column, bytes, line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor)
        cached = false
        lastLabel[d].set(bytes, facts: label)
      }
      if cached && !label.isQuiet {
        _ = inspectField(column, bytes, line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor)
      }
      rowIsMargin = rowIsMargin || label.isMargin
      rowIDs[d] = label.id
    }
    for column in otherColumns {
      _ = inspectField(column, row.fieldBytes(column), line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor)
    }
    if storing && schema.layout == .long {
      for d in dimensionColumns.indices { table.keys[d].append(rowIDs[d]) }
    }

    for (position, column) in valueColumns.enumerated() {
      let bytes = row.fieldBytes(column)
      let measureIndex = schema.layout == .wide ? 0 : position
      let isMargin = rowIsMargin || (schema.layout == .wide && columnIsMargin[column])
      cells += 1
      // Most cells are positive integers written plainly, known quiet after the first sight: one
      // probe, with nothing else to work out.
      let canonical = QuietMemo.canonicalInteger(bytes)
      if canonical > 0 && !isMargin && memo.isQuietCell(position, canonical: canonical) {
        if storing {
          store(.number(Double(canonical)), position: position, measureIndex: measureIndex, structural: false)
        }
        continue
      }
      let fieldQuiet = inspectField(column, bytes, line: line, fieldRules: fieldRules, sink: &sink, cursor: cursor)
      // Read the integer once and ask the memo by it.
      let integer = canonical >= 0 ? canonical : ValueParser.parseInteger(bytes)
      let value = integer.map { CellValue.number(Double($0)) } ?? parser.parse(bytes)
      if storing && integer == nil, case .number = value { noteDecimals(bytes, measure: measureIndex) }
      let structural = value.number == 0 ? isStructural(row, column: column) : false
      var quiet =
        if let integer { memo.isQuiet(measureIndex, integer: integer, margin: isMargin, structural: structural) } else {
          memo.isQuiet(measureIndex, value, margin: isMargin, structural: structural)
        }
      if !rules.isEmpty && !quiet {
        if let integer,
          let tallies = memo.loudTallies(measureIndex, integer: integer, margin: isMargin, structural: structural),
          sink.wantsNone(of: tallies)
        {
          // Known findings that would only be counted: count them without asking the rules.
          for tally in tallies { sink.count(tally.code, tally.worst, times: tally.count) }
        } else {
          let before = sink.total
          let facts = CellFacts(
            value: value, measure: measures[measureIndex], isMargin: isMargin, isStructuralZero: structural,
            kind: schema.kind)
          let location = CellLocation(
            file: schema.file, line: line, field: column + 1, columnName: schema.header[column], row: cursor)
          for index in rules.indices { rules[index].inspect(facts, at: location, into: &sink) }
          if sink.total == before {
            memo.recordQuiet(measureIndex, value, margin: isMargin, structural: structural)
            quiet = true
          } else if let integer,
            memo.wantsLoud(measureIndex, integer: integer, margin: isMargin, structural: structural),
            memo.loudTallies(measureIndex, integer: integer, margin: isMargin, structural: structural) == nil
          {
            // Ask once more with nothing kept, to learn the codes and outcomes alone.
            var counted = FindingSink(limit: 0)
            for index in rules.indices { rules[index].inspect(facts, at: location, into: &counted) }
            memo.recordLoud(
              measureIndex, integer: integer, margin: isMargin, structural: structural, counted.omittedTallies)
          }
        }
      } else {
        quiet = true
      }
      if quiet && fieldQuiet && canonical > 0 && !isMargin { memo.recordQuietCell(position, canonical: canonical) }
      if storing { store(value, position: position, measureIndex: measureIndex, structural: structural) }
    }
  }

  /// Records how many digits `bytes` shows after its decimal point (``Table/printedDecimals``).
  private func noteDecimals<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, measure: Int)
  where Bytes.Index == Int {
    guard let point = bytes.firstIndex(of: UInt8(ascii: ".")) else { return }
    var digits = 0
    var index = bytes.index(after: point)
    while index < bytes.endIndex, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
      digits += 1
      index = bytes.index(after: index)
    }
    // `1.5e-3` shows more digits than its mantissa: leave e-notation to the value itself.
    if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") { return }
    if digits > table.printedDecimals[measure, default: 0] { table.printedDecimals[measure] = digits }
  }

  /// Stores one cell of the current row (the row's label ids are in `rowIDs`).
  @inline(__always)
  private func store(_ value: CellValue, position: Int, measureIndex: Int, structural: Bool) {
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

  /// The table, if cells were stored, with its structure found (``StructureDetector``).
  func finish() -> Table? {
    guard storing else { return nil }
    var table = table
    StructureDetector(pack: pack).detect(in: &table)
    return table
  }
}
