import Foundation
import Testing

@testable import Airlock

/// Issue 15: a `pass` requires positive understanding; what airlock cannot tell is `review`, and
/// every rule that can still run does. Outputs are written the way the named tools write them.
@Suite struct UnderstoodOrReviewTests {
  // MARK: The contract

  @Test func anUnclassifiedColumnNeverHidesAFailureInTheOthers() {
    // Before: the unknown `score` made the output review and no count rule ran, so n = 4 passed
    // `--fail-on fail`.
    let result = check("region,n,score\nNorth,4,0.42\nSouth,40,0.58\n")
    #expect(result.outcome == .fail)
    #expect(result.findings.contains { $0.code == "C001" && $0.line == 2 && $0.columnName == "n" })
    #expect(result.findings.contains { $0.code == "C000" && $0.reason.contains("'score'") })
    // The safe look-alike: review, naming the column, never pass and never fail.
    let safe = check("region,n,score\nNorth,14,0.42\nSouth,40,0.58\n")
    #expect(safe.outcome == .review)
    #expect(safe.findings.map(\.code) == ["C000"])
  }

  @Test func aCrosstabWhoseLayoutIsInDoubtStillHasItsCountsChecked() {
    // A label column after the value columns: the layout is in doubt, the counts are not.
    let result = check("region,Vaccinated,Unvaccinated,note\nNorth,420,3,a\nSouth,1880,88,b\n")
    #expect(result.outcome == .fail)
    #expect(result.findings.contains { $0.code == "C001" && $0.line == 2 && $0.columnName == "Unvaccinated" })
    #expect(result.findings.contains { $0.code == "C000" && $0.reason.contains("'note' after its value columns") })
    #expect(!(result.rulesRun ?? []).contains("C003"))
  }

  @Test func aDeclaredCrosstabMixingKindsIsReadColumnByColumn() {
    // Before: read as a crosstab of percentages, the count 3 was never judged as a count.
    let folder = temporaryFolder()
    let path = write("region,share,deaths\nNorth,40,3\nSouth,60,41\n", to: "t.csv", in: folder)
    write("layout: wide\npercentages: [share]\ncounts: [deaths]\n", to: "t.airlock.yaml", in: folder)
    let result = checkFile(path)
    #expect(result.layout == .long)
    #expect(result.findings.contains { $0.code == "C001" && $0.columnName == "deaths" && $0.line == 2 })
    #expect(result.findings.contains { $0.code == "C000" && $0.reason.contains("mixes kinds") })
  }

  @Test(arguments: ["region,count\n", "region,count\r\n", "just a note\n", "sex,F,M\n"])
  func aFileWithoutDataRowsIsNothingToCheck(text: String) {
    let result = check(text, name: "notes.txt")
    #expect(result.error == nil)
    #expect(result.outcome == .review)
    #expect(result.findings.contains { $0.code == "C000" && $0.reason.contains("nothing to check") })
  }

  @Test func aReportNeverListsARuleAsPassedThatDidNotRun() {
    let folder = temporaryFolder()
    write("region,mean_age,n\nNorth,50.2,40\n", to: "summary.csv", in: folder)
    write("not a picture", to: "plot.png", in: folder)
    let report = Checker(pack: pack()).check(paths: [folder.path])
    let summary = report.results.first { $0.file.hasSuffix("summary.csv") }!
    // A summary without percentages: the percentage rule ran on nothing it judges.
    #expect(summary.rulesRun?.contains("S001") == true)
    #expect(summary.rulesRun?.contains("C007") == false)
    // Differencing across outputs compares frequency tables only.
    #expect(summary.rulesRun?.contains("X002") == false)
    let counts = Checker(pack: pack()).check(paths: [write("region,n\nNorth,40\n", to: "c.csv", in: temporaryFolder())])
    #expect(counts.results[0].rulesRun?.contains("X002") == true)
    let png = report.results.first { $0.file.hasSuffix("plot.png") }!
    #expect(png.rulesRun == ["C008"])
    let xml = JUnitReporter.render(report)
    let pngSuite = xml.components(separatedBy: "<testsuite ").first { $0.contains("plot.png") }!
    #expect(pngSuite.contains("name=\"C001 small-cell-count\">\n      <skipped"))
    #expect(!pngSuite.contains("name=\"C001 small-cell-count\"/>"))
  }

