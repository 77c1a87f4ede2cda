import Foundation
import Testing

@testable import Airlock

/// The HTML review report: every finding on its cell, self-contained, escaped.
@Suite struct HTMLReporterTests {
  static let samples = SamplesTests.root.appendingPathComponent("samples").path

  @Test func everyCellFindingIsHighlightedOnItsCell() throws {
    let report = Checker(pack: try RulePackLoader.load("default")).check(paths: [Self.samples])
    let html = HTMLReporter.render(report)
    for (index, result) in report.results.enumerated() {
      for finding in result.findings {
        guard let line = finding.line, let column = finding.column else {
          #expect(html.contains(HTMLReporter.escape(finding.reason)))
          continue
        }
        let cell = "<td id=\"out-\(index)-c\(line)-\(column)\" class=\""
        #expect(html.contains(cell), "\(result.file) line \(line) column \(column) is not highlighted")
        // The reason is on the cell (hover) and in the side list.
        #expect(html.contains(HTMLReporter.escape(finding.reason)))
        #expect(html.contains("href=\"#out-\(index)-c\(line)-\(column)\""))
      }
    }
    #expect(html.contains("Rule pack and parameters in force"))
    #expect(html.contains("threshold: 10"))
  }

  @Test func reportIsSelfContained() throws {
    let report = Checker(pack: try RulePackLoader.load("default")).check(paths: [Self.samples])
    let html = HTMLReporter.render(report)
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(!html.contains("<script"))
    #expect(html.firstMatch(of: /(src|href)="(https?:)?\/\//) == nil)
    #expect(!html.contains("@import") && !html.contains("url("))
    #expect(html.contains("@media print"))
  }

  @Test func cellTextIsEscaped() throws {
    let folder = temporaryFolder()
    let path = write("region,count\n<script>alert(1)</script>,3\n\"a \"\"b\"\" & c\",40\n", to: "t.csv", in: folder)
    let html = HTMLReporter.render(Checker(pack: try RulePackLoader.load("default")).check(paths: [path]))
    #expect(!html.contains("<script>alert"))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(html.contains("a &quot;b&quot; &amp; c"))
    #expect(html.contains("<td id=\"out-0-c2-2\" class=\"fail\""))
  }

  @Test func longTablesKeepEveryRowWithAFinding() throws {
    let folder = temporaryFolder()
    var text = "id,count\n"
    for i in 1...(HTMLReporter.maxRows + 200) { text += "r\(i),\(i == HTMLReporter.maxRows + 150 ? 2 : 50)\n" }
    let path = write(text, to: "long.csv", in: folder)
    let html = HTMLReporter.render(Checker(pack: try RulePackLoader.load("default")).check(paths: [path]))
    #expect(html.contains("<td id=\"out-0-c\(HTMLReporter.maxRows + 151)-2\" class=\"fail\""))
    #expect(html.contains("rows without findings not shown"))
  }
}
