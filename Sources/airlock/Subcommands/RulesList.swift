import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.Rules {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the built-in rule packs and rules.")

    func run() throws {
      print("Rule packs:")
      for name in RulePackLoader.builtInNames {
        let pack = try? RulePackLoader.load(name)
        print(
          "  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(pack?.version ?? "?")  \(pack?.description ?? "")"
        )
      }
      print("\nRules (status, and the pack format from which a stable rule is on by default):")
      for rule in RuleRegistry.builtIn {
        let d = rule.description
        let status = d.required ? "required" : d.status == .stable ? "stable/\(d.since)" : d.status.rawValue
        print(
          "  \(d.code)  \(d.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(d.summary)"
        )
      }
    }
  }
}