  @Test func aRunWithAnUnreadableOutputIsNeverPass() {
    let folder = temporaryFolder()
    write("a,b\n1,\"open\n", to: "broken.csv", in: folder)
    let report = Checker(pack: pack()).check(paths: [folder.path])
    #expect(report.outcome == .review)
    #expect(JSONReporter.render(report).contains("\"outcome\" : \"review\""))
    #expect(report.exitStatus() == 2)
  }

  @Test func theJSONReportSaysHowEachColumnWasRead() {
    let result = check("n_comorbidities,sex,count\n0,F,12\n0,M,15\n1,F,13\n1,M,20\n")
    #expect(result.columns?.map(\.role) == [.dimension, .dimension, .count])
    #expect(result.columns?.map(\.source) == [.shape, .name, .name])
    let json = JSONReporter.render(CheckReport(pack: pack(), results: [result]))
    #expect(json.contains("\"source\" : \"shape\""))
    #expect(json.contains("\"rulesRun\""))
  }

  // MARK: Values as tools write them

  @Test(arguments: [
    ("12", 12.0), ("0005", 5), ("+5", 5), (" 7 ", 7), ("5.0", 5), ("1e+05", 100_000), ("9.814997e+08", 981_499_700),
    ("1.2E3", 1200), ("1,234", 1234), ("1 234", 1234), ("1\u{00A0}234", 1234), ("1\u{202F}234\u{00A0}", 1234),
    ("12'345.5", 12345.5), ("-1,234,567", -1_234_567), ("3 (0.1%)", 3), ("137 (86.7)", 137), ("3/120 (2.5%)", 3),
    ("3 / 120 (2.5 %)", 3),
  ])
  func wholeNumbersAreReadAsTheNumbersTheyAre(text: String, value: Double) {
    #expect(ValueParser(markers: pack().markers).parse(ArraySlice(text.utf8)) == .number(value))
  }

  @Test(arguments: [
    "1,5", "1,23", "12,34,567", "1, 234", "45.2 (12.1)", "52 [41, 63]", "52 (41-63)", "52 (41, 63)", "45.2 ± 12.1",
    "-1.2 (-3.4--0.5)", "3 (101)", "3/2 (150%)", "inf", "0x1A", "#DIV/0!",
  ])
  func textThatIsNotOneNumberStaysText(text: String) {
    #expect(ValueParser(markers: pack().markers).parse(ArraySlice(text.utf8)) == .text)
  }

  @Test(arguments: ["NaN", "nan", "<NA>", ".", "NULL", "None", "#N/A", "NA", "", "[c]", "[C]"])
  func noValueIsAWithheldCell(text: String) {
    guard case .withheld = ValueParser(markers: pack().markers).parse(ArraySlice(text.utf8)) else {
      Issue.record("'\(text)' is not read as withheld")
      return
    }
  }

  @Test func combinedCellsAreSplitIntoTheirStatistics() {
    #expect(CombinedCell("3 (0.1%)") == .count(3, of: nil))
    #expect(CombinedCell("3/120 (2.5%)") == .count(3, of: 120))
    #expect(CombinedCell("51.42 (11.01)") == .statistic)
    #expect(CombinedCell("52 [41, 63]") == .statistic)
    #expect(CombinedCell("52 (41 to 63)") == .statistic)
    #expect(CombinedCell("North (East)") == nil)
    #expect(CombinedCell("(3)") == nil)
  }

