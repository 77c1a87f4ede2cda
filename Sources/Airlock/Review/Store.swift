import Crypto
import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif

/// The review store: SQLite (through GRDB, WAL mode) plus content-addressed copies of every
/// submitted file under `objects/sha256/`. Every state change runs in one IMMEDIATE transaction,
/// so concurrent processes serialize and lose nothing.
public final class ReviewStore: Sendable {
  /// The store folder (`./.airlock` or `AIRLOCK_STORE`).
  public let root: URL
  let pool: DatabasePool

  /// The store's configuration: which rule pack each project uses.
  public struct Config: Codable, Sendable, Equatable {
    /// The rule pack for projects not listed in `projects`.
    public var rules: String = "default"
    /// Project name to rule pack (a built-in name or a path).
    public var projects: [String: String] = [:]
    /// The decision log's private key, when kept outside the store (default `<store>/log.key`).
    public var logKey: String?

    public init(rules: String = "default", projects: [String: String] = [:]) {
      self.rules = rules
      self.projects = projects
    }

    /// The pack a project uses.
    public func pack(for project: String) -> String { projects[project] ?? rules }
  }

  /// `AIRLOCK_STORE`, or `./.airlock`.
  public static func defaultRoot() -> URL {
    if let path = ProcessInfo.processInfo.environment["AIRLOCK_STORE"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".airlock")
  }

  var databasePath: String { root.appendingPathComponent("airlock.sqlite").path }
  var configPath: String { root.appendingPathComponent("config.json").path }
  /// The trust list the workflow uses (copied in by `airlock init --trust`).
  public var trustListPath: String { root.appendingPathComponent("allowed_signers").path }
  var objectsFolder: URL { root.appendingPathComponent("objects/sha256") }

