import Foundation
import Testing

/// Issue 15 end to end: outputs written the way researchers' tools write them, disclosive and safe,
/// checked from the command line.
@Suite struct FormatsCLITests {
  @Test func anUnknownColumnDoesNotHideASmallCountFromFailOnFail() throws {
    let dir = folder(["t.csv": "region,n,gini\nNorth,4,0.42\nSouth,40,0.58\n"])
    let run = try airlock(["check", dir.path, "--fail-on", "fail"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("C001 small-cell-count: line 2, column 2 'n' [region=North]"))
    #expect(run.stdout.contains("C000 undeclared-output: cannot tell what column 'gini' holds"))
    let safe = folder(["t.csv": "region,n,gini\nNorth,14,0.42\nSouth,40,0.58\n"])
    #expect(try airlock(["check", safe.path, "--fail-on", "fail"]).status == 0)
    #expect(try airlock(["check", safe.path]).status == 1)
  }

  @Test func aStataCollapseWithAnUnnamedSumStillHasItsCountsChecked() throws {
    // collapse (sum) cost (count) n=id, by(region); export delimited
    let dir = folder(["c.csv": "region,cost,n\nNorth,12034.5,4\nSouth,99881.25,40\n"])
    let run = try airlock(["check", dir.path, "--fail-on", "fail"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("C001 small-cell-count: line 2, column 3 'n' [region=North]"))
  }

  @Test func aSASProcFreqTableIsRead() throws {
    let dir = folder([
      "freq.csv":
        "Table,F_sex,sex,Frequency,Percent,CumFrequency,CumPercent\nTable sex,Female,1,3,1.5,3,1.5\nTable sex,Male,2,197,98.5,200,100\n"
    ])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 1)
    #expect(run.stdout.contains("C001 small-cell-count: line 2, column 4 'Frequency'"))
    #expect(!run.stdout.contains("'sex' [") && !run.stdout.contains("C000"))
  }

  @Test func aStandardDeviationNamedSdBmiIsAStatistic() throws {
    let dir = folder(["t.csv": "region,n,sd_bmi\nNorth,4,1.2\nSouth,40,2.2\n"])
    let run = try airlock(["check", dir.path, "--fail-on", "fail"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("(summary)"))
    #expect(run.stdout.contains("S001 statistic-threshold: line 2, column 3 'sd_bmi'"))
  }

  @Test func aHeaderOnlyFileIsNothingToCheck() throws {
    let dir = folder(["t.csv": "region,count\n", "note.txt": "see the protocol\n"])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 1)
    #expect(run.stdout.components(separatedBy: "nothing to check").count == 3)
    #expect(!run.stdout.contains("PASS"))
  }

  @Test func junitSkipsRulesThatDidNotRunAndJSONIsNeverPassOnAnError() throws {
    let dir = folder(["plot.png": "not a picture", "broken.csv": "a,b\n1,\"open\n"])
    let junit = try airlock(["check", dir.path, "--format", "junit"])
    #expect(junit.stdout.contains("name=\"C001 small-cell-count\">\n      <skipped"))
    // Only an unreadable output: the run's outcome is review, never pass.
    let json = try airlock(["check", folder(["broken.csv": "a,b\n1,\"open\n"]).path, "--format", "json"])
    #expect(json.status == 2)
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
    #expect(document["outcome"] as? String == "review")
  }

  @Test func numbersWrittenTheWayToolsWriteThem() throws {
    // Excel "Save as CSV" thousands, pandas float counts, R's e-notation, pandas NaN, Stata's `.`.
    let dir = folder(["t.csv": "region,count\nNorth,\"1,234\"\nSouth,3.0\nEast,1e+05\nWest,NaN\nHull,.\n"])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 1)
    #expect(run.stdout.contains("C001 small-cell-count: line 3, column 2 'count' [region=South]: count 3 is below"))
    #expect(!run.stdout.contains("C004"))
    let safe = folder(["t.csv": "region,count\nNorth,\"1,234\"\nSouth,13.0\nEast,1e+05\nWest,\"2 001\"\n"])
    #expect(try airlock(["check", safe.path]).status == 0)
  }

