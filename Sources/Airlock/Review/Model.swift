import Foundation

/// Where a request is in the workflow (OpenSAFELY Airlock's states; docs/review-workflow.md).
public enum RequestStatus: String, Sendable, Codable, CaseIterable {
  case submitted
  case partiallyReviewed = "partially_reviewed"
  case reviewed
  case returned
  case approved
  case rejected
  case withdrawn
  case released

  /// States in which checkers hold the turn.
  public var isReviewerOwned: Bool { [.submitted, .partiallyReviewed, .reviewed].contains(self) }
  /// The independent (blind) phase.
  public var isIndependent: Bool { [.submitted, .partiallyReviewed].contains(self) }
  /// States that never change again.
  public var isFinal: Bool { [.rejected, .withdrawn, .released].contains(self) }
}

/// A checker's vote on one output file.
public enum VoteStatus: String, Sendable, Codable {
  case approved
  case changesRequested = "changes_requested"
  /// Set by the system on resubmission, never by a checker.
  case undecided
}

/// The decision on one output file from the submitted reviews of the current turn.
public enum FileDecision: String, Sendable, Codable {
  case incomplete, approved
  case changesRequested = "changes_requested"
  case conflicted
}

/// A file in a request.
public struct RequestFile: Sendable, Codable {
  public var name: String
  /// `output` (voted on and released) or `supporting` (reviewed, never released).
  public var kind: String
  public var sha256: String
  public var size: Int
  /// The check verdict (`pass`, `review`, `fail`, `error`), nil for supporting files.
  public var outcome: String?
  /// The stored check result.
  public var result: OutputResult?
  /// What the file's check and the request declare that is taken on trust (its check result's
  /// claims, and the researcher's exception request): an approving vote must accept them.
  public var claims: [Claim] = []
}

public struct VoteInfo: Sendable, Codable {
  public var file: String
  public var reviewer: String
  public var status: VoteStatus
  public var comment: String?
  public var sha256: String
  public var turn: Int
  public var votedAt: String
  /// The claims digest an approval accepted (nil when the file had no claims, or for other votes).
  public var acceptedClaims: String?
}

public struct ReviewInfo: Sendable, Codable {
  public var reviewer: String
  public var keyid: String
  public var turn: Int
  public var submittedAt: String
}

public struct CommentInfo: Sendable, Codable {
  public var author: String
  public var role: String
  public var file: String?
  public var text: String
  public var turn: Int
  public var createdAt: String
}

public struct EventInfo: Sendable, Codable {
  public var type: String
  public var actor: String
  public var turn: Int
  public var at: String
  public var detail: [String: String]
}

/// A request as one person may see it (blinding applied).
public struct RequestView: Sendable, Codable {
  public var id: String
  public var project: String
  public var group: String
  public var context: String
  public var controls: String
  public var exception: String?
  public var author: String
  public var status: RequestStatus
  public var turn: Int
  public var reviewersRequired: Int
  public var rulePack: String
  public var createdAt: String
  public var submittedAt: String
  public var updatedAt: String
  public var files: [RequestFile]
  /// Reviews submitted in the current turn (who and when; their votes are in `votes` if visible).
  public var reviews: [ReviewInfo]
  /// The votes this viewer may see.
  public var votes: [VoteInfo]
  /// Per output file decisions, when this viewer may see them.
  public var decisions: [String: FileDecision]?
  public var comments: [CommentInfo]
  public var history: [EventInfo]
  /// What is wrong with the signed, chained history (empty when every event verifies).
  public var historyProblems: [String]
  /// Signatures on the current turn's review record, when one exists.
  public var recordSignatures: Int?
}

/// One line of a checker's queue.
public struct QueueItem: Sendable, Codable {
  /// `awaiting-you`, `in-review`, `returned` or `approved`.
  public var category: String
  public var id: String
  public var project: String
  public var status: RequestStatus
  public var turn: Int
  public var outputs: [String]
  public var supporting: [String]
  /// Check verdict counts: pass, review, fail, error.
  public var checks: [String: Int]
  /// Claims over the output files: what a checker must accept to approve.
  public var claims: Int = 0
  public var submittedAt: String
  public var reviewsSubmitted: Int
  public var reviewsRequired: Int
  /// What the viewer still has to do, in words.
  public var action: String?
}

/// A short status line of a request.
public struct RequestSummary: Sendable, Codable {
  public var id: String
  public var project: String
  public var author: String
  public var status: RequestStatus
  public var turn: Int
  public var outputs: Int
  public var supporting: Int
  public var reviewsSubmitted: Int
  public var reviewsRequired: Int
  public var submittedAt: String
  public var updatedAt: String
}

/// What `submit-review` did.
public struct SubmitReviewResult: Sendable {
  public var status: RequestStatus
  public var reviewsSubmitted: Int
  public var reviewsRequired: Int
  /// Whether a review record now exists for this turn.
  public var recordReady: Bool
  /// Signatures on the record.
  public var signatures: Int
}

/// What `release` did.
public struct ReleaseResult: Sendable {
  public var copied: [String]
  public var alreadyPresent: [String]
  public var recordPath: String
  /// The record's decision-log receipt, when the store keeps a log.
  public var receiptPath: String?
}
