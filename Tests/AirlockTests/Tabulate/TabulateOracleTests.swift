import Foundation
import Testing

@testable import Airlock

/// `airlock tabulate`'s evidence against an independent, straightforward computation at unit level
/// (issue 22): on 1,000 seeded random microdata sets with ties, negatives, all-zero cells, missing
/// labels and values, single-unit cells, units split across records and cells, empty declared
/// levels, weights and margins, every cell's published value and evidence equal what the oracle
/// computes, and `airlock check` reads every output with no "declare this output" review.
@Suite struct TabulateOracleTests {
  /// One generated record, as the oracle sees it (labels as written, before `(missing)`).
  struct Row {
    var labels: [String]
    var unit: String
    var value: String
    var weight: String
  }

  /// A generated microdata set and the request made of it.
  struct Case {
    var header: [String]
    var rows: [Row]
    var request: TabulateRequest
  }

  static let statistics: [TabulateRequest.Statistic] = [.count, .sum, .mean, .sd, .median, .min, .max]
  /// Label pools per dimension: a tie of Unicode spellings (precomposed and decomposed é) that
  /// must stay two labels, a comma and a quote that must be quoted, and missing spellings.
  static let pools = [
    ["North", "South", "East", "Caf\u{E9}", "Cafe\u{301}", "", "NA"],
    ["F", "M", "a,b", "say \"hi\"", ""],
    ["1", "2", "10", "3", "."],
  ]

  static func generate(seed: UInt64, folder: URL) -> Case {
    var random = SplitMix(state: seed)
    let dimensionCount = Int.random(in: 1...3, using: &random)
    let statistic = statistics.randomElement(using: &random)!
    let useUnit = Bool.random(using: &random)
    let weighted = (statistic == .count || statistic == .sum) && Int.random(in: 0..<3, using: &random) == 0
    let wide = (statistic == .count || statistic == .sum) && dimensionCount >= 2 && Bool.random(using: &random)
    let names = ["region", "sex", "band"]
    let unitPool = (0..<Int.random(in: 1...12, using: &random)).map { "u\($0)" } + ["\u{E9}", "e\u{301}"]
    let integerValues = Bool.random(using: &random)
    var rows: [Row] = []
    for _ in 0..<Int.random(in: 1...50, using: &random) {
      let labels = (0..<dimensionCount).map { d in
        // Mostly a few labels (ties, single-unit cells), sometimes missing.
        // The decomposed spelling in one set in eight (a refusal), so that most sets are tabulated.
        let pool = seed % 8 == 0 || d != 0 ? pools[d] : pools[d].filter { $0 != "Cafe\u{301}" }
        return pool[Int.random(in: 0..<(Int.random(in: 0..<4, using: &random) == 0 ? pool.count : 2), using: &random)]
      }
      var value: String
      switch Int.random(in: 0..<10, using: &random) {
      case 0: value = ""
      case 1: value = "NA"
      case 2: value = "0"
      default:
        let whole = Int.random(in: -20...200, using: &random)
        value =
          integerValues
          ? String(whole) : String(format: "%.2f", Double(whole) + Double(Int.random(in: 0...99, using: &random)) / 100)
      }
      rows.append(
        Row(
          labels: labels, unit: unitPool.randomElement(using: &random)!, value: value,
          weight: ["1", "2", "0.5", "1.25"].randomElement(using: &random)!))
    }
    let header = Array(names.prefix(dimensionCount)) + ["id", "x", "w"]
    var text = header.joined(separator: ",") + "\n"
    for row in rows {
      text +=
        (row.labels.map(TabulateRendering.csvField) + [row.unit, row.value, row.weight]).joined(separator: ",") + "\n"
    }
    let data = write(text, to: "data.csv", in: folder)
    let dimensions = Array(names.prefix(dimensionCount))
    var request = TabulateRequest(
      data: data, rows: wide ? Array(dimensions.dropLast()) : dimensions, statistic: statistic,
      variable: statistic == .count ? nil : "x")
    if wide { request.cols = [dimensions.last!] }
    request.unit = useUnit ? "id" : nil
    request.weight = weighted ? "w" : nil
    request.margins = Bool.random(using: &random)
    request.missing = Int.random(in: 0..<4, using: &random) == 0 ? .drop : .category
    // Declared levels for one dimension: every label of its pool that is not a missing spelling,
    // so that some are empty.
    if Bool.random(using: &random) {
      let d = Int.random(in: 0..<dimensionCount, using: &random)
      var labels: [String] = []
      for label in pools[d] + ["Unused"] where !TabulateNumber.isMissing(label) && !labels.contains(label) {
        labels.append(label)
      }
      let file = write(labels.joined(separator: "\n") + "\n", to: "levels.txt", in: folder)
      request.levels = [try! .load(dimension: dimensions[d], file: file)]
    }
    return Case(header: header, rows: rows, request: request)
  }