  @Test func gtsummaryAndTableoneTables() throws {
    // gtsummary::tbl_summary(by = arm) |> add_overall() |> as_tibble() |> write.csv(row.names = FALSE)
    let head = "Characteristic,Overall,Treated,Control\nAge,\"47 (38, 57)\",\"48 (39, 58)\",\"46 (37, 56)\"\n"
    let gtsummary = folder(["table1.csv": head + "Female,\"13 (6.5%)\",\"3 (3.0%)\",\"10 (10%)\"\n"])
    let run = try airlock(["check", gtsummary.path, "--fail-on", "fail"])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "C001 small-cell-count: line 3, column 3 'Treated' [Characteristic=Female, column=Treated]: count 3"))
    let safe = folder(["table1.csv": head + "Female,\"130 (65%)\",\"60 (60%)\",\"70 (70%)\"\n"])
    let reviewed = try airlock(["check", safe.path])
    #expect(reviewed.status == 1)
    #expect(reviewed.stdout.contains("REVIEW"))
    #expect(reviewed.stdout.contains("statistics written as combined cells"))
    let tableone = folder([
      "t1.csv":
        "\"\",\"1\",\"2\",\"p\",\"test\"\n\"n\",\"158\",\"154\",\"\",\"\"\n\"age (mean (SD))\",\"51.42 (11.01)\",\"48.58 (10.28)\",\"0.018\",\"\"\n\"sex = f (%)\",\"3 (1.9)\",\"139 (90.3)\",\"0.421\",\"\"\n"
    ])
    let one = try airlock(["check", tableone.path, "--fail-on", "fail"])
    #expect(one.status == 1)
    #expect(one.stdout.contains("C001 small-cell-count: line 4, column 2 '1' [row=sex = f (%)]: count 3"))
  }

  @Test func pandasPivotTablesAreReadOrRefusedClearly() throws {
    let pivot = folder(["p.csv": "sex,F,M\nregion,,\nNorth,12,3\nSouth,40,41\n"])
    let run = try airlock(["check", pivot.path])
    #expect(run.status == 1)
    #expect(run.stdout.contains("C001 small-cell-count: line 3, column 3 'M' [region=North, sex=M]"))
    #expect(
      try airlock(["check", folder(["p.csv": "sex,F,M\nregion,,\nNorth,12,13\nSouth,40,41\n"]).path]).status == 0)
    let multi = folder(["m.csv": ",sum,sum,count,count\nsex,F,M,F,M\nregion,,,,\nNorth,10,12,2,3\n"])
    let error = try airlock(["check", multi.path])
    #expect(error.status == 2)
    #expect(
      error.stdout.contains(
        "m.csv:1:6: duplicate column name 'sum' (also column 2); if the file has two header rows (pandas MultiIndex columns"
      ))
  }

  @Test func pandasAndRIndexesAndCrosstabMargins() throws {
    let dir = folder([
      "index.csv": ",region,n\n0,North,12\n1,South,13\n2,East,40\n",
      "rownames.csv": "\"\",\"region\",\"n\"\n\"1\",\"North\",12\n\"2\",\"South\",13\n",
      "crosstab.csv": "sex,F,M,All\nregion,,,\nNorth,12,13,25\nSouth,40,41,81\nAll,52,54,106\n",
    ])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 0)
    let disclosive = folder(["crosstab.csv": "sex,F,M,All\nregion,,,\nNorth,12,3,15\nSouth,40,41,81\nAll,52,44,96\n"])
    #expect(
      try airlock(["check", disclosive.path]).stdout.contains(
        "C001 small-cell-count: line 3, column 3 'M' [region=North, sex=M]"))
  }

  @Test func integerLabelsAndQuartersAreReadByTheTablesShape() throws {
    let stage = folder(["s.csv": "stage,count\n1,12\n2,15\n3,40\n4,22\n"])
    #expect(try airlock(["check", stage.path]).status == 0)
    let quarters = folder(["q.csv": "region,q1,q2,q3,q4\nNorth,12,15,3,20\nSouth,30,31,32,33\n"])
    let run = try airlock(["check", quarters.path])
    #expect(run.stdout.contains("C001 small-cell-count: line 2, column 4 'q3' [region=North, column=q3]"))
  }

  @Test func aStrayManifestIsJudgedAndAUsedOneIsRead() throws {
    let dir = folder([
      "scores.csv": "region,score\nNorth,12\nSouth,40\n", "scores.airlock.yaml": "counts: [score]\n",
      "gone.airlock.yaml": "counts: [n]\n",
    ])
    let run = try airlock(["check", dir.path, "--format", "json"])
    let document = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
    let outputs = document["outputs"] as! [[String: Any]]
    #expect(
      outputs.map { ($0["file"] as! String).components(separatedBy: "/").last! } == ["gone.airlock.yaml", "scores.csv"])
    #expect(outputs[0]["outcome"] as? String == "review")
    #expect(outputs[1]["declared"] as? Bool == true)
  }
}
