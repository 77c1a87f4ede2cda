import Foundation
import Testing

@Suite struct ProtectCLITests {
  @Test func protectedTableThenPassesCheck() throws {
    let dir = folder(["t.csv": "region,Male,Female,Total\nA,16,3,19\nB,12,19,31\nC,40,41,81\nTotal,68,63,131\n"])
    let input = dir.appendingPathComponent("t.csv").path
    let output = dir.appendingPathComponent("out.csv").path
    #expect(try airlock(["check", input]).status == 1)
    let run = try airlock(["protect", input, "-o", output])
    #expect(run.status == 0)
    #expect(run.stdout.contains("primary   line 2, column 3 [region=A, column=Female]: C001 small-cell-count"))
    #expect(run.stdout.contains("'airlock check' passes"))
    #expect(try airlock(["check", output]).status == 0)
    // Never overwrites without --force.
    #expect(try airlock(["protect", input, "-o", output]).status == 2)
    #expect(try airlock(["protect", input, "-o", output, "--force", "--rules", "opensafely"]).status == 0)
    #expect(try airlock(["check", output, "--rules", "opensafely"]).status == 0)
  }

  @Test func refusesOutputsItCannotProtect() throws {
    let dir = folder(["s.csv": "group,n,mean\nA,40,3.2\n"])
    let run = try airlock([
      "protect", dir.appendingPathComponent("s.csv").path, "-o", dir.appendingPathComponent("o.csv").path,
    ])
    #expect(run.status == 2)
    #expect(run.stderr.contains("airlock protect handles frequency tables"))
  }
}

@Suite struct HistoryCLITests {
  @Test func checkAgainstTheReleaseHistory() throws {
    let released = folder(["all.csv": "age_band,count\n20-29,150\n30-39,200\n"])
    let new = folder(["male.csv": "age_band,count\n20-29,149\n30-39,120\n"])
    let history = released.appendingPathComponent("history.db").path
    let add = try airlock(["history", "add", released.appendingPathComponent("all.csv").path, "--history", history])
    #expect(add.status == 0)
    #expect(add.stdout.contains("added 1 table"))
    #expect(try airlock(["check", new.path]).status == 0)
    let run = try airlock(["check", new.path, "--history", history])
    #expect(run.status == 1)
    #expect(run.stdout.contains("all.csv 20-29 (150) − male.csv 20-29 (149) = 1"))
    #expect(try airlock(["check", new.path, "--history", "/nonexistent/dir/h.db"]).status == 2)
  }
}
