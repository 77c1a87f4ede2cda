import Foundation

/// A DSSE v1 envelope: a payload, its type, and signatures over its PAE.
public struct Envelope: Codable, Sendable, Equatable {
  /// One signature. `keyid` is a hint only, never trusted.
  public struct Signature: Codable, Sendable, Equatable {
    public var keyid: String
    public var sig: String

    public init(keyid: String, sig: String) {
      self.keyid = keyid
      self.sig = sig
    }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      keyid = try container.decodeIfPresent(String.self, forKey: .keyid) ?? ""
      sig = try container.decode(String.self, forKey: .sig)
    }
  }

  /// Padded standard base64 of the serialized body.
  public var payload: String
  public var payloadType: String
  public var signatures: [Signature]

  /// The in-toto payload type.
  public static let inTotoPayloadType = "application/vnd.in-toto+json"

  /// An unsigned envelope around `body`.
  public init(body: Data, payloadType: String) {
    payload = body.base64EncodedString()
    self.payloadType = payloadType
    signatures = []
  }

  /// Pre-Authentication Encoding: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`.
  public static func pae(_ type: String, _ body: Data) -> Data {
    var data = Data("DSSEv1 \(type.utf8.count) ".utf8)
    data += Data(type.utf8)
    data += Data(" \(body.count) ".utf8)
    data += body
    return data
  }

  /// The decoded payload bytes, or nil when the payload is not base64.
  public var body: Data? { Data(lenientBase64: payload) }

  /// Adds `key`'s signature (with its securesystemslib key id).
  public mutating func sign(with key: SigningKey) throws(AirlockError) {
    guard let body else { throw AirlockError(.input, "envelope payload is not base64") }
    let signature = key.signature(for: Self.pae(payloadType, body))
    signatures.append(Signature(keyid: key.publicKey.keyid, sig: signature.base64EncodedString()))
  }

  /// The distinct keys among `keys` that signed this envelope (keyids are only hints: every key is
  /// tried against every signature). A key that signed twice appears once.
  public func verifiedKeys(among keys: [PublicKey]) -> [PublicKey] {
    guard let body else { return [] }
    let message = Self.pae(payloadType, body)
    var found: [PublicKey] = []
    for signature in signatures {
      guard let bytes = Data(lenientBase64: signature.sig) else { continue }
      for key in keys where !found.contains(key) && key.isValidSignature(bytes, for: message) {
        found.append(key)
      }
    }
    return found
  }

  /// Parses an envelope, refusing JSON with duplicate members (two parsers must not read different
  /// payloads).
  public static func parse(_ data: Data, file: String? = nil) throws(AirlockError) -> Envelope {
    if JSONDuplicateCheck.hasDuplicateMember(data) {
      throw AirlockError(.input, file: file, "record has a duplicate JSON member")
    }
    let envelope: Envelope
    do {
      envelope = try JSONDecoder().decode(Envelope.self, from: data)
    } catch {
      throw AirlockError(.input, file: file, "not a DSSE envelope (expected payload, payloadType and signatures)")
    }
    // Members nobody signs can carry data out beside a verified record (issue 19 §3): refused.
    if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
      if let unknown = Set(object.keys).subtracting(["payload", "payloadType", "signatures"]).sorted().first {
        throw AirlockError(.input, file: file, "record has an unknown member '\(unknown)'")
      }
      for case let signature as [String: Any] in (object["signatures"] as? [Any]) ?? [] {
        if let unknown = Set(signature.keys).subtracting(["keyid", "sig"]).sorted().first {
          throw AirlockError(.input, file: file, "a signature of the record has an unknown member '\(unknown)'")
        }
      }
    }
    return envelope
  }

  /// The envelope as pretty, key-sorted JSON.
  public func json() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return (try! encoder.encode(self)) + Data("\n".utf8)
  }
}

/// A minimal JSON scanner that finds objects with a repeated member name.
enum JSONDuplicateCheck {
  /// Decodes `data`, refusing JSON with a repeated member: airlock's decoder reads the first
  /// value and Python's the last, so such a document means two things (issue 19 §7). Every
  /// signed or stored JSON document airlock reads goes through here.
  static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    if hasDuplicateMember(data) { throw DuplicateMember() }
    return try JSONDecoder().decode(type, from: data)
  }

  struct DuplicateMember: Error, CustomStringConvertible {
    var description: String { "a JSON object repeats a member name" }
  }

  static func hasDuplicateMember(_ data: Data) -> Bool {
    let bytes = [UInt8](data)
    var index = 0
    var stack: [Set<[UInt8]>?] = []  // nil for arrays
    var expectingKey: [Bool] = []
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "{"):
        stack.append([])
        expectingKey.append(true)
      case UInt8(ascii: "["):
        stack.append(nil)
        expectingKey.append(false)
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        _ = stack.popLast()
        _ = expectingKey.popLast()
      case UInt8(ascii: ","):
        if let last = stack.last, last != nil { expectingKey[expectingKey.count - 1] = true }
      case UInt8(ascii: "\""):
        var end = index + 1
        var raw: [UInt8] = []
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
          if bytes[end] == UInt8(ascii: "\\") {
            raw.append(bytes[end])
            end += 1
          }
          if end < bytes.count { raw.append(bytes[end]) }
          end += 1
        }
        if let keys = stack.last, let set = keys, expectingKey.last == true {
          // Compare decoded names so that escaped and unescaped spellings collide.
          // (Only names with an escape need decoding; the log reads this for every entry.)
          let decoded =
            !raw.contains(UInt8(ascii: "\\"))
            ? raw
            : (try? JSONDecoder().decode(String.self, from: Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])))
              .map { Array($0.utf8) } ?? raw
          if set.contains(decoded) { return true }
          stack[stack.count - 1]!.insert(decoded)
          expectingKey[expectingKey.count - 1] = false
        }
        index = end
      default:
        break
      }
      index += 1
    }
    return false
  }
}
