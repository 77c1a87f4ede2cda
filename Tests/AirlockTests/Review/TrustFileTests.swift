import Foundation
import Testing

@testable import Airlock

/// What `airlock trust add` does, in the library (moved out of the CLI, issue 20): read a public
/// key in either form, and add a checked line to a trust list file.
@Suite struct TrustFileTests {
  @Test func aPublicKeyIsReadFromPEMOrFromAnSSHLine() throws {
    let folder = temporaryFolder()
    let key = SigningKey()
    try KeyFile.write(key, to: folder.appendingPathComponent("k.key").path, force: false)
    let pem = folder.appendingPathComponent("k.key.pub").path
    #expect(try KeyFile.loadAnyPublicKey(pem) == key.publicKey)
    let line = write(
      "bob@tre namespaces=\"airlock-review\" \(key.publicKey.openSSH) bob's laptop\n", to: "line", in: folder)
    #expect(try KeyFile.loadAnyPublicKey(line) == key.publicKey)
    let bare = write("\(key.publicKey.openSSH)\n", to: "bare.pub", in: folder)
    #expect(try KeyFile.loadAnyPublicKey(bare) == key.publicKey)
    for bad in ["ssh-rsa AAAAB3NzaC1yc2E\n", "ssh-ed25519\n", "ssh-ed25519 not-base64!\n", ""] {
      let path = write(bad, to: "bad", in: folder)
      #expect(throws: AirlockError.self, "\(bad)") { try KeyFile.loadAnyPublicKey(path) }
    }
    #expect(throws: AirlockError.self) { try KeyFile.loadAnyPublicKey(folder.appendingPathComponent("missing").path) }
  }

  @Test func addingToAFileChecksTheLineAndLeavesTheFileAsItWasWhenRefused() throws {
    let path = temporaryFolder().appendingPathComponent("allowed_signers").path
    let alice = SigningKey().publicKey
    let bob = SigningKey().publicKey
    try TrustList.add(toFile: path, principal: "alice@tre", role: .submit, key: alice)
    try TrustList.add(toFile: path, principal: "bob@tre", role: .review, key: bob, validAfter: "20250101")
    let before = try String(contentsOfFile: path, encoding: .utf8)
    let trust = try TrustList.load(path)
    #expect(trust.entries.map(\.principals) == [["alice@tre"], ["bob@tre"]])
    // One key, one person: bob's key for alice is refused, and the file is unchanged.
    #expect(throws: AirlockError.self) {
      try TrustList.add(toFile: path, principal: "alice@tre", role: .review, key: bob)
    }
    #expect(throws: AirlockError.self) {
      try TrustList.add(toFile: path, principal: "carol tre", role: .review, key: SigningKey().publicKey)
    }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
  }
}
