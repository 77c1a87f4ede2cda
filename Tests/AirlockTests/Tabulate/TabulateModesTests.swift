import Foundation
import Testing

@testable import Airlock

/// `airlock tabulate`'s three ways of gathering units' totals (issue 22) write the same bytes: in
/// memory, `--sorted-by unit` (streamed) and `--memory` with a budget so small that the pairs are
/// spilled to partition files. On seeded random microdata (units split across records and cells,
/// negatives, decimals, missing values, margins), the table, evidence and manifest are identical.
@Suite struct TabulateModesTests {
  /// A random microdata set, sorted by unit id (as bytes) so that every mode can read it; enough
  /// (cell, unit) pairs that the tiny budget spills.
  static func sortedData(seed: UInt64, folder: URL) -> String {
    var random = SplitMix(state: seed)
    let decimals = Bool.random(using: &random)
    let unitCount = Int.random(in: 300...900, using: &random)
    var rows: [(unit: String, line: String)] = []
    for _ in 0..<Int.random(in: 2500...4000, using: &random) {
      // Skewed: a few units have many records, in many cells.
      let u = Int(Double(unitCount) * pow(Double.random(in: 0..<1, using: &random), 2))
      let unit = "u\(u)"
      let region = ["North", "South", "East", "", "West"][Int.random(in: 0..<5, using: &random)]
      let band = String(Int.random(in: 0..<6, using: &random) * 10)
      let sex = ["F", "M"][Int.random(in: 0..<2, using: &random)]
      var value: String
      switch Int.random(in: 0..<12, using: &random) {
      case 0: value = ""
      case 1: value = "NA"
      default:
        let whole = Int.random(in: -50...900, using: &random)
        value =
          decimals
          ? String(format: "%.2f", Double(whole) + Double(Int.random(in: 0...99, using: &random)) / 100) : String(whole)
      }
      let weight = ["1", "2", "0.5", "1.25"][Int.random(in: 0..<4, using: &random)]
      rows.append((unit, "\(unit),\(region),\(band),\(sex),\(value),\(weight)"))
    }
    rows.sort { Array($0.unit.utf8).lexicographicallyPrecedes(Array($1.unit.utf8)) }
    return write(
      "id,region,band,sex,x,w\n" + rows.map(\.line).joined(separator: "\n") + "\n", to: "data.csv", in: folder)
  }

  static func render(_ request: TabulateRequest, folder: URL, name: String, threads: Int = 2) throws -> (
    files: [String: Data], partitions: Int
  ) {
    let pack = try RulePackLoader.load("default")
    var tabulator = Tabulator(request: request, pack: pack)
    tabulator.spillFolder = folder.path
    tabulator.threads = threads
    // Small batches, so that the second thread's work crosses many of them.
    tabulator.batchSize = 97
    let result = try tabulator.run()
    let files = TabulateRendering.files(result, request: request, name: name)
    var byName: [String: Data] = [:]
    for file in [
      ("NAME.csv", files.table), ("NAME.evidence.csv", files.evidence ?? ""), ("NAME.airlock.yaml", files.manifest),
    ] {
      // The manifest names its evidence file: the name aside, the bytes must agree.
      let text = file.1.replacingOccurrences(of: "\"\(name).evidence.csv\"", with: "\"NAME.evidence.csv\"")
      byName[file.0] = Data(text.utf8)
    }
    return (byName, result.spillPartitions)
  }

