import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The tamper-evident decision log: an RFC 6962 Merkle tree with signed C2SP checkpoints.",
      discussion: "See docs/transparency-log.md. Verification failures exit 1; usage and input errors exit 2.",
      subcommands: [LogInit.self, LogVerify.self, LogProve.self, LogConsistency.self, LogReceipt.self, LogSync.self])
  }
}
