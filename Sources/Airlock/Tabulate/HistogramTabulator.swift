import Foundation

/// What `airlock tabulate histogram` is asked for: counts of a numeric column in fixed bins.
public struct HistogramRequest: Sendable, Equatable, Codable {
  /// The microdata file.
  public var data: String
  /// The numeric column counted.
  public var column: String
  /// `LOW:HIGH:WIDTH`, as given.
  public var bins: String
  /// The rule pack (for `--check`).
  public var rules = "default"

  /// A histogram of `column` of `data` in `bins` (`LOW:HIGH:WIDTH`).
  public init(data: String, column: String, bins: String) {
    self.data = data
    self.column = column
    self.bins = bins
  }
}

/// Counts a numeric column in bins `[low, low + width)`, …, the last bin closed (`[high - width,
/// high]`), as numpy does. Edges are exact decimals (bins of 0.1 do not drift). Values outside
/// `[low, high]` and missing values are not counted, and the provenance reports how many.
struct HistogramTabulator {
  let request: HistogramRequest
  let limits: ReadLimits

  /// The bins as exact decimals.
  func edges() throws(AirlockError) -> (low: Decimal, width: Decimal, count: Int, decimals: Int) {
    let parts = request.bins.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let numbers = parts.map { TabulateNumber.parse($0.trimmingWhitespace()) }
    guard parts.count == 3, numbers.allSatisfy({ $0 != nil }),
      let low = Decimal(string: parts[0]), let high = Decimal(string: parts[1]), let width = Decimal(string: parts[2])
    else {
      throw AirlockError(.usage, "--bins must be LOW:HIGH:WIDTH, three numbers such as 0:100:10")
    }
    guard width > 0, high > low else { throw AirlockError(.usage, "--bins needs WIDTH > 0 and HIGH > LOW") }
    let span = (high - low) / width
    var whole = Decimal()
    var copy = span
    NSDecimalRound(&whole, &copy, 0, .down)
    guard whole == span else { throw AirlockError(.usage, "--bins: HIGH - LOW must be a whole number of WIDTHs") }
    let count = NSDecimalNumber(decimal: whole).intValue
    guard count >= 1 && count <= 100_000 else { throw AirlockError(.usage, "--bins: at most 100000 bins") }
    return (low, width, count, numbers.map { $0!.decimals }.max() ?? 0)
  }

  func render(name: String) throws(AirlockError) -> TabulatedFiles {
    let (low, width, count, decimals) = try edges()
    let path = request.data
    let reader = try StatisticalFile.open(path: path, labelled: [], limits: limits)
    guard try reader.next() else { throw AirlockError(.input, file: path, line: 1, column: 1, "empty file") }
    let header = (0..<reader.fieldCount).map { reader.field($0).trimmingWhitespace() }
    guard let column = header.firstIndex(of: request.column) else {
      throw AirlockError(
        .input, file: path, line: 1, column: 1,
        "no column '\(request.column)' (named by --column); the columns are \(header.joined(separator: ", "))")
    }
    var counts = [Int](repeating: 0, count: count)
    var rows = 0
    var missing = 0
    var outside = 0
    let high = low + width * Decimal(count)
    while try reader.next() {
      if reader.isBlank { continue }
      guard reader.fieldCount == header.count else {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: reader.fieldColumns.last ?? 1,
          "ragged row: \(reader.fieldCount) fields where the header has \(header.count)")
      }
      rows += 1
      let text = reader.field(column).trimmingWhitespace()
      if TabulateNumber.isMissing(text) {
        missing += 1
        continue
      }
      guard TabulateNumber.parse(text) != nil, let x = Decimal(string: text) else {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: reader.fieldColumns[column],
          "'\(request.column)' (--column) is not a number here")
      }
      guard x >= low && x <= high else {
        outside += 1
        continue
      }
      var quotient = (x - low) / width
      var floor = Decimal()
      NSDecimalRound(&floor, &quotient, 0, .down)
      var bin = min(count - 1, NSDecimalNumber(decimal: floor).intValue)
      // Decimal division is exact for these decimals; the edges settle any doubt.
      while bin > 0 && low + width * Decimal(bin) > x { bin -= 1 }
      while bin < count - 1 && low + width * Decimal(bin + 1) <= x { bin += 1 }
      counts[bin] += 1
    }
    func edge(_ i: Int) -> String {
      TabulateNumber.format(NSDecimalNumber(decimal: low + width * Decimal(i)).doubleValue, decimals: decimals)
    }
    var table = "bin_lo,bin_hi,count\n"
    for i in 0..<count { table += "\(edge(i)),\(edge(i + 1)),\(counts[i])\n" }
    var manifest =
      "# Written by airlock tabulate histogram: every column is declared, so that airlock check infers nothing.\n"
    // The bin edges are not declared: a histogram's kind gives `bin_lo` and `bin_hi` their role,
    // which the histogram rules read (declared as dimensions, H002 would not see them).
    manifest += "kind: histogram\nlayout: long\ncounts: [\"count\"]\n"
    manifest +=
      "population: \(TabulateRendering.yamlString("records of \(URL(fileURLWithPath: path).lastPathComponent) with a value of \(request.column) in [\(edge(0)), \(edge(count))]"))\n"
    var warnings: [String] = []
    if outside > 0 {
      warnings.append("\(outside) record\(outside == 1 ? "" : "s") outside the bins \(request.bins) not counted")
    }
    if missing > 0 { warnings.append("\(missing) record\(missing == 1 ? "" : "s") with no value not counted") }
    return TabulatedFiles(
      table: table, evidence: nil, manifest: manifest, rowsRead: rows,
      rowsDropped: ["missing_value": missing, "outside_bins": outside], warnings: warnings)
  }
}
