import Foundation
import Testing

/// Evidence is checked before it is trusted (issue 18 item 4), end to end from the command line.
@Suite struct EvidenceCLITests {
  /// Two contributors hold 95% of Retail's published income of 1,000.
  static let output = "sector,income\nRetail,1000\nFarming,800\n"
  static let manifest = "kind: magnitude\ndimensions: [sector]\nmagnitudes: [income]\n"

  func run(evidence: String, format: String = "text", output: String = output, manifest: String = manifest) throws
    -> Run
  {
    let dir = folder(["t.csv": output, "t.airlock.yaml": manifest, "t.evidence.csv": evidence])
    return try airlock(["check", dir.appendingPathComponent("t.csv").path, "--format", format])
  }

  @Test func honestEvidenceStillFailsTheDominatedCellAndPassesTheOther() throws {
    let result = try run(evidence: "sector,n,sum,top1,top2\nRetail,40,1000,700,250\nFarming,25,800,100,80\n")
    #expect(result.status == 1)
    #expect(result.stdout.contains("M001"))
    #expect(!result.stdout.contains("E002"), "\(result.stdout)")
  }

  /// A weighted total twenty times the published sum used to dilute 95% to under 5%: a pass.
  @Test func aWeightedTotalNeverDilutesDominance() throws {
    let result = try run(
      evidence: "sector,n,sum,top1,top2,weighted_total\nRetail,40,1000,700,250,20000\nFarming,25,800,100,80,16000\n")
    #expect(result.status == 1)
    #expect(result.stdout.contains("M001 nk-dominance: line 2"), "\(result.stdout)")
  }

  @Test func aWeightedTotalThatIsNotThePublishedValueNeedsReview() throws {
    let result = try run(
      evidence: "sector,n,top1,top2,weighted_total\nRetail,40,100,90,20000\nFarming,25,100,80,800\n", format: "json")
    #expect(result.stdout.contains("weighted_total disagrees with the published income"), "\(result.stdout)")
  }

  /// An evidence sum twice the published total halves the dominance the rules see.
  @Test func anEvidenceSumThatIsNotThePublishedSumNeedsReview() throws {
    let result = try run(evidence: "sector,n,sum,top1,top2\nRetail,40,2000,700,250\nFarming,25,800,100,80\n")
    #expect(result.status == 1)
    #expect(
      result.stdout.contains("E002 evidence-consistency: line 2, column 2 'income' [sector=Retail]"), "\(result.stdout)"
    )
    #expect(result.stdout.contains("the evidence sum disagrees with the published income"))
    #expect(!result.stdout.contains("line 3, column 2 'income' [sector=Farming]: the evidence"))
  }

  @Test(arguments: [
    ("sector,n,sum,top1,top2\nRetail,40,1000,250,700\nFarming,25,800,100,80\n", "top2 is larger than top1"),
    ("sector,n,sum,top1,top2\nRetail,1,1000,500,400\nFarming,25,800,100,80\n", "n counts fewer contributors"),
    (
      "sector,n,n_units,sum,top1,top2\nRetail,40,50,1000,100,90\nFarming,25,20,800,100,80\n", "n_units is larger than n"
    ),
    ("sector,n,sum,top1,top2\nRetail,40,1000,1100,90\nFarming,25,800,100,80\n", "add up to more than the evidence sum"),
  ])
  func evidenceThatContradictsItselfNeedsReview(evidence: String, problem: String) throws {
    let result = try run(evidence: evidence)
    #expect(result.status == 1)
    #expect(result.stdout.contains("E002"), "\(result.stdout)")
    #expect(result.stdout.contains(problem), "\(result.stdout)")
  }

  @Test func theOutputsNAndTheEvidenceFilesNMustAgree() throws {
    let result = try run(
      evidence: "region,n,sum,top1,top2\nNorth,40,2000,80,70\nSouth,30,600,50,40\n",
      output: "region,mean,n\nNorth,50,4\nSouth,20,30\n",
      manifest: "kind: summary\ndimensions: [region]\ncounts: [n]\nstatistics: [mean]\n")
    #expect(result.stdout.contains("the output's n and the evidence file's n differ"), "\(result.stdout)")
  }

  /// A mean of contributions that are all zero gives every one of them.
  @Test func aMeanOfAllZeroContributionsFails() throws {
    let result = try run(
      evidence: "region,n,sum,top1,top2\nNorth,59,0,0,0\nSouth,30,600,50,40\n",
      output: "region,mean,n\nNorth,0,59\nSouth,20,30\n",
      manifest: "kind: summary\ndimensions: [region]\ncounts: [n]\nstatistics: [mean]\n")
    #expect(result.status == 1)
    #expect(result.stdout.contains("M003 magnitude-contributors: line 2"), "\(result.stdout)")
  }

  /// Public formats name the roles and the cell's position, never the numbers.
  @Test(arguments: ["sarif", "junit", "github"])
  func publicFormatsCarryNoValues(format: String) throws {
    let dir = folder([
      "t.csv": Self.output, "t.airlock.yaml": Self.manifest,
      "t.evidence.csv": "sector,n,sum,top1,top2\nRetail,40,2345,777,250\nFarming,25,800,100,80\n",
    ])
    let result = try airlock(["check", dir.appendingPathComponent("t.csv").path, "--format", format])
    #expect(result.stdout.contains("E002") || result.stdout.contains("evidence-consistency"), "\(result.stdout)")
    // The folder's random name may hold any digits: only the rest of the report counts.
    let report = result.stdout.replacingOccurrences(of: dir.lastPathComponent, with: "")
    for value in ["2345", "777", "1000"] { #expect(!report.contains(value), "\(format): \(value)") }
  }
}
