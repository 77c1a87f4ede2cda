import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct TrustListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List who holds which role with which key, and from when to when.",
      discussion:
        "A key listed for more than one principal is flagged: such a key counts for none of them as a reviewer of their own requests."
    )

    @OptionGroup var options: TrustFileOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Line: Encodable {
      var line: Int
      var principals: [String]
      var roles: [String]
      var validAfter: String?
      var validBefore: String?
      var keyid: String
      var fingerprint: String
      /// Other principals the same key is listed for.
      var sharedWith: [String]
    }

    func run() throws {
      let path = try options.path()
      let trust = try TrustList.load(path)
      let lines = trust.entries.map { entry in
        Line(
          line: entry.line, principals: entry.principals, roles: entry.namespaces,
          validAfter: entry.validAfter.map(ISOTime.format),
          validBefore: entry.validBefore.map(ISOTime.format), keyid: entry.key.keyid,
          fingerprint: entry.key.fingerprint,
          sharedWith: trust.allPrincipals(for: entry.key).subtracting(entry.principals).sorted())
      }
      if json { return printJSON(lines) }
      if lines.isEmpty { print("\(path): no one is trusted yet ('airlock trust add')") }
      for line in lines {
        var text =
          "\(line.principals.joined(separator: ","))  \(line.roles.joined(separator: ","))  \(line.fingerprint)"
        if let after = line.validAfter { text += "  from \(after)" }
        if let before = line.validBefore { text += "  until \(before)" }
        if !line.sharedWith.isEmpty { text += "  (key also listed for \(line.sharedWith.joined(separator: ", ")))" }
        print(text)
      }
    }
  }
}
