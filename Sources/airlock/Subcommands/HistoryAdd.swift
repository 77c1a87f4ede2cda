import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.History {
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record released frequency tables in the history.")

    @Argument(help: "Released outputs (files or folders).")
    var paths: [String]

    @Option(name: .long, help: "The history database (SQLite).")
    var history: String

    @OptionGroup var rulePack: RulePackOptions

    func run() throws {
      let store = try ReleaseHistory(path: history)
      let tables = try ReleaseHistory.comparableTables(paths: paths, pack: try rulePack.load())
      for table in tables { try store.add(table) }
      print("added \(tables.count) table\(tables.count == 1 ? "" : "s") to \(history) (\(try store.count()) in all)")
    }
  }
}
