import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  /// `airlock trust`: the trust list (OpenSSH `allowed_signers`) without writing it by hand.
  struct Trust: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add people's keys to a trust list, and list who holds which role.",
      discussion: """
        The trust list is the store's (STORE/allowed_signers) unless --file names another (a verifier's own copy \
        for 'airlock verify --trust').
        """,
      subcommands: [TrustAdd.self, TrustListCommand.self])
  }

  /// Where a trust command reads and writes: `--file`, or the store's trust list.
  struct TrustFileOptions: ParsableArguments {
    @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock).")
    var store: String?

    @Option(name: .long, help: "A trust list file to use instead of the store's.")
    var file: String?

    func path() throws(AirlockError) -> String {
      if let file { return file }
      return try ReviewStore.open(at: store.map { URL(fileURLWithPath: $0) } ?? ReviewStore.defaultRoot()).trustListPath
    }
  }
}