  @Test func pandasFloatCountsAndExcelThousandsAreCounts() {
    // pandas writes a count column that held a missing value as floats; Excel writes "1,234".
    let disclosive = check("region,count\nNorth,\"1,234\"\nSouth,3.0\nEast,1e+05\nWest,NaN\n")
    #expect(disclosive.findings.map(\.code) == ["C001"])
    #expect(disclosive.findings.first?.line == 3)
    let safe = check("region,count\nNorth,\"1,234\"\nSouth,13.0\nEast,1e+05\nWest,12\n")
    #expect(safe.outcome == .pass)
  }

  @Test func aSumInENotationStaysASum() {
    let named = check("region,sum\nNorth,9.814997e+08\nSouth,1.2e+09\n")
    #expect(named.kind == .magnitude)
    #expect(named.columns?[1].role == .magnitude)
    // Unnamed, e-notation is never read as counts: review, not a pass as a table of counts.
    let unnamed = check("region,cost\nNorth,9.814997e+08\nSouth,1.2e+09\n")
    #expect(unnamed.outcome == .review)
    #expect(unnamed.findings.contains { $0.code == "C000" && $0.reason.contains("e-notation") })
    // A crosstab of sums in e-notation (R write.csv of a spending table) is not a table of counts.
    let crosstab = check("region,2019,2020\nNorth,1.2e+06,1.3e+06\nSouth,2.5e+06,2.4e+06\n")
    #expect(crosstab.outcome == .review)
    #expect(crosstab.columns?.dropFirst().allSatisfy { $0.role != .count } == true)
  }

  @Test func aGtsummaryTableHasItsCountsCheckedAndItsStatisticsReviewed() {
    // gtsummary::tbl_summary(by = arm, overall) |> as_tibble() |> write.csv
    let disclosive = check(
      "Characteristic,Overall,Treated,Control\nAge,\"47 (38, 57)\",\"48 (39, 58)\",\"46 (37, 56)\"\nFemale,\"13 (6.5%)\",\"3 (3.0%)\",\"10 (10%)\"\n"
    )
    #expect(disclosive.outcome == .fail)
    #expect(disclosive.findings.contains { $0.code == "C001" && $0.line == 3 && $0.columnName == "Treated" })
    #expect(disclosive.columns?.map(\.role) == [.dimension, .count, .count, .count])
    let safe = check(
      "Characteristic,Overall,Treated,Control\nAge,\"47 (38, 57)\",\"48 (39, 58)\",\"46 (37, 56)\"\nFemale,\"130 (65%)\",\"60 (60%)\",\"70 (70%)\"\n"
    )
    #expect(safe.outcome == .review)
    #expect(safe.findings.contains { $0.code == "C000" && $0.reason.contains("statistics written as combined cells") })
    #expect(!safe.findings.contains { $0.code == "C001" })
  }

  @Test func aTableoneTableHasItsCountsChecked() {
    // write.csv(print(CreateTableOne(...), quote = FALSE, noSpaces = TRUE, printToggle = FALSE))
    let text = """
      "","1","2","p","test"
      "n","158","154","",""
      "age (mean (SD))","51.42 (11.01)","48.58 (10.28)","0.018",""
      "sex = f (%)","3 (1.9)","139 (90.3)","0.421",""

      """
    let result = check(text)
    #expect(result.outcome == .fail)
    #expect(result.findings.contains { $0.code == "C001" && $0.line == 4 && $0.columnName == "1" })
    #expect(result.findings.contains { $0.code == "C000" && $0.reason.contains("'p'") })
  }

  @Test(arguments: [
    "label,stat_1,stat_2\n",  // as_tibble(col_labels = FALSE)
    "**Characteristic**,\"**Treated**  \nN = 100\",\"**Control**  \nN = 100\"\n",  // as_tibble() with its labels
  ])
  func gtsummaryHeadersAsWritten(header: String) {
    let rows = "Female,\"3 (3.0%)\",\"10 (10%)\"\nMale,\"97 (97%)\",\"90 (90%)\"\n"
    let result = check(header + rows)
    #expect(result.findings.map(\.code) == ["C001"])
    #expect(result.columns?.dropFirst().allSatisfy { $0.role == .count && $0.source == .values } == true)
    let safe = "Female,\"13 (13%)\",\"10 (10%)\"\nMale,\"87 (87%)\",\"90 (90%)\"\n"
    #expect(check(header + safe).outcome == .pass)
  }

