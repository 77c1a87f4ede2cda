import Foundation
import Testing

@testable import Airlock

/// Generated files must match what the code would generate now. Run
/// `AIRLOCK_UPDATE_DOCS=1 swift test --filter GeneratedFilesTests` to rewrite them.
@Suite struct GeneratedFilesTests {
  static let root = packageRoot
  static var updating: Bool { ProcessInfo.processInfo.environment["AIRLOCK_UPDATE_DOCS"] == "1" }

  private func compare(_ expected: String, at relativePath: String) throws {
    let url = Self.root.appendingPathComponent(relativePath)
    if Self.updating {
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try expected.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    let actual = try? String(contentsOf: url, encoding: .utf8)
    #expect(
      actual == expected, "\(relativePath) is stale: run AIRLOCK_UPDATE_DOCS=1 swift test --filter GeneratedFilesTests")
  }

  @Test func ruleDocsMatchTheRules() throws {
    for rule in RuleRegistry.builtIn {
      try compare(
        RuleDocumentation.markdown(for: rule), at: "docs/rules/\(rule.description.code)-\(rule.description.name).md")
    }
    let index =
      "<!-- GENERATED from Sources/Airlock/Rules: do not edit. -->\n# Rules\n\n| code | name | summary |\n|---|---|---|\n"
      + RuleRegistry.builtIn.map {
        let d = $0.description
        return "| \(d.code) | [\(d.name)](\(d.code)-\(d.name).md) | \(d.summary) |"
      }.joined(separator: "\n") + "\n"
    try compare(index, at: "docs/rules/README.md")
  }

  @Test func compiledPacksMatchTheRulesFolder() throws {
    let folder = Self.root.appendingPathComponent("rules")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
    #expect(Set(files.map { String($0.dropLast(5)) }) == Set(BuiltInPacks.texts.keys), "run Scripts/generate-packs.py")
    for file in files {
      let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      #expect(
        BuiltInPacks.texts[String(file.dropLast(5))].map { $0 + "\n" } == text,
        "rules/\(file) differs from the compiled pack: run Scripts/generate-packs.py")
    }
  }
}
