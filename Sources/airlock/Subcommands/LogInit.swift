import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct LogInit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Create the store's decision log and its key (kept apart from reviewers' keys), and log past events.")
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The log's origin (a schema-less URL naming this log; also the key's name).")
    var origin: String?
    @Option(name: .long, help: "The log's private key (PEM, 0600); created when missing (default: STORE/log.key).")
    var key: String?

    func run() throws {
      let opened = try storeOptions.open()
      let log = try opened.enableLog(origin: origin ?? defaultLogOrigin(), keyPath: key)
      print("decision log ready at \(log.folder.path)")
      print("log key (pin this): \(log.verifier.vkey)")
    }
  }
}
