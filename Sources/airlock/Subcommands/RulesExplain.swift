import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.Rules {
  struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Explain a rule: what, why, parameters and examples.")

    @Argument(help: "A rule code (C001) or name (small-cell-count).")
    var rule: String

    func run() throws {
      guard let type = RuleRegistry.rule(codeOrName: rule) else {
        throw AirlockError(.usage, "unknown rule '\(rule)' (see 'airlock rules list')")
      }
      print(RuleDocumentation.markdown(for: type), terminator: "")
    }
  }
}
