import Foundation
import Testing

/// Issue 15, part 1: a table's totals found from the numbers, end to end from the command line.
/// Each disclosive layout beside a safe look-alike that must still pass.
@Suite struct StructureCLITests {
  private func check(_ files: [String: String], _ extra: [String] = []) throws -> Run {
    try airlock(["check", folder(files).path] + extra)
  }

  @Test func aTotalColumnCalledPersonsGivesBackAWithheldCell() throws {
    let disclosive = try check(["t.csv": "age_band,Males,Females,Persons\n0-15,20,*,42\n16-64,30,31,61\n"])
    #expect(disclosive.status == 1)
    #expect(disclosive.stdout.contains("0-15/Females = 0-15/Persons (42) − 0-15/Males (20) = 22"))
    let safe = try check(["t.csv": "age_band,Males,Females,Persons\n0-15,20,22,42\n16-64,30,31,61\n"])
    #expect(safe.status == 0, "\(safe.stdout)")
  }

  @Test(arguments: [
    "Totals", "TOTAL", "Total ", "Total\u{00A0}", "All ages", "All persons", "Overall", "Grand total", "",
  ])
  func aMarginRowUnderAnyLabelGivesBackAWithheldCell(label: String) throws {
    let text = "area,count\nCardiff,40\nSwansea,*\nNewport,12\n\(label),60\n"
    let run = try check(["t.csv": text])
    #expect(run.status == 1)
    #expect(run.stdout.contains("X001") && run.stdout.contains("= 8"), "\(label): \(run.stdout)")
    let safe = try check(
      ["t.csv": "area,count\nCardiff,40\nSwansea,*\nNewport,*\n\(label),60\n"], ["--fail-on", "fail"])
    #expect(safe.status == 0, "\(label): \(safe.stdout)")
  }

  @Test func aMarginIsFoundFromTheNumbersWhateverItIsCalled() throws {
    // `Wales` is the sum of its areas in the Female column, where every cell is published.
    let run = try check(
      ["t.csv": "area,Male,Female\nCardiff,20,20\nSwansea,*,9\nNewport,6,6\nWales,30,35\n"], ["--verbose"])
    #expect(
      run.stdout.contains("Swansea/Male = Wales/Male (30) − Cardiff/Male (20) − Newport/Male (6) = 4"), "\(run.stdout)")
    #expect(run.stdout.contains("area 'Wales' (arithmetic)"))
  }

  @Test func countColumnsThatTotalOneAnotherAreADimension() throws {
    let run = try check(["t.csv": "region,n_male,n_female,n_total\nNorth,*,20,24\nSouth,30,31,61\n"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("North/n_male = North/n_total (24) − North/n_female (20) = 4"))
    // Three count columns that are not a total of one another stay separate columns.
    let safe = try check(["t.csv": "region,n_visits,n_admissions,n_deaths\nNorth,*,20,24\nSouth,30,31,70\n"])
    #expect(!safe.stdout.contains("X001"), "\(safe.stdout)")
  }

  @Test func subtotalsInTheMiddleAreFoundWithoutADeclaration() throws {
    let text =
      "region,count\nNorth,30\nNorth/Leeds,*\nNorth/York,18\nSouth,42\nSouth/Bristol,20\nSouth/Exeter,22\nTotal,72\n"
    let run = try check(["t.csv": text], ["--verbose"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("North/Leeds = North (30) − North/York (18) = 12"))
    #expect(
      run.stdout.contains("structure: subtotal region 'North' = 'North/Leeds' + 'North/York' (suspected)"),
      "withheld: the labels say so, the numbers cannot confirm")
    #expect(
      run.stdout.contains("structure: subtotal region 'South' = 'South/Bristol' + 'South/Exeter' (label+arithmetic)"))
  }

  @Test func aRowLeftOutBesideItsTotalIsGivenBack() throws {
    // A sparse group_by().count(): region A has no M row, but the totals give it back.
    let text =
      "region,sex,count\nA,F,30\nA,Total,33\nB,F,20\nB,M,25\nB,Total,45\nTotal,F,50\nTotal,M,28\nTotal,Total,78\n"
    let run = try check(["t.csv": text])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains("the row for region=A, sex=M is left out of the file, but its count can be recovered exactly")
    )
    // The same export where the left-out row must be 0 is the zero the export drops: no X001.
    let zero = try check([
      "t.csv":
        "region,sex,count\nA,F,30\nA,Total,30\nB,F,20\nB,M,25\nB,Total,45\nTotal,F,50\nTotal,M,25\nTotal,Total,75\n"
    ])
    #expect(!zero.stdout.contains("X001"))
    #expect(zero.stdout.contains("C003"), "A/F is everyone in A: class disclosure")
  }

  @Test func theSameCellTwiceIsReviewNamingBothLines() throws {
    let run = try check(["t.csv": "region,count\nNorth,12\nSouth,40\nNorth,15\n"])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "review C010 table-structure: line 4, column 2 'count' [region=North]: this row repeats the cell of line 2"))
  }

  @Test func aRealCategoryCalledAllBesideTheTotal() throws {
    // `All` (a vaccine covering all strains) is a category; `Total` is the sum of the three.
    let text = "vaccine,count\nAll,40\nSome,*\nNone,12\nTotal,60\n"
    let run = try check(["t.csv": text])
    #expect(run.stdout.contains("Some = Total (60) − All (40) − None (12) = 8"), "\(run.stdout)")
    #expect(run.stdout.contains("'All' in 'vaccine' reads as a margin, but its cells are not the sum"))
    // Declared a category, nothing is asked about it.
    let declared = try check([
      "t.csv": "vaccine,count\nAll,40\nSome,18\nNone,12\nTotal,70\n", "t.airlock.yaml": "categories: [All]\n",
    ])
    #expect(declared.status == 0, "\(declared.stdout)")
  }

  @Test func aTotalThatIsNotTheSumIsAskedAbout() throws {
    let run = try check(["t.csv": "sex,count\nMale,20\nFemale,22\nTotal,50\n"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("REVIEW"))
    #expect(
      run.stdout.contains("'Total' in 'sex' reads as a margin, but its cells are not the sum of the other categories"))
    let declared = try check([
      "t.csv": "answer,count\nPartial,20\nNone,22\nTotal,50\n", "t.airlock.yaml": "categories: [Total]\n",
    ])
    #expect(declared.status == 0, "\(declared.stdout)")
  }

  @Test func theJSONReportSaysWhatWasFoundAndHow() throws {
    let run = try check(
      ["t.csv": "age_band,Males,Females,Persons\n0-15,20,22,42\n16-64,30,31,61\nAll ages,50,53,103\n"],
      ["--format", "json"])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let output = try #require((json["outputs"] as? [[String: Any]])?.first)
    let structure = try #require(output["structure"] as? [String: Any])
    let margins = try #require(structure["margins"] as? [[String: String]])
    #expect(margins.contains { $0["label"] == "All ages" && $0["source"] == "label+arithmetic" })
    #expect(margins.contains { $0["label"] == "Persons" && $0["source"] == "label+arithmetic" })
  }
}

