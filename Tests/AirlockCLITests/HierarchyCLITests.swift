import Foundation
import Testing

/// Issue 17, part 4, from the command line: hierarchies read from indentation and codes, each
/// disclosive layout beside a safe look-alike that must still pass.
@Suite struct HierarchyCLITests {
  private func check(_ files: [String: String], _ extra: [String] = []) throws -> Run {
    try airlock(["check", folder(files).path] + extra)
  }

  @Test(arguments: ["  ", "\t", "\u{00A0}\u{00A0}", "- "])
  func aWithheldAreaIndentedUnderItsRegionIsGivenBack(indent: String) throws {
    let text =
      "region,count\nNorth,30\n\(indent)Leeds,*\n\(indent)York,18\nSouth,42\n\(indent)Bristol,20\n\(indent)Exeter,22\nTotal,72\n"
    let run = try check(["t.csv": text], ["--verbose"])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains("fail   X001") && run.stdout.contains("= North (30) − \(indent)York (18) = 12"),
      "\(run.stdout)")
    #expect(
      run.stdout.contains(
        "structure: subtotal region 'North' = '\(indent)Leeds' + '\(indent)York' (suspected), inferred from indentation"
      ))
    // The same table with both areas of the North withheld gives neither back.
    let safe = try check(["t.csv": text.replacingOccurrences(of: "York,18", with: "York,*")])
    #expect(safe.status == 0, "\(safe.stdout)")
  }

  @Test func everyoneInARegionInOneIndentedAreaIsClassDisclosure() throws {
    let run = try check(["t.csv": "region,count\nNorth,30\n  Leeds,30\n  York,0\nSouth,42\n  Bristol,20\n  Exeter,22\n"]
    )
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "fail   C003 cell-equals-total: line 3, column 2 'count' [region=  Leeds]: cell equals its subtotal 'North' across 'region' (30)"
      ),
      "\(run.stdout)")
    // Declared structural, York is no category anyone could be in: nothing is disclosed.
    let structural = try check([
      "t.csv": "region,count\nNorth,30\n  Leeds,30\n  York,0\nSouth,42\n  Bristol,20\n  Exeter,22\n",
      "t.airlock.yaml": "structural_zeros:\n  - {region: \"  York\"}\n",
    ])
    #expect(structural.status == 0 && !structural.stdout.contains("fail   C003"), "\(structural.stdout)")
    // Split between the areas, it is not.
    let safe = try check([
      "t.csv": "region,count\nNorth,30\n  Leeds,18\n  York,12\nSouth,42\n  Bristol,20\n  Exeter,22\n"
    ])
    #expect(safe.status == 0, "\(safe.stdout)")
  }

  @Test func anIndentedTableWhoseNumbersDoNotAddUpIsReviewNamingIt() throws {
    // 12 + 18 is not 50: the indentation is presentation, not a hierarchy the numbers support.
    let run = try check([
      "t.csv": "region,count\nNorth,50\n  Leeds,12\n  York,18\nSouth,42\n  Bristol,20\n  Exeter,22\n"
    ])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "review C010 table-structure: 'Leeds', 'York' in 'region' are indented under 'North', but its cells are not their sum"
      ),
      "\(run.stdout)")
    #expect(!run.stdout.contains("fail   "))
    // The reason names labels and rule, never a cell's value.
    #expect(!run.stdout.contains("(50)") && !run.stdout.contains(" 50 "))
    // An "of which" line (one row indented under another) is a part, not a breakdown: not asked about.
    let ofWhich = try check(["t.csv": "setting,count\nAll admissions,120\n  of which emergency,70\nOutpatients,300\n"])
    #expect(ofWhich.status == 0, "\(ofWhich.stdout)")
  }

  @Test func icd10CodesWithoutTheirDotNest() throws {
    let text = "diagnosis,Male,Female\nE11,30,40\nE110,*,22\nE119,18,18\nI10,42,40\nI100,20,19\nI109,22,21\n"
    let run = try check(["t.csv": text], ["--verbose"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("E110/Male = E11/Male (30) − E119/Male (18) = 12"), "\(run.stdout)")
    #expect(
      run.stdout.contains("subtotal diagnosis 'E11' = 'E110' + 'E119' (label+arithmetic), inferred from the codes"))
    let safe = try check(["t.csv": text.replacingOccurrences(of: "E119,18,18", with: "E119,*,18")])
    #expect(safe.status == 0, "\(safe.stdout)")
  }

  @Test func wordsThatStartWithAnotherLabelDoNotNest() throws {
    // `Northumberland` and `Northampton` are not areas of `North`: Northumberland stays withheld.
    let run = try check(["t.csv": "area,count\nNorth,30\nNorthumberland,*\nNorthampton,18\nSouth,42\n"], ["--verbose"])
    #expect(run.status == 0, "\(run.stdout)")
    #expect(!run.stdout.contains("subtotal"))
  }

  @Test func aDeclaredHierarchyWinsAndItsContradictionIsReported() throws {
    // The labels are indented under North, the manifest puts them under South (42 ≠ 12 + 18): the
    // declaration is used, not the indentation, and the contradiction is asked about.
    let text = "area,count\nNorth,30\n  Leeds,12\n  York,18\nSouth,42\n"
    let manifest = "hierarchy:\n  area:\n    South: [\"  Leeds\", \"  York\"]\n"
    let declared = try check(["t.csv": text, "t.airlock.yaml": manifest], ["--verbose"])
    #expect(declared.status == 1)
    #expect(
      declared.stdout.contains(
        "review C010 table-structure: the manifest declares 'South' in 'area' the total of 'Leeds', 'York', but its cells are not their sum"
      ),
      "\(declared.stdout)")
    #expect(!declared.stdout.contains("inferred from indentation"))
    // Declared as the indentation says, nothing is asked.
    let agreeing = try check([
      "t.csv": text, "t.airlock.yaml": manifest.replacingOccurrences(of: "South", with: "North"),
    ])
    #expect(agreeing.status == 0 && !agreeing.stdout.contains("review C010"), "\(agreeing.stdout)")
  }

  @Test func theJSONReportSaysWhatTheHierarchyWasInferredFrom() throws {
    let run = try check(["t.csv": "region,count\nNorth,30\n  Leeds,12\n  York,18\nSouth,42\n"], ["--format", "json"])
    #expect(
      run.stdout.contains("\"inferredFrom\" : \"indentation\"")
        || run.stdout.contains("\"inferredFrom\":\"indentation\""), "\(run.stdout)")
  }
}
