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
}
