import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct RegisterExport: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Export the register (one row per request) as JSON lines, CSV or a web page.",
      discussion: """
        Built only from the public decision log (after verifying it), so it holds no file names, digests or \
        values and can be published as it is. Fields: docs/transparency-log.md. Exit 1 when the log does not verify.
        """)
    @OptionGroup var location: LogLocation
    @Option(name: .long, help: "jsonl, csv or html.") var format: Register.Format = .jsonl
    @Option(name: [.short, .long], help: "Write to this file instead of standard output.") var out: String?

    func run() throws {
      let log = try location.open()
      let (problems, size) = log.verify()
      for problem in problems { printError("verification failed: \(problem)") }
      guard problems.isEmpty else { throw ExitStatus.failed }
      let text = try Register.export(log, verifiedSize: size, format: format)
      if let out {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
          throw AirlockError(.input, file: out, "cannot write the register")
        }
      } else {
        print(text, terminator: "")
      }
    }
  }
}
