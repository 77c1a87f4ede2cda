import Foundation
import Testing

@testable import Airlock

@Suite struct HypercubeTests {
  private func protect(_ text: String) throws -> (report: Protector.Report, output: String) {
    let folder = temporaryFolder()
    let input = write(text, to: "t.csv", in: folder)
    let output = folder.appendingPathComponent("hypercube.csv").path
    let report = try HypercubeSuppression(pack: pack()).protect(input: input, output: output)
    return (report, try String(contentsOfFile: output, encoding: .utf8))
  }

  @Test func completesTheCheapestRectangle() throws {
    let (report, output) = try protect("region,Male,Female,Total\nA,16,3,19\nB,12,19,31\nC,40,41,81\nTotal,68,63,131\n")
    // 3 is primary; the cheapest rectangle through it is A/Male, B/Male, B/Female (16 + 12 + 19).
    #expect(output == "region,Male,Female,Total\nA,*,*,19\nB,*,*,31\nC,40,41,81\nTotal,68,63,131\n")
    #expect(report.changes.filter { $0.kind == .primary }.count == 1)
    #expect(report.changes.filter { $0.kind == .secondary }.count == 3)
    #expect(report.hiddenCells == 4)
    #expect(report.check.outcome == .pass)
    #expect(abs(report.hiddenShare - 50.0 / 131) < 1e-9)
  }

  @Test func skipsRectanglesThatLeaveANarrowInterval() throws {
    // Through B/Female (2), the rectangle with A (A/Female = 1) would leave [0, 3]... the 1 is
    // itself primary; both get rectangles that leave them at least min_width (3) wide.
    let (report, _) = try protect("region,Male,Female,Total\nA,30,1,31\nB,40,2,42\nC,50,60,110\nTotal,120,63,183\n")
    #expect(report.check.outcome == .pass)
  }

  @Test(arguments: 0..<10)
  func randomTwoDimensionalTablesComeOutSafe(seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 7919 &+ 1)
    let text = twoDimensional(
      rows: Int.random(in: 3...8, using: &rng), columns: Int.random(in: 3...8, using: &rng), &rng)
    let (report, output) = try protect(text)
    #expect(report.check.outcome == .pass, "\(text)\n->\n\(output)\n\(report.check.findings.map(\.reason))")
  }

  @Test(arguments: 0..<4)
  func randomThreeDimensionalTablesComeOutSafe(seed: Int) throws {
    var rng = SplitMix(state: UInt64(seed) &* 104_729 &+ 1)
    let text = threeDimensional([3, 3, 4], &rng)
    let (report, output) = try protect(text)
    #expect(report.check.outcome == .pass, "\(text)\n->\n\(output)\n\(report.check.findings.map(\.reason))")
    // Every line through a withheld inner cell holds another withheld cell (a 2×2×2 cube).
    #expect(report.hiddenCells >= report.changes.filter { $0.kind == .primary }.count)
  }
}
