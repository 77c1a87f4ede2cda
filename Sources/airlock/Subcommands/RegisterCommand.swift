import Airlock
import ArgumentParser
import Foundation

extension Register.Format: ExpressibleByArgument {}

extension AirlockCommand {
  struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "register",
      abstract: "The public register of requests and decisions, built from the decision log.",
      subcommands: [RegisterExport.self])
  }
}
