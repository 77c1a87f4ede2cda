/// The result of checking one output.
public struct OutputResult: Codable, Sendable {
  /// The output's path as given.
  public var file: String
  /// The output's verdict: the worst outcome of its findings, `pass` when it has none; `nil` when
  /// the output could not be read (see `error`).
  public var outcome: Outcome?
  /// The inferred or declared kind, when the output was read.
  public var kind: OutputKind?
  /// The layout, when the output was read.
  public var layout: Layout?
  /// Whether a manifest declared the output.
  public var declared: Bool = false
  /// Number of value cells checked.
  public var cells: Int = 0
  /// Number of data rows.
  public var rows: Int = 0
  /// The findings kept in full, worst first.
  public var findings: [Finding] = []
  /// Findings beyond the per-rule limit, counted but not kept.
  public var omitted: [OmittedFindings] = []
  /// Why the output could not be checked: a `file:line:column` input error.
  public var error: AirlockError?
  /// Bytes of the cell store used by whole-table rules (0 when only per-cell rules ran).
  public var cellStoreBytes: Int = 0
  /// The margins, subtotals and repeated cells found, and how (when the cells were stored).
  public var structure: TableStructure?
  /// How each column was read, in the header's order, when the output was read as a table.
  public var columns: [ColumnReading]?
  /// The codes of the rules that ran on the output, in the pack's order; `nil` when it could not
  /// be read. A rule not listed did not judge the output, and no report shows it as passed.
  public var rulesRun: [String]?
  /// What the output's manifest and columns declare that makes airlock check less (see ``Claim``),
  /// in manifest order; empty when nothing is taken on trust.
  public var claims: [Claim] = []
  /// The outputs (and released tables) this one was found linked with, and how their dimensions
  /// were matched (`ages.csv: 'age_group' read as 'age_band' by their labels`); `nil` when none.
  public var links: [String]?

  /// One column as airlock read it: its role and where the role came from.
  public struct ColumnReading: Codable, Sendable, Equatable {
    /// The name airlock reads the column by: as written in the header, `row` for an empty first
    /// header, the row index's name for a pandas crosstab's first column.
    public var name: String
    /// What the column holds.
    public var role: ColumnRole
    /// Where the role came from.
    public var source: RoleSource
  }

  public init(file: String) { self.file = file }

  enum CodingKeys: String, CodingKey {
    case file, outcome, kind, layout, declared, cells, rows, findings, omitted, error, cellStoreBytes, structure,
      columns
    case rulesRun, claims, links
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    file = try c.decode(String.self, forKey: .file)
    outcome = try c.decodeIfPresent(Outcome.self, forKey: .outcome)
    kind = try c.decodeIfPresent(OutputKind.self, forKey: .kind)
    layout = try c.decodeIfPresent(Layout.self, forKey: .layout)
    declared = try c.decodeIfPresent(Bool.self, forKey: .declared) ?? false
    cells = try c.decodeIfPresent(Int.self, forKey: .cells) ?? 0
    rows = try c.decodeIfPresent(Int.self, forKey: .rows) ?? 0
    findings = try c.decodeIfPresent([Finding].self, forKey: .findings) ?? []
    omitted = try c.decodeIfPresent([OmittedFindings].self, forKey: .omitted) ?? []
    error = try c.decodeIfPresent(AirlockError.self, forKey: .error)
    cellStoreBytes = try c.decodeIfPresent(Int.self, forKey: .cellStoreBytes) ?? 0
    structure = try c.decodeIfPresent(TableStructure.self, forKey: .structure)
    columns = try c.decodeIfPresent([ColumnReading].self, forKey: .columns)
    rulesRun = try c.decodeIfPresent([String].self, forKey: .rulesRun)
    // Results stored before claims existed have none.
    claims = try c.decodeIfPresent([Claim].self, forKey: .claims) ?? []
    links = try c.decodeIfPresent([String].self, forKey: .links)
  }

  /// Findings of one rule that were counted but not kept.
  public struct OmittedFindings: Codable, Sendable, Equatable {
    public var code: String
    public var count: Int
    public var worst: Outcome
  }

  /// The number of findings, kept or omitted, with `outcome`.
  public func count(_ outcome: Outcome) -> Int {
    findings.filter { $0.outcome == outcome }.count + omitted.filter { $0.worst == outcome }.reduce(0) { $0 + $1.count }
  }

  /// The total number of findings, kept or omitted.
  public var findingCount: Int { findings.count + omitted.reduce(0) { $0 + $1.count } }
}
