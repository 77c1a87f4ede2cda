import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Verify an approved request's record, then copy its output files out, with the record beside them.",
      discussion: """
        Files are copied from the store's content-addressed copies (what was reviewed is what is released), \
        each through a temporary file and a no-replace link. Refuses symlinks, path traversal and overwriting \
        different files. Safe to run twice.
        """)
    @OptionGroup var options: ReviewOptions
    @Argument(help: "The request id.") var request: String
    @Option(name: .long, help: "The release folder.") var to: String

    func run() throws {
      try options.act { workflow, key throws(AirlockError) in
        let result = try workflow.release(request, to: to, key: key)
        for name in result.copied { print("released \(name)") }
        for name in result.alreadyPresent { print("already released \(name)") }
        print("record: \(result.recordPath)")
        if let receipt = result.receiptPath { print("log receipt: \(receipt)") }
      }
    }
  }
}
