import Foundation
import Testing

/// Issue 17: differencing that needs no identical second table — bands that nest within one
/// table, linked tables whose categories differ by an `Unknown` row, and the same output released
/// again with more data — each beside a safe look-alike.
@Suite struct ShapesDifferencingCLITests {
  private func check(_ files: [String: String], _ extra: [String] = []) throws -> Run {
    try airlock(["check", folder(files).path] + extra)
  }

  @Test(arguments: [
    ("0-15", "0-17"), ("0 to 15", "0 to 17"), ("Under 16", "Under 18"), ("[0,16)", "[0,18)"), ("(15,17]", "16-19"),
    ("85+", "80 and over"), ("85 and over", "80+"),
  ])
  func bandsThatNestWithinOneTableGiveAwayTheirDifference(inner: String, outer: String) throws {
    // pandas quotes interval labels, which hold the delimiter.
    let run = try check(["t.csv": "age_band,count\n\"\(inner)\",40\n\"\(outer)\",44\n\"18-64\",300\n"])
    #expect(run.status == 1, "\(inner) beside \(outer): \(run.stdout)")
    #expect(
      run.stdout.contains("X003 overlapping-bands") && run.stdout.contains("(44) − \(inner) (40) = 4"), "\(run.stdout)")
  }

  @Test func bandsThatNestButDifferByEnoughPass() throws {
    let nested = try check(["t.csv": "age_band,count\n0-15,40\n0-17,64\n18-64,300\n"])
    #expect(!nested.stdout.contains("X003"), "\(nested.stdout)")
    let partition = try check(["t.csv": "age_band,count\n0-15,40\n16-17,12\n18-64,300\n65+,80\n"])
    #expect(partition.status == 0, "\(partition.stdout)")
  }

  @Test func linkedTablesAlignWithAnUnknownRowSetAsideAndNameTheMapping() throws {
    let run = try check([
      "ages.csv": "age_group,count\n0-15,125\n16-64,300\n65+,80\nUnknown,12\n",
      "by_sex.csv":
        "age_band,sex,count\n0 to 15,Male,120\n0 to 15,Female,*\n16 to 64,Male,150\n16 to 64,Female,150\n65 and over,Male,40\n65 and over,Female,40\n",
    ])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains("by_sex.csv 0 to 15/Female = ages.csv 0-15 (125) − by_sex.csv 0 to 15/Male (120) = 5"),
      "\(run.stdout)")
    #expect(run.stdout.contains("'age_group' read as 'age_band' by their labels"), "\(run.stdout)")
    // The same pair where the one-way table is of another population (its cells do not add up
    // to the two-way table's) is not linked.
    let other = try check([
      "ages.csv": "age_group,count\n0-15,140\n16-64,320\n65+,95\nUnknown,12\n",
      "by_sex.csv":
        "age_band,sex,count\n0 to 15,Male,120\n0 to 15,Female,*\n16 to 64,Male,150\n16 to 64,Female,150\n65 and over,Male,40\n65 and over,Female,40\n",
    ])
    #expect(!other.stdout.contains("X002"), "\(other.stdout)")
  }

  @Test func theSameOutputReleasedAgainWithMoreDataGivesAwayWhatItAdded() throws {
    let january = folder(["cases.csv": "region,count\nNorth,100\nSouth,200\nWest,150\n"])
    let history = january.appendingPathComponent("history.db").path
    #expect(
      try airlock(["history", "add", january.appendingPathComponent("cases.csv").path, "--history", history]).status
        == 0)
    let february = folder(["cases.csv": "region,count\nNorth,104\nSouth,230\nWest,175\n"])
    let run = try airlock(["check", february.path, "--history", history])
    #expect(run.status == 1)
    #expect(run.stdout.contains("cases.csv North grew from 100 in its earlier release"), "\(run.stdout)")
    #expect(run.stdout.contains("the 4 added since is a count of that period"))
    // Growth of at least the threshold everywhere passes.
    let march = folder(["cases.csv": "region,count\nNorth,120\nSouth,230\nWest,175\n"])
    #expect(try airlock(["check", march.path, "--history", history]).status == 0)
  }

  @Test func linkedTablesAreAuditedAgainstTheReleaseHistoryInBothDirections() throws {
    let twoWay = "age_band,sex,count\n0-15,Male,120\n0-15,Female,*\n16-64,Male,150\n16-64,Female,150\n"
    let oneWay = "age_group,count\n0-15,125\n16-64,300\n"
    // The one-way table released last month; its two-way table now.
    let released = folder(["ages.csv": oneWay])
    let history = released.appendingPathComponent("history.db").path
    #expect(
      try airlock(["history", "add", released.appendingPathComponent("ages.csv").path, "--history", history]).status
        == 0)
    let now = try airlock(["check", folder(["by_sex.csv": twoWay]).path, "--history", history])
    #expect(now.status == 1)
    #expect(
      now.stdout.contains("by_sex.csv 0-15/Female = ages.csv 0-15 (125) − by_sex.csv 0-15/Male (120) = 5"),
      "\(now.stdout)")
    // The two-way table released with its withheld cell; the one-way table now gives it back.
    let releasedTwoWay = folder(["by_sex.csv": twoWay])
    let history2 = releasedTwoWay.appendingPathComponent("history.db").path
    #expect(
      try airlock(["history", "add", releasedTwoWay.appendingPathComponent("by_sex.csv").path, "--history", history2])
        .status == 0)
    let later = try airlock(["check", folder(["ages.csv": oneWay]).path, "--history", history2])
    #expect(later.status == 1)
    #expect(
      later.stdout.contains(
        "withheld 0-15/Female; withheld cell can be recovered exactly from it and this output together"),
      "\(later.stdout)")
    // A one-way table of another population is not linked.
    let other = try airlock([
      "check", folder(["ages.csv": "age_group,count\n0-15,140\n16-64,320\n"]).path, "--history", history2,
    ])
    #expect(other.status == 0, "\(other.stdout)")
  }

  @Test func theSameShapeUnderOtherNamesAndSpellingsIsCompared() throws {
    let all = "age_band,count\n0-15,150\n16-64,200\n65+,90\n"
    let male = "age_group,count\n0 to 15,149\n16 to 64,120\n65 and over,60\n"
    let run = try check(["all.csv": all, "male.csv": male, "male.airlock.yaml": "subset_of: all.csv\n"])
    #expect(run.status == 1)
    #expect(run.stdout.contains("fail   X002"), "\(run.stdout)")
    #expect(run.stdout.contains("all.csv 0 to 15 (150) − male.csv 0 to 15 (149) = 1"), "\(run.stdout)")
    #expect(run.stdout.contains("'age_band' in all.csv read as 'age_group' by their labels"), "\(run.stdout)")
    // Against the release history too.
    let released = folder(["all.csv": all])
    let history = released.appendingPathComponent("history.db").path
    #expect(
      try airlock(["history", "add", released.appendingPathComponent("all.csv").path, "--history", history]).status == 0
    )
    let later = try airlock([
      "check", folder(["male.csv": male, "male.airlock.yaml": "subset_of: all.csv\n"]).path, "--history", history,
    ])
    #expect(later.status == 1, "\(later.stdout)")
    #expect(later.stdout.contains("= 1"), "\(later.stdout)")
    // Two questions answered Yes/No are not one dimension, however the counts compare.
    let questions = try check([
      "smoker.csv": "smoker,count\nYes,40\nNo,200\n", "diabetic.csv": "diabetic,count\nYes,38\nNo,195\n",
    ])
    #expect(questions.status == 0, "\(questions.stdout)")
    // Differences of at least the threshold pass.
    let safe = try check([
      "all.csv": all, "male.csv": "age_group,count\n0 to 15,120\n16 to 64,120\n65 and over,60\n",
      "male.airlock.yaml": "subset_of: all.csv\n",
    ])
    #expect(safe.status == 0, "\(safe.stdout)")
  }
}
