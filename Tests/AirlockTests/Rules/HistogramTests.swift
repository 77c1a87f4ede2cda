import Foundation
import Testing

@testable import Airlock

/// Histograms (H001–H002) and the `design_limits` manifest key.
@Suite struct HistogramTests {
  private func codes(_ result: OutputResult, _ code: String) -> [String] {
    result.findings.filter { $0.code == code }.map { "\($0.line ?? 0):\($0.column ?? 0):\($0.outcome.rawValue)" }
  }

  private func checkDeclared(_ text: String, manifest: String) -> OutputResult {
    let folder = temporaryFolder()
    let path = write(text, to: "h.csv", in: folder)
    write(manifest, to: "h.airlock.yaml", in: folder)
    return checkFile(path)
  }

  @Test func binsUseTheSmallCellCountParametersAndAreReportedOnce() {
    let text = "bin_lo,bin_hi,count\n0,10,7\n10,20,40\n20,30,8\n"
    let byDefault = check(text)
    #expect(codes(byDefault, "H001") == ["2:3:fail", "4:3:fail"])
    #expect(codes(byDefault, "C001").isEmpty, "C001 leaves histogram bins to H001")
    let opensafely = check(text, pack: try! RulePackLoader.load("opensafely"))
    #expect(codes(opensafely, "H001") == ["2:3:fail"], "threshold 7 inclusive: 8 passes, 7 fails")
    let lowered = check(text, pack: pack(rule: "small-cell-count", ["threshold": .integer(5)]))
    #expect(codes(lowered, "H001").isEmpty)
  }

  @Test func emptyBinsFollowTheZeroPolicyNotTheThreshold() {
    let text = "bin_lo,bin_hi,count\n0,10,12\n10,20,0\n20,30,15\n"
    let byDefault = check(text)
    #expect(codes(byDefault, "H001").isEmpty)
    #expect(codes(byDefault, "C002") == ["3:3:fail"], "the default pack's zeros are disclosive")
    let opensafely = check(text, pack: try! RulePackLoader.load("opensafely"))
    #expect(!opensafely.findings.contains { $0.line == 3 }, "zeros allowed: the empty bin passes (unlike ACRO #308)")
    let ukllc = check(text, pack: try! RulePackLoader.load("ukllc"))
    #expect(codes(ukllc, "H001") == ["3:3:fail"], "include_zero: an empty bin is a small count")
  }

  @Test func histogramColumnsAreCoveredSoUncheckedColumnIsQuiet() {
    let result = check(
      "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n",
      pack: pack(rule: "histogram-extreme-bins", ["enabled": .boolean(false)]))
    #expect(result.kind == .histogram)
    #expect(codes(result, "C009").count == 1, "with H002 disabled the edges are unchecked")
    let declared = checkDeclared(
      "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n",
      manifest: "design_limits: true\ndesign_limits_reason: a grid of tens\n")
    #expect(declared.findings.isEmpty)
    #expect(declared.outcome == .pass)
    let noBins = check(
      "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n", pack: pack(rule: "histogram-bin-count", ["enabled": .boolean(false)]))
    #expect(noBins.findings.contains { $0.code == "C009" && $0.reason.contains("'count'") })
  }

  @Test func extremeEdgesNeedReviewUnlessDeclared() {
    let text = "bin_lo,bin_hi,count\n14.37,20,12\n20,30,40\n30,41.92,15\n"
    #expect(codes(check(text), "H002") == ["2:1:review", "4:2:review"])
    #expect(check(text).outcome == .review)
    // Bins out of order are sorted before the extremes are found.
    let shuffled = check("bin_lo,bin_hi,count\n20,30,40\n30,41.92,15\n14.37,20,12\n")
    #expect(Set(codes(shuffled, "H002")) == ["4:1:review", "3:2:review"])
  }

