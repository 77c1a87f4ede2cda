import Foundation
import GRDB

/// The tables released so far, in SQLite: each with its dimension signature (indexed), population
/// and published cells, so that a new output can be compared with every earlier release that
/// shares its dimensions (`airlock check --history PATH`, `airlock history add`).
///
/// Besides each table's JSON body, the history keeps its cells as a packed vector of counts over a
/// shared, deduplicated key set (`released_keyset`), and the file names its nesting declarations
/// refer to. A check reads those vectors for its signature once, rules out in memory every released
/// table that cannot disclose anything together with the new output (see ``SignatureIndex``), and
/// decodes only the rest: 100,000 released tables of one signature take well under a second.
public final class ReleaseHistory: Sendable {
  private let queue: DatabaseQueue
  /// The database file.
  public let path: String

  /// Opens (creating if needed) the history at `path`, migrating an older file in place.
  public init(path: String) throws(AirlockError) {
    self.path = path
    do {
      var configuration = Configuration()
      configuration.busyMode = .timeout(10)
      queue = try DatabaseQueue(path: path, configuration: configuration)
      var migrator = DatabaseMigrator()
      migrator.registerMigration("v1") { db in
        try db.create(table: "released_table") { t in
          t.autoIncrementedPrimaryKey("id")
          t.column("signature", .text).notNull().indexed()
          t.column("source", .text).notNull()
          t.column("population", .text)
          t.column("released_at", .text).notNull()
          t.column("body", .blob).notNull()
        }
      }
      migrator.registerMigration("v2-packed-cells") { db in
        try db.create(table: "released_keyset") { t in
          t.autoIncrementedPrimaryKey("id")
          t.column("signature", .text).notNull()
          t.column("hash", .integer).notNull()
          t.column("keys", .blob).notNull()
        }
        try db.create(
          index: "released_keyset_on_signature_hash", on: "released_keyset", columns: ["signature", "hash"])
        try db.alter(table: "released_table") { t in
          t.add(column: "keyset_id", .integer)
          t.add(column: "cell_values", .blob)
          t.add(column: "source_name", .text)
          t.add(column: "subset_name", .text)
        }
        try db.create(
          index: "released_table_on_source_name", on: "released_table", columns: ["signature", "source_name"])
        try db.create(
          index: "released_table_on_subset_name", on: "released_table", columns: ["signature", "subset_name"])
        // Tables released before this migration: derive the new columns from their bodies.
        var keysets: [KeysetKey: Int64] = [:]
        var last: Int64 = 0
        while true {
          let rows = try Row.fetchAll(
            db, sql: "SELECT id, body FROM released_table WHERE id > ? ORDER BY id LIMIT 1000", arguments: [last])
          guard !rows.isEmpty else { break }
          for row in rows {
            let id: Int64 = row["id"]
            last = id
            let body: Data = row["body"]
            guard let table = try? JSONDecoder().decode(ComparableTable.self, from: body) else { continue }
            let packed = try Self.pack(table, db: db, keysets: &keysets)
            try db.execute(
              sql:
                "UPDATE released_table SET keyset_id = ?, cell_values = ?, source_name = ?, subset_name = ? WHERE id = ?",
              arguments: [packed.keyset, packed.values, Self.name(table.source), table.subsetOf.map(Self.name), id])
          }
        }
      }
      try migrator.migrate(queue)
    } catch {
      throw AirlockError(.input, file: path, "cannot open the release history (\(error))")
    }
  }

  /// Adds a released table.
  public func add(_ table: ComparableTable, releasedAt: Date = Date()) throws(AirlockError) {
    try add([table], releasedAt: releasedAt)
  }

  /// Adds released tables, in one transaction.
  public func add(_ tables: [ComparableTable], releasedAt: Date = Date()) throws(AirlockError) {
    let time = ISO8601DateFormatter().string(from: releasedAt)
    let encoder = JSONEncoder()
    do {
      try queue.write { db in
        var keysets: [KeysetKey: Int64] = [:]
        for table in tables {
          var stored = table
          stored.positions = nil
          let packed = try Self.pack(stored, db: db, keysets: &keysets)
          try db.execute(
            sql: """
              INSERT INTO released_table (signature, source, population, released_at, body, keyset_id, cell_values, source_name, subset_name)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
              """,
            arguments: [
              stored.signature, stored.source, stored.population, time, try encoder.encode(stored), packed.keyset,
              packed.values,
              Self.name(stored.source), stored.subsetOf.map(Self.name),
            ])
        }
      }
    } catch {
      throw AirlockError(.input, file: path, "cannot write the release history (\(error))")
    }
  }

