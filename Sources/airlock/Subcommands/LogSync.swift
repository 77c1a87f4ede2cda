import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct LogSync: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sync",
      abstract: "Append every store event the log lacks (after a crash between a store commit and its log append).",
      discussion: """
        Finishes an append a crash interrupted first. Entries that no checkpoint signs and no interrupted append \
        accounts for (added by hand, or left by an older airlock's crash) are refused unless \
        --adopt-unsigned: check them first.
        """)
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .long, help: "Sign entries after the latest checkpoint that nothing signs, as they are.")
    var adoptUnsigned = false

    func run() throws {
      let opened = try storeOptions.open()
      guard let checkpoint = try opened.syncLog(adoptUnsigned: adoptUnsigned) else {
        throw AirlockError(.usage, file: opened.root.path, "this store keeps no decision log (run 'airlock log init')")
      }
      print("log holds \(checkpoint.size) entries")
    }
  }
}
