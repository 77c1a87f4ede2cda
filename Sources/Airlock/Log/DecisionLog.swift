import Foundation

/// One public entry of the decision log: what happened to which request, when, by which key,
/// under which rule pack, with which outcome. It never holds file names, file digests, cell
/// values, comments or the free text of a request (a small table's hash can be guessed); an
/// approval commits to its review record only through the statement's SHA-256, which a random
/// `recordId` makes unguessable.
public struct LogEntry: Codable, Sendable, Equatable {
  public struct Actor: Codable, Sendable, Equatable {
    /// `researcher`, `checker` or `release`.
    public var role: String
    /// The checker's or release operator's key id (researchers' keys are not published).
    public var keyid: String?
  }

  public struct Pack: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
  }

  public var v = 1
  /// The entry's position in the log (0-based).
  public var index: Int
  /// When the log appended the entry.
  public var loggedAt: String
  /// The workflow event: submit, resubmit, vote, submit-review, approve, return, reject, withdraw, release.
  public var event: String
  /// The store's event number (the log is caught up from the store by it).
  public var eventId: Int
  /// When the event happened, by the store's clock.
  public var at: String
  public var request: String
  public var project: String
  public var turn: Int
  /// The request's status after the event.
  public var status: String?
  public var actor: Actor
  public var rulePack: Pack
  public var reviewersRequired: Int
  /// Whether the researcher asked for an exception (its text is not published).
  public var exceptionRequested: Bool
  /// Output files in the request (counted, never named).
  public var outputs: Int
  public var supporting: Int
  /// A checker's vote (on one file, not named). No longer written: votes are blind until every
  /// review is in, and the log is public as it happens (entries of earlier versions carry it).
  public var vote: String?
  /// APPROVED, REJECTED, WITHDRAWN or RELEASED when this event decides the request.
  public var decision: String?
  /// SHA-256 of the review record's DSSE payload (approvals and releases).
  public var statementSha256: String?
  public var predicateType: String?
  /// Key ids whose signatures on the review record verify.
  public var signers: [String]?
  /// Exceptions granted: rule code → number of findings the checkers approved despite it.
  public var overridden: [String: Int]?

  /// The entry as one compact JSON line (keys sorted).
  public func line() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try! encoder.encode(self)
  }

  public static func parse(_ line: Data) throws(AirlockError) -> LogEntry {
    do { return try JSONDuplicateCheck.decode(LogEntry.self, from: line) } catch {
      throw AirlockError(.input, "not an airlock log entry")
    }
  }
}
