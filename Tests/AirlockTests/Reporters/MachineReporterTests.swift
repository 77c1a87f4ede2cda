import Foundation
import Testing

@testable import Airlock

/// SARIF, JUnit and workflow annotations may leave the TRE: they must never carry a cell value.
@Suite struct MachineReporterTests {
  static let samples = SamplesTests.root.appendingPathComponent("samples").path

  static func report(_ pack: String = "default", paths: [String] = [samples]) throws -> CheckReport {
    Checker(pack: try RulePackLoader.load(pack)).check(paths: paths)
  }

  /// Tokens as a reader would see them: runs of letters, digits and `.`, `-`, `_`, `*`, `<`.
  static func tokens(_ text: String) -> Set<String> {
    var result = Set<String>()
    var current = ""
    for character in text {
      if character.isLetter || character.isNumber || ".-_*<>".contains(character) {
        current.append(character)
      } else {
        if !current.isEmpty { result.insert(current) }
        current = ""
      }
    }
    if !current.isEmpty { result.insert(current) }
    // "3." at the end of a sentence is the token "3".
    return Set(result.flatMap { [$0, $0.trimmingCharacters(in: CharacterSet(charactersIn: ".-_"))] })
  }

  /// Every field of every table in samples/ (header and data), as written.
  static func sampleValues() throws -> Set<String> {
    var values = Set<String>()
    for file in Checker.expand([samples]) where TableFiles.isTable(file) {
      let table = try SourceTable.read(path: file, maxRows: .max)
      for row in table.rows { for field in row.fields { values.insert(field.trimmingWhitespace()) } }
    }
    values.remove("")
    return values
  }

  /// Words that may appear because airlock itself says them: rule documentation, pack names and
  /// parameters, file paths, format keywords.
  static func vocabulary(_ report: CheckReport) -> Set<String> {
    var text = "airlock \(AirlockVersion.current) \(report.pack.name) \(report.pack.version) fail review pass error"
    for rule in RuleRegistry.builtIn {
      let d = rule.description
      text += " \(d.code) \(d.name) \(d.summary) \(d.fix) \(d.rationale)"
      for spec in d.parameters { text += " \(spec.name) \(spec.defaultValue) \(spec.summary)" }
      for (_, value) in ReleasableFinding.thresholds(of: rule, in: report.pack) { text += " \(value)" }
    }
    for result in report.results { text += " " + result.file }
    return tokens(text)
  }

