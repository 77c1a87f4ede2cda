import Foundation
import Testing

/// The report formats and terminal behaviour of the command-line tool.
@Suite struct ReportCLITests {
  @Test(arguments: ["sarif", "junit", "github", "json"])
  func checkWritesMachineFormats(format: String) throws {
    let run = try airlock(["check", "samples", "--format", format])
    #expect(run.status == 1)
    #expect(!run.stdout.isEmpty)
    #expect(!run.stdout.contains("\u{1B}["), "no colour in machine formats")
    // Not a terminal: no progress line, nothing on stderr.
    #expect(run.stderr.isEmpty)
    if format == "sarif" || format == "json" {
      #expect(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) is [String: Any])
    }
  }

  @Test func noColourWhenNotATerminal() throws {
    let run = try airlock(["check", "samples"], environment: ["NO_COLOR": ""])
    #expect(!run.stdout.contains("\u{1B}["))
    #expect(run.stderr.isEmpty)
  }

  @Test func quietPrintsNothing() throws {
    let run = try airlock(["check", "samples", "--quiet", "--format", "sarif"])
    #expect(run.status == 1)
    #expect(run.stdout.isEmpty && run.stderr.isEmpty)
  }
}
