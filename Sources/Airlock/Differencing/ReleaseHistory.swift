import Foundation
import GRDB

/// The tables released so far, in SQLite: each with its dimension signature (indexed), population
/// and published cells, so that a new output can be compared with every earlier release that
/// shares its dimensions (`airlock check --history PATH`, `airlock history add`).
public final class ReleaseHistory: Sendable {
  private let queue: DatabaseQueue
  /// The database file.
  public let path: String

  /// Opens (creating if needed) the history at `path`.
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
        for table in tables {
          var stored = table
          stored.positions = nil
          try db.execute(
            sql: "INSERT INTO released_table (signature, source, population, released_at, body) VALUES (?, ?, ?, ?, ?)",
            arguments: [stored.signature, stored.source, stored.population, time, try encoder.encode(stored)])
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
        try Data.fetchAll(db, sql: "SELECT body FROM released_table WHERE signature = ? ORDER BY id", arguments: [signature])
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
}
