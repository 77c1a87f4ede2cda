/// A disclosure-control rule. Each rule is a value built from its effective parameters; it
/// reports findings through a ``FindingSink`` and never throws.
public protocol Rule: Sendable {
  /// The rule's code, name, documentation, parameters and examples.
  static var description: RuleDescription { get }
  /// Whether this rule judges column `column` of an output with `schema` (see ``covers(_:column:)``).
  static func covers(_ schema: TableSchema, column: Int) -> Bool
  /// Builds the rule from its effective parameters (already validated against the description).
  init(parameters: RuleParameters, pack: RulePack)
}

/// A rule that judges one cell at a time while the file streams past: its memory does not grow
/// with the file.
///
/// The rule sees only ``CellFacts``: the value, its measure, the margin and structural-zero flags
/// and the output's kind. The checker caches verdicts on exactly those facts (a combination that
/// found nothing is not asked again; one whose findings are past the finding limit is counted
/// without asking), so a rule that could see the line, the column name or earlier cells could
/// silently lose findings; the type keeps them out of reach. The checker places each finding (file,
/// line, field, coordinates) and applies the finding limit.
public protocol CellRule: Rule {
  /// The rule's outcome for a cell with these facts, or `nil` when it has nothing to say.
  func judge(_ cell: CellFacts) -> Outcome?
  /// Why the rule flagged a cell with these facts, and how to fix it (`nil`: the rule's own fix).
  /// Asked only for findings that are kept, so past the limit no reason is built.
  func explain(_ cell: CellFacts) -> (reason: String, fix: String?)
}

extension CellRule {
  /// Judges one cell and reports the finding, placed at `location`, or only counts it once the
  /// rule's findings are past the sink's limit.
  func inspect(_ cell: CellFacts, at location: CellLocation, into sink: inout FindingSink) {
    guard let outcome = judge(cell) else { return }
    record(outcome, into: &sink) {
      let (reason, fix) = explain(cell)
      return finding(
        outcome, file: location.file, line: location.line, column: location.field, columnName: location.columnName,
        cell: location.coordinates, reason: reason, fix: fix)
    }
  }
}

/// A rule that needs the whole table (margins, class disclosure, marker schemes).
public protocol TableRule: Rule {
  /// The kinds of output the rule judges; the cell store is kept only when an enabled rule needs it.
  static var kinds: Set<OutputKind> { get }
  /// Checks the complete table.
  func check(_ table: Table, into sink: inout FindingSink)
}

/// A rule that looks for direct identifiers in the text of every field, labels and values alike,
/// and in the header (they can hide anywhere). It streams like a ``CellRule``.
///
/// The rule sees only ``FieldFacts``: the field's bytes, its column and whether it is a header. The
/// checker remembers, per column, texts that found nothing and does not ask again, so the type keeps
/// the line, the row and earlier fields out of reach. The checker places each finding, without the
/// row's coordinates (the labels beside an identifier may be identifiers themselves, and a report
/// must never quote one), and applies the finding limit.
public protocol FieldRule: Rule {
  /// The rule's outcome for the field and what it holds ("an email address"), or `nil`.
  func judge(_ field: FieldFacts) -> (outcome: Outcome, holds: String)?
}

extension FieldRule {
  /// Judges one field and reports the finding, placed at `location`, or only counts it once the
  /// rule's findings are past the sink's limit.
  func inspect(_ field: FieldFacts, at location: FieldLocation, into sink: inout FindingSink) {
    guard let (outcome, holds) = judge(field) else { return }
    // A column name that is itself an identifier is not repeated either.
    record(outcome, into: &sink) {
      finding(
        outcome, file: location.file, line: location.line, column: location.field,
        columnName: field.isHeader ? nil : field.columnName, cell: nil,
        reason: field.isHeader ? "a column name holds \(holds)" : "the field holds \(holds)")
    }
  }
}

/// What a ``FieldRule`` may judge a field by: the facts the checker caches its verdicts on.
public struct FieldFacts {
  /// The field's bytes (valid UTF-8), as written, quotes removed.
  public let bytes: ArraySlice<UInt8>
  /// The header of the field's column.
  public let columnName: String
  /// The role of the field's column.
  public let role: ColumnRole
  /// Whether the field is a column name.
  public let isHeader: Bool
  /// What the column's name says, worked out once per column.
  let traits: ColumnTraits