  @Test func declaredBoundsMustMatchTheOuterEdges() {
    let text = "bin_lo,bin_hi,count\n0,40,12\n40,80,40\n80,110,15\n"
    let both = checkDeclared(text, manifest: "design_limits: {lower: 0, upper: 120, reason: the protocol}\n")
    #expect(codes(both, "H002") == ["4:2:review"])
    #expect(both.findings.first { $0.code == "H002" }?.reason.contains("not the declared design limit 120") == true)
    let lowerOnly = checkDeclared(text, manifest: "design_limits:\n  lower: 0\n  reason: the protocol\n")
    #expect(codes(lowerOnly, "H002") == ["4:2:review"])
    let explicitFalse = checkDeclared(text, manifest: "design_limits: false\n")
    #expect(codes(explicitFalse, "H002").count == 2)
  }

  @Test func designLimitsIsParsedStrictly() {
    for bad in [
      "design_limits: maybe\n", "design_limits: {lower: 0, top: 9}\n", "design_limits: {lower: zero}\n",
      "design_limits: {}\n", "design_limits: {lower: 10, upper: 5}\n", "design_limits: [0, 120]\n",
    ] {
      let result = checkDeclared("bin_lo,bin_hi,count\n0,10,12\n", manifest: bad)
      #expect(result.error?.kind == .configuration, "\(bad)")
    }
  }

  @Test func groupedHistogramsAreCheckedPerGroup() {
    let text = "sex,bin_lo,bin_hi,count\nF,0,10,12\nF,10,20,14\nM,0,10,20\nM,10,20,11\n"
    let result = checkDeclared(
      text, manifest: "dimensions: [sex]\ndesign_limits: {lower: 0}\ndesign_limits_reason: the protocol\n")
    #expect(codes(result, "H002") == ["3:3:review", "5:3:review"])
  }

  @Test func withheldAndTextEdges() {
    // A withheld count may be non-empty: the bin is an extreme.
    let withheld = check("bin_lo,bin_hi,count\n0,10,*\n10,20,40\n20,30,0\n")
    #expect(Set(codes(withheld, "H002")) == ["2:1:review", "3:2:review"])
    let text = check("bin_lo,bin_hi,count\nlow,10,12\n10,20,40\n")
    #expect(codes(text, "H002") == ["2:1:review"])
    #expect(text.findings.first { $0.code == "H002" }?.reason.contains("cannot be ordered") == true)
  }

  @Test func histogramWithoutCountsNeedsReview() {
    let result = checkDeclared("bin_lo,bin_hi,density\n0,10,0.2\n10,20,0.8\n", manifest: "kind: histogram\n")
    #expect(result.findings.contains { $0.code == "H002" && $0.line == nil && $0.outcome == .review })
    #expect(result.outcome != .pass)
  }
}

extension HistogramTests {
  @Test func designLimitsFromAFolderManifest() {
    let folder = temporaryFolder()
    let path = write("bin_lo,bin_hi,count\n0,10,12\n10,20,40\n", to: "ages.csv", in: folder)
    write(
      "outputs:\n  \"ages*.csv\":\n    design_limits: {lower: 0, upper: 20}\n    design_limits_reason: the protocol\n",
      to: "airlock.yaml", in: folder)
    let result = checkFile(path)
    #expect(result.findings.isEmpty, "\(result.findings.map(\.reason))")
    #expect(result.outcome == .pass)
  }
}

/// Design limits are a claim: they need a reason, and edges taken from the data contradict them.
extension HistogramTests {
  @Test func designLimitsWithoutAReasonAreAnErrorAtTheKey() {
    for manifest in [
      "kind: histogram\ndesign_limits: true\n", "kind: histogram\ndesign_limits: {lower: 0, upper: 20}\n",
      "kind: histogram\ndesign_limits: true\ndesign_limits_reason: \"  \"\n",
    ] {
      let result = checkDeclared("bin_lo,bin_hi,count\n0,10,12\n10,20,40\n", manifest: manifest)
      #expect(result.error?.kind == .configuration, "\(manifest)")
      #expect(result.error?.line == 2 && result.error?.column == 1, "\(String(describing: result.error))")
      #expect(result.error?.message.contains("reason") == true)
    }
    let orphan = checkDeclared("bin_lo,bin_hi,count\n0,10,12\n", manifest: "design_limits_reason: why\n")
    #expect(orphan.error?.line == 1, "a reason without limits is a mistake, not ignored")
    let twice = checkDeclared(
      "bin_lo,bin_hi,count\n0,10,12\n", manifest: "design_limits: {lower: 0, reason: a}\ndesign_limits_reason: b\n")
    #expect(twice.error?.kind == .configuration)
  }

