import Foundation
import Testing

@_spi(Fuzzing) @testable import Airlock

/// Every input in `Fuzz/Corpus/` goes through its fuzz target's own code
/// (``FuzzingEntryPoints/run(_:_:)``), on every test run and without the fuzzing toolchain: the
/// seeds, and each input that once crashed a target (`crash-*`, kept in the corpus when fixed), so
/// a crash that comes back fails here as it would under libFuzzer.
///
/// The crashes kept: `reader/crash-linear-program-huge-count` (a 117-digit count made COIN-OR CLP
/// abort on an assertion, values past 1e100, in the differencing rules) and
/// `reader/crash-short-label-cache-across-dimensions` (the short-label cache started every
/// dimension's last slot at the first dimension's, so a wrong label id trapped in C003).
@Suite struct FuzzCorpusReplayTests {
  static let corpus = packageRoot.appendingPathComponent("Fuzz/Corpus")

  static func inputs(_ target: FuzzingEntryPoints.Target) -> [URL] {
    let folder = corpus.appendingPathComponent(target.rawValue)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.sorted().map { folder.appendingPathComponent($0) }
  }

  @Test func everyTargetHasACorpusFolder() {
    let folders = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)) ?? [])
    #expect(folders == Set(FuzzingEntryPoints.Target.allCases.map(\.rawValue)))
  }

  @Test(arguments: FuzzingEntryPoints.Target.allCases)
  func replaysTheCorpus(_ target: FuzzingEntryPoints.Target) throws {
    for input in Self.inputs(target) {
      FuzzingEntryPoints.run(target, Array(try Data(contentsOf: input)))
    }
  }

  @Test func crashesThatWereFixedStayInTheCorpusAndAreCheckedNow() throws {
    let crashes = Self.inputs(.reader).filter { $0.lastPathComponent.hasPrefix("crash-") }
    #expect(crashes.count >= 2)
    for input in crashes {
      // The reader target drops the first byte (it picks the file name); what follows is checked.
      let bytes = Array(try Data(contentsOf: input).dropFirst())
      let result = FuzzingEntryPoints.check(data: bytes, name: "t.csv", pack: try RulePackLoader.load("default"))
      #expect(result.error == nil && result.outcome != nil, "\(input.lastPathComponent)")
    }
  }
}
