/// One rule's verdict on one cell (or on a whole output), with where it is and how to fix it.
///
/// Findings are values, never thrown. Positions are 1-based: `line` is the physical line of the
/// source file where the cell's row starts, `column` is the field number on that row (the
/// spreadsheet column), and `columnName` is that column's header.
public struct Finding: Codable, Sendable, Equatable {
  /// The rule's stable code, such as `C001`.
  public var code: String
  /// The rule's kebab-case name, such as `small-cell-count`.
  public var rule: String
  /// `review` or `fail` (rules report only what stops an output).
  public var outcome: Outcome
  /// The output file the finding is about.
  public var file: String
  /// The 1-based line of the cell's row, or `nil` for a finding about the whole output.
  public var line: Int?
  /// The 1-based field number of the cell, or `nil` for a whole-row or whole-output finding.
  public var column: Int?
  /// The header of the cell's column.
  public var columnName: String?
  /// The cell's coordinates: dimension name to label, in table order.
  public var cell: [Coordinate]?
  /// A plain-language reason; it may quote the cell's value, so it stays inside the TRE.
  public var reason: String
  /// What the researcher can do about it.
  public var fix: String

  /// One dimension's label in a cell's coordinates.
  public struct Coordinate: Codable, Sendable, Equatable {
    /// The dimension's name (a column header, or the declared name of a crosstab's columns).
    public var dimension: String
    /// The cell's label in that dimension.
    public var label: String

    public init(dimension: String, label: String) {
      self.dimension = dimension
      self.label = label
    }
  }

  public init(
    code: String, rule: String, outcome: Outcome, file: String, line: Int? = nil,
    column: Int? = nil, columnName: String? = nil, cell: [Coordinate]? = nil,
    reason: String, fix: String
  ) {
    self.code = code
    self.rule = rule
    self.outcome = outcome
    self.file = file
    self.line = line
    self.column = column
    self.columnName = columnName
    self.cell = cell
    self.reason = reason
    self.fix = fix
  }

  /// The cell's coordinates as `dimension=label, ...`, or `nil` for a whole-output finding.
  public var cellDescription: String? {
    guard let cell, !cell.isEmpty else { return nil }
    return cell.map { "\($0.dimension)=\($0.label)" }.joined(separator: ", ")
  }
}
