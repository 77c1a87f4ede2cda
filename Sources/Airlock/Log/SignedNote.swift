import Crypto
import Foundation

/// A C2SP signed-note Ed25519 key: a name plus a public key, identified by the
/// 4-byte key ID `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]`.
public struct NoteVerifier: Sendable, Equatable {
  /// The key name (for a log, its origin).
  public let name: String
  public let publicKey: PublicKey

  public init(name: String, publicKey: PublicKey) throws(AirlockError) {
    guard NoteVerifier.isValidName(name) else {
      throw AirlockError(.usage, "'\(name)' cannot name a note key (no spaces, '+' or control characters)")
    }
    self.name = name
    self.publicKey = publicKey
  }

  static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && !name.unicodeScalars.contains { $0 == " " || $0 == "+" || $0.value < 0x20 || $0.value == 0x7f }
  }

  /// The 4-byte key ID.
  public var keyID: Data {
    Data(SHA256.hash(data: Data(name.utf8) + Data([0x0a, 0x01]) + publicKey.raw).prefix(4))
  }

  /// `<name>+<hex key ID>+<base64(0x01 ‖ key)>`: the verifier key (vkey) a verifier pins.
  public var vkey: String { "\(name)+\(keyID.hex)+\((Data([0x01]) + publicKey.raw).base64EncodedString())" }

  /// Parses a vkey (surrounding whitespace ignored), checking its key ID.
  public init(vkey text: String, file: String? = nil) throws(AirlockError) {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    let parts = trimmed.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
    // The base64 part may itself hold '+': rejoin everything after the second separator.
    guard parts.count >= 3, let id = Data(hex: parts[1]), id.count == 4,
      let key = Data(base64Encoded: parts[2...].joined(separator: "+")), key.count == 33, key[key.startIndex] == 0x01
    else {
      throw AirlockError(.input, file: file, line: 1, column: 1, "not a signed-note verifier key (name+id+base64)")
    }
    try self.init(name: parts[0], publicKey: try PublicKey(raw: key.dropFirst()))
    guard keyID == id else {
      throw AirlockError(
        .input, file: file, line: 1, column: parts[0].count + 2,
        "verifier key id \(parts[1]) does not match its key (\(keyID.hex))")
    }
  }
}

/// C2SP signed notes: text, a blank line, then `— name base64(keyID ‖ signature)` lines.
public enum SignedNote {
  /// Signs `text` (which must end in a newline) with `key` under `name`.
  public static func sign(_ text: String, name: String, key: SigningKey) throws(AirlockError) -> String {
    guard text.hasSuffix("\n") else { throw AirlockError(.usage, "a note's text must end with a newline") }
    let verifier = try NoteVerifier(name: name, publicKey: key.publicKey)
    let signature = key.signature(for: Data(text.utf8))
    return text + "\n" + "\u{2014} \(name) \((verifier.keyID + signature).base64EncodedString())\n"
  }

  /// The note's text when `verifier` signed it. Signatures from unknown keys are ignored; the note
  /// is refused when the known key's signature is missing or wrong.
  public static func open(_ note: String, verifier: NoteVerifier) throws(AirlockError) -> String {
    guard let split = note.range(of: "\n\n", options: .backwards) else {
      throw AirlockError(.input, "not a signed note (no blank line before the signatures)")
    }
    let text = String(note[note.startIndex...split.lowerBound])
    let signatureBlock = note[split.upperBound...]
    guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
      throw AirlockError(.input, "a signed note's text may hold no control characters but newlines")
    }
    guard signatureBlock.hasSuffix("\n") else { throw AirlockError(.input, "a signed note must end with a newline") }
    var known = false
    for line in signatureBlock.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
      guard line.hasPrefix("\u{2014} ") else { throw AirlockError(.input, "malformed signature line in note") }
      let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
      guard fields.count == 2, let blob = Data(base64Encoded: String(fields[1])), blob.count >= 5 else {
        throw AirlockError(.input, "malformed signature line in note")
      }
      guard String(fields[0]) == verifier.name, blob.prefix(4) == verifier.keyID else { continue }
      known = true
      guard blob.count == 68, verifier.publicKey.isValidSignature(blob.dropFirst(4), for: Data(text.utf8)) else {
        throw AirlockError(.input, "note signature by \(verifier.name) does not verify")
      }
    }
    guard known else { throw AirlockError(.input, "note is not signed by \(verifier.name)+\(verifier.keyID.hex)") }
    return text
  }
}

/// A C2SP tlog checkpoint: origin, tree size and root hash.
public struct Checkpoint: Sendable, Equatable {
  public var origin: String
  public var size: Int
  public var root: Data

  public init(origin: String, size: Int, root: Data) {
    self.origin = origin
    self.size = size
    self.root = root
  }

  /// The note text: three lines.
  public var text: String { "\(origin)\n\(size)\n\(root.base64EncodedString())\n" }

