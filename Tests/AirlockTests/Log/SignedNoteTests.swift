import Foundation
import Testing

@testable import Airlock

/// C2SP signed-note and tlog-checkpoint vectors.
@Suite struct SignedNoteTests {
  static let rfc8032Seed = Data(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!
  static let origin = "tre.example.ac.uk/airlock/log"
  static let vkey = "tre.example.ac.uk/airlock/log+986f7b76+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
  static let checkpointNote = """
    tre.example.ac.uk/airlock/log
    8
    XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=

    \u{2014} tre.example.ac.uk/airlock/log mG97dmdmjhhu7RDCix3LiDXWM/8hKgHjWgKZ6jMrK8/oJyHhWH9IPf5snR1xZr/2rI2tHQK++k5CBg1kxh5f1epetwE=

    """

  @Test func verifierKeyOfTheRFC8032KeyMatchesTheVector() throws {
    let key = try SigningKey(seed: Self.rfc8032Seed)
    let verifier = try NoteVerifier(name: Self.origin, publicKey: key.publicKey)
    #expect(verifier.keyID.hex == "986f7b76")
    #expect(verifier.vkey == Self.vkey)
    #expect(try NoteVerifier(vkey: Self.vkey) == verifier)
  }

  @Test func theExampleCheckpointVerifiesAndOverTheCTTree() throws {
    let verifier = try NoteVerifier(vkey: Self.vkey)
    let checkpoint = try Checkpoint.open(Self.checkpointNote, verifier: verifier)
    #expect(checkpoint.size == 8)
    #expect(checkpoint.root == Merkle.root(MerkleTests.leafHashes))
  }

  @Test func signingTheCTTreeReproducesTheExampleCheckpoint() throws {
    // Ed25519 on Linux (BoringSSL) is deterministic, so the bytes match exactly.
    let key = try SigningKey(seed: Self.rfc8032Seed)
    let checkpoint = Checkpoint(origin: Self.origin, size: 8, root: Merkle.root(MerkleTests.leafHashes))
    let note = try SignedNote.sign(checkpoint.text, name: Self.origin, key: key)
    #if os(Linux)
      #expect(note == Self.checkpointNote)
    #endif
    #expect(try Checkpoint.open(note, verifier: NoteVerifier(vkey: Self.vkey)) == checkpoint)
  }

  @Test func goNoteVectorVerifies() throws {
    // golang.org/x/mod/sumdb/note's example: a note by a key unrelated to airlock.
    let verifier = try NoteVerifier(vkey: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    let note =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    #expect(try SignedNote.open(note, verifier: verifier).hasPrefix("If you think"))
  }

  @Test func tamperedOrForeignNotesAreRefused() throws {
    let verifier = try NoteVerifier(vkey: Self.vkey)
    let edited = Self.checkpointNote.replacingOccurrences(of: "\n8\n", with: "\n9\n")
    #expect(throws: AirlockError.self) { try Checkpoint.open(edited, verifier: verifier) }
    let other = try NoteVerifier(name: Self.origin, publicKey: SigningKey().publicKey)
    #expect(throws: AirlockError.self) { try Checkpoint.open(Self.checkpointNote, verifier: other) }
    // A signature from an unknown key is ignored; the known one still counts.
    let stranger = try SignedNote.sign("x\n", name: "stranger.example", key: SigningKey())
    let cosigned = Self.checkpointNote + stranger.components(separatedBy: "\n\n")[1]
    #expect(try Checkpoint.open(cosigned, verifier: verifier).size == 8)
    #expect(throws: AirlockError.self) {
      try NoteVerifier(vkey: "tre.example.ac.uk/airlock/log+00000000+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea")
    }
  }

  @Test func receiptsRoundTripAndVerify() throws {
    let key = try SigningKey(seed: Self.rfc8032Seed)
    let leaves = MerkleTests.leafHashes
    for index in 0..<8 {
      let receipt = InclusionReceipt(
        entry: MerkleTests.leaves[index], index: index, proof: Merkle.inclusionProof(index, leaves),
        checkpointNote: Self.checkpointNote)
      let parsed = try InclusionReceipt(text: receipt.text)
      #expect(parsed == receipt)
      #expect(try parsed.verify(NoteVerifier(vkey: Self.vkey)).size == 8)
      var forged = parsed
      forged.entry = Data("forged".utf8)
      #expect(throws: AirlockError.self) { try forged.verify(NoteVerifier(vkey: Self.vkey)) }
      let foreign = try NoteVerifier(name: Self.origin, publicKey: SigningKey().publicKey)
      #expect(throws: AirlockError.self) { try parsed.verify(foreign) }
    }
    _ = key
  }
}

/// `NoteVerifier.load(pinned:)`: the pinned key file `log verify --vkey` and `verify --log-key`
/// read (moved out of the CLI, issue 20).
@Suite struct PinnedLogKeyTests {
  @Test func aVkeyFileLoadsAndAnythingElseIsAnInputErrorNamingTheFile() throws {
    let folder = temporaryFolder()
    let good = write(SignedNoteTests.vkey + "\n", to: "log.vkey", in: folder)
    #expect(try NoteVerifier.load(pinned: good) == NoteVerifier(vkey: SignedNoteTests.vkey))
    for (name, text) in [("empty.vkey", ""), ("garbage.vkey", "not a key\n")] {
      let path = write(text, to: name, in: folder)
      #expect(throws: AirlockError.self, "\(name)") { try NoteVerifier.load(pinned: path) }
    }
    let missing = folder.appendingPathComponent("missing.vkey").path
    do {
      _ = try NoteVerifier.load(pinned: missing)
      Issue.record("a missing key file loaded")
    } catch {
      #expect(error.kind == .input && error.file == missing && error.message == "cannot read the pinned log key")
    }
  }
}
