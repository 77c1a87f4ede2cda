import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List, show and explain rules and rule packs.",
      subcommands: [List.self, Show.self, Explain.self, ImportACRO.self])

    struct List: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "List the built-in rule packs and rules.")

      func run() throws {
        print("Rule packs:")
        for name in RulePackLoader.builtInNames {
          let pack = try? RulePackLoader.load(name)
          print("  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(pack?.version ?? "?")  \(pack?.description ?? "")")
        }
        print("\nRules:")
        for rule in RuleRegistry.builtIn {
          let d = rule.description
          print("  \(d.code)  \(d.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(d.summary)")
        }
      }
    }

    struct Show: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Show a rule pack (with --effective, every parameter in force).")

      @Argument(help: "A built-in pack name or a path to a pack YAML file.")
      var pack: String

      @Flag(help: "Print the effective parameters of every rule, after defaults and extends.")
      var effective = false

      func run() throws {
        do {
          let loaded = try RulePackLoader.load(pack)
          if effective || RulePackLoader.builtInText(pack) == nil {
            print(loaded.effectiveYAML(), terminator: "")
          } else {
            print(RulePackLoader.builtInText(pack)!, terminator: "")
          }
        } catch {
          throw fail(error)
        }
      }
    }

    struct Explain: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Explain a rule: what, why, parameters and examples.")

      @Argument(help: "A rule code (C001) or name (small-cell-count).")
      var rule: String

      func run() throws {
        guard let type = RuleRegistry.rule(codeOrName: rule) else {
          throw fail(AirlockError(.usage, "unknown rule '\(rule)' (see 'airlock rules list')"))
        }
        print(RuleDocumentation.markdown(for: type), terminator: "")
      }
    }

    struct ImportACRO: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "import-acro", abstract: "Convert an ACRO configuration (default.yaml) into a rule pack.")

      @Argument(help: "The ACRO YAML file.")
      var file: String

      @Option(name: .long, help: "The new pack's name.")
      var name: String = "acro-import"

      @Flag(help: "Convert the rest when some keys have no airlock equivalent (each is listed on stderr).")
      var allowUnmapped = false

      func run() throws {
        do {
          let conversion = try ACROImport.convert(path: file, name: name, allowUnmapped: allowUnmapped)
          // Listed, never dropped silently: the pack is weaker than the ACRO configuration by these.
          for line in conversion.unmapped { printError("warning: \(line)") }
          print(conversion.yaml, terminator: "")
        } catch {
          throw fail(error)
        }
      }
    }
  }
}
