import Foundation
import Testing

@testable import Airlock

@Suite struct ReleaseHistoryHookTests {
  @Test func releasedTablesJoinTheHistoryAndLaterOutputsAreComparedWithThem() throws {
    let f = ReviewFixture()
    let id = try f.approvedRequest()
    _ = try f.workflow.release(id, to: f.folder.appendingPathComponent("out").path, key: f.ops)
    let history = try ReleaseHistory(path: f.workflow.historyPath)
    #expect(try history.count() == 1)
    let released = try history.tables(withSignature: "region")
    #expect(released.map(\.source) == ["table.csv"])
    // Releasing again adds nothing.
    _ = try f.workflow.release(id, to: f.folder.appendingPathComponent("out").path, key: f.ops)
    #expect(try history.count() == 1)
    // A later output one short of the released one is caught.
    let later = temporaryFolder()
    write("region,count\nNorth,14\nSouth,40\n", to: "north.csv", in: later)
    var checker = Checker(pack: pack())
    checker.history = history
    let result = checker.check(paths: [later.path]).results[0]
    #expect(
      result.findings.contains {
        $0.code == "X002" && $0.reason.contains("table.csv North (15) − north.csv North (14) = 1")
      })
  }
}
