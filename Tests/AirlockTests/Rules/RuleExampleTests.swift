import Foundation
import Testing

@testable import Airlock

/// Runs every example of every rule: findings of the rule must be exactly at the `↓` cells, with
/// the example's outcome, and nowhere else.
@Suite struct RuleExampleTests {
  static let codes = RuleRegistry.builtIn.map { $0.description.code }

  @Test(arguments: codes)
  func examplesHold(code: String) throws {
    let rule = try #require(RuleRegistry.rule(codeOrName: code))
    let description = rule.description
    #expect(description.examples.contains { $0.flags }, "every rule shows a flagged example")
    #expect(description.examples.contains { !$0.flags }, "every rule shows a passing example")
    for example in description.examples {
      let folder = temporaryFolder()
      let path = write(example.cleanText + "\n", to: example.fileName, in: folder)
      if let manifest = example.manifest {
        write(manifest, to: OutputDeclaration.baseName(of: example.fileName) + ".airlock.yaml", in: folder)
      }
      for (name, text) in example.companions { write(text + "\n", to: name, in: folder) }
      let report = Checker(pack: pack(rule: description.name, example.parameters)).check(paths: [folder.path])
      let result = report.results.first { $0.file == path || $0.file.hasSuffix("/" + example.fileName) }!
      #expect(result.error == nil, "\(example.caption): \(String(describing: result.error))")
      let findings = result.findings.filter { $0.code == code }
      let cells = findings.filter { $0.line != nil }
      let marked = example.markedCells
      #expect(
        cells.map { "\($0.line!):\($0.column!)" }.sorted() == marked.map { "\($0.line):\($0.field)" }.sorted(),
        "\(code) \(example.caption): findings \(cells.map(\.reason))")
      #expect(findings.filter { $0.line == nil }.count == (example.outputFinding ? 1 : 0), "\(code) \(example.caption)")
      for finding in findings {
        #expect(finding.outcome == example.outcome, "\(code) \(example.caption): \(finding.reason)")
        #expect(!finding.fix.isEmpty)
      }
    }
  }
}

@Suite struct RuleRegistryTests {
  @Test func codesAndNamesAreUniqueSortedAndWellFormed() {
    let descriptions = RuleRegistry.builtIn.map { $0.description }
    let codes = descriptions.map(\.code)
    #expect(Set(codes).count == codes.count)
    #expect(Set(descriptions.map(\.name)).count == codes.count)
    #expect(codes == codes.sorted())
    for d in descriptions {
      #expect(d.code.wholeMatch(of: /[A-Z]\d{3}/) != nil, "\(d.code)")
      #expect(d.name.wholeMatch(of: /[a-z]+(-[a-z0-9]+)*/) != nil, "\(d.name)")
      #expect(!d.summary.isEmpty && !d.rationale.isEmpty && !d.fix.isEmpty)
    }
  }

  @Test func everyRuleFileIsRegistered() throws {
    let rulesFolder = packageRoot.appendingPathComponent("Sources/Airlock/Rules")
    let files = FileManager.default.enumerator(atPath: rulesFolder.path)!.compactMap { $0 as? String }
      .filter { $0.hasSuffix("Rule.swift") }
      .map { ($0 as NSString).lastPathComponent.replacingOccurrences(of: ".swift", with: "") }
    let registered = Set(RuleRegistry.builtIn.map { String(describing: $0) })
    #expect(!files.isEmpty)
    for file in files { #expect(registered.contains(file), "\(file) is not in RuleRegistry.builtIn") }
  }
}
