import Foundation

/// The roles of the review workflow, written as `allowed_signers` namespaces.
public enum Role: String, Sendable, CaseIterable, Codable {
  /// Researchers: submit, resubmit, withdraw.
  case submit = "airlock-submit"
  /// Output checkers: vote, submit reviews, return, reject, sign review records.
  case review = "airlock-review"
  /// Release operators: copy approved files out.
  case release = "airlock-release"
}

/// A trust list in OpenSSH `allowed_signers` syntax:
/// `principals [options] ssh-ed25519 AAAA... [comment]`, with options `namespaces="..."`,
/// `valid-after="YYYYMMDD[HHMM[SS]][Z]"` and `valid-before=...`. Namespaces are airlock roles.
///
/// Unlike ssh, a line without `namespaces` grants no airlock role (fail closed), and times are
/// read as UTC.
public struct TrustList: Sendable {
  /// One line: who, for what, from when to when, with which key.
  public struct Entry: Sendable, Equatable {
    public var principals: [String]
    public var namespaces: [String]
    public var validAfter: Date?
    public var validBefore: Date?
    public var key: PublicKey
    public var line: Int

    /// The principal the entry names first.
    public var principal: String { principals[0] }

    /// Whether the entry grants `role` at `time`.
    public func allows(_ role: Role, at time: Date) -> Bool {
      namespaces.contains(role.rawValue) && isValid(at: time)
    }

    /// Whether `time` falls within the entry's validity.
    public func isValid(at time: Date) -> Bool {
      if let validAfter, time < validAfter { return false }
      if let validBefore, time >= validBefore { return false }
      return true
    }
  }

  public var entries: [Entry]

  public init(entries: [Entry]) { self.entries = entries }

  /// Reads a trust list file.
  public static func load(_ path: String) throws(AirlockError) -> TrustList {
    let text: String
    do { text = try readSmallTextFile(path, what: "trust list", limit: 16 << 20, followingSymlinks: true) } catch {
      throw AirlockError(.configuration, file: path, "cannot read trust list: \(error.message)")
    }
    return try parse(text, file: path)
  }

  /// Parses `allowed_signers` text.
  public static func parse(_ text: String, file: String? = nil) throws(AirlockError) -> TrustList {
    var entries: [Entry] = []
    // "\r\n" is one Character in Swift: splitting on "\n" alone read a CRLF file as one line, so
    // only its first key counted (issue 19 §9).
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    for (offset, rawLine) in lines.enumerated() {
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let number = offset + 1
      func problem(_ message: String) -> AirlockError {
        AirlockError(.configuration, file: file ?? "trust list", line: number, message)
      }
      var tokens = tokenize(line)
      guard tokens.count >= 3 else { throw problem("expected 'principals [options] ssh-ed25519 KEY'") }
      let principals = unquote(tokens.removeFirst()).split(separator: ",").map(String.init)
      guard !principals.isEmpty else { throw problem("no principal") }
      // As OpenSSH refuses them: a NUL or control character makes one name print as another.
      for principal in principals where principal.contains("\0") || principal.containsControlCharacter {
        throw problem("a principal holds a NUL or control character")
      }
      var options: [String] = []
      if tokens[0] != "ssh-ed25519" {
        options = splitOptions(tokens.removeFirst())
      }
      guard tokens.count >= 2 else { throw problem("expected 'ssh-ed25519 KEY' after the options") }
      guard tokens[0] == "ssh-ed25519" else {
        throw problem("unsupported key type '\(tokens[0])' (airlock accepts ssh-ed25519)")
      }
      guard let blob = Data(base64Encoded: tokens[1]), blob.count == 51,
        blob.prefix(19) == Data([0, 0, 0, 11]) + Data("ssh-ed25519".utf8) + Data([0, 0, 0, 32])
      else {
        throw problem("invalid ssh-ed25519 key")
      }
      let key: PublicKey
      do { key = try PublicKey(raw: blob.suffix(32)) } catch { throw problem("invalid ssh-ed25519 key") }
      var entry = Entry(
        principals: principals, namespaces: [], validAfter: nil, validBefore: nil, key: key, line: number)
      var seen: Set<String> = []
      for option in options {
        let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
        guard let first = parts.first else { throw problem("empty option (a stray comma in the options)") }
        let name = first.lowercased()
        // Two of one option: which one counts would be a guess (OpenSSH refuses them too).
        guard seen.insert(name).inserted else { throw problem("option '\(name)' is given twice") }
        let value = parts.count > 1 ? unquote(parts[1]) : nil
        switch name {
        case "namespaces":
          guard let value else { throw problem("namespaces needs a value") }
          entry.namespaces = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        case "valid-after", "valid-before":
          guard let value, let date = parseTime(value) else {
            throw problem("\(name) must be YYYYMMDD[HHMM[SS]][Z]")
          }
          if name == "valid-after" { entry.validAfter = date } else { entry.validBefore = date }
        case "cert-authority":
          throw problem("cert-authority keys are not supported")
        default:
          throw problem("unknown option '\(name)'")
        }
      }
      entries.append(entry)
    }
    return TrustList(entries: entries)
  }

