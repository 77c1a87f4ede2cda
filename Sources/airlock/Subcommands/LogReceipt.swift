import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct LogReceipt: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "receipt",
      abstract: "Print the tlog-proof receipt of an approved request's review record.")
    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The request id.") var request: String

    func run() throws {
      let opened = try storeOptions.open()
      print(try ReviewWorkflow(store: opened).logReceipt(request).text, terminator: "")
    }
  }
}
