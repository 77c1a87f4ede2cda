import Foundation

/// What a verifier requires of a review record. The trust list comes from the verifier's own
/// configuration, never from the record or the bundle it travels in.
public struct VerificationPolicy: Sendable {
  public var trust: TrustList
  /// The least number of distinct trusted reviewer keys; the record's own rule pack can raise it,
  /// never lower it.
  public var minimumReviewers: Int
  /// When set, the record must be for this request (a record replayed for another is refused).
  public var expectedRequest: String?

  public init(trust: TrustList, minimumReviewers: Int = 2, expectedRequest: String? = nil) {
    self.trust = trust
    self.minimumReviewers = minimumReviewers
    self.expectedRequest = expectedRequest
  }
}

/// The outcome of verifying a review record.
public struct VerificationReport: Sendable {
  /// Every condition that failed, in words. Empty means verified.
  public var failures: [String] = []
  /// Facts worth showing (a key that signed twice, a signature no trusted key made).
  public var notes: [String] = []
  /// The statement, parsed from the verified payload bytes.
  public var statement: ReviewStatement?
  /// The principals whose signatures counted.
  public var reviewers: [String] = []

  public var verified: Bool { failures.isEmpty && statement != nil }
}

/// Verifies DSSE review records (issue 5 §6).
public enum RecordVerifier {
  /// Verifies `data` (a DSSE envelope) under `policy`; when `files` is given, the files in that
  /// folder must be exactly the statement's subjects. `ignoring` names a file in the folder to
  /// leave out (the record itself, written beside the files).
  public static func verify(
    _ data: Data, policy: VerificationPolicy, files folder: String? = nil, ignoring recordPath: String? = nil
  ) -> VerificationReport {
    var report = VerificationReport()
    let envelope: Envelope
    do { envelope = try Envelope.parse(data) } catch {
      report.failures.append(error.message)
      return report
    }
    guard envelope.payloadType == Envelope.inTotoPayloadType else {
      report.failures.append("payloadType is '\(envelope.payloadType)', not '\(Envelope.inTotoPayloadType)'")
      return report
    }
    guard let body = envelope.body else {
      report.failures.append("payload is not base64")
      return report
    }
    // Signatures first, over the exact payload bytes; then parse those same bytes.
    let reviewerKeys = policy.trust.keys(for: .review)
    let message = Envelope.pae(envelope.payloadType, body)
    var signers: [PublicKey] = []
    for signature in envelope.signatures {
      guard let bytes = Data(lenientBase64: signature.sig) else {
        report.notes.append("a signature is not base64")
        continue
      }
      guard let key = reviewerKeys.first(where: { $0.isValidSignature(bytes, for: message) }) else {
        report.notes.append("signature with keyid \(signature.keyid.prefix(16))… does not verify under any trusted reviewer key")
        continue
      }
      if signers.contains(key) {
        report.notes.append("key \(key.fingerprint) signed more than once; it counts once")
      } else {
        signers.append(key)
      }
    }
    let statement: ReviewStatement
    do { statement = try JSONDecoder().decode(ReviewStatement.self, from: body) } catch {
      report.failures.append("payload is not an airlock review statement")
      return report
    }
    guard statement.type == ReviewStatement.statementType, statement.predicateType == ReviewStatement.predicateTypeURI else {
      report.failures.append("statement type is '\(statement.type)' / '\(statement.predicateType)', not an airlock review v0.1")
      return report
    }
    report.statement = statement
    let predicate = statement.predicate
    if let expected = policy.expectedRequest, predicate.request.id != expected {
      report.failures.append("record is for request '\(predicate.request.id)', not '\(expected)' (replayed from another request)")
    }
    let threshold = max(policy.minimumReviewers, predicate.rulePack.reviewers, 1)
    var principals: [String] = []
    for key in signers {
      let keyid = key.keyid
      guard let review = predicate.reviews.first(where: { $0.reviewer.keyid == keyid }) else {
        report.notes.append("key \(key.fingerprint) signed but is not one of the record's reviewers; not counted")
        continue
      }
      guard let reviewedAt = ISOTime.parse(review.reviewedAt) else {
        report.failures.append("reviewedAt '\(review.reviewedAt)' is not an RFC 3339 time")
        continue
      }
      guard let entry = policy.trust.entries(for: key, role: .review, at: reviewedAt).first else {
        report.failures.append(
          "reviewer key \(key.fingerprint) (\(review.reviewer.principal)) was not valid for airlock-review at \(review.reviewedAt) (expired or not yet valid); not counted")
        continue
      }
      let author = predicate.request.author
      if keyid == author.keyid || entry.principals.contains(author.principal) || review.reviewer.principal == author.principal {
        report.failures.append("the author \(author.principal) signed as a reviewer of their own request; not counted")
        continue
      }
      let approvesAll = statement.subject.allSatisfy { subject in
        review.votes.contains { $0.file == subject.name && $0.digest["sha256"] == subject.digest["sha256"] && $0.vote == "approved" }
      }
      guard approvesAll else {
        report.failures.append("\(entry.principal) signed but did not approve every subject; not counted")
        continue
      }
      if principals.contains(entry.principal) {
        report.notes.append("\(entry.principal) signed with more than one key; counted once")
        continue
      }
      principals.append(entry.principal)
    }
    report.reviewers = principals
    if principals.count < threshold {
      report.failures.append(
        "only \(principals.count) distinct trusted reviewer signature\(principals.count == 1 ? "" : "s") (policy requires \(threshold))")
    }
    if predicate.decision.outcome != "APPROVED" {
      report.failures.append("decision is \(predicate.decision.outcome), not APPROVED")
    }
    if statement.subject.isEmpty { report.failures.append("record has no subjects") }
    for subject in statement.subject where !isPlainName(subject.name) {
      report.failures.append("subject name '\(subject.name)' is not a plain file name (path traversal)")
    }
    if let folder {
      report.failures += compare(statement.subject, with: folder, ignoring: recordPath)
    }
    return report
  }