  /// The entries for `key` that grant `role` at `time`.
  public func entries(for key: PublicKey, role: Role, at time: Date) -> [Entry] {
    entries.filter { $0.key == key && $0.allows(role, at: time) }
  }

  /// The entries that name `key` for `role`, whatever the time.
  public func entries(for key: PublicKey, role: Role) -> [Entry] {
    entries.filter { $0.key == key && $0.namespaces.contains(role.rawValue) }
  }

  /// Every principal listed for `key`, on any line, for any role, at any time. The two-person
  /// rule needs all of them: the first matching line is only the name a key acts under, and an
  /// author whose key is also listed under another name must not review as that name.
  public func allPrincipals(for key: PublicKey) -> Set<String> {
    allPrincipals(forKeyid: key.keyid)
  }

  /// Every principal listed for the key with `keyid` (as records and the store name keys).
  public func allPrincipals(forKeyid keyid: String) -> Set<String> {
    var principals: Set<String> = []
    for entry in entries where entry.key.keyid == keyid { principals.formUnion(entry.principals) }
    return principals
  }

  /// The people a request's author may be: the principal they submitted as, and every principal
  /// listed anywhere for the key they submitted with. None of them may review that request.
  public func authorPrincipals(principal: String, keyid: String) -> Set<String> {
    allPrincipals(forKeyid: keyid).union([principal])
  }

  /// Why the holder of `key` (acting as `principal`) may not review a request by `author` with
  /// `authorKeyid`, or nil when they may. Keys and principals together: the author's own key, any
  /// key listed under a principal the author's key is listed under, and any name of the author.
  public func authorConflict(key: PublicKey, principal: String, author: String, authorKeyid: String) -> String? {
    if key.keyid == authorKeyid { return "this key signed the submission" }
    let authors = authorPrincipals(principal: author, keyid: authorKeyid)
    let mine = allPrincipals(for: key).union([principal])
    guard let shared = mine.intersection(authors).sorted().first else { return nil }
    return shared == author
      ? "\(shared) is the author of this request"
      : "this key is also listed for \(shared), who is the author of this request"
  }

  /// Every key with `role` (at any time).
  public func keys(for role: Role) -> [PublicKey] {
    var keys: [PublicKey] = []
    for entry in entries where entry.namespaces.contains(role.rawValue) && !keys.contains(entry.key) {
      keys.append(entry.key)
    }
    return keys
  }

  /// The person `key` acts for in `role` at `time`, or an error saying why it may not.
  public func principal(for key: PublicKey, role: Role, at time: Date) throws(AirlockError) -> String {
    if let entry = entries(for: key, role: role, at: time).first { return entry.principal }
    // Name the person where the trust list knows them, and say why.
    if let entry = entries(for: key, role: role).first {
      let window = [
        entry.validAfter.map { "from \(ISOTime.format($0))" }, entry.validBefore.map { "until \(ISOTime.format($0))" },
      ]
      .compactMap { $0 }.joined(separator: " ")
      throw AirlockError(
        .usage,
        "\(entry.principal)'s key \(key.fingerprint) is not valid for role '\(role.rawValue)' at \(ISOTime.format(time)) (the trust list allows it \(window), line \(entry.line))"
      )
    }
    let known = allPrincipals(for: key).sorted()
    if !known.isEmpty {
      throw AirlockError(
        .usage,
        "\(known.joined(separator: ", ")): key \(key.fingerprint) is not trusted for role '\(role.rawValue)' (the trust list gives it other roles)"
      )
    }
    throw AirlockError(.usage, "key \(key.fingerprint) is not trusted for role '\(role.rawValue)' by the trust list")
  }

