import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create (or upgrade) a review store, and install its trust list and rule packs.",
      discussion: """
        The store is ./.airlock (or $AIRLOCK_STORE): an SQLite database plus content-addressed copies of \
        submitted files. Running init again on an existing store keeps its requests and applies the options given.
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "Trust list (OpenSSH allowed_signers) naming who may submit, review and release.")
    var trust: String?

    @Option(name: .long, help: "The rule pack for every project without its own (a built-in name or a path).")
    var rules: String?

    @Option(name: .customLong("project-rules"), help: "PROJECT=PACK: the rule pack of one project (repeatable).")
    var projectRules: [String] = []

    @Option(name: .customLong("log-origin"), help: "The decision log's origin (default: HOST/airlock/log).")
    var logOrigin: String?

    @Option(
      name: .customLong("log-key"),
      help: "The decision log's private key; created when missing (default: STORE/log.key).")
    var logKey: String?

    @Flag(
      name: .customLong("no-log"), help: "Keep no decision log (not recommended; 'airlock log init' adds one later).")
    var noLog = false

    func run() throws {
      let root = storeOptions.url
      // All or nothing: a new store that cannot be completed (a log key that cannot be written,
      // say) is removed, never left half made.
      let existed = FileManager.default.fileExists(atPath: root.path)
      do throws(AirlockError) {
        let config = try ReviewStore.configuration(at: root, rules: rules, projectRules: projectRules)
        let created = try ReviewStore.create(at: root, config: config, trustList: trust)
        print("review store ready at \(created.root.path)")
        if !noLog && (!created.hasLog || logKey != nil) {
          let log = try created.enableLog(origin: logOrigin ?? defaultLogOrigin(), keyPath: logKey)
          print("decision log at \(log.folder.path); log key (pin this): \(log.verifier.vkey)")
        }
        if !FileManager.default.fileExists(atPath: created.trustListPath) {
          print("note: no trust list yet; run 'airlock init --trust allowed_signers'")
        }
      } catch {
        if !existed { try? FileManager.default.removeItem(at: root) }
        throw error
      }
    }
  }
}
