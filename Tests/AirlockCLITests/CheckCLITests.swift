import Foundation
import Testing

/// Pins every exit code of `airlock check` and the shape of its reports.
@Suite struct CheckCLITests {
  @Test func exitsZeroWhenEveryOutputPasses() throws {
    let dir = folder(["a.csv": "region,count\nNorth,12\nSouth,40\n"])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 0)
    #expect(run.stdout.contains("PASS"))
  }

  @Test func exitsOneOnFailWithCellAndFix() throws {
    let dir = folder(["a.csv": "region,count\nNorth,3\nSouth,40\n"])
    let run = try airlock(["check", dir.appendingPathComponent("a.csv").path])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "C001 small-cell-count: line 2, column 2 'count' [region=North]: count 3 is below the threshold of 10"))
    #expect(run.stdout.contains("fix: suppress this cell"))
  }

  @Test func reviewBlocksByDefaultButNotWithFailOnFail() throws {
    let dir = folder(["a.csv": "region,score\nNorth,0.4\n"])
    #expect(try airlock(["check", dir.path]).status == 1)
    #expect(try airlock(["check", dir.path, "--fail-on", "fail"]).status == 0)
    #expect(try airlock(["check", dir.path, "--fail-on", "pass"]).status == 2)
  }

  @Test func exitsTwoOnInputErrorAndStillReportsOtherFiles() throws {
    let dir = folder(["a.csv": "a,b\n1,\"open\n", "b.csv": "region,count\nNorth,3\n"])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 2)
    #expect(run.stdout.contains("a.csv:2:3: unterminated quoted field"))
    #expect(run.stdout.contains("C001"))
  }

  @Test func exitsTwoOnMissingPath() throws {
    let run = try airlock(["check", "/nonexistent/x.csv"])
    #expect(run.status == 2)
  }

  @Test func exitsTwoOnABadRulePack() throws {
    let dir = folder([
      "a.csv": "region,count\nNorth,12\n",
      "p.yaml": "format: 1\nname: p\nversion: '1'\nrules:\n  small-cell-count:\n    treshold: 5\n",
    ])
    let run = try airlock([
      "check", dir.appendingPathComponent("a.csv").path, "--rules", dir.appendingPathComponent("p.yaml").path,
    ])
    #expect(run.status == 2)
    #expect(run.stderr.contains("p.yaml:6:5: rules.small-cell-count.treshold: unknown key"))
    #expect(try airlock(["check", dir.path, "--rules", "no-such-pack"]).status == 2)
  }

  @Test(arguments: [
    ("    North: [Leeds, Yrok]\n", "t.airlock.yaml:3:20: hierarchy.area.North.[1]: unknown code 'Yrok'"),
    ("    North: [Leeds]\n    Leeds: [North]\n", "cycle through 'North'"),
  ])
  func exitsTwoOnABadHierarchyWithItsKeyPath(groups: String, message: String) throws {
    let dir = folder([
      "t.csv": "area,count\nNorth,30\nLeeds,12\nYork,18\nSouth,42\nTotal,72\n",
      "t.airlock.yaml": "hierarchy:\n  area:\n" + groups,
    ])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 2)
    #expect(run.stdout.contains(message), "\(run.stdout)")
  }

  @Test func usageErrorsExitTwoAsDocumented() throws {
    #expect(try airlock(["check"]).status == 2)
    #expect(try airlock(["check", ".", "--format", "xml"]).status == 2)
    #expect(try airlock(["check", ".", "--threads", "0"]).status == 2)
  }

  /// A CI job that diffs reports sees no churn: the JSON report of the samples is the same, byte
  /// for byte, from run to run (the cell store's size once followed the allocator's rounding).
  @Test func jsonReportIsTheSameOnEveryRun() throws {
    let runs = try (0..<4).map { _ in try airlock(["check", "samples", "--format", "json"]).stdout }
    #expect(runs[0].contains("\"cellStoreBytes\""))
    #expect(Set(runs).count == 1)
  }

  @Test func jsonReportIsVersionedAndComplete() throws {
    let dir = folder(["a.csv": "region,count\nNorth,3\nSouth,40\n", "b.csv": "x\n\"open\n"])
    let run = try airlock(["check", dir.path, "--format", "json"])
    #expect(run.status == 2)
    let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
    #expect(json["schema"] as? String == "airlock-check-report")
    #expect(json["version"] as? Int == 1)
    #expect(json["exitStatus"] as? Int == 2)
    let outputs = json["outputs"] as! [[String: Any]]
    #expect(outputs.count == 2)
    let finding = (outputs[0]["findings"] as! [[String: Any]])[0]
    #expect(finding["code"] as? String == "C001")
    #expect(finding["line"] as? Int == 2)
    #expect(finding["outcome"] as? String == "fail")
    #expect((outputs[1]["error"] as? [String: Any])?["line"] as? Int == 2)
    #expect(run.stderr.contains("b.csv:2:1: unterminated quoted field"))
  }

  @Test func packChangesTheVerdict() throws {
    let dir = folder(["a.csv": "region,count\nNorth,6\nSouth,40\n"])
    #expect(try airlock(["check", dir.path]).status == 1)
    #expect(try airlock(["check", dir.path, "--rules", "ukbiobank"]).status == 0)
    #expect(try airlock(["check", dir.path, "--rules", "opensafely"]).status == 1)
  }

  @Test func quietPrintsNothing() throws {
    let dir = folder(["a.csv": "region,count\nNorth,3\n"])
    let run = try airlock(["check", "-q", dir.path])
    #expect(run.status == 1)
    #expect(run.stdout.isEmpty)
  }

  @Test func checksTheSamplesAsTheReadmeShows() throws {
    let run = try airlock(["check", "samples"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("31 outputs: 16 fail, 4 review, 11 pass, 0 errors"))
  }
}