  @Test func designLimitsOnEdgesTakenFromTheDataAreContradicted() throws {
    // numpy's default bins: the outer edges are the smallest and largest values observed.
    let numpy = "bin_start,bin_end,count\n14.37,17.93,12\n17.93,21.49,48\n21.49,25.05,163\n25.05,28.61,0\n"
    let all = checkDeclared(numpy, manifest: "design_limits: true\ndesign_limits_reason: fixed in advance\n")
    #expect(codes(all, "H002") == ["2:1:review"], "the upper outer bin is empty: its edge is not an observed value")
    #expect(all.findings.first { $0.code == "H002" }?.reason.contains("contradicts the declaration") == true)
    #expect(all.outcome != .pass, "the empty bin is a zero (C002) besides")
    let bounds = checkDeclared(
      numpy.replacingOccurrences(of: "25.05,28.61,0", with: "25.05,28.61,9"),
      manifest: "design_limits: {lower: 14.37, upper: 28.61, reason: fixed in advance}\n")
    #expect(codes(bounds, "H002") == ["2:1:review", "5:2:review"], "declared limits equal to the data's edges")
    // Safe look-alikes: a design grid whose outer bins hold people keeps passing.
    for (text, manifest) in [
      ("bin_lo,bin_hi,count\n0,10,12\n10,20,40\n20,30,15\n", "design_limits: true\ndesign_limits_reason: decades\n"),
      (
        "bin_lo,bin_hi,count\n18,25,12\n25,35,40\n35,45,15\n",
        "design_limits: {lower: 18, upper: 45, reason: adults to 45}\n"
      ),
      ("bin_lo,bin_hi,count\n0.5,1.0,12\n1.0,1.5,40\n", "design_limits: true\ndesign_limits_reason: half units\n"),
    ] {
      let result = checkDeclared(text, manifest: manifest)
      #expect(result.outcome == .pass, "\(text): \(result.findings.map(\.reason))")
    }
    // The claim is listed with its position and the rule it relaxes.
    let passing = checkDeclared(
      "bin_lo,bin_hi,count\n0,10,12\n10,20,40\n",
      manifest: "kind: histogram\ndesign_limits: true\ndesign_limits_reason: decades\n")
    let claim = try #require(passing.claims.first)
    #expect(claim.kind == .designLimits && claim.line == 2 && claim.column == 1 && claim.rules == ["H002"])
    #expect(claim.detail.contains("decades"))
  }
}

extension HistogramTests {
  @Test func designLimitsEqualToTheObservedExtremesInTheEvidenceAreContradicted() {
    let folder = temporaryFolder()
    let path = write("bin_lo,bin_hi,count\n20,40,35\n40,60,120\n60,80,210\n80,100,64\n", to: "ages.csv", in: folder)
    write(
      "kind: histogram\ndesign_limits: {lower: 20, upper: 100, reason: the analysis plan}\n", to: "ages.airlock.yaml",
      in: folder)
    // The oldest person is 99: the upper limit is the design's; the youngest is exactly 20.
    write("min,max,n\n20,99,429\n", to: "ages.evidence.csv", in: folder)
    let result = checkFile(path)
    #expect(codes(result, "H002") == ["2:1:review"], "\(result.findings.map(\.reason))")
    #expect(
      result.findings.first { $0.code == "H002" }?.reason.contains("the smallest value observed (the evidence's min)")
        == true)
    // Safe look-alike: observed extremes inside the limits.
    write("min,max,n\n21,99,429\n", to: "ages.evidence.csv", in: folder)
    #expect(checkFile(path).outcome == .pass)
  }
}
