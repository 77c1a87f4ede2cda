import Foundation
import Testing

@testable import Airlock

private func loadError(_ yaml: String) -> AirlockError? {
  do {
    _ = try RulePackLoader.load(text: yaml, file: "pack.yaml")
    return nil
  } catch {
    return error
  }
}

@Suite struct RulePackTests {
  @Test(arguments: RulePackLoader.builtInNames)
  func builtInPacksLoad(name: String) throws {
    let pack = try RulePackLoader.load(name)
    #expect(pack.name == name)
    #expect(!pack.version.isEmpty)
    #expect(!pack.description.isEmpty)
    // Every shipped pack cites its source.
    #expect(RulePackLoader.builtInText(name)!.contains("Source"))
  }

  @Test func shipsThePacksOfTheIssue() {
    #expect(
      Set(RulePackLoader.builtInNames).isSuperset(of: [
        "default", "opensafely", "nhs-digital", "genes-and-health", "ukbiobank", "ukllc", "abs-datalab", "datashield",
      ]))
  }

  @Test func parametersAreReadTypedAndNeverTrap() {
    // A value of another type (as a hand-built or decoded set may hold) or none reads as the
    // declaration's default instead of stopping the process.
    #expect(RuleParameters([:])[SmallCellCountRule.threshold] == 10)
    #expect(RuleParameters(["threshold": .string("ten")])[SmallCellCountRule.threshold] == 10)
    #expect(RuleParameters(["threshold": .integer(7)])[SmallCellCountRule.threshold] == 7)
    #expect(RuleParameters(["min_width": .integer(4)])[RecoverableSuppressionRule.minWidth] == 4.0)
    // The spec a pack is validated against comes from the same declaration.
    #expect(
      SmallCellCountRule.description.parameters.map(\.name) == ["threshold", "inclusive", "include_zero", "margins"])
    #expect(SmallCellCountRule.threshold.spec.defaultValue == .integer(10))
  }

  @Test func packsSetTheirOrganisationsThresholds() throws {
    func threshold(_ name: String) throws -> (Int, Bool) {
      let p = try RulePackLoader.load(name).rules["small-cell-count"]!
      return (p[SmallCellCountRule.threshold], p[SmallCellCountRule.inclusive])
    }
    #expect(try threshold("default") == (10, false))
    #expect(try threshold("opensafely") == (7, true))
    #expect(try threshold("nhs-digital") == (7, true))
    #expect(try threshold("ukbiobank") == (5, false))
    #expect(try threshold("datashield") == (3, false))
    #expect(try threshold("genes-and-health") == (6, false))
    #expect(try RulePackLoader.load("ukllc").rules["small-cell-count"]![SmallCellCountRule.includeZero])
    #expect(try RulePackLoader.load("opensafely").rules["rounding"]![RoundingRule.scheme] == "base")
  }

  @Test func extendsInheritsAndOverrides() throws {
    let pack = try RulePackLoader.load("opensafely")
    #expect(pack.ancestry == ["default"])
    #expect(pack.rules["cell-equals-total"]!.isEnabled)
    #expect(!pack.rules["zero-cell"]!.isEnabled)
  }

  @Test func unknownTopLevelKeyFailsWithItsPath() {
    let error = loadError("format: 1\nname: x\nversion: '1'\nthreshold: 10\n")
    #expect(
      error?.description
        == "pack.yaml:4:1: threshold: unknown key (expected one of: format, name, version, extends, description, preview, margins, markers, zero_markers, review, rules)"
    )
  }

  @Test func unknownRuleFails() {
    let error = loadError("format: 1\nname: x\nversion: '1'\nrules:\n  small-cell-cont:\n    threshold: 5\n")
    #expect(error?.message == "rules.small-cell-cont: unknown rule (did you mean 'small-cell-count'?)")
    #expect(error?.line == 6)
  }

  @Test func unknownParameterFailsNamingTheExpectedOnes() {
    let error = loadError("format: 1\nname: x\nversion: '1'\nrules:\n  small-cell-count:\n    treshold: 5\n")
    #expect(
      error?.message
        == "rules.small-cell-count.treshold: unknown key (expected one of: enabled, threshold, inclusive, include_zero, margins)"
    )
    #expect(error?.line == 6)
    #expect(error?.column == 5)
  }

  @Test func wrongTypeFails() {
    let error = loadError("format: 1\nname: x\nversion: '1'\nrules:\n  small-cell-count:\n    threshold: ten\n")
    #expect(error?.message == "rules.small-cell-count.threshold: expected an integer")
  }

  @Test func outOfRangeAndBadChoiceFail() {
    #expect(
      loadError("format: 1\nname: x\nversion: '1'\nrules:\n  small-cell-count:\n    threshold: 0\n")?.message.contains(
        "must be between") == true)
    #expect(
      loadError("format: 1\nname: x\nversion: '1'\nrules:\n  rounding:\n    scheme: banker\n")?.message
        == "rules.rounding.scheme: must be one of: none, base, midpoint6")
  }

  @Test func rulesThatKeepAirlockFromPassingTheUnknownCannotBeDisabled() {
    for rule in ["unchecked-column", "undeclared-output"] {
      let error = loadError("format: 1\nname: x\nversion: '1'\nrules:\n  \(rule):\n    enabled: false\n")
      #expect(
        error?.message
          == "rules.\(rule).enabled: this rule cannot be disabled: it keeps airlock from passing what it cannot judge")
    }
    #expect(loadError("format: 1\nname: x\nversion: '1'\nrules:\n  zero-cell:\n    enabled: false\n") == nil)
  }

  @Test func tooNewFormatFails() {
    let error = loadError("format: 2\nname: x\nversion: '1'\n")
    #expect(error?.message == "format: pack format 2 is newer than this airlock supports (1); upgrade airlock")
  }

  @Test func missingFormatNameOrVersionFails() {
    #expect(loadError("name: x\nversion: '1'\n")?.message.contains("missing 'format'") == true)
    #expect(loadError("format: 1\nversion: '1'\n")?.message.contains("missing 'name'") == true)
    #expect(loadError("format: 1\nname: x\n")?.message.contains("missing 'version'") == true)
  }

  @Test func unknownParentFails() {
    #expect(
      loadError("format: 1\nname: x\nversion: '1'\nextends: nowhere\n")?.message.contains("unknown rule pack 'nowhere'")
        == true)
  }

  @Test func selfExtendingPackFails() throws {
    let folder = temporaryFolder()
    let path = write("format: 1\nname: x\nversion: '1'\nextends: loop.yaml\n", to: "loop.yaml", in: folder)
    #expect(throws: AirlockError.self) { try RulePackLoader.load(path) }
  }

  @Test func packFromAFileExtendsAnother() throws {
    let folder = temporaryFolder()
    write(
      "format: 1\nname: base\nversion: '1'\nextends: default\nrules:\n  small-cell-count:\n    threshold: 20\n",
      to: "base.yaml", in: folder)
    let path = write(
      "format: 1\nname: child\nversion: '2'\nextends: base.yaml\nrules:\n  small-cell-count:\n    inclusive: true\n",
      to: "child.yaml", in: folder)
    let pack = try RulePackLoader.load(path)
    #expect(pack.rules["small-cell-count"]![SmallCellCountRule.threshold] == 20)
    #expect(pack.rules["small-cell-count"]![SmallCellCountRule.inclusive])
    #expect(pack.ancestry == ["base", "default"])
  }

  @Test func refusesAliases() {
    let error = loadError("format: 1\nname: &n x\nversion: *n\n")
    #expect(error?.message.contains("anchors and aliases are not allowed") == true)
  }

  @Test func invalidYAMLNamesItsPosition() {
    #expect(loadError("format: 1\nname: [x\n")?.message.contains("invalid YAML") == true)
  }

  @Test func effectiveShowsEveryParameter() throws {
    let yaml = try RulePackLoader.load("opensafely").effectiveYAML()
    #expect(
      yaml.contains("  small-cell-count:  # C001\n    enabled: true\n    threshold: 7\n    inclusive: true"), "\(yaml)")
    // The effective YAML is itself a valid pack.
    let reloaded = try RulePackLoader.load(text: yaml, file: "effective.yaml")
    #expect(reloaded.rules == (try RulePackLoader.load("opensafely")).rules)
  }

  @Test func importsAnACROConfiguration() throws {
    // ACRO 1.0.2's shipped default.yaml (ACROImportTests checks every setting's meaning).
    let acro = ACROImportTests.shipped.yaml
    let yaml = try ACROImport.convert(text: acro, file: "default.yaml", name: "acro").yaml
    let pack = try RulePackLoader.load(text: yaml, file: "acro.yaml")
    #expect(pack.rules["small-cell-count"]![SmallCellCountRule.threshold] == 10)
    #expect(!pack.rules["small-cell-count"]![SmallCellCountRule.inclusive])
    #expect(pack.rules["zero-cell"]!.isEnabled)
    #expect(pack.rules["unsupported-file"]![UnsupportedFileRule.failExtensions].contains(".gph"))
    #expect(throws: AirlockError.self) { try ACROImport.convert(text: "safe_treshold: 5\n", file: "x.yaml", name: "x") }
  }
}
