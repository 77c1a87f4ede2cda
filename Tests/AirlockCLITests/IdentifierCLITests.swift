import Foundation
import Testing

/// Identifiers however they are written, end to end (issue 18 item 6), and statistics that only
/// look like identifiers (issue 15 item 6).
@Suite struct IdentifierCLITests {
  @Test(arguments: [
    ("pcd,count\nM1  1AE,12\n", "I002"),
    ("note,count\nNHS No. 943.476.5919,12\n", "I001"),
    ("note,count\nCHI 120384-1205,12\n", "I001"),
    ("note,count\ncall 07700 900123,12\n", "I006"),
    ("note,count\nMrs Patel,12\n", "I007"),
    ("note,count\n\"John Smith, aged 34\",12\n", "I007"),
  ])
  func identifierVariantsFail(csv: String, code: String) throws {
    let dir = folder(["t.csv": csv])
    let run = try airlock(["check", dir.path, "--fail-on", "fail"])
    #expect(run.status == 1, "\(run.stdout)")
    #expect(run.stdout.contains(code), "\(run.stdout)")
    // The folder's random name may hold any hex digits: only the rest of the report counts.
    let report = run.stdout.replacingOccurrences(of: dir.lastPathComponent, with: "")
    for secret in ["1AE", "5919", "1205", "900123", "Patel", "Smith"] { #expect(!report.contains(secret)) }
  }

  @Test func aTenDigitCountPasses() throws {
    let dir = folder(["t.csv": "region,count\nNorth,9434765919\nSouth,1203841205\nEast,40\n"])
    let run = try airlock(["check", dir.path])
    #expect(run.status == 0, "\(run.stdout)")
  }
}