  /// Parses a checkpoint's note text (extension lines are allowed and ignored).
  public init(text: String) throws(AirlockError) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.count >= 4, lines.last == "", !lines[0].isEmpty else {
      throw AirlockError(.input, "not a checkpoint (origin, size and root hash lines expected)")
    }
    guard let size = Int(lines[1]), size >= 0, String(size) == lines[1] else {
      throw AirlockError(
        .input, line: 2, column: 1, "checkpoint tree size '\(lines[1])' is not a decimal without leading zeros")
    }
    guard let root = Data(base64Encoded: lines[2]), root.count == 32 else {
      throw AirlockError(.input, line: 3, column: 1, "checkpoint root hash is not 32 bytes of base64")
    }
    self.init(origin: lines[0], size: size, root: root)
  }

  /// Parses and checks a signed checkpoint note.
  public static func open(_ note: String, verifier: NoteVerifier, file: String? = nil) throws(AirlockError)
    -> Checkpoint
  {
    do throws(AirlockError) {
      let checkpoint = try Checkpoint(text: try SignedNote.open(note, verifier: verifier))
      guard checkpoint.origin == verifier.name else {
        throw AirlockError(
          .input, line: 1, column: 1, "checkpoint origin '\(checkpoint.origin)' is not the log's '\(verifier.name)'")
      }
      return checkpoint
    } catch {
      var located = error
      located.file = file
      throw located
    }
  }
}

/// A C2SP `tlog-proof`: an offline receipt that an entry is in the log.
public struct InclusionReceipt: Sendable, Equatable {
  public static let header = "c2sp.org/tlog-proof@v1"
  /// The entry's exact bytes (the `extra` line).
  public var entry: Data
  public var index: Int
  public var proof: [Data]
  /// The signed checkpoint note, verbatim.
  public var checkpointNote: String

  public init(entry: Data, index: Int, proof: [Data], checkpointNote: String) {
    self.entry = entry
    self.index = index
    self.proof = proof
    self.checkpointNote = checkpointNote
  }

  public var text: String {
    var lines = [Self.header, "extra \(entry.base64EncodedString())", "index \(index)"]
    lines += proof.map { $0.base64EncodedString() }
    return lines.joined(separator: "\n") + "\n\n" + checkpointNote
  }

  public init(text: String, file: String? = nil) throws(AirlockError) {
    guard let split = text.range(of: "\n\n") else {
      throw AirlockError(.input, file: file, "not a tlog-proof (no blank line before the checkpoint)")
    }
    let lines = text[..<split.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.first == Self.header else {
      throw AirlockError(.input, file: file, line: 1, column: 1, "not a tlog-proof (expected '\(Self.header)')")
    }
    var row = 1
    var entry = Data()
    if lines.count > row, lines[row].hasPrefix("extra ") {
      guard let bytes = Data(base64Encoded: String(lines[row].dropFirst(6))) else {
        throw AirlockError(.input, file: file, line: row + 1, column: 7, "extra is not base64")
      }
      entry = bytes
      row += 1
    }
    guard lines.count > row, lines[row].hasPrefix("index "), let index = Int(lines[row].dropFirst(6)), index >= 0 else {
      throw AirlockError(.input, file: file, line: row + 1, column: 1, "expected 'index N'")
    }
    var proof: [Data] = []
    for (offset, line) in lines[(row + 1)...].enumerated() {
      guard let hash = Data(base64Encoded: line), hash.count == 32 else {
        throw AirlockError(
          .input, file: file, line: row + 2 + offset, column: 1, "proof hash is not 32 bytes of base64")
      }
      proof.append(hash)
    }
    self.init(entry: entry, index: index, proof: proof, checkpointNote: String(text[split.upperBound...]))
  }

  /// Checks the receipt under the pinned log key: the checkpoint is signed, and the entry is in
  /// the tree it names. Returns the checkpoint.
  public func verify(_ verifier: NoteVerifier, file: String? = nil) throws(AirlockError) -> Checkpoint {
    let checkpoint = try Checkpoint.open(checkpointNote, verifier: verifier, file: file)
    guard
      Merkle.verifyInclusion(
        index: index, size: checkpoint.size, leaf: Merkle.leafHash(entry), proof: proof, root: checkpoint.root)
    else {
      throw AirlockError(
        .input, file: file, "inclusion proof of entry \(index) does not match the checkpoint of size \(checkpoint.size)"
      )
    }
    return checkpoint
  }
}

extension NoteVerifier {
  /// Reads the log key a verifier pinned: a vkey file (`NAME+KEYHASH+BASE64`), as `airlock log
  /// verify --vkey` and `airlock verify --log-key` take it.
  /// - Throws: `.input` naming the file when it cannot be read or is not a vkey.
  public static func load(pinned path: String) throws(AirlockError) -> NoteVerifier {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw AirlockError(.input, file: path, "cannot read the pinned log key")
    }
    return try NoteVerifier(vkey: text, file: path)
  }
}
