import Foundation
import Testing

/// The library's folders may depend on each other only as listed here, and the list may only
/// shrink: a new dependency between folders (the start of a cycle) fails this test until it is
/// argued for in review and added. A folder depends on another when its code names a type or
/// top-level function declared there.
///
/// The cycles issue 20 found between the log and the review store, and from the rule protocols into
/// identifier rules, are gone, and the basic types (`Base/`) and the engine (`Core/`) have folders of
/// their own; those that remain (the rules and the engine, the table's caches of two rules' results)
/// are listed so that they cannot grow.
@Suite struct LayeringTests {
  static let allowed: [String: Set<String>] = [
    // The bottom: errors, findings, outcomes, YAML; then keys and the log.
    "Base": [],
    "Signing": ["Base"],
    "Log": ["Base", "Signing"],
    // The reader and cell store (still caching two rules' results on the table), then the engine.
    "Tables": ["Base", "Core", "Rules"],
    "Core": ["Base", "Configuration", "Rules", "Tables"],
    "Configuration": ["Base", "Core", "Rules", "Tables"],
    "Rules": ["Base", "Configuration", "Core", "Differencing", "Tables"],
    "Differencing": ["API", "Base", "Configuration", "Core", "Rules", "Tables"],
    "Review": ["API", "Base", "Configuration", "Core", "Differencing", "Log", "Signing", "Tables", "Tabulate"],
    "Register": ["Base", "Core", "Log", "Review"],
    "Reporters": ["API", "Base", "Configuration", "Core", "Review", "Rules", "Tables"],
    "Tabulate": ["Base", "Configuration", "Differencing", "Reporters", "Rules", "Tables"],
    "API": ["Base", "Configuration", "Core", "Differencing", "Log", "Review", "Rules", "Signing", "Tables"],
  ]

  /// The library's Swift files by folder.
  static func sources() throws -> [String: [String]] {
    let root = packageRoot.appendingPathComponent("Sources/Airlock")
    var result: [String: [String]] = [:]
    for folder in try FileManager.default.contentsOfDirectory(atPath: root.path) {
      let url = root.appendingPathComponent(folder)
      guard let walker = FileManager.default.enumerator(atPath: url.path) else { continue }
      for case let file as String in walker where file.hasSuffix(".swift") {
        result[folder, default: []].append(try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8))
      }
    }
    return result
  }

  /// Each folder's dependencies on the others, with the names that make them.
  static func dependencies() throws -> [String: [String: Set<String>]] {
    let sources = try sources()
    let declaration =
      /(?m)^(?:public |@_spi\(\w+\) public )?(?:(?:struct|enum|final class|class|protocol|actor) ([A-Z]\w*)|func ([a-z]\w*)\()/
    var owner: [String: String] = [:]
    for (folder, files) in sources.sorted(by: { $0.key < $1.key }) {
      for text in files {
        for match in text.matches(of: declaration) {
          if let name = match.output.1 ?? match.output.2, owner[String(name)] == nil { owner[String(name)] = folder }
        }
      }
    }
    var result: [String: [String: Set<String>]] = [:]
    for (folder, files) in sources {
      for text in files {
        let code = text.split(separator: "\n", omittingEmptySubsequences: false)
          .map { line in line.range(of: "//").map { line[..<$0.lowerBound] } ?? line[...] }.joined(separator: "\n")
        // Identifiers as maximal runs (no `\b`: Unicode word boundaries join `Name.member`).
        for token in Set(code.matches(of: /[A-Za-z_][A-Za-z0-9_]*/).map { String($0.output) }) {
          if let other = owner[token], other != folder {
            result[folder, default: [:]][other, default: []].insert(token)
          }
        }
      }
    }
    return result
  }

  @Test func foldersDependOnlyAsAllowed() throws {
    let dependencies = try Self.dependencies()
    #expect(Set(dependencies.keys).isSubset(of: Set(Self.allowed.keys)), "a new folder needs its place in the list")
    for (folder, uses) in dependencies {
      for (other, names) in uses where !(Self.allowed[folder] ?? []).contains(other) {
        Issue.record("\(folder)/ now depends on \(other)/ (\(names.sorted().prefix(5).joined(separator: ", ")))")
      }
    }
  }

  @Test func theBottomLayersKnowNothingAboveThem() throws {
    let dependencies = try Self.dependencies()
    // The scan sees the dependencies that are there (a scan that found none would pass anything).
    #expect(dependencies["Review"]?["Log"]?.contains("TransparencyLog") == true)
    #expect(dependencies["Rules"]?["Core"]?.contains("CellRule") == true)
    #expect(dependencies["Log"]?["Signing"]?.contains("JSONDuplicateCheck") == true)
    #expect(dependencies["Log"]?["Review"] == nil)
    #expect(Set((dependencies["Signing"] ?? [:]).keys).isSubset(of: ["Base"]))
    #expect((dependencies["Base"] ?? [:]).isEmpty)
    // The rule protocols name no rule (the pipeline beside them still does).
    let protocols = try String(
      contentsOf: packageRoot.appendingPathComponent("Sources/Airlock/Core/Rule.swift"), encoding: .utf8)
    #expect(
      protocols.matches(of: /[A-Z][A-Za-z]*Rule(?![A-Za-z0-9_])/).allSatisfy {
        ["CellRule", "TableRule", "FieldRule", "OutputRule", "FileRule"].contains(String($0.output))
      })
  }
}
