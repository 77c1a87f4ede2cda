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
  /// The decision log's key the verifier pinned: a log receipt in a compared folder is verified
  /// under it, and refused without it (a file nobody checked never passes).
  public var logKey: NoteVerifier?
  /// The time reviewer keys must also be valid at, besides the record's own signed `reviewedAt`
  /// (which its signers chose, and can back-date past their keys' expiry): the time the decision
  /// log logged the approval when a receipt anchors it, else the time of verification.
  public var anchor: Date
  /// Judge keys at `reviewedAt` alone (`--trust-record-time`): for records whose signers the
  /// verifier trusts to date them honestly.
  public var trustRecordTime: Bool

  public init(
    trust: TrustList, minimumReviewers: Int = 2, expectedRequest: String? = nil, logKey: NoteVerifier? = nil,
    anchor: Date = Date(), trustRecordTime: Bool = false
  ) {
    self.trust = trust
    self.minimumReviewers = minimumReviewers
    self.expectedRequest = expectedRequest
    self.logKey = logKey
    self.anchor = anchor
    self.trustRecordTime = trustRecordTime
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
        report.failures.append("a signature is not base64")
        continue
      }
      // An entry no trusted reviewer made, or whose key id hint is not its key's, is data nobody
      // signed riding along with the record: refused, not skipped (issue 19 §3).
      guard let key = reviewerKeys.first(where: { $0.isValidSignature(bytes, for: message) }) else {
        report.failures.append(
          "a signature (keyid \(signature.keyid.prefix(16))…) does not verify under any trusted reviewer key; a record carries only its reviewers' signatures"
        )
        continue
      }
      if !signature.keyid.isEmpty && signature.keyid != key.keyid {
        report.failures.append(
          "a signature by \(key.fingerprint) carries the keyid '\(signature.keyid.prefix(16))…', not its own")
      }
      if signers.contains(key) {
        report.notes.append("key \(key.fingerprint) signed more than once; it counts once")
      } else {
        signers.append(key)
      }
    }
    // Two parsers must read one statement: a payload with a repeated member is refused (issue 19 §7).
    if JSONDuplicateCheck.hasDuplicateMember(body) {
      report.failures.append("payload has a duplicate JSON member")
      return report
    }
    let statement: ReviewStatement
    do { statement = try JSONDuplicateCheck.decode(ReviewStatement.self, from: body) } catch {
      report.failures.append("payload is not an airlock review statement")
      return report
    }
    guard statement.type == ReviewStatement.statementType, statement.predicateType == ReviewStatement.predicateTypeURI
    else {
      report.failures.append(
        "statement type is '\(statement.type)' / '\(statement.predicateType)', not an airlock review v0.1")
      return report
    }
    report.statement = statement
    let predicate = statement.predicate
    if let expected = policy.expectedRequest, predicate.request.id != expected {
      report.failures.append(
        "record is for request '\(predicate.request.id)', not '\(expected)' (replayed from another request)")
    }
    let threshold = max(policy.minimumReviewers, predicate.rulePack.reviewers, 1)
    var principals: [String] = []
    var counted: Set<String> = []
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
          "reviewer key \(key.fingerprint) (\(review.reviewer.principal)) was not valid for airlock-review at \(review.reviewedAt) (expired or not yet valid); not counted"
        )
        continue
      }
      // Expiry revokes (issue 19 §5): a record back-dated to before its keys expired does not verify.
      if !policy.trustRecordTime, policy.trust.entries(for: key, role: .review, at: policy.anchor).isEmpty {
        report.failures.append(
          "reviewer key \(key.fingerprint) (\(review.reviewer.principal)) is not valid for airlock-review at \(ISOTime.format(policy.anchor)), when this record is verified (expired since; a log receipt anchors the approval's time, or --trust-record-time judges at the record's own reviewedAt); not counted"
        )
        continue
      }
      // Keys and principals together: every line of the trust list that names this key or the
      // author's key counts, never only the first (issue 19 §1).
      let author = predicate.request.author
      let authors = policy.trust.authorPrincipals(principal: author.principal, keyid: author.keyid)
      let names = policy.trust.allPrincipals(for: key).union([review.reviewer.principal])
      if keyid == author.keyid || !names.isDisjoint(with: authors) {
        report.failures.append("the author \(author.principal) signed as a reviewer of their own request; not counted")
        continue
      }
      let approvesAll = statement.subject.allSatisfy { subject in
        review.votes.contains {
          $0.file == subject.name && $0.digest["sha256"] == subject.digest["sha256"] && $0.vote == "approved"
        }
      }
      guard approvesAll else {
        report.failures.append("\(entry.principal) signed but did not approve every subject; not counted")
        continue
      }
      // Each approval accepted exactly the claims the record lists for its file (issue 18): a
      // claim added, dropped or changed after the vote is one nobody accepted.
      var acceptedAll = true
      for subject in statement.subject {
        let file = predicate.checks.files.first { $0.name == subject.name && $0.kind == "output" }
        let listed = file?.claims ?? []
        let expected = listed.isEmpty ? nil : ReviewPredicate.claimsDigest(listed)
        let vote = review.votes.first { $0.file == subject.name && $0.vote == "approved" }
        if vote?.acceptedClaims != expected {
          acceptedAll = false
          report.failures.append(
            expected == nil
              ? "\(entry.principal) accepted claims on '\(subject.name)' that the record does not list (the claims list was changed)"
              : "\(entry.principal) approved '\(subject.name)' without accepting the \(listed.count) claim\(listed.count == 1 ? "" : "s") the record lists (the claims list was changed, or the approval did not accept it); not counted"
          )
        }
      }
      guard acceptedAll else { continue }
      // One person under two names (a key listed for both) is one reviewer.
      if !counted.isDisjoint(with: names) {
        report.notes.append("\(entry.principal) signed with more than one key or name; counted once")
        continue
      }
      counted.formUnion(names)
      principals.append(entry.principal)
    }
    report.reviewers = principals
    if principals.count < threshold {
      report.failures.append(
        "only \(principals.count) distinct trusted reviewer signature\(principals.count == 1 ? "" : "s") (policy requires \(threshold))"
      )
    }
    if predicate.decision.outcome != "APPROVED" {
      report.failures.append("decision is \(predicate.decision.outcome), not APPROVED")
    }
    if statement.subject.isEmpty { report.failures.append("record has no subjects") }
    for file in predicate.checks.files {
      let listed = file.claims ?? []
      let digest = listed.isEmpty ? nil : ReviewPredicate.claimsDigest(listed)
      if file.claimsDigest != digest {
        report.failures.append(
          "the claims listed for '\(file.name)' do not match their digest (the claims list was changed)")
      }
    }
    for subject in statement.subject where !isPlainName(subject.name) {
      report.failures.append("subject name '\(subject.name)' is not a plain file name (path traversal)")
    }
    if let folder {
      report.failures += compare(statement, record: data, with: folder, recordPath: recordPath, logKey: policy.logKey)
    }
    return report
  }

  /// Where a record's tlog-proof receipt is by default: beside it, `RECORD.json` as
  /// `RECORD.tlog-proof`.
  public static func defaultReceiptPath(forRecord record: String) -> String {
    (record.hasSuffix(".json") ? String(record.dropLast(5)) : record) + ".tlog-proof"
  }

  /// Verifies the record at `recordPath` (its bytes `data`) with its log receipt, as
  /// `airlock verify` does. With a pinned log key (`policy.logKey`), reviewer keys are judged when
  /// the log logged the approval (a receipt that verifies anchors it; otherwise `policy.anchor`),
  /// and a verified record must have a receipt at `receiptPath` that verifies too: a missing
  /// receipt is a failure, since nothing checked the record was logged. Without a log key, a
  /// receipt found beside the record (no `files` folder given) is noted as not checked.
  public static func verify(
    _ data: Data, recordPath: String, receiptPath: String, policy: VerificationPolicy, files: String? = nil
  ) -> VerificationReport {
    var policy = policy
    let receipt = try? String(contentsOfFile: receiptPath, encoding: .utf8)
    if let verifier = policy.logKey, let receipt,
      let logged = loggedTime(ofReceipt: receipt, verifier: verifier, record: data)
    {
      policy.anchor = logged
    }
    var report = verify(data, policy: policy, files: files, ignoring: recordPath)
    if let verifier = policy.logKey {
      // The receipt beside the record (or the one named); with `files` the folder's own receipt is
      // checked as well, wherever `receiptPath` points.
      if report.verified {
        if let receipt {
          for failure in receiptFailures(receipt, file: receiptPath, verifier: verifier, record: data)
          where !report.failures.contains(failure) {
            report.failures.append(failure)
          }
        } else {
          report.failures.append("\(receiptPath): no log receipt for the record (--log-key requires one)")
        }
      }
    } else if files == nil, FileManager.default.fileExists(atPath: receiptPath) {
      report.notes.append("\(receiptPath): log receipt not checked (give --log-key to check it)")
    }
    return report
  }

  /// Checks a record's tlog-proof receipt: signed by the pinned log key, canonical (nothing but
  /// the proof and the checkpoint), proving an APPROVED entry that commits to exactly the
  /// record's payload.
  /// When the decision log logged the approval `text` (a receipt) proves, once it verifies under
  /// `verifier`: the time a log receipt anchors a record to. nil when it does not verify.
  public static func loggedTime(ofReceipt text: String, verifier: NoteVerifier, record: Data) -> Date? {
    guard receiptFailures(text, file: "receipt", verifier: verifier, record: record).isEmpty,
      let receipt = try? InclusionReceipt(text: text), let entry = try? LogEntry.parse(receipt.entry)
    else { return nil }
    return ISOTime.parse(entry.loggedAt)
  }

  public static func receiptFailures(_ text: String, file: String, verifier: NoteVerifier, record: Data) -> [String] {
    do throws(AirlockError) {
      let receipt = try InclusionReceipt(text: text, file: file)
      guard receipt.text == text else {
        return ["\(file): the log receipt is not in canonical form (it carries more than the proof)"]
      }
      _ = try receipt.verify(verifier, file: file)
      let entry = try LogEntry.parse(receipt.entry)
      let envelope = try Envelope.parse(record)
      let statement = try? JSONDuplicateCheck.decode(ReviewStatement.self, from: envelope.body ?? Data())
      guard entry.decision == "APPROVED", entry.statementSha256 == Digest.sha256(envelope.body ?? Data()),
        entry.request == statement?.predicate.request.id
      else { return ["\(file): the logged entry \(receipt.index) is not this record's approval"] }
      return []
    } catch { return [error.description] }
  }

  /// A file name with no folder part, not `.` or `..`, not hidden.
  public static func isPlainName(_ name: String) -> Bool {
    !name.isEmpty && !name.contains("/") && !name.contains("\\") && !name.contains("\0") && name != "." && name != ".."
      && !name.hasPrefix(".") && !name.containsControlCharacter && !name.contains("\u{FFFD}")
  }

  /// Differences between the folder and what the record accounts for. Every entry of the folder
  /// is one of: a subject (equal SHA-256), the record (these very bytes), or the record's log
  /// receipt (verified under the pinned log key). Anything else, any symbolic link and any
  /// folder is a failure: names and contents of unverified entries can carry data out.
  static func compare(
    _ statement: ReviewStatement, record: Data, with folder: String, recordPath: String?, logKey: NoteVerifier?
  ) -> [String] {
    var failures: [String] = []
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
      let names = try? FileManager.default.contentsOfDirectory(atPath: folder)
    else {
      return ["'\(folder)' is not a folder"]
    }
    let id = statement.predicate.request.id
    var recordNames: Set<String> = [ReviewWorkflow.recordFileName(id)]
    var receiptNames: Set<String> = [ReviewWorkflow.receiptFileName(id)]
    // The record given by another name inside the folder, and its receipt beside it.
    if let recordPath, resolved(directoryOf: recordPath) == resolved(folder) {
      let name = (recordPath as NSString).lastPathComponent
      recordNames.insert(name)
      receiptNames.insert((name.hasSuffix(".json") ? String(name.dropLast(5)) : name) + ".tlog-proof")
    }
    let subjects = Dictionary(
      statement.subject.map { ($0.name, $0.digest["sha256"] ?? "") }, uniquingKeysWith: { first, _ in first })
    var found: Set<String> = []
    for name in names.sorted() {
      let full = (folder as NSString).appendingPathComponent(name)
      var info = stat()
      guard lstat(full, &info) == 0 else {
        failures.append("'\(name)' cannot be read")
        continue
      }
      switch info.st_mode & S_IFMT {
      case S_IFREG: break
      case S_IFLNK:
        failures.append("'\(name)' is a symbolic link")
        continue
      case S_IFDIR:
        failures.append("'\(name)' is a folder; a released folder holds only files")
        continue
      default:
        failures.append("'\(name)' is not a regular file")
        continue
      }
      if let expected = subjects[name] {
        found.insert(name)
        let digest = (try? Digest.sha256(file: full)) ?? ""
        if digest != expected {
          failures.append(
            "'\(name)' has SHA-256 \(digest), the record says \(expected.isEmpty ? "none" : expected) (changed after approval)"
          )
        }
      } else if recordNames.contains(name) {
        if FileManager.default.contents(atPath: full) != record {
          failures.append("'\(name)' is not the record being verified")
        }
      } else if receiptNames.contains(name) {
        guard let logKey else {
          failures.append("'\(name)' is a log receipt, and nothing checked it (give --log-key to verify it)")
          continue
        }
        guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
          failures.append("'\(name)' is not a readable log receipt")
          continue
        }
        failures += receiptFailures(text, file: name, verifier: logKey, record: record)
      } else {
        failures.append("extra file '\(name)' is not in the record")
      }
    }
    for subject in statement.subject where !found.contains(subject.name) {
      failures.append("missing file '\(subject.name)'")
    }
    return failures
  }

  /// `path` with symbolic links resolved, for telling whether two paths name one folder.
  private static func resolved(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
  }

  private static func resolved(directoryOf path: String) -> String {
    resolved((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
  }
}
