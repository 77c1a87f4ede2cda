import Airlock
import ArgumentParser

extension AirlockCommand {
  struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The release history that new outputs are compared with (differencing across releases).",
      subcommands: [Add.self, Count.self])
  }
}
