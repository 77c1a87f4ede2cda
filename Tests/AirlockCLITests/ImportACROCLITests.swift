import Foundation
import Testing

/// `airlock rules import-acro` from the command line: every key converted, or named.
@Suite struct ImportACROCLITests {
  @Test func aStricterACROConfigurationFailsWhatTheDefaultPasses() throws {
    // Two contributors hold 60%: ACRO with safe_nk_k 0.50 fails the cell; the default passes it.
    let dir = folder([
      "acro.yaml": "safe_threshold: 10\nsafe_nk_n: 2\nsafe_nk_k: 0.50\nsafe_pratio_p: 0.25\nsafe_dof_threshold: 20\n",
      "t.csv": "sector,sum\nRetail,1000\nFarming,800\n",
      "t.evidence.csv": "sector,n,top1,top2\nRetail,40,400,200\nFarming,25,100,80\n",
    ])
    let run = try airlock(["rules", "import-acro", dir.appendingPathComponent("acro.yaml").path, "--name", "strict"])
    #expect(run.status == 0, "\(run.stderr)")
    let pack = dir.appendingPathComponent("strict.yaml")
    try Data(run.stdout.utf8).write(to: pack)
    let output = dir.appendingPathComponent("t.csv").path
    #expect(try airlock(["check", output, "--fail-on", "fail"]).status == 0)
    let strict = try airlock(["check", output, "--rules", pack.path, "--fail-on", "fail"])
    #expect(strict.status == 1, "\(strict.stdout)")
    #expect(strict.stdout.contains("M001"), "\(strict.stdout)")
  }

  @Test func anUnmappedKeyIsAnErrorUnlessAllowedAndIsAlwaysListed() throws {
    let dir = folder(["acro.yaml": "safe_threshold: 10\nfederated: true\nsafe_p_percent: 0.1\n"])
    let path = dir.appendingPathComponent("acro.yaml").path
    let refused = try airlock(["rules", "import-acro", path])
    #expect(refused.status == 2)
    #expect(
      refused.stderr.contains("acro.yaml:2:12: no airlock equivalent for 'federated', 'safe_p_percent'"),
      "\(refused.stderr)")
    #expect(refused.stdout.isEmpty)
    let allowed = try airlock(["rules", "import-acro", path, "--allow-unmapped"])
    #expect(allowed.status == 0)
    #expect(
      allowed.stderr.contains("acro.yaml:2:12: federated: ACRO's federated mode runs no checks"), "\(allowed.stderr)")
    #expect(allowed.stderr.contains("acro.yaml:3:17: safe_p_percent:"), "\(allowed.stderr)")
    #expect(allowed.stdout.contains("# Not converted"))
  }
}