  private init(root: URL) throws(AirlockError) {
    self.root = root
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA foreign_keys = ON")
    }
    do {
      pool = try DatabasePool(path: root.appendingPathComponent("airlock.sqlite").path, configuration: configuration)
      try Self.migrator.migrate(pool)
    } catch {
      throw AirlockError(
        .input, file: root.appendingPathComponent("airlock.sqlite").path, "cannot open the review store: \(error)")
    }
  }

  /// Creates (or upgrades) a store at `root`; keeps an existing store's data.
  public static func create(at root: URL, config: Config? = nil, trustList: String? = nil) throws(AirlockError)
    -> ReviewStore
  {
    let manager = FileManager.default
    // Everything that can be refused is checked before anything is made (issue 19: init is
    // all-or-nothing).
    var trustData: Data?
    if let trustList {
      _ = try TrustList.load(trustList)
      guard let data = manager.contents(atPath: trustList) else {
        throw AirlockError(.configuration, file: trustList, "cannot read trust list")
      }
      trustData = data
    }
    do {
      try manager.createDirectory(at: root.appendingPathComponent("objects/sha256"), withIntermediateDirectories: true)
      try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.path)
    } catch {
      throw AirlockError(.input, file: root.path, "cannot create the review store folder")
    }
    let store = try ReviewStore(root: root)
    if let config {
      try store.saveConfig(config)
    } else if !manager.fileExists(atPath: store.configPath) {
      try store.saveConfig(Config())
    }
    if let data = trustData {
      do { try data.write(to: URL(fileURLWithPath: store.trustListPath), options: .atomic) } catch {
        throw AirlockError(.input, file: store.trustListPath, "cannot write trust list")
      }
    }
    return store
  }

  /// Opens an existing store.
  public static func open(at root: URL = defaultRoot()) throws(AirlockError) -> ReviewStore {
    guard FileManager.default.fileExists(atPath: root.appendingPathComponent("airlock.sqlite").path) else {
      throw AirlockError(.usage, file: root.path, "no review store here (run 'airlock init', or set AIRLOCK_STORE)")
    }
    return try ReviewStore(root: root)
  }

  /// The store's configuration.
  public func config() throws(AirlockError) -> Config {
    guard let data = FileManager.default.contents(atPath: configPath) else { return Config() }
    do { return try JSONDuplicateCheck.decode(Config.self, from: data) } catch {
      throw AirlockError(.configuration, file: configPath, "invalid store configuration")
    }
  }

  func saveConfig(_ config: Config) throws(AirlockError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do { try encoder.encode(config).write(to: URL(fileURLWithPath: configPath), options: .atomic) } catch {
      throw AirlockError(.input, file: configPath, "cannot write store configuration")
    }
  }

  /// The store's trust list.
  public func trustList() throws(AirlockError) -> TrustList {
    guard FileManager.default.fileExists(atPath: trustListPath) else {
      throw AirlockError(
        .configuration, file: trustListPath, "the store has no trust list (run 'airlock init --trust FILE')")
    }
    return try TrustList.load(trustListPath)
  }

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE request (
            id TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            group_name TEXT NOT NULL,
            context TEXT NOT NULL,
            controls TEXT NOT NULL,
            exception TEXT,
            author_principal TEXT NOT NULL,
            author_keyid TEXT NOT NULL,
            pack_ref TEXT NOT NULL,
            pack_name TEXT NOT NULL,
            pack_version TEXT NOT NULL,
            pack_digest TEXT NOT NULL,
            reviewers_required INTEGER NOT NULL CHECK (reviewers_required >= 1),
            status TEXT NOT NULL,
            turn INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
          );
          CREATE TABLE request_file (
            request_id TEXT NOT NULL REFERENCES request(id),
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('output', 'supporting')),
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            outcome TEXT,
            result_json TEXT,
            PRIMARY KEY (request_id, name)
          );
          CREATE TABLE vote (
            request_id TEXT NOT NULL REFERENCES request(id),
            file_name TEXT NOT NULL,
            reviewer_principal TEXT NOT NULL,
            reviewer_keyid TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('approved', 'changes_requested', 'undecided')),
            comment TEXT,
            sha256 TEXT NOT NULL,
            turn INTEGER NOT NULL,
            voted_at TEXT NOT NULL,
            PRIMARY KEY (request_id, file_name, reviewer_principal)
          );
          CREATE TABLE review (
            request_id TEXT NOT NULL REFERENCES request(id),
            turn INTEGER NOT NULL,
            reviewer_principal TEXT NOT NULL,
            reviewer_keyid TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            envelope TEXT NOT NULL,
            PRIMARY KEY (request_id, turn, reviewer_principal)
          );
          CREATE TABLE comment (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            request_id TEXT NOT NULL REFERENCES request(id),
            turn INTEGER NOT NULL,
            author_principal TEXT NOT NULL,
            role TEXT NOT NULL,
            file_name TEXT,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
          );
          CREATE TABLE record (
            request_id TEXT NOT NULL REFERENCES request(id),
            turn INTEGER NOT NULL,
            payload BLOB NOT NULL,
            envelope TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (request_id, turn)
          );
          CREATE TABLE event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            request_id TEXT NOT NULL REFERENCES request(id),
            turn INTEGER NOT NULL,
            type TEXT NOT NULL,
            actor_principal TEXT NOT NULL,
            actor_keyid TEXT NOT NULL,
            at TEXT NOT NULL,
            detail TEXT NOT NULL,
            envelope TEXT NOT NULL
          );
          CREATE INDEX event_request ON event(request_id, id);
          """)
    }
    migrator.registerMigration("v2-claims") { db in
      // Claims (issue 18): what each file's manifest, columns and the request declare that is
      // taken on trust, stored with the request; and which claims an approving vote accepted.
      try db.execute(
        sql: """
          CREATE TABLE request_claim (
            request_id TEXT NOT NULL REFERENCES request(id),
            file_name TEXT NOT NULL,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,
            rules TEXT NOT NULL,
            claim_json TEXT NOT NULL,
            PRIMARY KEY (request_id, file_name, position)
          );
          ALTER TABLE vote ADD COLUMN accepted_claims TEXT;
          """)
    }
    return migrator
  }

  /// Runs `body` in one IMMEDIATE transaction (taking the write lock up front, so that two
  /// processes never interleave a read-then-write).
  ///
  /// This is where every state change of the workflow is committed, so it is where the decision
  /// log is fed: the log key is loaded first (a missing key refuses the change), and once the
  /// transaction commits, every new signed event is appended to the log (`syncLog`). If the
  /// process dies between the commit and the append, the store's event history still holds the
  /// event, and the next change (or `airlock log sync`) appends it: the log lags the store, never
  /// leads it, and never loses an event.
  func transaction<T>(_ body: (Database) throws -> T) throws(AirlockError) -> T {
    let logKey = try logSigner()
    let result = try commit(body)
    if let logKey {
      do { try syncLog(key: logKey) } catch {
        throw AirlockError(
          error.kind, file: error.file, line: error.line, column: error.column,
          "the change was saved, but the decision log was not updated (\(error.message)); run 'airlock log sync'")
      }
    }
    return result
  }

  private func commit<T>(_ body: (Database) throws -> T) throws(AirlockError) -> T {
    do {
      return try pool.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(db)
          return .commit
        }
        return result!
      }
    } catch let error as AirlockError {
      throw error
    } catch {
      throw AirlockError(.input, file: databasePath, "review store: \(error)")
    }
  }

  /// Runs `body` against a read-only snapshot.
  func read<T>(_ body: (Database) throws -> T) throws(AirlockError) -> T {
    do {
      return try pool.read { db in try body(db) }
    } catch let error as AirlockError {
      throw error
    } catch {
      throw AirlockError(.input, file: databasePath, "review store: \(error)")
    }
  }

  /// The stored copy of a file with this digest.
  public func objectPath(_ sha256: String) -> String { objectsFolder.appendingPathComponent(sha256).path }

  /// Copies `path` into the store (temporary file, hash, rename to the digest) and returns its
  /// digest and size. The copy is what gets reviewed and released.
  ///
  /// The source is read as `check` reads it: a regular file only (never a symlink, FIFO or
  /// device), refused if it changes while it is copied. The copy is fsynced before it is renamed
  /// to its digest, and a failed copy (a full disk, a read error) leaves no temporary file behind.
  func storeObject(from path: String) throws(AirlockError) -> (sha256: String, size: Int) {
    var source = try FileSource(path: path)
    defer { source.close() }
    let temporary = objectsFolder.appendingPathComponent(".tmp-\(UUID().uuidString)").path
    let out = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard out >= 0 else {
      throw AirlockError(
        .input, file: path, "cannot copy file into the review store (\(String(cString: strerror(errno))))")
    }
    var hasher = SHA256()
    var size = 0
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    func fail(_ message: String) -> AirlockError {
      Glibc.close(out)
      unlink(temporary)
      return AirlockError(.input, file: path, message)
    }
    while true {
      let n: Int
      do { n = try source.read(into: buffer) } catch {
        throw fail(error.message)
      }
      if n == 0 { break }
      let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
      hasher.update(bufferPointer: chunk)
      var written = 0
      while written < n {
        let w = Glibc.write(out, chunk.baseAddress! + written, n - written)
        if w < 0 {
          if errno == EINTR { continue }
          throw fail("cannot copy file into the review store (\(String(cString: strerror(errno))))")
        }
        written += w
      }
      size += n
    }
    guard fsync(out) == 0 else {
      throw fail("cannot copy file into the review store (\(String(cString: strerror(errno))))")
    }
    Glibc.close(out)
    let digest = Data(hasher.finalize()).hex
    let destination = objectPath(digest)
    if FileManager.default.fileExists(atPath: destination) {
      unlink(temporary)
    } else {
      chmod(temporary, 0o444)
      guard rename(temporary, destination) == 0 else {
        unlink(temporary)
        throw AirlockError(.input, file: destination, "cannot store file")
      }
    }
    return (digest, size)
  }
}
