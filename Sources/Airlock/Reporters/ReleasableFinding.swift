import Foundation

/// A finding as it may appear in a report that leaves the TRE (SARIF, JUnit, workflow annotations):
/// the rule, the outcome, the file and the position, and the rule's thresholds; never the cell's
/// value, its labels, its column header or the finding's `reason` (which may quote the value).
///
/// The message is built from the rule's description and the pack's parameters alone, so a rule
/// needs no extra code to appear in these reports, and no rule can leak a value through them.
public struct ReleasableFinding: Sendable, Equatable {
  /// The rule's code, such as `C001`.
  public var code: String
  /// The rule's kebab-case name.
  public var rule: String
  /// `review` or `fail`.
  public var outcome: Outcome
  /// The output file.
  public var file: String
  /// The 1-based line of the cell's row, if the finding is about a cell or row.
  public var line: Int?
  /// The 1-based field number (spreadsheet column), if the finding is about a cell.
  public var field: Int?
  /// The 1-based character column where the field starts on `line`, when the file could be read.
  public var characterColumn: Int?
  /// The value-free message: rule summary, position and thresholds.
  public var message: String

  /// The value-free projection of `finding`; `characterColumn` is filled in by ``locate(_:)``.
  public init(_ finding: Finding, pack: RulePack) {
    code = finding.code
    rule = finding.rule
    outcome = finding.outcome
    file = finding.file
    line = finding.line
    field = finding.column
    let type = RuleRegistry.rule(codeOrName: finding.code)
    var text = "\(finding.code) \(finding.rule)"
    if let summary = type?.description.summary { text += ": " + summary.replacingOccurrences(of: "`", with: "") }
    text += " (\(Self.position(line: finding.line, field: finding.column)))"
    if let type {
      let thresholds = Self.thresholds(of: type, in: pack)
      if !thresholds.isEmpty {
        text += "; " + thresholds.map { "\($0.name) \($0.value.description)" }.joined(separator: ", ")
      }
    }
    message = text
  }

  /// "line 5, field 3", "line 5" or "whole output".
  public static func position(line: Int?, field: Int?) -> String {
    guard let line else { return "whole output" }
    return field.map { "line \(line), field \($0)" } ?? "line \(line)"
  }

  /// The rule's numeric and boolean parameters in force (its thresholds and switches), in
  /// declaration order. String parameters (labels, markers, patterns) are left out.
  public static func thresholds(of rule: any Rule.Type, in pack: RulePack) -> [(name: String, value: ParameterValue)] {
    let parameters = pack.parameters(of: rule)
    return rule.description.parameters.compactMap { spec in
      let value = parameters.values[spec.name] ?? spec.defaultValue
      switch value {
      case .integer, .number, .boolean: return (spec.name, value)
      case .string, .strings: return nil
      }
    }
  }

  /// The value-free findings of every output of `report`, with the character column of each
  /// cell looked up in its file (a file that cannot be read again keeps field numbers only).
  public static func all(in report: CheckReport) -> [ReleasableFinding] {
    report.results.flatMap { locate($0.findings.map { ReleasableFinding($0, pack: report.pack) }) }
  }

  /// Fills in `characterColumn` for findings of one file by reading the file once.
  public static func locate(_ findings: [ReleasableFinding]) -> [ReleasableFinding] {
    guard let file = findings.first?.file else { return findings }
    let lines = Set(findings.compactMap { $0.field == nil ? nil : $0.line })
    guard !lines.isEmpty, let columns = try? SourceTable.fieldColumns(path: file, lines: lines) else {
      return findings
    }
    return findings.map { finding in
      var finding = finding
      if let line = finding.line, let field = finding.field, let starts = columns[line], field >= 1,
        field <= starts.count
      {
        finding.characterColumn = starts[field - 1]
      }
      return finding
    }
  }
}

/// The value-free description of an output's input error: its kind and position, not its message
/// (which may quote a field).
public func releasableErrorMessage(_ error: AirlockError) -> String {
  var text = "\(error.kind.rawValue) error: the output could not be checked"
  if let line = error.line {
    text += " (line \(line)" + (error.column.map { ", column \($0)" } ?? "") + ")"
  }
  return text + "; run airlock check inside the TRE for details"
}

/// An output's fields as written, for reports that show the table (HTML) or need character
/// columns (SARIF). Reads with airlock's own reader and the same delimiter choice as a check.
struct SourceTable {
  struct Row {
    /// 1-based line where the row starts.
    var line: Int
    var fields: [String]
    /// 1-based character column where each field starts.
    var columns: [Int]
  }

  var rows: [Row] = []
  /// How many rows were left out (after `maxRows`, except the rows asked for).
  var skipped = 0

  /// Reads the first `maxRows` rows of the output at `path`, and after them only the rows starting
  /// on one of `lines`; `name` (the output's own name, when `path` is a stored copy) picks
  /// compression and delimiter.
  static func read(path: String, name: String? = nil, maxRows: Int, lines: Set<Int> = []) throws(AirlockError)
    -> SourceTable
  {
    var table = SourceTable()
    try scan(path: path, name: name) { reader in
      if table.rows.count >= maxRows && !lines.contains(reader.recordLine) {
        table.skipped += 1
        return true
      }
      table.rows.append(
        Row(
          line: reader.recordLine, fields: (0..<reader.fieldCount).map { reader.field($0) },
          columns: reader.fieldColumns))
      return true
    }
    return table
  }

  /// The character columns of the fields of each of `lines`, reading the whole file.
  static func fieldColumns(path: String, lines: Set<Int>) throws(AirlockError) -> [Int: [Int]] {
    var result: [Int: [Int]] = [:]
    let last = lines.max() ?? 0
    try scan(path: path, name: nil) { reader in
      if lines.contains(reader.recordLine) { result[reader.recordLine] = reader.fieldColumns }
      return reader.recordLine < last
    }
    return result
  }

  private static func scan(path: String, name: String?, _ body: (DelimitedReader) -> Bool) throws(AirlockError) {
    let reader = try DelimitedReader.open(path: path, name: name, limits: ReadLimits())
    while try reader.next() {
      if !body(reader) { break }
    }
  }
}