  /// Every released table with `signature`.
  public func tables(withSignature signature: String) throws(AirlockError) -> [ComparableTable] {
    do {
      return try queue.read { db in
        try Data.fetchAll(
          db, sql: "SELECT body FROM released_table WHERE signature = ? ORDER BY id", arguments: [signature])
      }.map { try JSONDecoder().decode(ComparableTable.self, from: $0) }
    } catch {
      throw AirlockError(.input, file: path, "cannot read the release history (\(error))")
    }
  }

  /// Released tables of other shapes than the new ones (signatures not in `signatures`): of
  /// another number of dimensions (a table and its margins, audited as linked tables), or of the
  /// same number under other names (compared once aligned); at most `limit`, the most recent
  /// first. Tables of the new ones' signatures are compared through ``index(signature:)``.
  public func otherShapes(than signatures: Set<String>, limit: Int = 2_000) throws(AirlockError) -> [ComparableTable] {
    do {
      return try queue.read { db in
        let stored = try String.fetchAll(db, sql: "SELECT DISTINCT signature FROM released_table")
        let wanted = stored.filter { !signatures.contains($0) }
        var bodies: [Data] = []
        for signature in wanted where bodies.count < limit {
          bodies += try Data.fetchAll(
            db, sql: "SELECT body FROM released_table WHERE signature = ? ORDER BY id DESC LIMIT ?",
            arguments: [signature, limit - bodies.count])
        }
        return bodies
      }.map { try JSONDecoder().decode(ComparableTable.self, from: $0) }
    } catch {
      throw AirlockError(.input, file: path, "cannot read the release history (\(error))")
    }
  }

  /// How many tables the history holds.
  public func count() throws(AirlockError) -> Int {
    do {
      return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM released_table") ?? 0 }
    } catch {
      throw AirlockError(.input, file: path, "cannot read the release history (\(error))")
    }
  }

  /// The comparable tables of the frequency outputs at `paths`, checked with `pack` (for `history add`).
  public static func comparableTables(paths: [String], pack: RulePack) throws(AirlockError) -> [ComparableTable] {
    let checker = OutputChecker(pack: pack, rules: pack.enabledRules(), limits: ReadLimits(), findingLimit: 10)
    var result: [ComparableTable] = []
    for path in Checker.expand(paths) {
      var table: Table?
      let checked = checker.check(path: path, keeping: true, table: &table)
      if let error = checked.error { throw error }
      if let comparable = table.flatMap(ComparableTable.init) { result.append(comparable) }
    }
    return result
  }

  // MARK: - Packed cells

  private struct KeysetKey: Hashable {
    var signature: String
    var keys: [String]
  }

  static func name(_ path: String) -> String { (path as NSString).lastPathComponent }

