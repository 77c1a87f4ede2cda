import Foundation
import Testing

/// Issue 18, item 1: a manifest cannot declare a count away. The column is still checked as a
/// count, and the conflict needs review; honest manifests keep passing.
@Suite struct DeclarationClaimsCLITests {
  private func check(_ files: [String: String]) throws -> Run {
    try airlock(["check", folder(files).path, "--fail-on", "fail"])
  }

  @Test(arguments: [
    "dimensions: [region, n]\n", "dimensions: [region]\nevidence: [n]\n", "dimensions: [region]\npercentages: [n]\n",
    "dimensions: [region]\nstatistics: [n]\n",
  ])
  func aCountDeclaredAwayIsStillCounted(manifest: String) throws {
    let run = try check(["t.csv": "region,n\nNorth,4\nSouth,40\n", "t.airlock.yaml": manifest])
    #expect(run.status == 1, "\(manifest): \(run.stdout)")
    #expect(
      run.stdout.contains("C001 small-cell-count: line 2, column 2 'n' [region=North]: count 4 is below the threshold"))
    #expect(run.stdout.contains("the manifest declares column 'n'"))
  }

  @Test func aFolderManifestCannotDeclareACountAwayEither() throws {
    let run = try check([
      "t.csv": "region,n\nNorth,4\nSouth,40\n", "airlock.yaml": "outputs:\n  t.csv:\n    dimensions: [region, n]\n",
    ])
    #expect(run.status == 1)
    #expect(run.stdout.contains("count 4 is below the threshold"))
  }

  @Test func wholeNumbersDeclaredADimensionOfATableWithoutCounts() throws {
    let run = try check([
      "t.csv": "region,visits\nNorth,4\nSouth,40\n", "t.airlock.yaml": "dimensions: [region, visits]\n",
    ])
    #expect(run.status == 1)
    #expect(
      run.stdout.contains(
        "the manifest declares column 'visits' a dimension, but it holds whole numbers and the table has no count column"
      ))
  }

  @Test func honestManifestsStillPass() throws {
    // A year of whole numbers beside the count is a label; a percentage named as such is one.
    let year = try check([
      "t.csv": "year,region,n\n2021,North,40\n2022,North,44\n",
      "t.airlock.yaml": "dimensions: [year, region]\ncounts: [n]\n",
    ])
    #expect(year.status == 0, "\(year.stdout)")
    let percent = try check([
      "t.csv": "region,n,pct_n\nNorth,40,47.6\nSouth,44,52.4\n",
      "t.airlock.yaml": "dimensions: [region]\ncounts: [n]\npercentages: [pct_n]\n",
    ])
    #expect(!percent.stdout.contains("the manifest declares"), "\(percent.stdout)")
  }
}