  /// One `allowed_signers` line granting `role` to `principal` for `key`, as `airlock trust add`
  /// writes it.
  public static func line(
    principal: String, role: Role, key: PublicKey, validAfter: String? = nil, validBefore: String? = nil
  )
    -> String
  {
    var options = ["namespaces=\"\(role.rawValue)\""]
    if let validAfter { options.append("valid-after=\"\(validAfter)\"") }
    if let validBefore { options.append("valid-before=\"\(validBefore)\"") }
    return "\(principal) \(options.joined(separator: ",")) \(key.openSSH)"
  }

  /// `text` with a line granting `role` to `principal` for `key` added, checked: a principal that
  /// is not a plain name, a time that is not `YYYYMMDD[HHMM[SS]][Z]`, and a key already listed for
  /// someone else (one key, one person: the two-person rule) are refused.
  public static func adding(
    to text: String, principal: String, role: Role, key: PublicKey, validAfter: String? = nil,
    validBefore: String? = nil,
    file: String? = nil
  ) throws(AirlockError) -> String {
    let place = file ?? "trust list"
    guard !principal.isEmpty, !principal.contains(where: { $0.isWhitespace || $0 == "," || $0 == "\"" }),
      !principal.contains("\0"), !principal.containsControlCharacter
    else {
      throw AirlockError(
        .usage, "'\(principal)' is not a principal (one name, no spaces, commas, quotes or control characters)")
    }
    for (name, value) in [("--valid-after", validAfter), ("--valid-before", validBefore)] {
      if let value, parseTime(value) == nil {
        throw AirlockError(.usage, "\(name) must be YYYYMMDD[HHMM[SS]][Z], got '\(value)'")
      }
    }
    let current = try parse(text, file: file)
    let others = current.allPrincipals(for: key).subtracting([principal])
    if let other = others.sorted().first {
      throw AirlockError(
        .usage, file: place,
        "key \(key.fingerprint) is already listed for \(other): one key belongs to one person, or the two-person rule cannot hold"
      )
    }
    if current.entries.contains(where: {
      $0.key == key && $0.principals == [principal] && $0.namespaces == [role.rawValue]
    }) {
      throw AirlockError(.usage, file: place, "\(principal) already holds \(role.rawValue) with key \(key.fingerprint)")
    }
    var result = text
    if !result.isEmpty && !result.hasSuffix("\n") { result += "\n" }
    result += line(principal: principal, role: role, key: key, validAfter: validAfter, validBefore: validBefore) + "\n"
    _ = try parse(result, file: file)
    return result
  }