  /// JSON keys, XML element and attribute names, workflow command words.
  static func structuralWords(_ text: String) -> Set<String> {
    var words: Set<String> = ["error", "warning", "file", "line", "col", "title"]
    func keys(_ value: Any) {
      if let object = value as? [String: Any] {
        for (key, child) in object {
          words.insert(key)
          keys(child)
        }
      } else if let array = value as? [Any] {
        array.forEach(keys)
      }
    }
    if let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) { keys(json) }
    for match in text.matches(of: /<\/?([A-Za-z-]+)|([A-Za-z-]+)="/) {
      if let name = match.output.1 ?? match.output.2 { words.insert(String(name)) }
    }
    return words
  }

  /// Every value-free report format's rendering: a reporter that declares itself value-free is
  /// held to it here, whatever it is called.
  static func renderings(_ report: CheckReport) -> [(String, String)] {
    ReportFormats.all.filter { $0.isValueFree }.map { ($0.name, $0.render(report, options: ReportOptions())) }
  }

  @Test func theValueFreeFormatsAreTheOnesThatMayLeave() {
    #expect(Set(ReportFormats.all.filter { $0.isValueFree }.map { $0.name }) == ["sarif", "junit", "github"])
    #expect(Set(ReportFormats.all.map { $0.name }).count == ReportFormats.all.count)
  }

  @Test(arguments: RulePackLoader.builtInNames)
  func machineReportsNeverCarryACellValue(pack: String) throws {
    let report = try Self.report(pack)
    let values = try Self.sampleValues()
    let releasable = ReleasableFinding.all(in: report)
    // Positions are not values: every line, field and column named by a finding may appear.
    var positions = Set<String>()
    for f in releasable {
      for n in [f.line, f.field, f.characterColumn].compactMap({ $0 }) { positions.insert(String(n)) }
    }
    let allowed = Self.vocabulary(report).union(positions)
    let reasons = report.results.flatMap { $0.findings.map(\.reason) }
    let labels = Set(report.results.flatMap { $0.findings.flatMap { ($0.cell ?? []).map(\.label) } })
    for (format, text) in Self.renderings(report) {
      // Whole integers are counts, indexes and positions here; messages are checked for them below.
      let leaked = Self.tokens(text).intersection(values.union(labels)).subtracting(allowed)
        .subtracting(Self.structuralWords(text)).filter { Int($0) == nil }
      #expect(leaked.isEmpty, "\(pack) \(format) report quotes cell values: \(leaked.sorted())")
      for reason in reasons { #expect(!text.contains(reason), "\(pack) \(format) report quotes a reason: \(reason)") }
    }
    // The only numbers in a message are its position and the rule's thresholds.
    for finding in releasable {
      let rule = try #require(RuleRegistry.rule(codeOrName: finding.code))
      var known = Self.tokens(rule.description.summary + " " + finding.code)
      known.formUnion([finding.line, finding.field].compactMap { $0.map(String.init) })
      known.formUnion(ReleasableFinding.thresholds(of: rule, in: report.pack).map { $0.value.description })
      let numbers = Self.tokens(finding.message).filter { $0.contains(where: \.isNumber) }
      #expect(numbers.subtracting(known).isEmpty, "\(finding.message)")
    }
  }

  @Test func aValueInAReasonWouldBeCaught() throws {
    // The leak check itself: a report that quoted reasons would fail it.
    let report = try Self.report()
    let quoting = report.results.flatMap { $0.findings.map(\.reason) }.joined(separator: "\n")
    let leaked = Self.tokens(quoting).intersection(try Self.sampleValues()).subtracting(Self.vocabulary(report))
      .filter { Int($0) == nil }
    #expect(!leaked.isEmpty)
  }

  @Test func sarifNamesRulesFromTheRegistryAndCellsByLineAndColumn() throws {
    let file = Self.samples + "/frequency/diagnosis_by_age_sex.csv"
    let report = try Self.report(paths: [file])
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(SARIFReporter.render(report).utf8)) as? [String: Any])
    #expect(json["version"] as? String == "2.1.0")
    let run = try #require((json["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    let rules = try #require(driver["rules"] as? [[String: Any]])
    let c001 = try #require(rules.first { $0["id"] as? String == "C001" })
    #expect((c001["shortDescription"] as? [String: Any])?["text"] as? String == SmallCellCountRule.description.summary)
    #expect(((c001["help"] as? [String: Any])?["markdown"] as? String)?.contains("## Fix") == true)
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(results.count == report.results[0].findings.count)
    let first = results[0]
    #expect(first["ruleId"] as? String == "C001")
    #expect(first["level"] as? String == "error")
    let location = try #require((first["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
    let region = try #require(location["region"] as? [String: Any])
    // "40-59,Male,4": line 5, field 3 starts at character 12.
    #expect(region["startLine"] as? Int == 5)
    #expect(region["startColumn"] as? Int == 12)
    #expect(rules[first["ruleIndex"] as! Int]["id"] as? String == "C001")
  }

  @Test func junitHasOneCasePerOutputAndRule() throws {
    let file = Self.samples + "/frequency/diagnosis_by_age_sex.csv"
    let report = try Self.report(paths: [file, "/no/such/output.csv"])
    let xml = JUnitReporter.render(report)
    let enabled = report.pack.enabledRules().count
    #expect(xml.components(separatedBy: "<testcase ").count - 1 == enabled + 1)
    #expect(xml.contains("name=\"C001 small-cell-count\">\n      <failure type=\"fail\""))
    #expect(xml.contains("<error type=\"input\""))
    #expect(xml.contains("errors=\"1\""))
    // Review findings block only when --fail-on review.
    let review = try Self.report(paths: [Self.samples + "/undeclared/risk_scores.csv"])
    #expect(JUnitReporter.render(review, blockingAt: .review).contains("<failure type=\"review\""))
    #expect(!JUnitReporter.render(review, blockingAt: .fail).contains("<failure"))
  }

  @Test func githubAnnotationsUseWorkflowCommands() throws {
    let file = Self.samples + "/frequency/diagnosis_by_age_sex.csv"
    let lines = GitHubReporter.render(try Self.report(paths: [file])).split(separator: "\n")
    #expect(lines.first?.hasPrefix("::error file=\(file),line=5,col=12,title=C001 small-cell-count::C001") == true)
    #expect(GitHubReporter.property("a,b:c\n%") == "a%2Cb%3Ac%0A%25")
  }

  @Test func jsonSchemaNamesEveryKindLayoutAndOutcome() throws {
    let url = SamplesTests.root.appendingPathComponent(
      "docs/json-schema/check-report-v\(JSONReporter.schemaVersion).json")
    let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let defs = try #require(schema["$defs"] as? [String: Any])
    let output = try #require((defs["output"] as? [String: Any])?["properties"] as? [String: Any])
    #expect((output["kind"] as? [String: Any])?["enum"] as? [String] == OutputKind.allCases.map(\.rawValue))
    #expect((output["layout"] as? [String: Any])?["enum"] as? [String] == Layout.allCases.map(\.rawValue))
    #expect((defs["outcome"] as? [String: Any])?["enum"] as? [String] == Outcome.allCases.map(\.rawValue))
    // Every key the JSON report writes is declared (additionalProperties is false throughout).
    let properties = try #require(schema["properties"] as? [String: Any])
    let rendered = try #require(
      try JSONSerialization.jsonObject(with: Data(JSONReporter.render(try Self.report()).utf8)) as? [String: Any])
    #expect(Set(rendered.keys).isSubset(of: Set(properties.keys)))
    // Claims: every kind is named, and every key written is declared.
    let claim = try #require((defs["claim"] as? [String: Any])?["properties"] as? [String: Any])
    #expect((claim["kind"] as? [String: Any])?["enum"] as? [String] == Claim.Kind.allCases.map(\.rawValue))
    let declared = try Self.report(paths: [Self.samples + "/frequency/births_by_sex.csv", Self.samples + "/histogram"])
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(JSONReporter.render(declared).utf8)) as? [String: Any])
    let outputs = try #require(document["outputs"] as? [[String: Any]])
    let claims = outputs.flatMap { ($0["claims"] as? [[String: Any]]) ?? [] }
    #expect(claims.count == 2, "the structural zeros and the histogram's design limits")
    for output in outputs { #expect(Set(output.keys).isSubset(of: Set(outputKeys(defs))), "\(output.keys)") }
    for item in claims { #expect(Set(item.keys).isSubset(of: Set(claim.keys)), "\(item.keys)") }
  }

  private func outputKeys(_ defs: [String: Any]) -> [String] {
    Array(((defs["output"] as? [String: Any])?["properties"] as? [String: Any] ?? [:]).keys)
  }
}
