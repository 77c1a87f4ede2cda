import Foundation
import Testing

/// Issue 17: a manifest declares a mapping between outputs' dimensions (`same_dimension_as`), or
/// forbids one (`different_dimension_from`, `not_linked`), from the command line.
@Suite struct LinkDeclarationsCLITests {
  private func check(_ files: [String: String], _ extra: [String] = []) throws -> Run {
    try airlock(["check", folder(files).path] + extra)
  }

  /// A two-way table with one withheld cell, and the one-way table of its first age bands under
  /// another name: three of its five bands, too few shared for the labels alone to link them.
  static let bySex =
    "age_band,sex,count\n0-15,Male,*\n0-15,Female,120\n16-64,Male,300\n16-64,Female,310\n65-74,Male,80\n65-74,Female,90\n75-84,Male,40\n75-84,Female,50\n85+,Male,20\n85+,Female,30\n"
  static let ages = "age_group,count\n0 to 15,125\n16 to 64,610\n65 to 74,170\n"

  @Test func aDeclaredMappingLinksWhatTheLabelsAloneDoNot() throws {
    let unlinked = try check(["by_sex.csv": Self.bySex, "ages.csv": Self.ages])
    #expect(unlinked.status == 0, "\(unlinked.stdout)")
    let declared = try check([
      "by_sex.csv": Self.bySex, "ages.csv": Self.ages,
      "ages.airlock.yaml": "same_dimension_as:\n  age_group: \"by_sex.csv:age_band\"\n",
    ])
    #expect(declared.status == 1)
    #expect(
      declared.stdout.contains(
        "by_sex.csv 0-15/Male = ages.csv 0 to 15 (125) − by_sex.csv 0-15/Female (120) = 5 ('age_group' read as 'age_band' as declared (same_dimension_as))"
      ),
      "\(declared.stdout)")
    // Declared on the other output, the mapping is the same.
    let fromTheOtherSide = try check([
      "by_sex.csv": Self.bySex, "ages.csv": Self.ages,
      "by_sex.airlock.yaml": "same_dimension_as:\n  age_band: [\"ages.csv:age_group\"]\n",
    ])
    #expect(fromTheOtherSide.status == 1 && fromTheOtherSide.stdout.contains("= 5"), "\(fromTheOtherSide.stdout)")
  }

  @Test func everyMappingMadeIsReportedFindingsOrNot() throws {
    // Both cells of 0-15 withheld: nothing is given away, but the tables were audited together.
    let safe = Self.bySex.replacingOccurrences(of: "0-15,Female,120", with: "0-15,Female,*")
    let ages = "age_group,count\n0 to 15,125\n16 to 64,610\n65 to 74,170\n75 to 84,90\n85 and over,50\n"
    let run = try check(["by_sex.csv": safe, "ages.csv": ages], ["--verbose"])
    #expect(run.status == 0, "\(run.stdout)")
    #expect(
      run.stdout.contains("linked with by_sex.csv: 'age_group' read as 'age_band' by their labels"), "\(run.stdout)")
    #expect(run.stdout.contains("linked with ages.csv: 'age_group' read as 'age_band' by their labels"))
    let json = try check(["by_sex.csv": safe, "ages.csv": ages], ["--format", "json"])
    #expect(json.stdout.contains("\"links\" : ["), "\(json.stdout)")
    // Another population's table is not linked, and no mapping is shown.
    let other = try check(
      ["by_sex.csv": safe, "ages.csv": ages.replacingOccurrences(of: "610", with: "700")], ["--verbose"])
    #expect(!other.stdout.contains("linked with"), "\(other.stdout)")
  }

  @Test func aDeclaredMappingTheLabelsContradictIsReview() throws {
    let run = try check([
      "by_sex.csv": Self.bySex, "regions.csv": "region,count\nNorth,125\nSouth,610\nEast,170\n",
      "regions.airlock.yaml": "same_dimension_as:\n  region: \"by_sex.csv:age_band\"\n",
    ])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "review X002 cross-output-differencing: linked tables: the manifest declares 'region' the same dimension as 'age_band' of by_sex.csv (same_dimension_as), but their labels share 0 of 3"
      ),
      "\(run.stdout)")
  }

  @Test func forbiddingALinkTheDataSupportIsAClaim() throws {
    // The labels link the two (the same bands, written another way); each declaration takes it away.
    let ages = "age_group,count\n0 to 15,125\n16 to 64,610\n65 to 74,170\n75 to 84,90\n85 and over,50\n"
    let linked = try check(["by_sex.csv": Self.bySex, "ages.csv": ages])
    #expect(linked.status == 1 && linked.stdout.contains("= 5"), "\(linked.stdout)")
    for manifest in ["not_linked: [by_sex.csv]\n", "different_dimension_from:\n  age_group: \"by_sex.csv:age_band\"\n"]
    {
      let run = try check(["by_sex.csv": Self.bySex, "ages.csv": ages, "ages.airlock.yaml": manifest])
      #expect(run.status == 0, "\(manifest): \(run.stdout)")
      #expect(run.stdout.contains("not-linked at ages.airlock.yaml:1:1:"), "\(run.stdout)")
      #expect(run.stdout.contains("(relaxes X002)"))
      // Public reports carry the claim's kind, position and rules, never the files or labels it names.
      let sarif = try check(
        ["by_sex.csv": Self.bySex, "ages.csv": ages, "ages.airlock.yaml": manifest], ["--format", "sarif"])
      #expect(sarif.stdout.contains("claim not-linked (ages.airlock.yaml:1:1) relaxes X002"))
      #expect(!sarif.stdout.contains("age_group' is not"))
    }
  }

  @Test(arguments: [
    ("not_linked: [other.csv]\n", "ages.airlock.yaml:1:14: not_linked.[0]: 'other.csv' is not an output of this run"),
    (
      "same_dimension_as:\n  age_group: \"other.csv:age_band\"\n",
      "ages.airlock.yaml:2:14: same_dimension_as.age_group: 'other.csv' is not another output of this run"
    ),
    (
      "same_dimension_as:\n  age_group: \"by_sex.csv:age\"\n",
      "ages.airlock.yaml:2:14: same_dimension_as.age_group: 'age' is not a dimension of by_sex.csv (its dimensions: age_band, sex)"
    ),
    (
      "same_dimension_as:\n  age: \"by_sex.csv:age_band\"\n",
      "ages.airlock.yaml:2:3: same_dimension_as.age: 'age' is not a dimension of"
    ),
    (
      "same_dimension_as:\n  age_group: by_sex.csv\n",
      "ages.airlock.yaml:2:14: same_dimension_as.age_group: expected 'FILE:DIMENSION'"
    ),
    (
      "different_dimension_from:\n  age_group: \"sub/by_sex.csv:age_band\"\n",
      "ages.airlock.yaml:2:14: different_dimension_from.age_group: name the other output by its file name, without a folder"
    ),
    ("not_linkd: [by_sex.csv]\n", "ages.airlock.yaml:1:1: not_linkd: unknown key"),
  ])
  func aDeclarationNamingWhatIsNotThereIsAnError(manifest: String, message: String) throws {
    let run = try check(["by_sex.csv": Self.bySex, "ages.csv": Self.ages, "ages.airlock.yaml": manifest])
    #expect(run.status == 2)
    #expect(run.stdout.contains(message), "\(run.stdout)\(run.stderr)")
    // The other output is still checked.
    #expect(run.stdout.contains("PASS") && run.stdout.contains("by_sex.csv"))
  }
}
