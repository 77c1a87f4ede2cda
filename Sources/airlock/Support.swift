import Airlock
import ArgumentParser
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Exit statuses shared by every command.
enum ExitStatus {
  /// An output fails or needs review (at `--fail-on`), or a verification failed.
  static let failed = ExitCode(1)

  /// A usage, input or configuration error.
  static let error = ExitCode(2)
}

extension AirlockError {
  /// The exit code of a command that stops on this error. This is the one place that maps errors
  /// to exit codes: commands throw `AirlockError` and `AirlockCommand.main` prints it and exits
  /// with this code. Every kind is 2, as --help documents ("2 a usage, input or configuration
  /// error"), so that an error is never read as findings (exit 1, ArgumentParser's default for a
  /// thrown error).
  var exitCode: ExitCode {
    switch kind {
    case .input, .configuration, .usage: ExitStatus.error
    }
  }
}

/// Writes a line to standard error.
func printError(_ text: String) {
  var stderr = StandardError()
  print(text, to: &stderr)
}

struct StandardError: TextOutputStream {
  mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}

/// Whether standard output is a terminal that wants colour.
var useColor: Bool {
  isatty(STDOUT_FILENO) == 1 && getenv("NO_COLOR") == nil
}

/// Outcomes as `--fail-on` takes them: only `review` and `fail` block, so `pass` is neither
/// offered (help, completions, man page) nor accepted.
extension Outcome: ExpressibleByArgument {
  public init?(argument: String) {
    guard argument != Outcome.pass.rawValue, let outcome = Outcome(rawValue: argument) else { return nil }
    self = outcome
  }

  public static var allValueStrings: [String] { [Outcome.review.rawValue, Outcome.fail.rawValue] }
}

/// Prints a Codable value as sorted, pretty JSON.
func printJSON<T: Encodable>(_ value: T) {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  print(String(decoding: try! encoder.encode(value), as: UTF8.self))
}

/// "3h", "2d": how long ago an ISO time was.
func age(_ iso: String) -> String {
  guard let date = ISOTime.parse(iso) else { return "?" }
  let seconds = max(0, Int(Date().timeIntervalSince(date)))
  if seconds < 3600 { return "\(seconds / 60)m" }
  if seconds < 86400 { return "\(seconds / 3600)h" }
  return "\(seconds / 86400)d"
}

/// A default log origin: the host's name, as a schema-less URL.
func defaultLogOrigin() -> String {
  let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || "-.".contains($0) }
  return "\(host.isEmpty ? "localhost" : host)/airlock/log"
}