@Suite struct RulesCLITests {
  @Test func listsPacksAndRules() throws {
    let run = try airlock(["rules", "list"])
    #expect(run.status == 0)
    for name in [
      "default", "opensafely", "nhs-digital", "genes-and-health", "ukbiobank", "ukllc", "abs-datalab", "datashield",
      "C001", "small-cell-count",
    ] {
      #expect(run.stdout.contains(name), "\(name)")
    }
    // Each rule's status: the always-on rules, and the pack format a stable rule dates from.
    #expect(run.stdout.split(separator: "\n").contains { $0.contains("C000") && $0.contains("required") })
    #expect(run.stdout.split(separator: "\n").contains { $0.contains("C001") && $0.contains("stable/1") })
  }

  @Test func explainPrintsTheCommittedDocs() throws {
    let run = try airlock(["rules", "explain", "C001"])
    #expect(run.status == 0)
    let committed = try String(
      contentsOf: packageRoot.appendingPathComponent("docs/rules/C001-small-cell-count.md"), encoding: .utf8)
    #expect(run.stdout == committed)
    #expect(try airlock(["rules", "explain", "zero-cell"]).stdout.contains("# C002 zero-cell"))
    #expect(try airlock(["rules", "explain", "C999"]).status == 2)
  }

  @Test func showEffectivePrintsEveryParameter() throws {
    let run = try airlock(["rules", "show", "opensafely", "--effective"])
    #expect(run.status == 0)
    #expect(run.stdout.contains("threshold: 7"))
    #expect(run.stdout.contains("scheme: base"))
    #expect(try airlock(["rules", "show", "opensafely"]).stdout.contains("extends: default"))
  }

  @Test func importsACRO() throws {
    let dir = folder(["default.yaml": "safe_threshold: 5\nzeros_are_disclosive: False\nblocked_extensions: [.svg]\n"])
    let run = try airlock(["rules", "import-acro", dir.appendingPathComponent("default.yaml").path, "--name", "mine"])
    #expect(run.status == 0)
    let pack = dir.appendingPathComponent("mine.yaml")
    try Data(run.stdout.utf8).write(to: pack)
    #expect(try airlock(["rules", "show", pack.path, "--effective"]).stdout.contains("threshold: 5"))
    #expect(try airlock(["rules", "import-acro", "/nonexistent.yaml"]).status == 2)
  }

  @Test func versionNamesThePacks() throws {
    let run = try airlock(["--version"])
    #expect(run.stdout.contains("airlock 0.1.0"))
    #expect(run.stdout.contains("opensafely"))
  }
}