  init(bytes: ArraySlice<UInt8>, columnName: String, role: ColumnRole, isHeader: Bool, traits: ColumnTraits? = nil) {
    self.bytes = bytes
    self.columnName = columnName
    self.role = role
    self.isHeader = isHeader
    self.traits = traits ?? ColumnTraits(name: columnName)
  }

  /// The field as text.
  public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Where a field is, for placing a ``FieldRule``'s finding (never shown to the rule).
struct FieldLocation {
  /// The output's path.
  let file: String
  /// 1-based line of the field's row.
  let line: Int
  /// 1-based field number.
  let field: Int
}

/// A rule about an output's file as a whole, asked before it is read, in registry order: the first
/// finding ends the check of the file, which is then not read as a table (it is not one, or it is
/// evidence for the checker).
public protocol FileRule: Rule {
  /// The finding about the file at `path`, or `nil` when the rule has nothing to say.
  func judge(file path: String) -> Finding?
}

/// A rule about the output as a whole (its kind, its columns), run once the columns are known.
public protocol OutputRule: Rule {
  /// Checks the output's schema.
  func check(_ schema: TableSchema, into sink: inout FindingSink)
}

extension TableRule {
  public static var kinds: Set<OutputKind> { Set(OutputKind.allCases) }
}

extension Rule {
  /// Whether this rule judges column `column` of an output with `schema`. `unchecked-column`
  /// (C009) asks every enabled rule, and a value column that no rule covers needs review.
  public static func covers(_ schema: TableSchema, column: Int) -> Bool { false }

  /// Makes a finding of this rule.
  public func finding(
    _ outcome: Outcome, file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
    cell: [Finding.Coordinate]? = nil, reason: String, fix: String? = nil
  ) -> Finding {
    let description = Self.description
    return Finding(
      code: description.code, rule: description.name, outcome: outcome, file: file, line: line, column: column,
      columnName: columnName, cell: cell, reason: reason, fix: fix ?? description.fix)
  }

  /// Adds the finding `make` builds, or only counts it once this rule's findings are past the
  /// sink's limit (the finding, and its reason, are then never built): the one place the finding
  /// limit is applied to table and output rules.
  public func record(_ outcome: Outcome, into sink: inout FindingSink, _ make: () -> Finding) {
    guard sink.wants(Self.description.code) else { return sink.count(Self.description.code, outcome) }
    sink.add(make())
  }

  /// Adds a finding of this rule about a stored cell, or only counts it once the rule's findings
  /// are past the sink's limit (the reason is then never built).
  public func report(
    _ outcome: Outcome, table: Table, cell: Int, measure: Int, into sink: inout FindingSink,
    reason: @autoclosure () -> String
  ) {
    record(outcome, into: &sink) { finding(outcome, table: table, cell: cell, measure: measure, reason: reason()) }
  }

  /// Makes a finding of this rule about a stored cell.
  public func finding(_ outcome: Outcome, table: Table, cell: Int, measure: Int, reason: String, fix: String? = nil)
    -> Finding
  {
    finding(
      outcome, file: table.file, line: table.line(ofCell: cell), column: table.field(ofCell: cell, measure: measure),
      columnName: table.columnName(ofCell: cell, measure: measure), cell: table.coordinates(ofCell: cell),
      reason: reason, fix: fix)
  }
}

/// Collects findings for one output, keeping at most `limit` per rule in full and counting the rest,
/// so that a huge disclosive file cannot exhaust memory.
public struct FindingSink: Sendable {
  public private(set) var findings: [Finding] = []
  /// Per rule code seen: findings kept, findings counted but not kept, and the worst outcome of
  /// those. A handful of codes at most, so a linear search over short strings beats hashing.
  private var tallies: [(code: String, kept: Int, omitted: Int, worst: Outcome)] = []
  /// Findings added or counted so far: a rule that left it unchanged found nothing.
  public private(set) var total = 0
  let limit: Int

