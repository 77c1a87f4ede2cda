import Airlock
import ArgumentParser

@main
struct AirlockCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "airlock",
    abstract: "Decide whether research outputs may leave a Trusted Research Environment.",
    discussion: """
      Exit codes: 0 every output passes; 1 an output fails or needs review (see --fail-on); \
      2 a usage, input or configuration error (an output that cannot be read, a bad rule pack).
      """,
    version: versionText,
    subcommands: [
      Check.self, Report.self, Protect.self, Tabulate.self, History.self, Rules.self,
      Init.self, Keygen.self, Trust.self, Submit.self, Status.self, Withdraw.self, Resubmit.self,
      Queue.self, Show.self, Vote.self, SubmitReview.self, Approve.self, Return.self, Reject.self,
      Verify.self, Release.self, Log.self, RegisterCommand.self,
    ]
  )

  /// Where every error becomes its message and exit code. An `AirlockError` is printed as
  /// `error: ...` on standard error and exits with its `exitCode` (2). ArgumentParser exits 64
  /// (EX_USAGE) on a usage error; airlock's documented code for every usage, input or configuration
  /// error is 2, so that is what it exits with (help and man page say so, and CLI tests pin it).
  /// Anything else (an `ExitCode` a command chose, help, version) is ArgumentParser's to handle.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as AirlockError {
      printError("error: \(error)")
      Self.exit(withError: error.exitCode)
    } catch {
      if exitCode(for: error).rawValue == 64 {
        printError(fullMessage(for: error))
        Self.exit(withError: ExitStatus.error)
      }
      Self.exit(withError: error)
    }
  }
}

/// The built-in rule packs with their versions, for `--version`: "default 1.0.0, ...".
private let packVersions = RulePackLoader.builtInNames.map { name in
  (try? RulePackLoader.load(name)).map { "\(name) \($0.version)" } ?? name
}.joined(separator: ", ")

/// The version text. Reading every built-in pack to name their versions takes most of a short
/// command's time (tens of milliseconds): it is done only when the text can be shown.
private let versionText: String = {
  let shown = CommandLine.arguments.dropFirst().contains {
    $0 == "--version" || $0.hasPrefix("--experimental") || $0.hasPrefix("--generate")
  }
  return shown ? "airlock \(AirlockVersion.current) (rule packs: \(packVersions))" : "airlock \(AirlockVersion.current)"
}()
