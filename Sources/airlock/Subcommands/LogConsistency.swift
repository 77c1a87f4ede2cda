import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct LogConsistency: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "consistency",
      abstract: "Print the RFC 6962 consistency proof from the tree of OLD entries to the tree of NEW entries.",
      discussion: """
        Output: 'old SIZE ROOT', 'new SIZE ROOT' (base64 roots), then the proof hashes in base64, one per line. \
        Check the roots against the signed checkpoints checkpoints/OLD and checkpoints/NEW.
        """)
    @OptionGroup var location: LogLocation
    @Argument(help: "The older tree size.") var old: Int
    @Argument(help: "The newer tree size (default: the latest checkpoint's).") var new: Int?

    func run() throws {
      let log = try location.open()
      let (old, new, proof) = try log.consistencyProof(from: old, to: new)
      print("old \(old.size) \(old.root.base64EncodedString())")
      print("new \(new.size) \(new.root.base64EncodedString())")
      for hash in proof { print(hash.base64EncodedString()) }
    }
  }
}
