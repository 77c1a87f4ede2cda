import Foundation

/// What `airlock tabulate survival` is asked for: a Kaplan–Meier table, by group if asked.
public struct SurvivalRequest: Sendable, Equatable, Codable {
  /// The microdata file.
  public var data: String
  /// Follow-up time (numbers of at least 0).
  public var time: String
  /// Whether the event happened (`1`/`0`, `true`/`false`, `yes`/`no`); 0 is censored.
  public var event: String
  /// A grouping column: one curve per label.
  public var by: String?
  /// Decimals of the survival estimate.
  public var decimals = 4
  /// The rule pack (for `--check`).
  public var rules = "default"

  /// A Kaplan–Meier table of `data`.
  public init(data: String, time: String, event: String, by: String? = nil) {
    self.data = data
    self.time = time
    self.event = event
    self.by = by
  }
}

/// A Kaplan–Meier table with, per distinct time of each curve, the number at risk, events and
/// censorings (the columns the survival rules V001–V003 read), and the estimate. Records with a
/// missing time or event are not counted, and the provenance reports how many.
struct SurvivalTabulator {
  let request: SurvivalRequest
  let limits: ReadLimits

  func render(name: String) throws(AirlockError) -> TabulatedFiles {
    let path = request.data
    let reader = try StatisticalFile.open(path: path, labelled: Set(request.by.map { [$0] } ?? []), limits: limits)
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
    let timeColumn = try column(request.time, "--time")
    let eventColumn = try column(request.event, "--event")
    let byColumn: Int? = try request.by.map { (name) throws(AirlockError) in try column(name, "--by") }
    if let by = request.by,
      ["time", "n_at_risk", "n_events", "n_censored", "surv"].contains(NamingConventions.normalized(by))
    {
      throw AirlockError(.usage, "--by '\(by)' has the name of a column of the survival table; rename it in the data")
    }
    // Per group (label bytes): per time, events and censorings.
    var groups: [[UInt8]: [Double: (events: Int, censored: Int, text: String)]] = [:]
    var rows = 0
    var missing = 0
    while try reader.next() {
      if reader.isBlank { continue }
      guard reader.fieldCount == header.count else {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: reader.fieldColumns.last ?? 1,
          "ragged row: \(reader.fieldCount) fields where the header has \(header.count)")
      }
      rows += 1
      let timeText = reader.field(timeColumn).trimmingWhitespace()
      let eventText = reader.field(eventColumn).trimmingWhitespace().lowercased()
      if TabulateNumber.isMissing(timeText) || TabulateNumber.isMissing(eventText) {
        missing += 1
        continue
      }
      guard let time = TabulateNumber.parse(timeText), time.double >= 0 else {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: reader.fieldColumns[timeColumn],
          "'\(request.time)' (--time) must be a number of at least 0")
      }
      let event: Bool
      switch eventText {
      case "1", "true", "yes", "y", "t": event = true
      case "0", "false", "no", "n", "f": event = false
      default:
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: reader.fieldColumns[eventColumn],
          "'\(request.event)' (--event) must be 1 or 0 (true/false, yes/no)")
      }
      var group: [UInt8] = []
      if let byColumn {
        group = Array(reader.fieldBytes(byColumn))
        if TabulateNumber.isMissing(String(decoding: group, as: UTF8.self).trimmingWhitespace()) {
          group = Array(Tabulator.missingLabel.utf8)
        }
      }
      var entry = groups[group, default: [:]][time.double] ?? (0, 0, time.formatted)
      if event { entry.events += 1 } else { entry.censored += 1 }
      groups[group, default: [:]][time.double] = entry
    }
    var dimension = Tabulator.Dimension(name: request.by ?? "")
    for group in groups.keys { _ = dimension.intern(group) }
    let order = request.by == nil ? [Int32(0)] : Tabulator.order(dimension)
    var table = (request.by.map { [$0] } ?? []).map(TabulateRendering.csvField).map { $0 + "," }.joined()
    table += "time,n_at_risk,n_events,n_censored,surv\n"
    for index in order {
      let group = request.by == nil ? [] : dimension.labels[Int(index)]
      let times = groups[group] ?? [:]
      var atRisk = times.values.reduce(0) { $0 + $1.events + $1.censored }
      var survival = 1.0
      let prefix = request.by == nil ? "" : TabulateRendering.csvField(String(decoding: group, as: UTF8.self)) + ","
      for time in times.keys.sorted() {
        let entry = times[time]!
        survival *= 1 - Double(entry.events) / Double(atRisk)
        table +=
          prefix
          + "\(entry.text),\(atRisk),\(entry.events),\(entry.censored),\(TabulateNumber.format(survival, decimals: request.decimals))\n"
        atRisk -= entry.events + entry.censored
      }
    }
    var manifest =
      "# Written by airlock tabulate survival: every column is declared, so that airlock check infers nothing.\n"
    manifest += "kind: survival\nlayout: long\n"
    // The survival columns are not declared: the kind gives them the roles the survival rules
    // (V001–V003) read; declared as counts, the count rules would judge each step's events as a
    // cell. Only the grouping column is declared.
    if let by = request.by { manifest += "dimensions: \(TabulateRendering.yamlList([by]))\n" }
    manifest +=
      "population: \(TabulateRendering.yamlString("records of \(URL(fileURLWithPath: path).lastPathComponent); time \(request.time), event \(request.event)"))\n"
    var warnings: [String] = []
    if missing > 0 { warnings.append("\(missing) record\(missing == 1 ? "" : "s") with no time or event not counted") }
    return TabulatedFiles(
      table: table, evidence: nil, manifest: manifest, rowsRead: rows, rowsDropped: ["missing_value": missing],
      warnings: warnings)
  }
}
