import Foundation
import Testing

@testable import Airlock

/// Issue 17, part 4: hierarchies read from indentation and code patterns, checked against the
/// numbers, and against the same hierarchy declared in a manifest.
@Suite struct InferredHierarchyTests {
  private func groups(_ names: [String]) -> [String] {
    StructureDetector.statedHierarchy(names).map { group in
      "\(names[group.parent].trimmingWhitespace())>\(group.children.map { names[$0].trimmingWhitespace() }.joined(separator: "+")) \(group.basis.rawValue)"
    }
  }

  @Test func indentationInEveryFormExportsWrite() {
    for indent in ["  ", "\t", "\u{00A0}\u{00A0}", "- ", "  - ", "• "] {
      let names = ["North", indent + "Leeds", indent + "York", "South", indent + "Bristol", indent + "Exeter", "Total"]
      #expect(groups(names).count == 2, "indent \(Array(indent.unicodeScalars))")
    }
    // Two levels: the region's subtotal is itself a child of the country's.
    let names = ["England", "  North", "    Leeds", "    York", "  South", "    Bristol", "    Exeter", "Wales"]
    #expect(
      groups(names) == [
        "England>North+South indentation", "North>Leeds+York indentation", "South>Bristol+Exeter indentation",
      ])
  }

  @Test func labelsThatAreNotIndentedHierarchiesAreNotRead() {
    // Right-aligned numbers are padded, not indented.
    #expect(groups(["  1", "  2", " 10", " 11", "100"]).isEmpty)
    #expect(groups(["100", " 10", " 11", "  1", "  2"]).isEmpty)
    // A single indented row is an "of which" line: a part, not a breakdown.
    #expect(groups(["All admissions", "  of which emergency", "Outpatients"]).isEmpty)
    // Every label indented alike is no hierarchy.
    #expect(groups([" North", " South", " East"]).isEmpty)
    // A minus sign is not a bullet.
    #expect(groups(["North", "-5 to -1", "-10 to -6"]).isEmpty)
  }

  @Test func codesWithoutADotNestWhenEveryChildExtendsTheParentAlike() {
    #expect(groups(["E11", "E110", "E119", "I10", "I100", "I109"]) == ["E11>E110+E119 codes", "I10>I100+I109 codes"])
    #expect(groups(["K01", "K0101", "K0102", "K02"]) == ["K01>K0101+K0102 codes"])
    // Children of two patterns under one parent are not one breakdown.
    #expect(groups(["E11", "E110", "E11A2", "E12"]).isEmpty)
    // Words keep the separator rule: `Northumberland` is not under `North`.
    #expect(groups(["North", "Northumberland", "Northampton", "South"]).isEmpty)
    // Numbers are not codes: `10` and `11` are not under `1`.
    #expect(groups(["1", "10", "11", "2"]).isEmpty)
    // Separator codes are still read (`E11.9` under `E11`), and reported as codes.
    #expect(groups(["E11", "E11.2", "E11.9", "E10"]) == ["E11>E11.2+E11.9 codes"])
  }

  @Test func aDeclaredHierarchyTheNumbersContradictIsReported() {
    let folder = temporaryFolder()
    let path = write("area,count\nNorth,50\nLeeds,12\nYork,18\nSouth,42\nTotal,92\n", to: "t.csv", in: folder)
    write("hierarchy:\n  area:\n    North: [Leeds, York]\n", to: "t.airlock.yaml", in: folder)
    let result = checkFile(path)
    #expect(result.structure?.contradictions?.map(\.basis) == [.declared])
    #expect(result.findings.contains { $0.code == "C010" && $0.reason.contains("the manifest declares 'North'") })
    // The same declaration the numbers agree with is not asked about.
    let agreeing = temporaryFolder()
    let safe = write("area,count\nNorth,30\nLeeds,12\nYork,18\nSouth,42\nTotal,72\n", to: "t.csv", in: agreeing)
    write("hierarchy:\n  area:\n    North: [Leeds, York]\n", to: "t.airlock.yaml", in: agreeing)
    #expect(checkFile(safe).structure?.contradictions == nil)
    #expect(checkFile(safe).outcome == .pass)
  }

  /// Random one-way tables of regions with their areas indented under them and a total, some
  /// cells withheld. Ground truth: a withheld cell is given back when, solving the equations one
  /// unknown at a time (a tree of sums needs nothing more), it is the last unknown of some sum.
  /// The verdict must match, and must be the verdict of the same table with its hierarchy
  /// declared instead of indented.
  @Test func indentedHierarchiesAreAuditedAsIfDeclared() throws {
    var rng = SplitMix(state: 17)
    var disclosive = 0
    var safe = 0
    for round in 0..<90 {
      let indent = ["  ", "\t", "\u{00A0}\u{00A0}\u{00A0}", "- "][round % 4]
      let regions = Int.random(in: 2...4, using: &rng)
      var names: [String] = []
      var values: [Int] = []
      var sums: [(parent: Int, children: [Int])] = []
      var yaml = "hierarchy:\n  area:\n"
      var regionRows: [Int] = []
      for r in 0..<regions {
        let parent = names.count
        regionRows.append(parent)
        names.append("R\(r)")
        values.append(0)
        let areas = Int.random(in: 2...4, using: &rng)
        var children: [Int] = []
        for a in 0..<areas {
          children.append(names.count)
          names.append("A\(r)_\(a)")
          values.append(Int.random(in: 10...90, using: &rng))
        }
        values[parent] = children.reduce(0) { $0 + values[$1] }
        sums.append((parent, children))
        yaml += "    R\(r): [\(children.map { names[$0] }.joined(separator: ", "))]\n"
      }
      names.append("Total")
      values.append(regionRows.reduce(0) { $0 + values[$1] })
      sums.append((names.count - 1, regionRows))
      var withheld = Set<Int>()
      // From a few cells withheld to most of them, so that both verdicts come up often.
      let share = 1 + round % 3
      for row in names.indices where Int.random(in: 0..<5, using: &rng) < share { withheld.insert(row) }
      // Ground truth: peel sums with one unknown left.
      var known = Set(names.indices).subtracting(withheld)
      var changed = true
      while changed {
        changed = false
        for sum in sums {
          let unknown = ([sum.parent] + sum.children).filter { !known.contains($0) }
          if unknown.count == 1 {
            known.insert(unknown[0])
            changed = true
          }
        }
      }
      let recoverable = !withheld.intersection(known).isEmpty
      func body(_ label: (Int) -> String) -> String {
        "area,count\n"
          + names.indices.map { "\(label($0)),\(withheld.contains($0) ? "*" : String(values[$0]))" }.joined(
            separator: "\n") + "\n"
      }
      let indented = check(body { names[$0].hasPrefix("A") ? indent + names[$0] : names[$0] })
      let folder = temporaryFolder()
      let declaredPath = write(body { names[$0] }, to: "t.csv", in: folder)
      write(yaml, to: "t.airlock.yaml", in: folder)
      let declared = checkFile(declaredPath)
      let x001 = indented.findings.contains { $0.code == "X001" && $0.outcome == .fail }
      #expect(x001 == recoverable, "round \(round): \(body { names[$0] }) \(indented.findings.map(\.reason))")
      #expect(
        indented.outcome == declared.outcome,
        "round \(round): \(indented.findings.map(\.reason)) vs \(declared.findings.map(\.reason))")
      #expect(
        indented.findings.filter { $0.code == "X001" }.count == declared.findings.filter { $0.code == "X001" }.count)
      if recoverable { disclosive += 1 } else { safe += 1 }
    }
    // Both kinds were generated, so neither expectation is vacuous.
    #expect(disclosive >= 10 && safe >= 10, "\(disclosive) disclosive, \(safe) safe")
  }
}
