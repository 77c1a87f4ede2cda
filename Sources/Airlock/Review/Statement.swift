import Foundation

/// An in-toto Statement v1 whose predicate is an airlock review decision.
public struct ReviewStatement: Codable, Sendable, Equatable {
  public static let statementType = "https://in-toto.io/Statement/v1"
  public static let predicateTypeURI = "https://airlock.dev/review/v0.1"

  /// A released file: its path relative to the release folder and its SHA-256.
  public struct Subject: Codable, Sendable, Equatable {
    public var name: String
    public var digest: [String: String]

    public init(name: String, sha256: String) {
      self.name = name
      digest = ["sha256": sha256]
    }
  }

  public var type: String = Self.statementType
  public var subject: [Subject]
  public var predicateType: String = Self.predicateTypeURI
  public var predicate: ReviewPredicate

  enum CodingKeys: String, CodingKey {
    case type = "_type"
    case subject, predicateType, predicate
  }

  public init(subject: [Subject], predicate: ReviewPredicate) {
    self.subject = subject
    self.predicate = predicate
  }

  /// The serialized payload: sorted keys, no escaped slashes, no floating point.
  public func encoded() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try! encoder.encode(self)
  }
}

/// The airlock review predicate: the request, the policy, the checks, the decision and the reviews.
public struct ReviewPredicate: Codable, Sendable, Equatable {
  public struct Person: Codable, Sendable, Equatable {
    public var principal: String
    public var keyid: String
  }

  public struct Request: Codable, Sendable, Equatable {
    public var id: String
    public var project: String
    public var group: String
    public var author: Person
    public var submittedAt: String
    public var turn: Int
    public var context: String
    public var controls: String
    public var exception: String?
  }

  public struct RulePackRef: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    /// SHA-256 of the pack's effective YAML.
    public var digest: [String: String]
    /// Independent reviews the pack requires.
    public var reviewers: Int
  }

  /// A finding without its `reason` text: reasons may quote cell values, and records leave the TRE.
  public struct CheckedFinding: Codable, Sendable, Equatable {
    public var code: String
    public var rule: String
    public var outcome: String
    public var line: Int?
    public var column: Int?
    public var columnName: String?
    public var cell: String?
  }

  public struct CheckedFile: Codable, Sendable, Equatable {
    public var name: String
    public var digest: [String: String]
    /// `output` (released) or `supporting` (reviewed, never released).
    public var kind: String
    /// `pass`, `review`, `fail`, or `error`; nil for supporting files (not checked).
    public var outcome: String?
    public var findings: [CheckedFinding]
    /// What the file's manifest, columns and the request declared that made airlock check less
    /// (absent when nothing was taken on trust).
    public var claims: [ClaimedDeclaration]? = nil
    /// SHA-256 of `claims` (``ReviewPredicate/claimsDigest(_:)``): what each approving checker's
    /// vote accepted. A verifier recomputes it.
    public var claimsDigest: String? = nil
  }

  /// A claim without its words (labels, columns, reason): records leave the TRE. Where it is
  /// declared and which rules it relaxes.
  public struct ClaimedDeclaration: Codable, Sendable, Equatable {
    public var kind: String
    /// The manifest's file name.
    public var manifest: String?
    public var line: Int?
    public var column: Int?
    /// The manifest key path (`structural_zeros[0]`).
    public var key: String?
    /// The output's 1-based field (a flag column, a declared role).
    public var field: Int?
    public var rules: [String]

    public init(_ claim: Claim) {
      kind = claim.kind.rawValue
      manifest = claim.manifest.map { ($0 as NSString).lastPathComponent }
      line = claim.line
      column = claim.column
      key = claim.key
      field = claim.field
      rules = claim.rules
    }
  }

  /// SHA-256 (hex) of `claims` as JSON with sorted keys, in order.
  public static func claimsDigest(_ claims: [ClaimedDeclaration]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Digest.sha256((try? encoder.encode(claims)) ?? Data())
  }

  /// The digest a vote on a file with `claims` must accept: nil when there are none.
  public static func claimsDigest(of claims: [Claim]) -> String? {
    claims.isEmpty ? nil : claimsDigest(claims.map(ClaimedDeclaration.init))
  }

  /// A finding the checkers approved anyway, with both sides' reasons.
  public struct Override: Codable, Sendable, Equatable {
    public var file: String
    public var code: String
    public var rule: String
    public var outcome: String
    public var cell: String?
    public var line: Int?
    public var column: Int?
    /// The researcher's exception request.
    public var exception: String?
    /// Each approving checker's comment on the file.
    public var justifications: [Justification]
  }

  public struct Justification: Codable, Sendable, Equatable {
    public var reviewer: String
    public var comment: String
  }

  public struct Checks: Codable, Sendable, Equatable {
    /// PASSED, WARNED (some output needs review) or FAILED.
    public var result: String
    public var files: [CheckedFile]
    public var overridden: [Override]
  }

  public struct Vote: Codable, Sendable, Equatable {
    public var file: String
    public var digest: [String: String]
    public var vote: String
    public var comment: String?
    /// The claims digest of the file this approval accepted (`vote --accept-claims`); absent when
    /// the file carried no claims.
    public var acceptedClaims: String? = nil
  }

  public struct Review: Codable, Sendable, Equatable {
    public var reviewer: Person
    public var reviewedAt: String
    public var votes: [Vote]
  }

  public struct Decision: Codable, Sendable, Equatable {
    /// `APPROVED`.
    public var outcome: String
  }

  public struct Tool: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
  }

  public var recordId: String
  public var request: Request
  public var rulePack: RulePackRef
  public var checks: Checks
  public var decision: Decision
  public var reviews: [Review]
  public var createdAt: String
  public var tool: Tool
}