  /// A file name with no folder part, not `.` or `..`, not hidden.
  public static func isPlainName(_ name: String) -> Bool {
    !name.isEmpty && !name.contains("/") && !name.contains("\\") && !name.contains("\0") && name != "." && name != ".."
      && !name.hasPrefix(".") && !name.containsControlCharacter && !name.contains("\u{FFFD}")
  }

  /// Differences between the subjects and the regular files in `folder`.
  static func compare(_ subjects: [ReviewStatement.Subject], with folder: String, ignoring recordPath: String?) -> [String] {
    var failures: [String] = []
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      return ["'\(folder)' is not a folder"]
    }
    // The record, and its decision-log receipt written beside it (`NAME.tlog-proof`).
    let beside = recordPath.map { [$0, ($0.hasSuffix(".json") ? String($0.dropLast(5)) : $0) + ".tlog-proof"] } ?? []
    let ignored = Set(beside.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path })
    var present: [String: String] = [:]
    let walker = manager.enumerator(atPath: folder)
    while let relative = walker?.nextObject() as? String {
      let full = (folder as NSString).appendingPathComponent(relative)
      if ignored.contains(URL(fileURLWithPath: full).standardizedFileURL.resolvingSymlinksInPath().path) { continue }
      var info = stat()
      guard lstat(full, &info) == 0 else { continue }
      switch info.st_mode & S_IFMT {
      case S_IFDIR: continue
      case S_IFLNK:
        failures.append("'\(relative)' is a symbolic link")
        continue
      case S_IFREG: break
      default:
        failures.append("'\(relative)' is not a regular file")
        continue
      }
      present[relative] = (try? Digest.sha256(file: full)) ?? ""
    }
    for subject in subjects {
      guard let digest = present.removeValue(forKey: subject.name) else {
        failures.append("missing file '\(subject.name)'")
        continue
      }
      if digest != subject.digest["sha256"] {
        failures.append("'\(subject.name)' has SHA-256 \(digest), the record says \(subject.digest["sha256"] ?? "none") (changed after approval)")
      }
    }
    for extra in present.keys.sorted() { failures.append("extra file '\(extra)' is not in the record") }
    return failures
  }
}
