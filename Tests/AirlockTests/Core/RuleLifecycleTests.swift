import Foundation
import Testing

@testable import Airlock

/// Rules of each status and format, as a future airlock will have them: the lifecycle is about
/// rules that do not exist yet, so the tests make their own.
private struct LifecycleRule<Tag: LifecycleTag>: OutputRule {
  static var description: RuleDescription {
    RuleDescription(
      code: Tag.code, name: Tag.name, summary: "A test rule.", rationale: "For the lifecycle tests.", fix: "None.",
      examples: [], required: Tag.required, status: Tag.status, since: Tag.since)
  }
  init(parameters: RuleParameters, pack: RulePack) {}
  func check(_ schema: TableSchema, into sink: inout FindingSink) {}
}

private protocol LifecycleTag: Sendable {
  static var code: String { get }
  static var name: String { get }
  static var status: RuleStatus { get }
  static var since: Int { get }
  static var required: Bool { get }
}

private enum OldStable: LifecycleTag {
  static let code = "T001", name = "old-stable", status = RuleStatus.stable, since = 1, required = false
}
private enum NewStable: LifecycleTag {
  static let code = "T002", name = "new-stable", status = RuleStatus.stable, since = 2, required = false
}
private enum Preview: LifecycleTag {
  static let code = "T003", name = "preview-rule", status = RuleStatus.preview, since = 1, required = false
}
private enum Deprecated: LifecycleTag {
  static let code = "T004", name = "deprecated-rule", status = RuleStatus.deprecated, since = 1, required = false
}
private enum NewRequired: LifecycleTag {
  static let code = "T005", name = "new-required", status = RuleStatus.stable, since = 2, required = true
}

private let registry: [any Rule.Type] = [
  LifecycleRule<OldStable>.self, LifecycleRule<NewStable>.self, LifecycleRule<Preview>.self,
  LifecycleRule<Deprecated>.self, LifecycleRule<NewRequired>.self,
]

private func enabled(_ yaml: String) throws -> Set<String> {
  let pack = try RulePackLoader.load(text: yaml, file: "pack.yaml", registry: registry)
  return Set(pack.enabledRules().map { type(of: $0).description.name })
}

@Suite struct RuleLifecycleTests {
  let header = "format: 1\nname: t\nversion: \"1\"\n"

  @Test func aPackGetsOnlyTheStableRulesOfItsFormat() throws {
    // A rule that became stable in format 2 does not reach a format-1 pack: its verdicts stay put.
    #expect(try enabled(header) == ["old-stable", "deprecated-rule", "new-required"])
  }

  @Test func aPackOptsInToANewerRuleByName() throws {
    #expect(try enabled(header + "rules:\n  new-stable:\n    enabled: true\n").contains("new-stable"))
  }

  @Test func previewRulesRunOnlyWhereAPackAsksForThem() throws {
    #expect(try !enabled(header).contains("preview-rule"))
    #expect(try enabled(header + "rules:\n  preview-rule:\n    enabled: true\n").contains("preview-rule"))
    #expect(try enabled(header + "preview: true\n").contains("preview-rule"))
    // The pack's own switch wins over `preview: true`.
    #expect(
      try !enabled(header + "preview: true\nrules:\n  preview-rule:\n    enabled: false\n").contains("preview-rule"))
  }

  @Test func aSwitchIsInheritedThroughExtends() throws {
    let directory = temporaryFolder()
    let parent = directory.appendingPathComponent("parent.yaml")
    try (header + "rules:\n  new-stable:\n    enabled: true\n  old-stable:\n    enabled: false\n").write(
      to: parent, atomically: true, encoding: .utf8)
    let child = "format: 1\nname: child\nversion: \"1\"\nextends: \(parent.path)\n"
    let rules = try enabled(child)
    #expect(rules.contains("new-stable"))
    #expect(!rules.contains("old-stable"))
  }

  @Test func aRequiredRuleReachesEveryPackAndCannotBeSwitchedOff() throws {
    #expect(try enabled(header).contains("new-required"))
    #expect(throws: AirlockError.self) { try enabled(header + "rules:\n  new-required:\n    enabled: false\n") }
  }

  @Test func theDefaultFollowsStatusAndFormat() {
    let description = { (status: RuleStatus, since: Int) in
      RuleDescription(
        code: "T", name: "t", summary: "", rationale: "", fix: "", examples: [], status: status, since: since)
    }
    #expect(RulePack.isOnByDefault(description(.stable, 2), format: 2, preview: false))
    #expect(RulePack.isOnByDefault(description(.stable, 2), format: 3, preview: false))
    #expect(!RulePack.isOnByDefault(description(.stable, 2), format: 1, preview: false))
    #expect(!RulePack.isOnByDefault(description(.preview, 1), format: 9, preview: false))
    #expect(RulePack.isOnByDefault(description(.preview, 1), format: 1, preview: true))
    #expect(!RulePack.isOnByDefault(description(.deprecated, 2), format: 1, preview: true))
  }

  @Test func theBuiltInRulesAreAllOnInTheirPacksAsBefore() throws {
    // Every built-in rule is stable since format 1 (no release has shipped a different set) or
    // required, so no shipped pack's verdicts move with this change; a new rule must say its status.
    for type in RuleRegistry.builtIn {
      let d = type.description
      #expect(d.required || (d.status == .stable && d.since == 1), "\(d.code)")
    }
    let pack = try RulePackLoader.load("default")
    #expect(pack.format == 1)
    #expect(pack.effectiveYAML().hasPrefix("format: 1\n"))
  }
}

/// Rules about a file as a whole are dispatched like every other rule, and the reader's limit holds
/// without them: a file it cannot read is never read and never passed.
@Suite struct FileRuleTests {
  @Test func aFileTheReaderCannotReadNeedsReviewEvenWithTheFileTypeRuleOff() {
    let off = pack(rule: "unsupported-file", ["enabled": .boolean(false)])
    let result = check("PK\u{3}\u{4}binary", name: "results.parquet", pack: off)
    #expect(result.outcome == .review)
    #expect(result.findings.map(\.code) == ["C008"])
    // With the rule on, the pack's list of refused extensions decides.
    #expect(check("PK\u{3}\u{4}binary", name: "results.parquet").outcome == .fail)
  }

  @Test func theFirstFileRuleThatJudgesEndsTheCheck() {
    let evidence = check("region,n,sum,top1\nNorth,40,1000,90\n", name: "t.evidence.csv")
    #expect(evidence.findings.map(\.code) == ["E001"])
    #expect(evidence.rulesRun == ["E001"])
    // Evidence declared releasable is read and checked like any table.
    let releasable = check(
      "region,n,sum,top1\nNorth,40,1000,90\n", name: "t.evidence.csv",
      pack: pack(rule: "evidence-not-for-release", ["releasable": .boolean(true)]))
    #expect(!releasable.findings.map(\.code).contains("E001"))
    #expect(releasable.rulesRun != ["E001"])
  }
}