/// Issue 17, part 1: a margin table published beside its table, from the command line.
@Suite struct LinkedTablesCLITests {
  @Test func aOneWayTableBesideItsTwoWayTableGivesBackAWithheldCell() throws {
    let dir = folder([
      "by_sex.csv": "age_band,sex,count\n0-17,M,*\n0-17,F,131\n18-64,M,301\n18-64,F,311\n",
      "ages.csv": "age_group,count\n0 to 17,137\n18 to 64,612\n",
    ])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "X002 cross-output-differencing: line 2, column 3 'count' [age_band=0-17, sex=M]: linked tables"))
    #expect(run.stdout.contains("by_sex.csv 0-17/M = ages.csv 0 to 17 (137) − by_sex.csv 0-17/F (131) = 6"))
    let sarif = try airlock(["check", dir.path, "--format", "sarif"])
    #expect(sarif.stdout.contains("X002"))
    #expect(
      !sarif.stdout.contains("137") && !sarif.stdout.contains("0 to 17"), "SARIF names cells by position and rule only")
  }
}

/// Issue 15, item 6: safe look-alikes that must pass.
@Suite struct FalsePositiveCLITests {
  @Test func aMedianOfZeroThatManyShareIsNotOneUnitsValue() throws {
    // Grants: most applicants got £0. A median at the minimum that 200 of 400 share passes; the
    // same in a group of 14 (7 people) fails.
    let manifest =
      "dimensions: [group]\ncounts: [n]\nstatistics: [median, p75, min]\ndesign_limits: [min]\ndesign_limits_reason: set by the study design\n"
    let safe = try airlock([
      "check", folder(["g.csv": "group,n,median,p75,min\nA,400,0,350,0\n", "g.airlock.yaml": manifest]).path,
    ])
    #expect(safe.status == 0, "\(safe.stdout)")
    let small = try airlock([
      "check", folder(["g.csv": "group,n,median,p75,min\nA,14,0,350,0\n", "g.airlock.yaml": manifest]).path,
    ])
    #expect(small.status == 1)
    #expect(small.stdout.contains("S003 percentile-at-extreme: line 2, column 3 'median'"))
  }
}
