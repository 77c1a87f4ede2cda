import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Make an Ed25519 key pair: a PKCS#8 private key (mode 0600) and a PEM public key.",
      discussion: """
        Prints the key's securesystemslib key id, its SHA256 fingerprint, and a trust-list line to give \
        to whoever keeps the allowed_signers file.
        """)

    @Option(name: [.short, .long], help: "Where to write the private key; the public key goes to PATH.pub.")
    var out: String

    @Option(name: .long, help: "Your name in the trust list (for the printed trust-list line).")
    var principal: String = "you@example.org"

    @Option(
      name: .long, help: "The role for the printed trust-list line: airlock-submit, airlock-review or airlock-release.")
    var role: String = "airlock-review"

    @Flag(name: .long, help: "Overwrite existing key files.")
    var force = false

    func run() throws {
      let key = SigningKey()
      try KeyFile.write(key, to: out, force: force)
      let publicKey = key.publicKey
      print("private key: \(out) (mode 0600)")
      print("public key:  \(out).pub")
      print("keyid:       \(publicKey.keyid)")
      print("fingerprint: \(publicKey.fingerprint)")
      print("trust-list line:")
      print("\(principal) namespaces=\"\(role)\" \(publicKey.openSSH)")
    }
  }
}
