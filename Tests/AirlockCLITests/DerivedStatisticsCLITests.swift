import Foundation
import Testing

/// Issue 16: counts given back by percentages, rates and cumulative columns, end to end from the
/// command line, each disclosive output beside a safe look-alike that must still pass; and
/// `protect` keeping derived columns consistent with the counts it protects.
@Suite struct DerivedStatisticsCLITests {
  private func check(_ files: [String: String], _ extra: [String] = []) throws -> Run {
    try airlock(["check", folder(files).path] + extra)
  }

  @Test func aPercentageOfAPublishedGroupSizeIsItsCount() throws {
    // pandas: df.groupby("age_band").agg(population=("id", "size"), pct_diabetic=("diabetic", lambda s: round(100 * s.mean(), 1)))
    let disclosive = try check([
      "t.csv": "age_band,population,pct_diabetic\n0-15,150,2.0\n16-64,900,12.0\n65+,400,20.0\n"
    ])
    #expect(disclosive.status == 1)
    #expect(
      disclosive.stdout.contains("2.0% of 150 ('population') is 3: a count below the threshold of 10"),
      "\(disclosive.stdout)")
    let safe = try check(["t.csv": "age_band,population,pct_diabetic\n0-15,1500,2.0\n16-64,900,12.0\n65+,400,20.0\n"])
    #expect(safe.status == 0, "\(safe.stdout)")
  }

  @Test func zeroAndHundredPercentAreAZeroAndEveryone() throws {
    let zero = try check(["t.csv": "practice,list_size,pct_vaccinated\nA,120,0.0\nB,300,45.0\n"])
    #expect(zero.stdout.contains("0.0% of 120 ('list_size') is 0: a zero (nobody in this group)"), "\(zero.stdout)")
    let everyone = try check(["t.csv": "practice,list_size,pct_vaccinated\nA,120,100.0\nB,300,45.0\n"])
    #expect(everyone.stdout.contains("everyone in this group (class disclosure)"), "\(everyone.stdout)")
    let nearlyAll = try check(["t.csv": "practice,list_size,pct_vaccinated\nA,150,98.0\nB,300,45.0\n"])
    #expect(nearlyAll.stdout.contains("so few left outside the group (3)"), "\(nearlyAll.stdout)")
    // A zero the pack does not count as disclosive (OpenSAFELY) passes.
    let opensafely = try check(
      ["t.csv": "practice,list_size,pct_vaccinated\nA,120,0.0\nB,300,45.0\n"], ["--rules", "opensafely"])
    #expect(!opensafely.stdout.contains("C011"), "\(opensafely.stdout)")
  }

  @Test func ratesUseTheMultiplierTheirNameStates() throws {
    let disclosive = try check(["t.csv": "region,population,rate_per_1000\nNorth,1500,2.0\nSouth,40000,3.1\n"])
    #expect(disclosive.stdout.contains("2.0 per 1000 of 1500 ('population') is 3"), "\(disclosive.stdout)")
    let per100k = try check(["t.csv": "area,population,deaths_per_100k\nE1,250000,1.2\nE2,98000,33.7\n"])
    #expect(per100k.stdout.contains("1.2 per 100000 of 250000 ('population') is 3"), "\(per100k.stdout)")
    // ONS-style mortality table with its counts and populations: the rates are the counts' own.
    let ons = try check([
      "t.csv": "area,deaths,population,rate_per_100000\nE1,120,250000,48.0\nE2,33,98000,33.7\nE3,410,1000000,41.0\n"
    ])
    #expect(ons.status == 0, "\(ons.stdout)")
    // Person-time: events per 1,000 person-years.
    let py = try check(["t.csv": "arm,events,person_years,rate_per_1000py\nA,45,12000.5,3.75\nB,60,11800.2,5.08\n"])
    #expect(py.status == 0, "\(py.stdout)")
    // A rate whose multiplier is not stated is named in a review.
    let unknown = try check(["t.csv": "region,population,rate\nNorth,1500,2.0\nSouth,40000,3.1\n"])
    #expect(unknown.stdout.contains("the multiplier of 'rate' is not known"), "\(unknown.stdout)")
    let declared = try check([
      "t.csv": "region,population,rate\nNorth,1500,2.0\nSouth,40000,3.1\n",
      "t.airlock.yaml": "multipliers: {rate: 1000}\n",
    ])
    #expect(declared.stdout.contains("2.0 per 1000 of 1500 ('population') is 3"), "\(declared.stdout)")
  }

  @Test func sharesOfAGroupWhoseTotalIsNotPublishedGiveBackItsWithheldRows() throws {
    let disclosive = try check(["t.csv": "region,n,percent\nNorth,*,*\nSouth,60,60.0\nWest,36,36.0\n"])
    #expect(disclosive.status == 1)
    #expect(disclosive.stdout.contains("so the withheld count on line 2 is 4"), "\(disclosive.stdout)")
    // Percentages to no decimals leave the total between 97 and 103: not exact, and the
    // withheld row may be 10 or more.
    let safe = try check(["t.csv": "region,n,percent\nNorth,*,*\nSouth,*,*\nWest,36,36\nEast,40,40\n"])
    #expect(!safe.stdout.contains("C011"), "\(safe.stdout)")
  }

  @Test func toolsOwnPercentageLayoutsPass() throws {
    // Stata `tabulate sex`, exported; SAS PROC FREQ's OneWayFreqs; a tableone-style long table
    // with a share within each variable; row percentages of a two-way table; proportions.
    let outputs = [
      "sex,Freq.,Percent,Cum.\nMale,120,48.00,48.00\nFemale,130,52.00,100.00\nTotal,250,100.00,\n",
      "Table,F_sex,sex,Frequency,Percent,CumFrequency,CumPercent\nTable sex,Female,1,30,15,30,15\nTable sex,Male,2,170,85,200,100\n",
      "variable,level,n,pct\nsex,Male,120,48.0\nsex,Female,130,52.0\nsmoker,Yes,40,16.0\nsmoker,No,200,80.0\nsmoker,Unknown,10,4.0\n",
      "region,sex,n,row_pct\nNorth,Male,40,40.0\nNorth,Female,60,60.0\nSouth,Male,75,50.0\nSouth,Female,75,50.0\n",
      "region,count,proportion\nNorth,40,0.16\nSouth,210,0.84\n",
      "month,cases,cum_cases,cum_pct\n2024-01,120,120,24.0\n2024-02,130,250,50.0\n2024-03,250,500,100.0\n",
    ]
    for text in outputs {
      let run = try check(["t.csv": text])
      #expect(run.status == 0, "\(text)\n\(run.stdout)")
    }
  }

  @Test func aDenominatorAirlockCannotTellIsReviewNamingTheReading() throws {
    let run = try check(["t.csv": "group,n,pct\nA,150,2.0\n"])
    #expect(run.stdout.contains("review C011"))
    #expect(run.stdout.contains("what 'pct' is a share of is not known"))
    #expect(run.stdout.contains("if it is 'n': 2.0% of 150 ('n') is 3"), "\(run.stdout)")
    // Declared, it is a fact the check applies.
    let declared = try check(["t.csv": "group,n,pct\nA,150,2.0\n", "t.airlock.yaml": "denominators: {pct: n}\n"])
    #expect(declared.stdout.contains("fail   C011"), "\(declared.stdout)")
    // A declaration that names a column the file lacks is an error at its place in the manifest.
    let wrong = try check(["t.csv": "group,n,pct\nA,150,2.0\n", "t.airlock.yaml": "denominators:\n  pct: population\n"])
    #expect(wrong.status == 2)
    #expect(
      wrong.stdout.contains("t.airlock.yaml:2:8: denominators.pct: 'population' is not a column"), "\(wrong.stdout)")
  }

  @Test func percentagesComputedBeforeRoundingGiveTheCountsBack() throws {
    let disclosive = try check(
      ["t.csv": "region,count,percent\nNorth,5,3.38\nSouth,100,48.31\nWest,100,48.31\nTotal,205,100.00\n"],
      ["--rules", "opensafely"])
    #expect(
      disclosive.stdout.contains("3.38% of 205 is 7: the percentage was computed from the counts before rounding"),
      "\(disclosive.stdout)")
    // Computed from the rounded counts, they give back nothing more.
    let safe = try check(
      ["t.csv": "region,count,percent\nNorth,10,4.76\nSouth,100,47.62\nWest,100,47.62\nTotal,210,100.00\n"],
      ["--rules", "opensafely"])
    #expect(safe.status == 0, "\(safe.stdout)")
  }

  @Test func cumulativeCountsRiseByCounts() throws {
    let disclosive = try check(["t.csv": "week,cum_cases\n1,12\n2,25\n3,29\n4,40\n"])
    #expect(disclosive.status == 1)
    #expect(
      disclosive.stdout.contains("'cum_cases' rises by 4 from week '2' (line 3) to '3': a count of 4"),
      "\(disclosive.stdout)")
    let safe = try check(["t.csv": "week,cum_cases\n1,12\n2,25\n3,25\n4,40\n"])
    #expect(safe.status == 0, "\(safe.stdout)")
    // Per region, in the file's order, with the weekly counts beside them.
    let byRegion = try check([
      "t.csv": "region,week,cases,cum_cases\nN,1,12,12\nN,2,*,15\nN,3,20,35\nS,1,30,30\nS,2,40,70\n"
    ])
    #expect(byRegion.stdout.contains("gives back the withheld count on line 3 (3)"), "\(byRegion.stdout)")
    // A running total that falls is not one.
    let falls = try check(["t.csv": "week,cum_cases\n1,12\n2,25\n3,20\n"])
    #expect(falls.stdout.contains("review C012") && falls.stdout.contains("falls"), "\(falls.stdout)")
  }

  @Test func protectRecomputesPercentagesAndRunningTotals() throws {
    let dir = folder([
      "pct.csv": "region,count,percent\nNorth,7,3.38\nSouth,100,48.31\nWest,100,48.31\nTotal,207,100.00\n",
      "cum.csv": "week,cases,cum_cases\n1,12,12\n2,4,16\n3,15,31\n4,20,51\n",
    ])
    let rounded = dir.appendingPathComponent("pct.out.csv").path
    let run = try airlock([
      "protect", dir.appendingPathComponent("pct.csv").path, "-o", rounded, "--rules", "opensafely",
    ])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    #expect(
      run.stdout.contains("recomputed 2 percentage, rate or cumulative values from the protected counts"),
      "\(run.stdout)")
    let text = try String(contentsOfFile: rounded, encoding: .utf8)
    #expect(text.contains("South,100,48.78\n"), "\(text)")
    #expect(text.contains("Total,205,100.00\n"), "\(text)")
    #expect(try airlock(["check", rounded, "--rules", "opensafely"]).status == 0)
    let suppressed = dir.appendingPathComponent("cum.out.csv").path
    let second = try airlock(["protect", dir.appendingPathComponent("cum.csv").path, "-o", suppressed])
    #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
    #expect(
      try String(contentsOfFile: suppressed, encoding: .utf8)
        == "week,cases,cum_cases\n1,12,12\n2,*,*\n3,15,*\n4,20,*\n")
    #expect(try airlock(["check", suppressed]).status == 0)
  }

  @Test func hostileNumbersEndWithAVerdict() throws {
    // Denominators far past 2^53 and percentages of them: a verdict, never a hang or a crash.
    for text in [
      "group,population,pct\nA,1e300,50.0\nB,1e300,0.0\n", "group,population,pct\nA,9007199254740993,100\n",
      "group,population,rate_per_1000\nA,1e308,1e-300\n", "week,cum_cases\n1,1e300\n2,1e301\n",
      // A count of 10^16 known to within one: past 2^53, where adding 1 changes nothing.
      "group,population,proportion\nA,1000000000,10000000.000000000\n",
    ] {
      let run = try check(["t.csv": text])
      #expect([0, 1].contains(run.status), "\(text)\n\(run.stdout)\(run.stderr)")
    }
  }

  @Test func protectKeepsWithheldPercentagesWithheld() throws {
    // The researcher withheld the percentage but not the count: protect must not publish it.
    let dir = folder(["t.csv": "region,count,percent\nNorth,12,*\nSouth,100,42.9\nWest,121,51.9\nTotal,233,100.0\n"])
    let output = dir.appendingPathComponent("out.csv").path
    let run = try airlock(["protect", dir.appendingPathComponent("t.csv").path, "-o", output, "--rules", "opensafely"])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let text = try String(contentsOfFile: output, encoding: .utf8)
    #expect(text.contains("North,10,[REDACTED]\n") || text.contains("North,[REDACTED],[REDACTED]\n"), "\(text)")
    #expect(try airlock(["check", output, "--rules", "opensafely"]).status == 0)
  }
}
