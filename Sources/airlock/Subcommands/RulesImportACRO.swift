import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.Rules {
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
      let conversion = try ACROImport.convert(path: file, name: name, allowUnmapped: allowUnmapped)
      // Listed, never dropped silently: the pack is weaker than the ACRO configuration by these.
      for line in conversion.unmapped { printError("warning: \(line)") }
      print(conversion.yaml, terminator: "")
    }
  }
}