  /// A stable 64-bit FNV-1a hash (Swift's `Hasher` is seeded per process).
  private static func fnv(_ data: Data) -> Int64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return Int64(bitPattern: hash)
  }

  /// The key set row of `table` (found or inserted) and its counts packed in that key set's order;
  /// both `nil` when the table's keys cannot be indexed exactly (it is then always compared in full).
  private static func pack(_ table: ComparableTable, db: Database, keysets: inout [KeysetKey: Int64]) throws -> (
    keyset: Int64?, values: Data?
  ) {
    let sorted = table.sortedCells()
    guard sorted.isExact else { return (nil, nil) }
    let lookup = KeysetKey(signature: table.signature, keys: sorted.keys)
    let keyset: Int64
    if let known = keysets[lookup] {
      keyset = known
    } else {
      let keys = try JSONEncoder().encode(sorted.keys)
      let hash = fnv(keys)
      let rows = try Row.fetchAll(
        db, sql: "SELECT id, keys FROM released_keyset WHERE signature = ? AND hash = ?",
        arguments: [table.signature, hash])
      if let row = rows.first(where: { ($0["keys"] as Data) == keys }) {
        keyset = row["id"]
      } else {
        try db.execute(
          sql: "INSERT INTO released_keyset (signature, hash, keys) VALUES (?, ?, ?)",
          arguments: [table.signature, hash, keys])
        keyset = db.lastInsertedRowID
      }
      keysets[lookup] = keyset
    }
    var values = Data(count: sorted.values.count * 8)
    values.withUnsafeMutableBytes { buffer in
      for (index, value) in sorted.values.enumerated() {
        buffer.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
      }
    }
    return (keyset, values)
  }

  // MARK: - Pruned comparison

  /// The released tables of one signature as packed vectors, read once per check and shared by
  /// every new output of that signature.
  ///
  /// ``candidates(for:in:threshold:inclusive:)`` keeps a released table unless the cross-output
  /// audit provably finds nothing in it. The audit (`CrossOutputAudit.derive`) reports
  /// - nested populations only when the two tables share at least one key and at least half the
  ///   keys of the smaller, when nesting is declared (by file name) or one table is at most the
  ///   other on every shared key without being equal, and then only on shared keys whose
  ///   difference d has 0 < d < threshold (≤ when inclusive);
  /// - overlapping bands only in a dimension whose label sets (margins excluded) differ, are both
  ///   non-empty and parse entirely as bands.
  /// The pruning tests exactly these necessary conditions (with |d| in place of the signed
  /// difference, which only keeps more), on the same keys the audit compares; tables whose keys
  /// could not be indexed exactly (repeated dimension names, malformed keys) are always kept.
  final class SignatureIndex: @unchecked Sendable {
    struct Keyset {
      var keys: [String]
      /// Per dimension (in sorted-name order): the labels, margins excluded.
      var labels: [Set<String>]
      /// Per dimension: whether the labels are non-empty and all parse as bands.
      var banded: [Bool]
    }
    let signature: String
    var ids: [Int64] = []
    /// Index into `keysets` per table; -1 when the table is not packed.
    var keysetOf: [Int32] = []
    var offsets: [Int] = [0]
    var values: [Double] = []
    var keysets: [Keyset] = []

    init(signature: String) { self.signature = signature }

    static func labels(of keys: [String], dimensions: Int) -> (labels: [Set<String>], banded: [Bool]) {
      var labels = Array(repeating: Set<String>(), count: dimensions)
      for key in keys {
        for (d, part) in key.split(separator: "\u{1F}", omittingEmptySubsequences: false).enumerated()
        where d < dimensions && part != "\u{2211}" {
          labels[d].insert(String(part))
        }
      }
      return (labels, labels.map { !$0.isEmpty && $0.allSatisfy { Band($0) != nil } })
    }
  }

  /// Reads the packed vectors of every released table with `signature`.
  func index(signature: String) throws(AirlockError) -> SignatureIndex {
    let index = SignatureIndex(signature: signature)
    let dimensions = signature.split(separator: "|", omittingEmptySubsequences: false).count
    do {
      try queue.read { db in
        var keysetPosition: [Int64: Int32] = [:]
        let keysets = try Row.fetchCursor(
          db, sql: "SELECT id, keys FROM released_keyset WHERE signature = ?", arguments: [signature])
        let decoder = JSONDecoder()
        while let row = try keysets.next() {
          let keys = try decoder.decode([String].self, from: row["keys"] as Data)
          let parsed = SignatureIndex.labels(of: keys, dimensions: dimensions)
          keysetPosition[row["id"]] = Int32(index.keysets.count)
          index.keysets.append(SignatureIndex.Keyset(keys: keys, labels: parsed.labels, banded: parsed.banded))
        }
        let rows = try Row.fetchCursor(
          db, sql: "SELECT id, keyset_id, cell_values FROM released_table WHERE signature = ? ORDER BY id",
          arguments: [signature])
        while let row = try rows.next() {
          index.ids.append(row[0])
          var position: Int32 = -1
          if let keyset: Int64 = row[1], let known = keysetPosition[keyset], let data = row.dataNoCopy(atIndex: 2),
            data.count == index.keysets[Int(known)].keys.count * 8
          {
            position = known
            data.withUnsafeBytes { buffer in
              for offset in stride(from: 0, to: buffer.count, by: 8) {
                index.values.append(
                  Double(
                    bitPattern: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
              }
            }
          }
          index.keysetOf.append(position)
          index.offsets.append(index.values.count)
        }
      }
    } catch {
      throw AirlockError(.input, file: path, "cannot read the release history (\(error))")
    }
    return index
  }

  /// The released tables in `index` that may disclose something together with `table` (see
  /// ``SignatureIndex``), decoded, in the order they were released.
  func candidates(for table: ComparableTable, in index: SignatureIndex, threshold: Int, inclusive: Bool)
    throws(AirlockError) -> [ComparableTable]
  {
    let kept = try candidateIDs(for: table, in: index, threshold: threshold, inclusive: inclusive)
    guard !kept.isEmpty else { return [] }
    do {
      let decoder = JSONDecoder()
      return try queue.read { db in
        var result: [ComparableTable] = []
        for start in stride(from: 0, to: kept.count, by: 500) {
          let chunk = kept[start..<min(start + 500, kept.count)]
          let bodies = try Data.fetchAll(
            db,
            sql:
              "SELECT body FROM released_table WHERE id IN (\(chunk.map { _ in "?" }.joined(separator: ","))) ORDER BY id",
            arguments: StatementArguments(Array(chunk)))
          result += try bodies.map { try decoder.decode(ComparableTable.self, from: $0) }
        }
        return result
      }
    } catch {
      throw AirlockError(.input, file: path, "cannot read the release history (\(error))")
    }
  }

  /// The ids of the released tables in `index` that ``candidates(for:in:threshold:inclusive:)`` keeps.
  func candidateIDs(for table: ComparableTable, in index: SignatureIndex, threshold: Int, inclusive: Bool)
    throws(AirlockError) -> [Int64]
  {
    let sorted = table.sortedCells()
    guard sorted.isExact, table.signature == index.signature else { return index.ids }
    // Declared nesting, by file name either way.
    var declared = Set<Int64>()
    do {
      try queue.read { db in
        if let subset = table.subsetOf.map(Self.name) {
          declared.formUnion(
            try Int64.fetchAll(
              db, sql: "SELECT id FROM released_table WHERE signature = ? AND source_name = ?",
              arguments: [index.signature, subset]))
        }
        declared.formUnion(
          try Int64.fetchAll(
            db, sql: "SELECT id FROM released_table WHERE signature = ? AND subset_name = ?",
            arguments: [index.signature, Self.name(table.source)]))
      }
    } catch {
      throw AirlockError(.input, file: path, "cannot read the release history (\(error))")
    }
    let newValues = sorted.values
    var position: [String: Int32] = [:]
    position.reserveCapacity(sorted.keys.count)
    for (i, key) in sorted.keys.enumerated() { position[key] = Int32(i) }
    let dimensions = table.dimensions.count
    let mine = SignatureIndex.labels(of: sorted.keys, dimensions: dimensions)
    // Per key set: where its keys are in the new table, and whether nesting or bands can apply.
    struct Plan {
      var map: [Int32]
      var nestable: Bool
      var banded: Bool
    }
    let plans = index.keysets.map { keyset -> Plan in
      let map = keyset.keys.map { position[$0] ?? -1 }
      let shared = map.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
      let banded = (0..<dimensions).contains { d in
        mine.banded[d] && keyset.banded[d] && mine.labels[d] != keyset.labels[d]
      }
      return Plan(
        map: map, nestable: shared > 0 && shared * 2 >= min(table.cells.count, keyset.keys.count), banded: banded)
    }
    let limit = Double(threshold)
    var kept: [Int64] = []
    for (i, id) in index.ids.enumerated() {
      let keyset = Int(index.keysetOf[i])
      guard keyset >= 0 else {
        kept.append(id)
        continue
      }
      let plan = plans[keyset]
      if plan.banded {
        kept.append(id)
        continue
      }
      guard plan.nestable else { continue }
      var below = true
      var above = true
      var small = false
      let base = index.offsets[i]
      for (j, target) in plan.map.enumerated() where target >= 0 {
        let old = index.values[base + j]
        let new = newValues[Int(target)]
        if !(new <= old) { below = false }
        if !(old <= new) { above = false }
        let difference = abs(new - old)
        if difference > 0 && (inclusive ? difference <= limit : difference < limit) { small = true }
      }
      // Declared nesting is always compared: a declaration the numbers contradict is reported.
      if declared.contains(id) || (small && below != above) { kept.append(id) }
    }
    return kept
  }
}