  @Test func aSafeTableoneTableIsReviewedForItsMeansOnly() {
    let text = """
      "","1","2"
      "n","158","154"
      "age (mean (SD))","51.42 (11.01)","48.58 (10.28)"
      "sex = f (%)","137 (86.7)","139 (90.3)"

      """
    let result = check(text)
    #expect(result.outcome == .review)
    #expect(!result.findings.contains { $0.outcome == .fail })
    #expect(
      check(text.replacingOccurrences(of: "\"age (mean (SD))\",\"51.42 (11.01)\",\"48.58 (10.28)\"\n", with: ""))
        .outcome == .pass)
  }

  @Test func aRowLabelledAsAStatisticWithCountLikeCellsIsFlagged() {
    let result = check("Characteristic,Overall\n\"Visits, mean (SD)\",\"14 (2)\"\n\"Female, n (%)\",\"130 (65%)\"\n")
    #expect(result.findings.contains { $0.code == "C000" && $0.reason.contains("line 2 is labelled as a statistic") })
    #expect(result.outcome == .review)
  }

  @Test func pandasNamedIndexRowIsReadAsACrosstab() {
    // df.pivot_table(index="region", columns="sex", values="n", aggfunc="sum").to_csv()
    let disclosive = check("sex,F,M\nregion,,\nNorth,12,3\nSouth,40,41\n")
    #expect(disclosive.layout == .wide)
    let finding = disclosive.findings.first { $0.code == "C001" }
    #expect(finding?.line == 3)
    #expect(finding?.cell == [.init(dimension: "region", label: "North"), .init(dimension: "sex", label: "M")])
    #expect(disclosive.findings.count == 1)
    #expect(check("sex,F,M\nregion,,\nNorth,12,13\nSouth,40,41\n").outcome == .pass)
    // A first row of withheld cells in an ordinary table or crosstab stays a row.
    #expect(check("region,count\nNorth,\nSouth,40\n").rows == 2)
    #expect(check("region,F,M\nNorth,,\nSouth,40,41\n").rows == 2)
  }

  @Test func pandasCrosstabWithMarginsIsReadAsACrosstab() {
    // pd.crosstab(df.region, df.sex, margins=True).to_csv()
    let disclosive = check("sex,F,M,All\nregion,,,\nNorth,12,3,15\nSouth,40,41,81\nAll,52,44,96\n")
    #expect(disclosive.layout == .wide)
    #expect(disclosive.findings.contains { $0.code == "C001" && $0.cell?.last == .init(dimension: "sex", label: "M") })
    #expect(check("sex,F,M,All\nregion,,,\nNorth,12,13,25\nSouth,40,41,81\nAll,52,54,106\n").outcome == .pass)
  }

  @Test func anACROCrosstabWhoseCategoriesLookLikeColumnNamesIsStillACrosstab() {
    // acro.crosstab(df.n_children, df.grant_type, margins=True), written by pandas: `N` is a grant
    // type here, not a count column, and `n_children` labels the rows.
    let text = "grant_type,G,N,R,All\nn_children,,,,\n0,12,30,40,82\n1,11,3,44,58\nAll,23,33,84,140\n"
    let result = check(text)
    #expect(result.layout == .wide)
    #expect(result.columns?.first?.name == "n_children")
    #expect(result.findings.map(\.code) == ["C001"])
    #expect(
      result.findings.first?.cell == [
        .init(dimension: "n_children", label: "1"), .init(dimension: "grant_type", label: "N"),
      ])
    #expect(
      check(
        text.replacingOccurrences(of: "1,11,3,44,58", with: "1,11,13,44,68").replacingOccurrences(
          of: "All,23,33,84,140", with: "All,23,43,84,150")
      ).outcome == .pass)
  }

  @Test func excelFormattedCellsAndOtherNoValueSpellings() {
    let result = check("region,count,percent\nNorth,\"1,200\",12.5%\nSouth,..,:\nEast,\"£1,234\",3%\n")
    #expect(result.outcome == .pass)
    #expect(ValueParser(markers: pack().markers).parse(ArraySlice("12.5%".utf8)) == .number(12.5))
  }

  @Test func aTitleAboveTheHeaderIsAClearError() {
    // An ONS table saved from its spreadsheet as CSV.
    let result = check("Table 1: Deaths by region\nThis worksheet contains one table.\nRegion,Deaths\nNorth,3\n")
    #expect(result.error?.line == 3)
    #expect(result.error?.message.contains("a title or notes above the table") == true)
  }

  @Test(arguments: [
    ",region,n\n0,North,12\n1,South,13\n2,East,40\n",  // pandas df.to_csv() with its index
    // R write.csv() with row names
    "\"\",\"region\",\"n\"\n\"1\",\"North\",12\n\"2\",\"South\",13\n\"3\",\"East\",40\n",
  ])
  func rowNumbersUnderAnEmptyHeaderAreNotCounts(text: String) {
    let result = check(text)
    #expect(result.outcome == .pass)
    #expect(result.columns?.first?.role == .dimension)
    #expect(result.columns?.first?.source == .shape)
  }

  @Test func statasTaboutHeaderRowsAreAClearError() {
    // tabout region sex using t.txt: a row of variable labels over the categories and "No." cells.
    let result = check("\tSex\t\t\nRegion\tMale\tFemale\tTotal\n\tNo.\tNo.\tNo.\nNorth\t12\t3\t15\n", name: "t.txt")
    #expect(result.error?.line == 1)
    #expect(result.error?.column == 6)
    #expect(result.error?.message.contains("several header rows, as Stata's tabout") == true)
  }

  @Test func pandasMultiIndexColumnsAreAClearError() {
    // df.pivot_table(index="region", columns="sex", values="n", aggfunc=["sum", "count"]).to_csv()
    let repeated = check(",sum,sum,count,count\nsex,F,M,F,M\nregion,,,,\nNorth,10,12,2,3\n")
    #expect(repeated.error?.line == 1)
    #expect(repeated.error?.message.contains("two header rows (pandas MultiIndex columns") == true)
    // df.groupby("region").agg({"age": ["mean"], "cost": ["sum"]}).to_csv()
    let second = check(",age,cost\n,mean,sum\nregion,,\nNorth,50.1,1200\nSouth,48.2,900\n")
    #expect(second.error?.line == 2)
    #expect(second.error?.column == 1)
    #expect(second.error?.message.contains("a second header row (pandas MultiIndex columns") == true)
  }

  @Test func anEmptyCellWhoseEvidenceSaysNoContributorsIsNotAWithheldCell() {
    let folder = temporaryFolder()
    let path = write("region,sum\nNorth,\nSouth,1200\nEast,900\n", to: "t.csv", in: folder)
    write(
      "region,n,sum,top1,top2\nNorth,0,0,,\nSouth,40,1200,100,90\nEast,30,900,80,70\n", to: "t.evidence.csv", in: folder
    )
    let result = checkFile(path)
    #expect(
      result.findings.contains { $0.code == "C000" && $0.line == 2 && $0.reason.contains("no contributors (n = 0)") })
    #expect(result.outcome != .pass)
    // A withheld cell whose evidence has contributors is a withheld cell.
    write(
      "region,n,sum,top1,top2\nNorth,25,700,60,50\nSouth,40,1200,100,90\nEast,30,900,80,70\n", to: "t.evidence.csv",
      in: folder)
    #expect(!checkFile(path).findings.contains { $0.code == "C000" })
  }

  @Test func onsBracketedMarkersAreWithheld() {
    let result = check("area,count\nLeeds,[c]\nYork,40\nHull,35\n")
    #expect(!result.findings.contains { $0.code == "C004" })
  }

  @Test func sasProcFreqOneWayTableIsReadWithItsCodedVariableAsALabel() {
    // ods output OneWayFreqs=freq; proc freq; tables sex; run; proc export data=freq dbms=csv;
    let text =
      "Table,F_sex,sex,Frequency,Percent,CumFrequency,CumPercent\nTable sex,Female,1,3,1.5,3,1.5\nTable sex,Male,2,197,98.5,200,100\n"
    let result = check(text)
    #expect(
      result.columns?.map(\.role) == [.dimension, .dimension, .dimension, .count, .percentage, .count, .percentage])
    #expect(result.findings.filter { $0.code == "C001" }.map(\.columnName) == ["Frequency", "CumFrequency"])
    let safe =
      "Table,F_sex,sex,Frequency,Percent,CumFrequency,CumPercent\nTable sex,Female,1,30,15,30,15\nTable sex,Male,2,170,85,200,100\n"
    #expect(check(safe).outcome == .pass)
  }

  @Test func stataTabulateNamesAreRead() {
    // Stata's `tabulate` headers, exported: Freq., Percent, Cum.
    let result = check("sex,Freq.,Percent,Cum.\nFemale,3,1.5,1.5\nMale,197,98.5,100\n")
    #expect(result.columns?.map(\.role) == [.dimension, .count, .percentage, .percentage])
    #expect(result.findings.map(\.code) == ["C001"])
  }

  // MARK: Column roles

  @Test(arguments: [
    "max_age", "age_max", "min_los", "los_min", "sd_bmi", "bmi_sd", "bmi_std", "std_bmi", "bmi_median", "median_bmi",
    "los_iqr", "p25_los", "los_p75", "mean_cost", "bmi_std_dev",
  ])
  func statisticNamesInEverySpelling(name: String) {
    #expect(NamingConventions.role(ofHeader: name) == .statistic)
    #expect(SummaryStatistic(header: name) != nil)
  }

  @Test func aStatisticWordInALabelColumnsNameIsStillALabel() {
    let result = check("mode_of_delivery,count\nCaesarean,40\nVaginal,55\n")
    #expect(result.columns?.first?.role == .dimension)
    #expect(result.outcome == .pass)
  }

  @Test func quartersAreCategoriesAndQuartilesAreStatistics() {
    let quarters = check("region,q1,q2,q3,q4\nNorth,12,15,3,20\nSouth,30,31,32,33\n")
    #expect(quarters.layout == .wide)
    #expect(quarters.findings.contains { $0.code == "C001" && $0.columnName == "q3" })
    // pandas: df.pivot_table(index="region", columns="quarter", values="n", aggfunc="sum"), two quarters.
    let pivot = check("quarter,Q1,Q3\nregion,,\nNorth,12,3\nSouth,30,31\n")
    #expect(pivot.layout == .wide)
    #expect(pivot.findings.map(\.code) == ["C001"])
    let quartiles = check("region,n,median,q1,q3\nNorth,40,12.5,10,15\nSouth,41,13.5,11,16\n")
    #expect(quartiles.kind == .summary)
    #expect(quartiles.columns?.map(\.role) == [.dimension, .count, .statistic, .statistic, .statistic])
    #expect(quartiles.columns?[3].source == .shape)
    let ambiguous = check("region,q1,q3\nNorth,12,15\nSouth,30,31\n")
    #expect(ambiguous.outcome == .review)
    #expect(
      ambiguous.findings.contains {
        $0.code == "C000" && $0.reason.contains("quartiles") && $0.reason.contains("quarters")
      })
  }

  @Test func practicesAreCategoriesAndPercentilesAreStatistics() {
    let practices = check("region,p1,p2,p3\nNorth,12,3,40\nSouth,30,31,32\n")
    #expect(practices.layout == .wide)
    #expect(practices.findings.contains { $0.code == "C001" && $0.columnName == "p2" })
    // A column named like a percentile that holds labels is a label column.
    #expect(check("p1,count\nLeeds,40\nYork,41\n").columns?.first?.role == .dimension)
    let percentiles = check("region,n,p5,p50,p95\nNorth,40,1.5,12.5,30.1\n")
    #expect(percentiles.kind == .summary)
    #expect(percentiles.columns?[2].role == .statistic)
  }

  @Test func nObsInASummaryTableIsItsCount() {
    let result = check("region,n_obs,mean_age\nNorth,4,50.2\nSouth,40,51.0\n")
    #expect(result.findings.contains { $0.code == "C001" && $0.columnName == "n_obs" && $0.line == 2 })
    #expect(check("region,n_obs,mean_age\nNorth,14,50.2\nSouth,40,51.0\n").findings.allSatisfy { $0.code != "C001" })
  }

  @Test func integerLabelColumnsAreDecidedByTheTablesShape() {
    // Before: `stage` was read as a count, and stage 1 failed the threshold.
    let stage = check("stage,count\n1,12\n2,15\n3,40\n4,22\n")
    #expect(stage.outcome == .pass)
    #expect(stage.columns?.first?.source == .shape)
    let comorbidities = check("n_comorbidities,sex,count\n0,F,12\n0,M,15\n1,F,3\n1,M,20\n")
    #expect(comorbidities.findings.map(\.code) == ["C001"])
    #expect(comorbidities.findings.first?.cell?.first == .init(dimension: "n_comorbidities", label: "1"))
    // Rows keyed by region already: a second integer column keeps its count reading.
    let deaths = check("region,deaths,n\nNorth,3,40\nSouth,12,41\n")
    #expect(deaths.findings.contains { $0.code == "C001" && $0.columnName == "deaths" })
    // Both readings hold up: review naming both, and the count rules still run.
    let both = check("region,n_comorbidities,n\nNorth,0,40\nSouth,1,41\nEast,2,42\n")
    #expect(
      both.findings.contains {
        $0.code == "C000" && $0.reason.contains("'n_comorbidities' reads as a count by its name and as a label")
      })
  }

  // MARK: Every file in an output folder is judged

  @Test func strayManifestsAndNotesAreJudged() {
    let folder = temporaryFolder()
    write("region,score\nNorth,12\nSouth,40\n", to: "scores.csv", in: folder)
    write("counts: [score]\n", to: "scores.airlock.yaml", in: folder)
    write("counts: [n]\n", to: "gone.airlock.yaml", in: folder)
    write("0f343b0931126a20f133d67c2b018a3b  scores.csv\n", to: "SHA256SUMS", in: folder)
    let files = Checker.expand([folder.path]).map { ($0 as NSString).lastPathComponent }
    #expect(files == ["SHA256SUMS", "gone.airlock.yaml", "scores.csv"])
    let report = Checker(pack: pack()).check(paths: [folder.path])
    #expect(report.results.first { $0.file.hasSuffix("gone.airlock.yaml") }?.outcome == .review)
    #expect(report.results.first { $0.file.hasSuffix("scores.csv") }?.declared == true)
  }

  @Test func aFolderManifestIsReadWhenItDeclaresAnOutputThere() {
    let folder = temporaryFolder()
    write("region,score\nNorth,12\n", to: "scores.csv", in: folder)
    write("outputs:\n  scores.csv:\n    counts: [score]\n", to: "airlock.yaml", in: folder)
    #expect(Checker.expand([folder.path]).map { ($0 as NSString).lastPathComponent } == ["scores.csv"])
    let other = temporaryFolder()
    write("region,score\nNorth,12\n", to: "scores.csv", in: other)
    write("outputs:\n  old_*.csv:\n    counts: [score]\n", to: "airlock.yaml", in: other)
    #expect(Checker.expand([other.path]).map { ($0 as NSString).lastPathComponent } == ["airlock.yaml", "scores.csv"])
  }
}
