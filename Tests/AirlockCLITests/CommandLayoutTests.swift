import Foundation
import Testing

/// The CLI's layout (issue 20): one command per file, named after it, and shared options declared
/// once. Read from the sources, so a second command added to a file fails here.
@Suite struct CommandLayoutTests {
  static let folder = packageRoot.appendingPathComponent("Sources/airlock/Subcommands")

  /// Each file's source, by file name without `.swift`.
  static func sources() throws -> [String: String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
    var result: [String: String] = [:]
    for name in names {
      result[String(name.dropLast(6))] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
    return result
  }

  @Test func everyFileHoldsOneCommandNamedAfterIt() throws {
    let sources = try Self.sources()
    #expect(sources.count > 30)
    let command = try Regex(#"struct (\w+): ParsableCommand"#)
    let parent = try Regex(#"extension AirlockCommand\.(\w+) \{"#)
    for (file, text) in sources {
      let commands = text.matches(of: command).map { String($0.output[1].substring!) }
      if file == "Options" {
        #expect(commands.isEmpty, "Options.swift holds option groups only: \(commands)")
        continue
      }
      #expect(commands.count == 1, "\(file).swift: \(commands)")
      guard let name = commands.first else { continue }
      // A sub-subcommand's file is named after its parent too: `HistoryAdd` for `History.Add`.
      let prefix = text.firstMatch(of: parent).map { String($0.output[1].substring!) } ?? ""
      #expect(file == name || file == prefix + name, "\(file).swift declares \(name)")
    }
  }

  @Test func theStoreOptionIsDeclaredOnceForEveryCommandThatOpensAStore() throws {
    let sources = try Self.sources()
    let declarations = sources.filter { $0.value.contains("help: \"The review store folder") }.keys.sorted()
    // StoreOptions, and the log location (whose help says where in the store the log is).
    #expect(declarations == ["Options"], "\(declarations)")
    let options = try #require(sources["Options"])
    #expect(options.components(separatedBy: "help: \"The review store folder").count - 1 == 2)
  }
}