  /// A cell's key: per dimension the label's bytes, or nil for a margin.
  typealias Key = [[UInt8]?]

  /// What the oracle computes for one cell.
  struct Expected {
    var n = 0
    var missing = 0
    var units: [[UInt8]: Decimal] = [:]
    var unitSet = Set<[UInt8]>()
    var values: [Decimal] = []
    var weighted = Decimal(0)
  }

  /// The oracle: group the records by every cell of the cube they fall in, and compute each
  /// cell's evidence from its records with a dictionary of unit totals.
  static func oracle(_ c: Case) -> [Key: Expected] {
    let request = c.request
    let dimensions = request.dimensions
    let missing = Array(Tabulator.missingLabel.utf8)
    var records: [(key: [[UInt8]], row: Row)] = []
    for row in c.rows {
      let labels = row.labels.map { TabulateNumber.isMissing($0.trimmingWhitespace()) ? nil : Array($0.utf8) }
      if request.missing == .drop && labels.contains(where: { $0 == nil }) { continue }
      records.append((labels.map { $0 ?? missing }, row))
    }
    // Cells: the combinations seen, each declared dimension (and a crosstab's columns) ranging
    // over all its labels; for statistics other than counts and sums, only combinations seen.
    var expanded = Set(records.map(\.key))
    var full: [Int] = []
    if request.statistic == .count || request.statistic == .sum {
      for level in request.levels { full.append(dimensions.firstIndex(of: level.dimension)!) }
      if !request.cols.isEmpty { full.append(dimensions.count - 1) }
    }
    for d in Set(full) {
      var labels = Set(records.map { $0.key[d] })
      if let level = request.levels.first(where: { $0.dimension == dimensions[d] }) {
        labels.formUnion(level.labels.map { Array($0.utf8) })
      }
      expanded = Set(
        expanded.flatMap { key in
          labels.map { label in
            var next = key
            next[d] = label
            return next
          }
        })
    }
    var keys = Set(expanded.map { $0.map { Optional($0) } })
    if request.margins {
      for key in expanded {
        for mask in 1..<(1 << dimensions.count) {
          keys.insert(key.enumerated().map { d, label in mask & (1 << d) != 0 ? nil : label })
        }
      }
    }
    var result: [Key: Expected] = [:]
    for key in keys {
      var cell = Expected()
      for record in records where zip(key, record.key).allSatisfy({ $0 == nil || $0 == $1 }) {
        cell.n += 1
        let unit = request.unit == nil ? Array("record \(cell.n)".utf8) : Array(record.row.unit.utf8)
        let weight = Decimal(string: record.row.weight)!
        if request.statistic == .count {
          cell.unitSet.insert(unit)
          cell.weighted += weight
          continue
        }
        guard !TabulateNumber.isMissing(record.row.value), let value = Decimal(string: record.row.value) else {
          cell.missing += 1
          continue
        }
        cell.values.append(value)
        cell.units[unit, default: 0] += value
        cell.weighted += weight * value
      }
      if request.statistic != .count && request.statistic != .sum && cell.values.isEmpty { continue }
      result[key] = cell
    }
    return result
  }

  /// Why the tabulation must be refused, if it must: a label in two Unicode spellings, a label
  /// outside the declared levels, no records, or no values.
  static func refusal(_ c: Case) -> String? {
    let request = c.request
    let kept = c.rows.filter { row in
      request.missing == .category || !row.labels.contains { TabulateNumber.isMissing($0.trimmingWhitespace()) }
    }
    for d in request.dimensions.indices {
      let labels = Set(
        kept.map { Array($0.labels[d].utf8) }.filter { !TabulateNumber.isMissing(String(decoding: $0, as: UTF8.self)) })
      if Set(labels.map { String(decoding: $0, as: UTF8.self) }).count < labels.count {
        return "different Unicode spelling"
      }
      if let level = request.levels.first(where: { $0.dimension == request.dimensions[d] }) {
        if !labels.isSubset(of: Set(level.labels.map { Array($0.utf8) })) { return "not among the levels" }
      }
    }
    if kept.isEmpty { return "no records to tabulate" }
    if request.statistic != .count && request.statistic != .sum
      && !kept.contains(where: { !TabulateNumber.isMissing($0.value) })
    {
      return "no record has a value"
    }
    return nil
  }

