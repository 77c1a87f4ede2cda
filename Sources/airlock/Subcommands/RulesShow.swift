import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.Rules {
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a rule pack (with --effective, every parameter in force).")

    @Argument(help: "A built-in pack name or a path to a pack YAML file.")
    var pack: String

    @Flag(help: "Print the effective parameters of every rule, after defaults and extends.")
    var effective = false

    func run() throws {
      let loaded = try RulePackLoader.load(pack)
      if effective || RulePackLoader.builtInText(pack) == nil {
        print(loaded.effectiveYAML(), terminator: "")
      } else {
        print(RulePackLoader.builtInText(pack)!, terminator: "")
      }
    }
  }
}
