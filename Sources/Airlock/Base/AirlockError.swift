/// An error that stops airlock from checking an input or loading its configuration.
///
/// Every error names where it happened as `file:line:column` when a position is known, so that a
/// person can go straight to it. The command-line tool exits with code 2 for these.
public struct AirlockError: Error, Sendable, Equatable, CustomStringConvertible, Codable {
  /// What kind of problem this is; stable for scripts.
  public enum Kind: String, Sendable, Codable {
    /// The input file could not be read or parsed as a table.
    case input
    /// A rule pack or sidecar manifest is invalid.
    case configuration
    /// The command was used wrongly.
    case usage
  }

  public var kind: Kind
  /// The file the error is about, if any.
  public var file: String?
  /// 1-based line, if known.
  public var line: Int?
  /// 1-based character column, if known.
  public var column: Int?
  /// What is wrong, lowercase, no trailing period.
  public var message: String

  public init(_ kind: Kind, file: String? = nil, line: Int? = nil, column: Int? = nil, _ message: String) {
    self.kind = kind
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `file:line:column: message`, leaving out what is unknown.
  public var description: String {
    var location = ""
    if let file {
      location = file.escapingControlCharacters
      if let line {
        location += ":\(line)"
        if let column { location += ":\(column)" }
      }
      location += ": "
    }
    return location + message
  }
}
