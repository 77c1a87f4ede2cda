import Foundation

/// What `airlock tabulate` is asked to compute: the table's dimensions, its statistic, and how
/// units, weights, margins, missing labels, filters and declared levels are treated.
///
/// It is `Codable` because the provenance file (`NAME.tabulate.json`) records it, so that
/// `airlock tabulate --verify` can run the same tabulation again.
public struct TabulateRequest: Sendable, Equatable, Codable {
  /// The statistic each cell publishes.
  public enum Statistic: String, Sendable, Codable, CaseIterable {
    case count, sum, mean, sd, median, min, max

    /// Whether the statistic publishes one unit's value (min, max), so that it is only computed
    /// when asked for by name.
    public var publishesOneValue: Bool { self == .min || self == .max }
  }

  /// What a record whose label is missing (empty, `NA`, `.`, ...) becomes.
  public enum MissingPolicy: String, Sendable, Codable {
    /// An explicit `(missing)` category (the default: dropping changes the margins silently).
    case category
    /// The record is dropped, and counted as dropped in the provenance.
    case drop
  }

  /// The microdata file (CSV or TSV, optionally `.gz`).
  public var data: String
  /// Dimensions of the table's rows.
  public var rows: [String]
  /// The dimension of a crosstab's columns (wide layout); at most one.
  public var cols: [String] = []
  /// The statistic each cell publishes.
  public var statistic: Statistic
  /// The column the statistic is of (nil for a count).
  public var variable: String?
  /// The column identifying units (people, holdings): dominance is judged over units' totals.
  public var unit: String?
  /// A weight column: weighted totals go into the evidence's `weighted_total` only.
  public var weight: String?
  /// Whether every margin of the cube is written (labelled with the pack's first margin label).
  public var margins = false
  /// What a record with a missing label becomes.
  public var missing: MissingPolicy = .category
  /// `column=value` filters: only records whose field is exactly `value` (bytes) are tabulated.
  public var filters: [Filter] = []
  /// Declared levels per dimension, with the file they were read from.
  public var levels: [Levels] = []
  /// Decimals of published means, standard deviations and medians.
  public var decimals = 2
  /// The rule pack's name or path (for the margin label and the number of top contributions).
  public var rules = "default"
  /// `--sorted-by unit` (`"unit"`): the input's records come unit by unit (unit ids ascending as bytes), so
  /// units are folded as they go by, with no per-record storage; the order is checked.
  public var sortedBy: String?
  /// `--memory`: the most bytes the (cell, unit) pairs may take before they are spilled to
  /// partition files by unit (nil: no limit).
  public var memory: Int?
  /// Whether the protected table (`airlock protect`: suppression) is written too, as
  /// `NAME.protected.csv` with its manifest.
  public var protect = false

  /// A `column=value` filter.
  public struct Filter: Sendable, Equatable, Codable {
    /// The column compared, and the value (bytes) a record must have.
    public var column: String
    public var value: String
    /// The filter `column=value`.
    public init(column: String, value: String) {
      self.column = column
      self.value = value
    }
  }

  /// A dimension's declared levels, in order.
  public struct Levels: Sendable, Equatable, Codable {
    /// The dimension, the file its levels came from, and the levels in order.
    public var dimension: String
    public var file: String
    public var labels: [String]
    /// Levels `labels` of `dimension`, read from `file`.
    public init(dimension: String, file: String, labels: [String]) {
      self.dimension = dimension
      self.file = file
      self.labels = labels
    }

