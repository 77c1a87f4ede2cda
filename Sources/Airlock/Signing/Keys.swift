import Crypto
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An Ed25519 public key, with the identifiers other tools use for it.
public struct PublicKey: Sendable, Hashable {
  /// The raw 32-byte key.
  public let raw: Data

  public init(raw: Data) throws(AirlockError) {
    guard raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
      throw AirlockError(.input, "not an Ed25519 public key (expected 32 bytes)")
    }
    self.raw = raw
  }

  private static let spkiPrefix = Data([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

  /// Reads a PEM `BEGIN PUBLIC KEY` (SPKI) Ed25519 key.
  public init(pem: String, file: String? = nil) throws(AirlockError) {
    let der = try PEM.decode(pem, label: "PUBLIC KEY", file: file)
    guard der.count == 44, der.prefix(12) == Self.spkiPrefix else {
      throw AirlockError(.input, file: file, "not an Ed25519 public key (PEM SubjectPublicKeyInfo expected)")
    }
    try self.init(raw: der.suffix(32))
  }

  /// The key as PEM SubjectPublicKeyInfo.
  public var pem: String { PEM.encode(Self.spkiPrefix + raw, label: "PUBLIC KEY") }

  /// The securesystemslib default key id: SHA-256 of the key's canonical JSON.
  public var keyid: String {
    let json = #"{"keytype":"ed25519","keyval":{"public":"\#(raw.hex)"},"scheme":"ed25519"}"#
    return Data(SHA256.hash(data: Data(json.utf8))).hex
  }

  /// The OpenSSH wire blob: string "ssh-ed25519", string key.
  public var sshBlob: Data {
    func string(_ bytes: Data) -> Data {
      var length = UInt32(bytes.count).bigEndian
      return Data(bytes: &length, count: 4) + bytes
    }
    return string(Data("ssh-ed25519".utf8)) + string(raw)
  }

  /// The key as an OpenSSH public key (`ssh-ed25519 AAAA...`), as trust lists write it.
  public var openSSH: String { "ssh-ed25519 " + sshBlob.base64EncodedString() }

  /// `SHA256:...`, the fingerprint `ssh-keygen -l` shows.
  public var fingerprint: String {
    "SHA256:" + Data(SHA256.hash(data: sshBlob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
  }

  /// Whether `signature` is this key's signature of `message`.
  public func isValidSignature(_ signature: Data, for message: Data) -> Bool {
    guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
    return key.isValidSignature(signature, for: message)
  }
}

/// An Ed25519 private key: a person's identity in the review workflow.
public struct SigningKey: Sendable {
  private let key: Curve25519.Signing.PrivateKey

  /// A new random key.
  public init() { key = Curve25519.Signing.PrivateKey() }

  /// A key from its 32-byte seed.
  public init(seed: Data) throws(AirlockError) {
    do {
      key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    } catch {
      throw AirlockError(.input, "not an Ed25519 private key seed (expected 32 bytes)")
    }
  }

  private static let pkcs8Prefix = Data([
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ])

  /// Reads a PEM `BEGIN PRIVATE KEY` (PKCS#8, RFC 8410) Ed25519 key.
  public init(pem: String, file: String? = nil) throws(AirlockError) {
    let der = try PEM.decode(pem, label: "PRIVATE KEY", file: file)
    guard der.count == 48, der.prefix(16) == Self.pkcs8Prefix else {
      throw AirlockError(.input, file: file, "not an Ed25519 private key (PEM PKCS#8 expected)")
    }
    try self.init(seed: der.suffix(32))
  }

  /// The key as PEM PKCS#8. Private material: write it only to a 0600 file.
  public var pem: String { PEM.encode(Self.pkcs8Prefix + key.rawRepresentation, label: "PRIVATE KEY") }

  /// The matching public key.
  public var publicKey: PublicKey { try! PublicKey(raw: key.publicKey.rawRepresentation) }

  /// The Ed25519 signature of `message`.
  public func signature(for message: Data) -> Data {
    // Signing a message with a valid key cannot fail.
    try! key.signature(for: message)
  }
}

/// Reading and writing key files with the permissions ssh expects.
public enum KeyFile {
  /// Loads a private key, refusing one that group or others can read (as ssh does).
  public static func loadPrivateKey(_ path: String) throws(AirlockError) -> SigningKey {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw AirlockError(.input, file: path, "cannot read private key (no such file)")
    }
    guard info.st_mode & 0o077 == 0 else {
      throw AirlockError(
        .input, file: path,
        String(
          format: "unprotected private key file: mode %04o lets others read it; run chmod 600 '%@'",
          Int(info.st_mode & 0o777), path))
    }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw AirlockError(.input, file: path, "cannot read private key")
    }
    return try SigningKey(pem: text, file: path)
  }

  /// Loads a PEM public key.
  public static func loadPublicKey(_ path: String) throws(AirlockError) -> PublicKey {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw AirlockError(.input, file: path, "cannot read public key")
    }
    return try PublicKey(pem: text, file: path)
  }

  /// Writes `key` to `path` (mode 0600, created exclusively unless `force`) and its public key to
  /// `path.pub`.
  public static func write(_ key: SigningKey, to path: String, force: Bool) throws(AirlockError) {
    let publicPath = path + ".pub"
    if !force {
      for existing in [path, publicPath] where FileManager.default.fileExists(atPath: existing) {
        throw AirlockError(.usage, file: existing, "refusing to overwrite an existing key file (use --force)")
      }
    }
    if force { unlink(path) }
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else {
      throw AirlockError(.input, file: path, "cannot create private key file: \(String(cString: strerror(errno)))")
    }
    let bytes = Array(key.pem.utf8)
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    fchmod(fd, 0o600)
    fsync(fd)
    close(fd)
    guard written == bytes.count else { throw AirlockError(.input, file: path, "cannot write private key file") }
    do {
      try Data(key.publicKey.pem.utf8).write(to: URL(fileURLWithPath: publicPath), options: .atomic)
    } catch {
      throw AirlockError(.input, file: publicPath, "cannot write public key file")
    }
  }
}

