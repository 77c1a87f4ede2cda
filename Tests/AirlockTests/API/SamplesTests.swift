import Foundation
import Testing

@testable import Airlock

/// Every sample's findings and verdict are exactly those of `Tests/Fixtures/samples-expected.tsv`.
@Suite struct SamplesTests {
  static let root = packageRoot

  @Test func samplesGetTheirExpectedVerdicts() throws {
    let expectedText = try String(
      contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/samples-expected.tsv"), encoding: .utf8)
    let expected = Set(expectedText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
    let samples = Self.root.appendingPathComponent("samples").path
    let report = Checker(pack: try RulePackLoader.load("default")).check(paths: [samples])
    var actual = Set<String>()
    for result in report.results {
      #expect(result.error == nil, "\(result.file): \(String(describing: result.error))")
      let file = String(result.file.dropFirst(samples.count + 1))
      actual.insert("\(file)\t-\t-\tverdict\t\(result.outcome?.rawValue ?? "error")")
      for finding in result.findings {
        actual.insert(
          "\(file)\t\(finding.line.map(String.init) ?? "-")\t\(finding.column.map(String.init) ?? "-")\t\(finding.code)\t\(finding.outcome.rawValue)"
        )
      }
    }
    #expect(actual.subtracting(expected).sorted() == [], "findings not in samples-expected.tsv")
    #expect(expected.subtracting(actual).sorted() == [], "expected findings that did not happen")
    // Samples cover every verdict.
    #expect(Set(report.results.compactMap(\.outcome)) == Set(Outcome.allCases))
  }
}
