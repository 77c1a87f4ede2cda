import Foundation
import Testing

@testable import Airlock

/// DSSE, keys and key files against the DSSE v1 and securesystemslib vectors and rules.
@Suite struct ReviewSigningTests {
  static let seed = Data(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!

  @Test func paeMatchesTheSpecVector() {
    let pae = Envelope.pae("http://example.com/HelloWorld", Data("hello world".utf8))
    #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
  }

  @Test func rfc8032KeyHasTheSecuresystemslibKeyid() throws {
    let key = try SigningKey(seed: Self.seed)
    #expect(key.publicKey.raw.hex == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    #expect(key.publicKey.keyid == "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916")
  }

  @Test func signsTheSpecVectorAndVerifies() throws {
    let key = try SigningKey(seed: Self.seed)
    var envelope = Envelope(body: Data("hello world".utf8), payloadType: "http://example.com/HelloWorld")
    try envelope.sign(with: key)
    #expect(envelope.signatures[0].keyid == key.publicKey.keyid)
    // Ed25519 is deterministic on Linux (BoringSSL); elsewhere verify instead of comparing bytes.
    #if os(Linux)
      #expect(
        envelope.signatures[0].sig
          == "4DHX3Zn4qpBKvEj7maE8O9u9bjXEnPLLnyXVUJ2PXJR8DSLcL3QDpFvfJOj3pB/SPHsl6Jg4boxsMb6KvuYABw==")
    #endif
    let fixed = Data(
      base64Encoded: "4DHX3Zn4qpBKvEj7maE8O9u9bjXEnPLLnyXVUJ2PXJR8DSLcL3QDpFvfJOj3pB/SPHsl6Jg4boxsMb6KvuYABw==")!
    #expect(
      key.publicKey.isValidSignature(
        fixed, for: Envelope.pae("http://example.com/HelloWorld", Data("hello world".utf8))))
    #expect(envelope.verifiedKeys(among: [key.publicKey]) == [key.publicKey])
    #expect(envelope.verifiedKeys(among: [SigningKey().publicKey]).isEmpty)
  }

  @Test func oneKeySigningTwiceCountsOnce() throws {
    let key = SigningKey()
    var envelope = Envelope(body: Data("x".utf8), payloadType: "t")
    try envelope.sign(with: key)
    try envelope.sign(with: key)
    #expect(envelope.verifiedKeys(among: [key.publicKey]).count == 1)
  }

  @Test func acceptsUrlSafeAndUnpaddedBase64() {
    #expect(Data(lenientBase64: "-_8") == Data([0xfb, 0xff]))
    #expect(Data(lenientBase64: "+/8=") == Data([0xfb, 0xff]))
  }

  @Test func refusesDuplicateJsonMembers() throws {
    let good = #"{"payload":"eA==","payloadType":"t","signatures":[]}"#
    let bad = #"{"payload":"eA==","payloadType":"t","payload":"eQ==","signatures":[]}"#
    #expect(throws: Never.self) { try Envelope.parse(Data(good.utf8)) }
    #expect(throws: AirlockError.self) { try Envelope.parse(Data(bad.utf8)) }
    #expect(!JSONDuplicateCheck.hasDuplicateMember(Data(#"[{"a":1},{"a":2}]"#.utf8)))
    #expect(JSONDuplicateCheck.hasDuplicateMember(Data(#"{"a":{"b":1,"b":2}}"#.utf8)))
  }

  @Test func pemRoundTrips() throws {
    let key = try SigningKey(seed: Self.seed)
    #expect(
      key.pem.hasPrefix(
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"))
    #expect(try SigningKey(pem: key.pem).publicKey == key.publicKey)
    #expect(try PublicKey(pem: key.publicKey.pem) == key.publicKey)
    #expect(throws: AirlockError.self) { try SigningKey(pem: key.publicKey.pem) }
  }

  @Test func keyFilesAreWrittenPrivateAndNeverOverwritten() throws {
    let path = temporaryFolder().appendingPathComponent("me.key").path
    try KeyFile.write(SigningKey(), to: path, force: false)
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
    #expect(mode == 0o600)
    #expect(throws: AirlockError.self) { try KeyFile.write(SigningKey(), to: path, force: false) }
    let first = try KeyFile.loadPrivateKey(path).publicKey
    try KeyFile.write(SigningKey(), to: path, force: true)
    #expect(try KeyFile.loadPrivateKey(path).publicKey != first)
    #expect(try KeyFile.loadPublicKey(path + ".pub") == KeyFile.loadPrivateKey(path).publicKey)
  }

  @Test func refusesAWorldReadablePrivateKey() throws {
    let path = temporaryFolder().appendingPathComponent("me.key").path
    try KeyFile.write(SigningKey(), to: path, force: false)
    chmod(path, 0o644)
    #expect {
      try KeyFile.loadPrivateKey(path)
    } throws: { error in
      (error as? AirlockError)?.message.contains("unprotected private key file") == true
    }
  }

  @Test func sshIdentifiersMatchOpenSSH() throws {
    let key = try SigningKey(seed: Self.seed).publicKey
    #expect(key.openSSH == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea")
    #expect(key.fingerprint.hasPrefix("SHA256:"))
  }
}

/// The allowed_signers trust list.
@Suite struct ReviewTrustListTests {
  let key = SigningKey().publicKey

  @Test func readsPrincipalsNamespacesAndValidity() throws {
    let text = """
      # checkers
      bob@tre,robert@tre namespaces="airlock-review,airlock-release",valid-after="20250101",valid-before="20300101Z" \(key.openSSH) bob's key

      """
    let list = try TrustList.parse(text)
    #expect(list.entries.count == 1)
    let entry = list.entries[0]
    #expect(entry.principals == ["bob@tre", "robert@tre"])
    #expect(entry.namespaces == ["airlock-review", "airlock-release"])
    #expect(entry.allows(.review, at: ISOTime.parse("2026-01-01T00:00:00Z")!))
    #expect(!entry.allows(.review, at: ISOTime.parse("2024-12-31T23:59:59Z")!))
    #expect(!entry.allows(.review, at: ISOTime.parse("2030-01-01T00:00:00Z")!))
    #expect(!entry.allows(.submit, at: ISOTime.parse("2026-01-01T00:00:00Z")!))
    #expect(try list.principal(for: key, role: .review, at: ISOTime.parse("2026-01-01T00:00:00Z")!) == "bob@tre")
  }

  @Test func aLineWithoutNamespacesGrantsNoRole() throws {
    let list = try TrustList.parse("bob@tre \(key.openSSH)")
    #expect(throws: AirlockError.self) { try list.principal(for: key, role: .review, at: Date()) }
  }

  @Test(arguments: [
    "bob@tre", "bob@tre ssh-rsa AAAAB3NzaC1yc2E=", "bob@tre namespaces=\"airlock-review\" ssh-ed25519 AAAA",
    "bob@tre valid-after=\"2025\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea",
    "bob@tre cert-authority ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea",
  ])
  func refusesMalformedLines(_ line: String) {
    #expect(throws: AirlockError.self) { try TrustList.parse(line) }
  }
}