    /// Reads one level per line (UTF-8; blank lines skipped, a CR before the LF ignored).
    public static func load(dimension: String, file: String) throws(AirlockError) -> Levels {
      guard let data = FileManager.default.contents(atPath: file) else {
        throw AirlockError(.input, file: file, "cannot read the levels file")
      }
      guard let text = String(data: data, encoding: .utf8) else {
        throw AirlockError(.input, file: file, line: 1, column: 1, "the levels file is not UTF-8")
      }
      var labels: [String] = []
      // Two spellings of one text (precomposed and decomposed accents) are refused as in the data.
      var seen = Set<String>()
      for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
        if line.isEmpty { continue }
        if !seen.insert(line).inserted {
          throw AirlockError(
            .input, file: file, line: index + 1, column: 1,
            "level '\(line)' is listed twice (perhaps in another Unicode spelling)")
        }
        labels.append(line)
      }
      guard !labels.isEmpty else { throw AirlockError(.input, file: file, line: 1, column: 1, "no levels in the file") }
      return Levels(dimension: dimension, file: file, labels: labels)
    }
  }

  /// A tabulation of `statistic` (of `variable`) by `rows` of `data`; the rest as defaulted.
  public init(data: String, rows: [String], statistic: Statistic, variable: String? = nil) {
    self.data = data
    self.rows = rows
    self.statistic = statistic
    self.variable = variable
  }

  /// A size as `--memory` takes it: a whole number of bytes with an optional unit (`KiB`, `MiB`,
  /// `GiB`, `KB`, `MB`, `GB`, `K`, `M`, `G`; the single letters are binary); nil if unreadable.
  public static func parseSize(_ text: String) -> Int? {
    let units: [(String, Int)] = [
      ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000),
      ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1),
    ]
    let lower = text.trimmingCharacters(in: .whitespaces).lowercased()
    var number = lower
    var factor = 1
    if let unit = units.first(where: { lower.hasSuffix($0.0) }) {
      number = String(lower.dropLast(unit.0.count)).trimmingCharacters(in: .whitespaces)
      factor = unit.1
    }
    guard !number.isEmpty, number.allSatisfy(\.isASCII), let value = Int(number), value > 0 else { return nil }
    let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
    return overflow ? nil : bytes
  }

  /// Whether the input is read as sorted by unit (`--sorted-by unit`).
  public var sortedByUnit: Bool { sortedBy == "unit" }

  /// The dimensions in order: rows, then columns.
  public var dimensions: [String] { rows + cols }

  /// Checks the request's consistency before any data is read.
  public func validate() throws(AirlockError) {
    guard !rows.isEmpty else { throw AirlockError(.usage, "--rows needs at least one column") }
    guard cols.count <= 1 else {
      throw AirlockError(.usage, "--cols takes one column (a crosstab has one column dimension)")
    }
    let dims = dimensions
    for (index, name) in dims.enumerated() where dims[..<index].contains(name) {
      throw AirlockError(.usage, "dimension '\(name)' is named twice")
    }
    if statistic != .count && variable == nil { throw AirlockError(.usage, "--\(statistic.rawValue) needs a column") }
    if !cols.isEmpty && statistic != .count && statistic != .sum {
      // airlock check reads a crosstab's cells as one measure named by its role, and has no rule
      // for a crosstab of statistics: the output would need review (C009).
      throw AirlockError(
        .usage, "--cols goes with --count or --sum; write means, deviations, medians and extremes long (without --cols)"
      )
    }
    if protect && statistic != .count {
      throw AirlockError(.usage, "--protect goes with --count (airlock protect handles frequency tables)")
    }
    if let variable, dims.contains(variable) {
      throw AirlockError(.usage, "'\(variable)' is both a dimension and the column tabulated")
    }
    if weight != nil && statistic != .count && statistic != .sum {
      throw AirlockError(
        .usage,
        "--weight goes with --count or --sum only (weights go into the weighted total; weighted means and quantiles are not supported)"
      )
    }
    for level in levels where !dims.contains(level.dimension) {
      throw AirlockError(.usage, "--levels names '\(level.dimension)', which is not among --rows or --cols")
    }
    let reserved = Set(
      Tabulator.evidenceNames(k: 9, weighted: true) + [
        "count", "sum", "weighted_sum", "mean", "sd", "median", "min", "max",
      ])
    for name in dims where reserved.contains(NamingConventions.normalized(name)) {
      throw AirlockError(
        .usage, "dimension '\(name)' has the name of a value or evidence column; rename it in the data")
    }
    if margins && dims.count > Tabulator.marginDimensionLimit {
      throw AirlockError(
        .usage, "--margins takes at most \(Tabulator.marginDimensionLimit) dimensions (each doubles the grouping sets)")
    }
    if decimals < 0 || decimals > 12 { throw AirlockError(.usage, "--decimals must be from 0 to 12") }
    if let sortedBy, sortedBy != "unit" {
      throw AirlockError(.usage, "--sorted-by takes 'unit' (the input sorted by the --unit column)")
    }
    if sortedByUnit && unit == nil { throw AirlockError(.usage, "--sorted-by unit needs --unit") }
    if sortedByUnit && memory != nil {
      throw AirlockError(.usage, "--sorted-by unit holds one unit at a time: --memory is not needed with it")
    }
    if let memory {
      guard unit != nil else { throw AirlockError(.usage, "--memory bounds the (cell, unit) pairs: it needs --unit") }
      // A median or standard deviation keeps every value of every cell: no budget bounds that.
      guard statistic != .median && statistic != .sd else {
        throw AirlockError(
          .usage, "--memory goes with --count, --sum, --mean, --min or --max (a median or sd keeps every value)")
      }
      guard memory >= 64 << 10 else { throw AirlockError(.usage, "--memory must be at least 64KiB") }
    }
  }
}
