import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand.History {
  struct Count: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print how many released tables the history holds.")

    @Option(name: .long, help: "The history database (SQLite).")
    var history: String

    func run() throws {
      print(try ReleaseHistory(path: history).count())
    }
  }
}
