import Airlock
import ArgumentParser
import Foundation

// The option groups more than one command shares, declared once here so that a flag means the same,
// and is documented the same, in every command that takes it.

/// `--store`: the review store folder, for every command that opens a store.
struct StoreOptions: ParsableArguments {
  @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock).")
  var store: String?

  /// `--store`, else `$AIRLOCK_STORE`, else `./.airlock`.
  var url: URL { Self.url(store) }

  /// The store folder a `--store` value names.
  static func url(_ store: String?) -> URL { store.map { URL(fileURLWithPath: $0) } ?? ReviewStore.defaultRoot() }

  /// Opens the existing store.
  func open() throws(AirlockError) -> ReviewStore { try ReviewStore.open(at: url) }
}

/// Options shared by the review-workflow commands: which store, and whose key.
struct ReviewOptions: ParsableArguments {
  @OptionGroup var storeOptions: StoreOptions

  @Option(name: .long, help: "Your private key (PEM, mode 0600) (default: $AIRLOCK_KEY).")
  var key: String?

  func openWorkflow() throws(AirlockError) -> ReviewWorkflow {
    ReviewWorkflow(store: try storeOptions.open())
  }

  func signingKey() throws(AirlockError) -> SigningKey {
    guard let path = key ?? ProcessInfo.processInfo.environment["AIRLOCK_KEY"], !path.isEmpty else {
      throw AirlockError(.usage, "this command acts for a person: give --key PATH (or set AIRLOCK_KEY)")
    }
    return try KeyFile.loadPrivateKey(path)
  }

  /// Runs one signed workflow step: opens the store, loads the person's key, then the step (an
  /// error becomes its message and exit code in `AirlockCommand.main`).
  func act(_ step: (ReviewWorkflow, SigningKey) throws(AirlockError) -> Void) throws(AirlockError) {
    let workflow = try openWorkflow()
    let key = try signingKey()
    try step(workflow, key)
  }
}

/// Where the decision log is: a store's, or a published copy. Its `--store` is declared here rather
/// than through `StoreOptions` because its help says where in the store the log is.
struct LogLocation: ParsableArguments {
  @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock); its log is STORE/log.")
  var store: String?

  @Option(name: .long, help: "A decision log folder (e.g. a published copy), instead of the store's.")
  var log: String?

  var folder: URL {
    if let log { return URL(fileURLWithPath: log) }
    return StoreOptions.url(store).appendingPathComponent("log")
  }

  func open() throws(AirlockError) -> TransparencyLog {
    try TransparencyLog.open(at: folder)
  }
}

/// Where a trust command reads and writes: `--file`, or the store's trust list.
struct TrustFileOptions: ParsableArguments {
  @OptionGroup var storeOptions: StoreOptions

  @Option(name: .long, help: "A trust list file to use instead of the store's.")
  var file: String?

  func path() throws(AirlockError) -> String {
    if let file { return file }
    return try storeOptions.open().trustListPath
  }
}

/// `--rules`: the rule pack outputs are checked against (check, protect, history add).
struct RulePackOptions: ParsableArguments {
  @Option(name: .long, help: "A built-in rule pack name or a path to a pack YAML file.")
  var rules: String = "default"

  /// Loads the pack (validated: a bad pack is a configuration error naming its line).
  func load() throws(AirlockError) -> RulePack { try RulePackLoader.load(rules) }
}

/// `--fail-on`: the least severe verdict that blocks (check, report).
struct FailOnOptions: ParsableArguments {
  @Option(name: .long, help: "The least severe verdict that blocks (exit 1): fail or review.")
  var failOn: Outcome = .review

  func validate() throws {
    guard failOn != .pass else { throw ValidationError("--fail-on must be fail or review") }
  }
}

/// Options every tabulate command shares (what they do with them: `Tabulate.swift`).
struct TabulateCommonOptions: ParsableArguments {
  @Option(
    name: .long, help: "Where to write: DIR/NAME (NAME.csv, NAME.evidence.csv, NAME.airlock.yaml, NAME.tabulate.json).")
  var out: String?

  @Option(name: .long, help: "A built-in rule pack name or a path to a pack YAML file (margin label, top-K, --check).")
  var rules: String = "default"

  @Flag(
    name: .long,
    help: "Run 'airlock check' on the table written (the protected one with --protect), and exit with its status.")
  var check = false

  @Flag(name: .long, help: "Overwrite existing files.")
  var force = false
}
