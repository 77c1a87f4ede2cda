import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct LogProve: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "prove",
      abstract: "Print a C2SP tlog-proof that entry N (0-based) is in the log's latest checkpoint.")
    @OptionGroup var location: LogLocation
    @Argument(help: "The entry's index (0-based).") var index: Int

    func run() throws {
      let log = try location.open()
      print(try log.receipt(for: index).text, terminator: "")
    }
  }
}