  @Test(arguments: 0..<12)
  func inMemorySortedAndSpilledWriteTheSameBytes(seed: UInt64) throws {
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = Self.sortedData(seed: seed, folder: folder)
    let statistic: TabulateRequest.Statistic = [.sum, .count, .mean, .sum, .max, .sum][Int(seed % 6)]
    var request = TabulateRequest(
      data: data, rows: ["region", "band", "sex"], statistic: statistic, variable: statistic == .count ? nil : "x")
    request.unit = "id"
    request.margins = seed % 4 != 3
    if statistic == .sum || statistic == .count, seed % 3 == 0 { request.weight = "w" }
    let memory = try Self.render(request, folder: folder, name: "memory")
    var sorted = request
    sorted.sortedBy = "unit"
    let streamed = try Self.render(sorted, folder: folder, name: "sorted")
    var bounded = request
    bounded.memory = 64 << 10
    let spilled = try Self.render(bounded, folder: folder, name: "spilled")
    // The budget is small enough that the pairs were spilled (else the comparison proves nothing).
    #expect(spilled.partitions >= 2, "seed \(seed): no spill")
    #expect(memory.partitions == 0 && streamed.partitions == 0)
    #expect(memory.files.count == 3)
    for (name, bytes) in memory.files {
      #expect(streamed.files[name] == bytes, "seed \(seed): \(name) differs with --sorted-by unit")
      #expect(spilled.files[name] == bytes, "seed \(seed): \(name) differs with --memory")
    }
    // One thread or two (units gathered beside the reading), the same bytes, in every mode.
    for (label, variant) in [("in memory", request), ("sorted", sorted), ("spilled", bounded)] {
      let single = try Self.render(variant, folder: folder, name: "single", threads: 1)
      #expect(single.files == memory.files, "seed \(seed): one thread differs \(label)")
    }
    // The spill folder is gone.
    let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
      $0.hasPrefix(".airlock-spill")
    }
    #expect(left.isEmpty, "\(left)")
  }

  /// Sums are exact whatever the order of their terms: decimals as written, whole numbers, and
  /// their sums added in another order give the same bytes.
  @Test func exactSumsDoNotDependOnOrder() {
    var random = SplitMix(state: 7)
    for _ in 0..<200 {
      let terms = (0..<Int.random(in: 1...40, using: &random)).map { _ -> TabulateNumber in
        let text =
          Bool.random(using: &random)
          ? String(Int.random(in: -1_000_000...1_000_000, using: &random))
          : String(format: "%.\(Int.random(in: 1...4, using: &random))f", Double.random(in: -1e6...1e6, using: &random))
        return TabulateNumber.parse(text)!
      }
      var forward = ExactSum()
      for term in terms { forward.add(term) }
      var backward = ExactSum()
      for term in terms.reversed() { backward.add(term) }
      // Halves summed apart, then added (as partitions and margins are).
      var left = ExactSum()
      var right = ExactSum()
      for (i, term) in terms.shuffled(using: &random).enumerated() {
        if i % 2 == 0 { left.add(term) } else { right.add(term) }
      }
      left.add(right)
      #expect(forward.number.formatted == backward.number.formatted)
      #expect(forward.number.formatted == left.number.formatted)
      // And exact: the decimal total, digit for digit.
      let exact = terms.reduce(Decimal(0)) { $0 + Decimal(string: $1.formatted)! }
      #expect(Decimal(string: forward.number.formatted) == exact, "\(forward.number.formatted) vs \(exact)")
    }
  }

  /// An out-of-order unit far into the input is reported at its record, whichever thread sees it.
  @Test(arguments: [1, 2])
  func anOutOfOrderUnitIsReportedAtItsRecord(threads: Int) throws {
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var lines = (0..<1000).map { String(format: "u%04d,A,1", $0) }
    lines.insert("u0500,B,2", at: 700)  // line 702 (after the header): u0500 after u0698
    let data = write("id,r,x\n" + lines.joined(separator: "\n") + "\n", to: "data.csv", in: folder)
    var request = TabulateRequest(data: data, rows: ["r"], statistic: .sum, variable: "x")
    request.unit = "id"
    request.sortedBy = "unit"
    var tabulator = Tabulator(request: request, pack: try RulePackLoader.load("default"))
    tabulator.threads = threads
    tabulator.batchSize = 97
    #expect {
      _ = try tabulator.run()
    } throws: { error in
      "\(error)".contains("data.csv:702:1: not sorted by 'id' (--sorted-by unit): 'u0500' after 'u0699'")
    }
  }

  /// A look-alike of an ordering error: a unit's records may be anywhere in the cells, and ids
  /// that sort as bytes ("u10" before "u9") are in order even though they are not as numbers.
  @Test func idsInByteOrderAreSortedEvenWhenNotNumerically() throws {
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = write("id,r,x\nu10,A,1\nu10,B,2\nu9,A,3\nu9,A,4\n", to: "data.csv", in: folder)
    var request = TabulateRequest(data: data, rows: ["r"], statistic: .sum, variable: "x")
    request.unit = "id"
    request.sortedBy = "unit"
    let result = try Tabulator(request: request, pack: try RulePackLoader.load("default")).run()
    #expect(result.cells.map(\.value) == ["8", "2"])
    #expect(result.cells.map { $0.evidence["n_units"] } == ["2", "1"])
  }
}