  /// `ssh-keygen` time: YYYYMMDD[HHMM[SS]][Z], read as UTC.
  static func parseTime(_ text: String) -> Date? {
    var digits = text
    if digits.hasSuffix("Z") || digits.hasSuffix("z") { digits.removeLast() }
    guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isNumber) else { return nil }
    func field(_ start: Int, _ length: Int) -> Int? {
      guard digits.count >= start + length else { return nil }
      let from = digits.index(digits.startIndex, offsetBy: start)
      return Int(digits[from..<digits.index(from, offsetBy: length)])
    }
    var components = DateComponents()
    components.timeZone = TimeZone(identifier: "UTC")
    components.year = field(0, 4)
    components.month = field(4, 2)
    components.day = field(6, 2)
    components.hour = field(8, 2) ?? 0
    components.minute = field(10, 2) ?? 0
    components.second = field(12, 2) ?? 0
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    guard let date = calendar.date(from: components),
      calendar.dateComponents(in: calendar.timeZone, from: date).day == components.day
    else { return nil }
    return date
  }

  private static func tokenize(_ line: String) -> [String] {
    var tokens: [String] = []
    var current = ""
    var quoted = false
    for character in line {
      if character == "\"" { quoted.toggle() }
      if character.isWhitespace && !quoted {
        if !current.isEmpty { tokens.append(current) }
        current = ""
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { tokens.append(current) }
    return tokens
  }

  private static func splitOptions(_ text: String) -> [String] {
    var options: [String] = []
    var current = ""
    var quoted = false
    for character in text {
      if character == "\"" { quoted.toggle() }
      if character == "," && !quoted {
        options.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { options.append(current) }
    return options
  }

  private static func unquote(_ text: String) -> String {
    if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { return String(text.dropFirst().dropLast()) }
    return text
  }
}

/// ISO 8601 / RFC 3339 UTC times, as review records write them.
public enum ISOTime {
  public static func format(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }

  /// Parses an RFC 3339 time (`2025-06-01T12:00:00Z`, offsets and fractional seconds allowed).
  public static func parse(_ text: String) -> Date? {
    if let date = parseUTC(text) { return date }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
  }

  /// `YYYY-MM-DDTHH:MM:SSZ`, the form `format` writes, read without building a date formatter
  /// (building one costs a fraction of a millisecond; `airlock queue` reads a time per request).
  /// `nil` for anything else (and years before 1700: the formatter reads those in the Julian
  /// calendar), which `parse` leaves to the formatter.
  static func parseUTC(_ text: String) -> Date? {
    text.utf8.withContiguousStorageIfAvailable { u -> Date? in
      guard u.count == 20, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u[10] == UInt8(ascii: "T"),
        u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"), u[19] == UInt8(ascii: "Z")
      else { return nil }
      func number(_ start: Int, _ count: Int) -> Int? {
        var value = 0
        for i in start..<start + count {
          guard u[i] >= UInt8(ascii: "0"), u[i] <= UInt8(ascii: "9") else { return nil }
          value = value * 10 + Int(u[i] - UInt8(ascii: "0"))
        }
        return value
      }
      guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
        let minute = number(14, 2), let second = number(17, 2), year >= 1700, (1...12).contains(month),
        hour < 24, minute < 60, second < 60
      else { return nil }
      let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
      let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
      guard (1...days).contains(day) else { return nil }
      // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
      let y = month <= 2 ? year - 1 : year
      let era = y / 400
      let yearOfEra = y - era * 400
      let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
      let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
      let epochDays = era * 146_097 + dayOfEra - 719_468
      return Date(timeIntervalSince1970: TimeInterval(epochDays * 86_400 + hour * 3_600 + minute * 60 + second))
    } ?? nil
  }
}

extension TrustList {
  /// Adds a line granting `role` to `principal` for `key` to the trust list file at `path`
  /// (created when missing), checked as `adding(to:...)` checks it, and written atomically: a
  /// refused line leaves the file as it was.
  public static func add(
    toFile path: String, principal: String, role: Role, key: PublicKey, validAfter: String? = nil,
    validBefore: String? = nil
  ) throws(AirlockError) {
    let current = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let updated = try adding(
      to: current, principal: principal, role: role, key: key, validAfter: validAfter, validBefore: validBefore,
      file: path)
    do { try Data(updated.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
      throw AirlockError(.input, file: path, "cannot write the trust list")
    }
  }
}

extension KeyFile {
  /// Loads a public key from a PEM file ('airlock keygen' writes one) or from a file holding
  /// `ssh-ed25519 BASE64` (an OpenSSH .pub file, or an allowed_signers line).
  public static func loadAnyPublicKey(_ path: String) throws(AirlockError) -> PublicKey {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw AirlockError(.input, file: path, "cannot read public key")
    }
    let text = String(decoding: data, as: UTF8.self)
    if text.contains("-----BEGIN") { return try PublicKey(pem: text, file: path) }
    let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
    guard let index = tokens.firstIndex(of: "ssh-ed25519"), index + 1 < tokens.count,
      let entry = try? TrustList.parse("x namespaces=\"airlock-review\" ssh-ed25519 \(tokens[index + 1])").entries.first
    else {
      throw AirlockError(
        .input, file: path,
        "not a public key (expected the PEM .pub file 'airlock keygen' wrote, or ssh-ed25519 BASE64)")
    }
    return entry.key
  }
}
