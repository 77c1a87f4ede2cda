import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct TrustAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Give PRINCIPAL a role with the public key KEY.pub (as 'airlock keygen' wrote it).",
      discussion: """
        Writes one allowed_signers line: PRINCIPAL namespaces="ROLE"[,valid-after=..][,valid-before=..] ssh-ed25519 \
        KEY. Refuses a key already listed for someone else (one key, one person: otherwise the two-person rule \
        cannot hold), a principal with spaces, commas or control characters, and a bad time. Exit 2 when refused.
        """)

    @Argument(help: "The person's name in the trust list, e.g. alice@tre.example.") var principal: String
    @Argument(help: "Their public key: the .pub file 'airlock keygen' wrote (PEM), or an ssh-ed25519 line.")
    var keyFile: String
    @Option(name: .long, help: "airlock-submit, airlock-review or airlock-release (or submit, review, release).")
    var role: String
    @Option(name: .customLong("valid-after"), help: "First valid time, YYYYMMDD[HHMM[SS]][Z] (UTC).") var validAfter:
      String?
    @Option(name: .customLong("valid-before"), help: "End of validity, YYYYMMDD[HHMM[SS]][Z] (UTC).") var validBefore:
      String?
    @OptionGroup var options: TrustFileOptions

    func run() throws {
      guard let role = Role(rawValue: role) ?? Role(rawValue: "airlock-" + role) else {
        throw AirlockError(
          .usage, "--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), got '\(role)'")
      }
      let key = try KeyFile.loadAnyPublicKey(keyFile)
      let path = try options.path()
      try TrustList.add(
        toFile: path, principal: principal, role: role, key: key, validAfter: validAfter, validBefore: validBefore)
      print("\(principal) holds \(role.rawValue) with key \(key.fingerprint) in \(path)")
    }
  }
}
