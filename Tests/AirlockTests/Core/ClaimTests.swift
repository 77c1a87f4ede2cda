import Foundation
import Testing

@testable import Airlock

/// Claims found from manifests (issue 18 §3), against a ground truth: manifests built from a
/// random choice of declarations, some that relax a rule and some that only say what airlock
/// would read anyway, must list exactly the relaxing ones, each at the line it is written on.
@Suite struct ClaimTests {
  /// A declaration that relaxes a rule: its manifest line, the claim kind it makes and the rules.
  struct Relaxing {
    var line: String
    var kind: Claim.Kind
    var rules: [String]
  }

  static let relaxing: [Relaxing] = [
    Relaxing(line: "structural_zeros:\n  - {sex: Male}", kind: .structuralZeros, rules: ["C002", "C003"]),
    Relaxing(line: "margins: [All]", kind: .margins, rules: ["C003", "C010", "X001"]),
    Relaxing(line: "categories: [Total]", kind: .categories, rules: ["C003", "C010", "X001"]),
    Relaxing(line: "subset_of: everyone.csv", kind: .subsetOf, rules: ["X002"]),
    Relaxing(
      line: "hierarchy:\n  region:\n    North: [North East, North West]", kind: .hierarchy, rules: ["C010", "X001"]),
  ]

  /// Declarations that say what airlock reads anyway: never claims.
  static let neutral = [
    "dimensions: [sex, region]", "counts: [count]", "kind: frequency", "population: adults in 2020",
  ]

  static let table = """
    sex,region,count
    Female,North,40
    Female,North East,15
    Female,North West,25
    Female,South,30
    Male,North,0
    Male,North East,0
    Male,North West,0
    Male,South,0

    """

  @Test func exactlyTheRelaxingDeclarationsAreClaimsAtTheirLines() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<40 {
      var lines = Self.neutral.filter { _ in Bool.random(using: &generator) }
      let chosen = Self.relaxing.filter { _ in Bool.random(using: &generator) }
      lines += chosen.map(\.line)
      lines.shuffle(using: &generator)
      let manifest = lines.joined(separator: "\n") + "\n"
      let folder = temporaryFolder()
      let path = write(Self.table, to: "t.csv", in: folder)
      write(manifest.isEmpty || manifest == "\n" ? "kind: frequency\n" : manifest, to: "t.airlock.yaml", in: folder)
      let result = checkFile(path)
      #expect(result.error == nil, "\(manifest)\n\(String(describing: result.error))")
      // Ground truth: the kinds chosen, in manifest order, each on its key's line.
      let text = manifest.split(separator: "\n", omittingEmptySubsequences: false)
      let expected = chosen.map { relax -> (Claim.Kind, Int, [String]) in
        let key = String(relax.line.prefix { $0 != ":" })
        let line = text.firstIndex { $0.hasPrefix(key + ":") }! + 1
        let first = relax.kind == .structuralZeros ? line + 1 : relax.kind == .hierarchy ? line + 1 : line
        return (relax.kind, first, relax.rules)
      }
      let found = result.claims.map { ($0.kind, $0.line ?? 0, $0.rules) }
      #expect(
        Set(found.map { "\($0.0.rawValue)@\($0.1) \($0.2)" })
          == Set(expected.map { "\($0.0.rawValue)@\($0.1) \($0.2)" }), "\(manifest)")
      #expect(result.claims.allSatisfy { $0.manifest?.hasSuffix("t.airlock.yaml") == true && $0.column != nil })
    }
  }

  @Test func aDeclaredRoleIsAClaimOnlyWhenItTakesAColumnOutOfARulesReach() throws {
    // `value` holds whole numbers beside labels: airlock reads it as counts (C001 judges it).
    let text = "region,value\nNorth,40\nSouth,50\n"
    let asPercentage = checkDeclared(text, "dimensions: [region]\npercentages: [value]\n")
    let claim = try #require(asPercentage.claims.first)
    #expect(claim.kind == .columnRole && claim.field == 2 && claim.key == "percentages" && claim.line == 2)
    #expect(claim.rules.contains("C001"))
    #expect(claim.detail.contains("declared percentage (airlock reads it as count)"))
    // Safe look-alike: declaring what airlock reads anyway is no claim.
    #expect(checkDeclared(text, "dimensions: [region]\ncounts: [value]\n").claims.isEmpty)
    // A count declared away by name is still checked as a count (C000): nothing is relaxed, so no
    // claim, and the output needs review as before.
    let byName = checkDeclared("region,n\nNorth,40\nSouth,50\n", "dimensions: [region]\npercentages: [n]\n")
    #expect(byName.claims.isEmpty && byName.outcome == .review)
  }

  @Test func aFolderManifestIsAClaimOnEveryFileItDeclares() throws {
    let folder = temporaryFolder()
    let first = write("region,count\nNorth,40\nSouth,50\nAll,90\n", to: "counts_a.csv", in: folder)
    let second = write("region,count\nNorth,30\nSouth,60\nAll,90\n", to: "counts_b.csv", in: folder)
    write("outputs:\n  \"counts_*.csv\":\n    margins: [All]\n", to: "airlock.yaml", in: folder)
    for path in [first, second] {
      let result = checkFile(path)
      #expect(result.claims.map(\.kind) == [.folderManifest, .margins])
      #expect(result.claims[0].line == 2 && result.claims[0].rules == ["C003", "C010", "X001"])
      #expect(result.claims[1].line == 3 && result.claims[1].column == 5)
    }
    // A sidecar of its own is no folder claim.
    write("dimensions: [region]\ncounts: [count]\n", to: "counts_a.airlock.yaml", in: folder)
    #expect(checkFile(first).claims.isEmpty)
  }

  @Test func releasableMessagesCarryNoLabelColumnOrReason() {
    let claim = Claim(
      kind: .designLimits, file: "out/ages.csv", manifest: "out/ages.airlock.yaml", line: 3, column: 1,
      key: "design_limits",
      rules: ["H002"], detail: "every extreme is a design limit; reason: ages 11-16 of Year 7 pupils at St Mary's")
    #expect(claim.releasableMessage == "claim design-limits (ages.airlock.yaml:3:1) relaxes H002")
    let record = ReviewPredicate.ClaimedDeclaration(claim)
    #expect(record.manifest == "ages.airlock.yaml" && record.rules == ["H002"])
    let encoded = String(decoding: try! JSONEncoder().encode(record), as: UTF8.self)
    #expect(!encoded.contains("Mary") && !encoded.contains("11-16"))
  }

  private func checkDeclared(_ text: String, _ manifest: String) -> OutputResult {
    let folder = temporaryFolder()
    let path = write(text, to: "t.csv", in: folder)
    write(manifest, to: "t.airlock.yaml", in: folder)
    return checkFile(path)
  }
}