enum PEM {
  static func encode(_ der: Data, label: String) -> String {
    let base64 = der.base64EncodedString()
    var lines: [String] = []
    var index = base64.startIndex
    while index < base64.endIndex {
      let end = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
      lines.append(String(base64[index..<end]))
      index = end
    }
    return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
  }

  static func decode(_ text: String, label: String, file: String?) throws(AirlockError) -> Data {
    let begin = "-----BEGIN \(label)-----"
    let end = "-----END \(label)-----"
    guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
    else {
      throw AirlockError(.input, file: file, "not a PEM '\(label)' file")
    }
    let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
    guard let der = Data(base64Encoded: String(body)) else {
      throw AirlockError(.input, file: file, "invalid base64 in PEM '\(label)'")
    }
    return der
  }
}

extension Data {
  /// Lowercase hexadecimal.
  var hex: String { map { String(format: "%02x", $0) }.joined() }

  /// Decodes standard or URL-safe base64, padded or not (DSSE verifiers must accept both).
  init?(lenientBase64 text: String) {
    var normalized = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while normalized.count % 4 != 0 { normalized += "=" }
    self.init(base64Encoded: normalized)
  }

  init?(hex: String) {
    guard hex.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
      bytes.append(byte)
      index = next
    }
    self.init(bytes)
  }
}

/// SHA-256 helpers.
public enum Digest {
  /// Lowercase hex SHA-256 of `data`.
  public static func sha256(_ data: Data) -> String { Data(SHA256.hash(data: data)).hex }

  /// Lowercase hex SHA-256 of a file, streamed.
  public static func sha256(file path: String) throws(AirlockError) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw AirlockError(.input, file: path, "cannot read file")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while true {
      let chunk = handle.readData(ofLength: 1 << 20)
      if chunk.isEmpty { break }
      hasher.update(data: chunk)
    }
    return Data(hasher.finalize()).hex
  }
}