  public init(limit: Int = 1000) { self.limit = limit }

  /// Per rule code, findings counted but not kept.
  public var omitted: [String: Int] {
    Dictionary(uniqueKeysWithValues: tallies.filter { $0.omitted > 0 }.map { ($0.code, $0.omitted) })
  }

  /// Per rule code, the worst outcome of the omitted findings.
  public var omittedWorst: [String: Outcome] {
    Dictionary(uniqueKeysWithValues: tallies.filter { $0.omitted > 0 }.map { ($0.code, $0.worst) })
  }

  @inline(__always)
  private mutating func tally(_ code: String) -> Int {
    for index in tallies.indices where tallies[index].code == code { return index }
    tallies.append((code, 0, 0, .pass))
    return tallies.count - 1
  }

  /// Adds a finding.
  public mutating func add(_ finding: Finding) {
    total += 1
    let index = tally(finding.code)
    if tallies[index].kept < limit {
      tallies[index].kept += 1
      findings.append(finding)
    } else {
      tallies[index].omitted += 1
      tallies[index].worst = max(tallies[index].worst, finding.outcome)
    }
  }

  /// Whether a finding with `code` may still be kept (to skip building one that would be dropped).
  public func wants(_ code: String) -> Bool {
    for tally in tallies where tally.code == code { return tally.kept < limit }
    return limit > 0
  }

  /// Adds what `other` collected after this sink's findings, as if one sink had seen both in
  /// turn (the same findings kept, the same counted), its lines shifted by `lineOffset`.
  public mutating func merge(_ other: FindingSink, lineOffset: Int) {
    for var finding in other.findings {
      if let line = finding.line { finding.line = line + lineOffset }
      add(finding)
    }
    for tally in other.tallies where tally.omitted > 0 { count(tally.code, tally.worst, times: tally.omitted) }
  }

  /// Findings of one rule code counted but not kept: how many, and the worst outcome among them.
  public struct Tally: Sendable, Equatable {
    public var code: String
    public var count: Int
    public var worst: Outcome
  }

  /// Per rule code, the findings counted but not kept (all of them in a sink with limit 0).
  public var omittedTallies: [Tally] {
    tallies.filter { $0.omitted > 0 }.map { Tally(code: $0.code, count: $0.omitted, worst: $0.worst) }
  }

  /// Whether no finding of the tallies' codes may still be kept.
  @inline(__always)
  public func wantsNone(of tallies: [Tally]) -> Bool {
    for tally in tallies where wants(tally.code) { return false }
    return true
  }

  /// Counts `times` findings with `code` (one by default) without building them (after
  /// ``wants(_:)`` said no), the worst of them `outcome`.
  public mutating func count(_ code: String, _ outcome: Outcome, times: Int = 1) {
    total += times
    let index = tally(code)
    tallies[index].omitted += times
    tallies[index].worst = max(tallies[index].worst, outcome)
  }
}

/// What a ``CellRule`` may judge a cell by: the facts the checker caches verdicts on.
public struct CellFacts: Sendable {
  /// The cell's value.
  public let value: CellValue
  /// The cell's value column.
  public let measure: Measure
  /// Whether the cell is a margin (`Total`, `All`, ...) in any dimension.
  public let isMargin: Bool
  /// Whether the cell is declared a structural zero.
  public let isStructuralZero: Bool
  /// The output's kind.
  public let kind: OutputKind

  public init(value: CellValue, measure: Measure, isMargin: Bool, isStructuralZero: Bool, kind: OutputKind) {
    self.value = value
    self.measure = measure
    self.isMargin = isMargin
    self.isStructuralZero = isStructuralZero
    self.kind = kind
  }
}

/// Where a streamed cell is, for placing a ``CellRule``'s finding (never shown to the rule).
struct CellLocation {
  /// The output's path.
  let file: String
  /// 1-based line of the cell's row.
  let line: Int
  /// 1-based field number of the cell.
  let field: Int
  /// The header of the cell's column.
  let columnName: String
  let row: RowCursor

  /// The cell's coordinates (built only when a finding needs them).
  var coordinates: [Finding.Coordinate] { row.coordinates(field: field) }
}
