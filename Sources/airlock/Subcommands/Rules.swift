import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List, show and explain rules and rule packs.",
      subcommands: [List.self, Show.self, Explain.self, ImportACRO.self])
  }
}