  /// Parses CSV written by tabulate (quoted fields included).
  static func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var field = ""
    var row: [String] = []
    var quoted = false
    var scalars = Array(text.unicodeScalars).makeIterator()
    var pending: Unicode.Scalar?
    while let c = pending ?? scalars.next() {
      pending = nil
      if quoted {
        if c == "\"" {
          if let next = scalars.next() {
            if next == "\"" {
              field.unicodeScalars.append("\"")
            } else {
              quoted = false
              pending = next
            }
          } else {
            quoted = false
          }
        } else {
          field.unicodeScalars.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        row.append(field)
        field = ""
      } else if c == "\n" {
        row.append(field)
        rows.append(row)
        row = []
        field = ""
      } else {
        field.unicodeScalars.append(c)
      }
    }
    return rows
  }

  static func decimal(_ text: String) -> Decimal? { Decimal(string: text) }

  static func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance + 1e-9 * max(abs(a), abs(b))
  }

  @Test func evidenceEqualsAnIndependentUnitLevelComputation() throws {
    let pack = try RulePackLoader.load("default")
    let checker = Checker(pack: pack)
    var checked = 0
    var refused = 0
    var seed: UInt64 = 0
    while checked < 1000 {
      seed += 1
      let folder = temporaryFolder()
      let c = Self.generate(seed: seed, folder: folder)
      let margin = Array("Total".utf8)
      let context =
        "seed \(seed): \(c.request.statistic) dims \(c.request.dimensions) unit \(c.request.unit ?? "-") weight \(c.request.weight ?? "-") margins \(c.request.margins) missing \(c.request.missing) levels \(c.request.levels.map(\.dimension)) cols \(c.request.cols)"
      let refusal = Self.refusal(c)
      let files: [(path: String, data: Data)]
      do {
        files = try TabulateWriter.render(
          job: .table(request: c.request), out: folder.appendingPathComponent("t").path, command: [], pack: pack
        ).files
      } catch {
        // Which refusal comes first depends on the order of the records.
        let phrases = [
          "different Unicode spelling", "not among the levels", "no records to tabulate", "no record has a value",
        ]
        #expect(
          refusal != nil && phrases.contains { error.description.contains($0) },
          "\(context): \(error), expected \(refusal ?? "none")")
        refused += 1
        continue
      }
      #expect(refusal == nil, "\(context): not refused (\(refusal ?? ""))")
      if refusal != nil { break }
      try TabulateWriter.write(files, force: false)
      if seed % 50 == 0 {
        // The same request on the same input gives the same bytes, provenance included.
        let again = try TabulateWriter.render(
          job: .table(request: c.request), out: folder.appendingPathComponent("t").path, command: [], pack: pack
        ).files
        #expect(again.map(\.data) == files.map(\.data), "\(context): a second run differs")
      }
      let expected = Self.oracle(c)
      let evidence = Self.parseCSV(
        String(decoding: files.first { $0.path.hasSuffix(".evidence.csv") }!.data, as: UTF8.self))
      let header = evidence[0]
      let d = c.request.dimensions.count
      func key(_ labels: [String]) -> Key { labels.map { Array($0.utf8) == margin ? nil : Array($0.utf8) } }
      var seen = Set<Key>()
      for row in evidence.dropFirst() {
        let k = key(Array(row.prefix(d)))
        seen.insert(k)
        guard let cell = expected[k] else {
          Issue.record("\(context): a cell the oracle does not have: \(row.prefix(d))")
          continue
        }
        var e: [String: String] = [:]
        for (name, value) in zip(header.dropFirst(d), row.dropFirst(d)) { e[name] = value }
        #expect(Int(e["n"]!) == cell.n, "\(context) \(row)")
        if c.request.weight != nil { #expect(Self.decimal(e["weighted_total"]!) == cell.weighted, "\(context) \(row)") }
        if c.request.statistic == .count {
          if c.request.unit != nil { #expect(Int(e["n_units"]!) == cell.unitSet.count, "\(context) \(row)") }
          continue
        }
        #expect(Int(e["n_missing"]!) == cell.missing, "\(context) \(row)")
        let totals = Array(cell.units.values)
        if c.request.unit != nil { #expect(Int(e["n_units"]!) == totals.count, "\(context) \(row)") }
        let sum = cell.values.reduce(Decimal(0), +)
        #expect(Self.decimal(e["sum"]!) == sum, "\(context) \(row)")
        #expect(
          Self.decimal(e["sum_abs"]!) == totals.map { $0 < 0 ? -$0 : $0 }.reduce(Decimal(0), +), "\(context) \(row)")
        #expect(Int(e["n_negative"]!) == totals.filter { $0 < 0 }.count, "\(context) \(row)")
        let largest = totals.map { $0 < 0 ? -$0 : $0 }.sorted(by: >)
        for rank in 1...2 {
          #expect(
            Self.decimal(e["top\(rank)"]!) == (rank <= largest.count ? largest[rank - 1] : 0),
            "\(context) \(row) top\(rank)")
        }
        #expect(e["min"].flatMap(Self.decimal) == cell.values.min(), "\(context) \(row)")
        #expect(e["max"].flatMap(Self.decimal) == cell.values.max(), "\(context) \(row)")
        #expect(Int(e["n_distinct"]!) == Set(cell.values).count, "\(context) \(row)")
      }
      #expect(
        seen == Set(expected.keys),
        "\(context): \(seen.subtracting(expected.keys).count) cells too many, \(Set(expected.keys).subtracting(seen).count) missing"
      )
      // The published values.
      let table = Self.parseCSV(String(decoding: files[0].data, as: UTF8.self))
      var published: [Key: String] = [:]
      if c.request.cols.isEmpty {
        for row in table.dropFirst() { published[key(Array(row.prefix(d)))] = row[d] }
      } else {
        for row in table.dropFirst() {
          for (column, value) in zip(table[0].dropFirst(d - 1), row.dropFirst(d - 1)) {
            published[key(Array(row.prefix(d - 1)) + [column])] = value
          }
        }
      }
      #expect(
        Set(published.keys) == Set(expected.keys),
        "\(context): \(Set(published.keys).subtracting(expected.keys).count) published cells too many, \(Set(expected.keys).subtracting(published.keys).count) missing"
      )
      for (k, cell) in expected {
        guard let text = published[k] else { continue }
        let values = cell.values.map { NSDecimalNumber(decimal: $0).doubleValue }.sorted()
        let sum = cell.values.reduce(Decimal(0), +)
        switch c.request.statistic {
        case .count: #expect(Int(text) == cell.n, "\(context)")
        case .sum: #expect(Self.decimal(text) == (c.request.weight != nil ? cell.weighted : sum), "\(context) \(text)")
        case .mean:
          #expect(
            Self.close(Double(text)!, NSDecimalNumber(decimal: sum).doubleValue / Double(values.count), 0.005),
            "\(context) \(text)")
        case .sd:
          if values.count < 2 {
            #expect(text == "", "\(context)")
          } else {
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
            #expect(Self.close(Double(text)!, sd, 0.005), "\(context) \(text) \(sd)")
          }
        case .median:
          let m =
            values.count % 2 == 1
            ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
          #expect(Self.close(Double(text)!, m, 0.005), "\(context) \(text)")
        case .min: #expect(Self.decimal(text) == cell.values.min(), "\(context)")
        case .max: #expect(Self.decimal(text) == cell.values.max(), "\(context)")
        }
      }
      // airlock check reads the output as declared: nothing to declare, evidence that adds up.
      let result = checker.check(paths: [files[0].path]).results[0]
      #expect(result.error == nil, "\(context): \(String(describing: result.error))")
      let unexpected = result.findings.filter { ["C000", "C009", "C010", "E002"].contains($0.code) }
      #expect(unexpected.isEmpty, "\(context): \(unexpected.map { "\($0.code) \($0.reason)" })")
      checked += 1
      try? FileManager.default.removeItem(at: folder)
    }
    // Most sets are tabulated; the rest exercise the refusals.
    #expect(refused > 0 && refused < 300, "\(checked) tabulated, \(refused) refused")
  }
}
