import Foundation
import Testing

@testable import Airlock

/// Issue 16, a ground truth for `derived-count` (C011): generate groups and their counts, print
/// the percentages as tools print them, and work out by brute force which counts an attacker can
/// tell apart from the printed values. airlock must block exactly when every count consistent
/// with the publication breaks the pack's rules, and pass when none does.
@Suite struct DerivedStatisticsPropertyTests {
  static let threshold = 10

  /// Whether `count` out of `total` breaks the default pack's count rules: below the threshold,
  /// a zero, everyone in the group, or fewer than the threshold left outside it.
  static func unsafe(_ count: Int, of total: Int) -> Bool {
    count == 0 || count == total || count < threshold || (total - count > 0 && total - count < threshold)
  }

  static func printed(_ value: Double, decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

  @Test func percentagesOfAPublishedGroupSizeBlockExactlyWhenEveryConsistentCountIsUnsafe() {
    var random = SplitMix(state: 16)
    var blocked = 0
    var passed = 0
    var mixed = 0
    for round in 0..<400 {
      let decimals = Int(random.next() % 3)
      let rows = 1 + Int(random.next() % 4)
      var lines = ["group,population,pct_with_condition"]
      var truth: [Bool?] = []  // per row: true all unsafe, false none unsafe, nil mixed
      for row in 0..<rows {
        let total = 10 + Int(random.next() % 3000)
        // Small counts, counts near the total and ordinary ones, equally often.
        let count: Int
        switch random.next() % 3 {
        case 0: count = Int(random.next() % 15)
        case 1: count = max(0, total - Int(random.next() % 15))
        default: count = Int(random.next() % UInt64(total + 1))
        }
        let text = Self.printed(100 * Double(count) / Double(total), decimals: decimals)
        lines.append("g\(row),\(total),\(text)")
        let consistent = (0...total).filter {
          Self.printed(100 * Double($0) / Double(total), decimals: decimals) == text
        }
        let unsafe = consistent.filter { Self.unsafe($0, of: total) }
        truth.append(unsafe.count == consistent.count ? true : unsafe.isEmpty ? false : nil)
      }
      let result = check(lines.joined(separator: "\n") + "\n")
      let flagged = Set(result.findings.filter { $0.code == "C011" && $0.outcome == .fail }.compactMap(\.line))
      let findings = Set(result.findings.filter { $0.code == "C011" }.compactMap(\.line))
      for (row, unsafe) in truth.enumerated() {
        let line = row + 2
        switch unsafe {
        case true?:
          blocked += 1
          #expect(
            flagged.contains(line),
            "round \(round), line \(line) is disclosive as published:\n\(lines.joined(separator: "\n"))\n\(result.findings.map(\.reason))"
          )
        case false?:
          passed += 1
          #expect(
            !findings.contains(line),
            "round \(round), line \(line) is safe as published:\n\(lines.joined(separator: "\n"))\n\(result.findings.map(\.reason))"
          )
        case nil:
          // Some consistent counts are unsafe and some are not: a policy, not a fact (review
          // when the range straddles the threshold, pass when it runs from 0 to well above it).
          mixed += 1
        }
      }
    }
    // The generator reaches every class.
    #expect(blocked > 100 && passed > 100 && mixed > 5, "\(blocked) blocked, \(passed) passed, \(mixed) mixed")
  }

  @Test func sharesOfAGroupWithoutItsTotalGiveBackTheWithheldRowsExactlyWhenTheNumbersAllow() {
    var random = SplitMix(state: 1616)
    var disclosive = 0
    var safe = 0
    for round in 0..<300 {
      let decimals = 1 + Int(random.next() % 2)
      let rows = 3 + Int(random.next() % 3)
      var counts = (0..<rows).map { _ in 10 + Int(random.next() % 200) }
      // One or two rows are small and withheld, with their percentages.
      let withheld = Array(0..<(1 + Int(random.next() % 2)))
      for row in withheld { counts[row] = 1 + Int(random.next() % 9) }
      let total = counts.reduce(0, +)
      var lines = ["region,n,percent"]
      for (row, count) in counts.enumerated() {
        let share = Self.printed(100 * Double(count) / Double(total), decimals: decimals)
        lines.append(withheld.contains(row) ? "r\(row),*,*" : "r\(row),\(count),\(share)")
      }
      // Brute force: every total consistent with every published percentage.
      let published = counts.enumerated().filter { !withheld.contains($0.offset) }
      let known = published.map(\.element).reduce(0, +)
      let totals = (known...(known + 200)).filter { candidate in
        published.allSatisfy {
          Self.printed(100 * Double($0.element) / Double(candidate), decimals: decimals)
            == Self.printed(100 * Double($0.element) / Double(total), decimals: decimals)
        }
      }
      let sums = totals.map { $0 - known }
      let truth = (withheld.count == 1 && sums.count == 1) || sums.allSatisfy { $0 >= 1 && $0 < Self.threshold }
      let result = check(lines.joined(separator: "\n") + "\n")
      let failed = result.findings.contains { $0.code == "C011" && $0.outcome == .fail }
      if truth { disclosive += 1 } else { safe += 1 }
      // airlock's intervals are closed where printing rounds half to even: it may see one more
      // candidate at an exact boundary, never fewer. So it never misses, and when it blocks the
      // truth agrees unless the candidates differ by that boundary.
      if truth && published.count == 1 {
        // One published row cannot show what its percentage is a share of: not a pass.
        #expect(
          result.findings.contains { $0.code == "C011" && $0.outcome != .pass },
          "round \(round):\n\(lines.joined(separator: "\n"))")
      } else if truth {
        #expect(
          failed,
          "round \(round): the withheld rows add up to \(sums) (totals \(totals)):\n\(lines.joined(separator: "\n"))\n\(result.findings.map(\.reason))"
        )
      } else if failed {
        #expect(
          Bool(false),
          "round \(round): blocked, but the totals \(totals) leave the withheld rows \(sums):\n\(lines.joined(separator: "\n"))\n\(result.findings.map(\.reason))"
        )
      }
    }
    #expect(disclosive > 20 && safe > 20, "\(disclosive) disclosive, \(safe) safe")
  }

  @Test func ratesPerThousandOfAPopulationBlockExactlyWhenEveryConsistentCountIsUnsafe() {
    var random = SplitMix(state: 1000)
    var blocked = 0
    var passed = 0
    for round in 0..<300 {
      let population = 200 + Int(random.next() % 3_000)
      let events = random.next() % 2 == 0 ? Int(random.next() % 15) : Int(random.next() % UInt64(population / 10))
      let decimals = Int(random.next() % 3)
      let text = Self.printed(1_000 * Double(events) / Double(population), decimals: decimals)
      let consistent = (0...population).filter {
        Self.printed(1_000 * Double($0) / Double(population), decimals: decimals) == text
      }
      let unsafe = consistent.filter { Self.unsafe($0, of: population) }
      let result = check("region,population,rate_per_1000\nA,\(population),\(text)\nB,50000,12.5\n")
      let failed = result.findings.contains { $0.code == "C011" && $0.outcome == .fail && $0.line == 2 }
      let found = result.findings.contains { $0.code == "C011" && $0.line == 2 }
      if unsafe.count == consistent.count {
        blocked += 1
        #expect(
          failed,
          "round \(round): \(text) per 1,000 of \(population) allows only \(consistent)\n\(result.findings.map(\.reason))"
        )
      } else if unsafe.isEmpty {
        passed += 1
        #expect(
          !found,
          "round \(round): \(text) per 1,000 of \(population) allows \(consistent.first!)…\(consistent.last!)\n\(result.findings.map(\.reason))"
        )
      }
    }
    #expect(blocked > 30 && passed > 30, "\(blocked) blocked, \(passed) passed")
  }

  @Test func cumulativeCountsBlockExactlyWhenAStepIsASmallCount() {
    var random = SplitMix(state: 12)
    var blocked = 0
    var passed = 0
    for round in 0..<300 {
      let weeks = 3 + Int(random.next() % 6)
      // Weekly counts: mostly large, sometimes small, sometimes none.
      let counts = (0..<weeks).map { _ -> Int in
        switch random.next() % 6 {
        case 0: Int(random.next() % 10)
        case 1: 0
        default: 10 + Int(random.next() % 200)
        }
      }
      var running = 0
      var lines = ["week,cum_cases"]
      for (week, count) in counts.enumerated() {
        running += count
        lines.append("\(week + 1),\(running)")
      }
      // The first value is a count judged by small-cell-count; each later rise is a step.
      let smallStep = counts.dropFirst().contains { $0 >= 1 && $0 < Self.threshold }
      let result = check(lines.joined(separator: "\n") + "\n")
      let failed = result.findings.contains { $0.code == "C012" && $0.outcome == .fail }
      if smallStep { blocked += 1 } else { passed += 1 }
      #expect(
        failed == smallStep, "round \(round):\n\(lines.joined(separator: "\n"))\n\(result.findings.map(\.reason))")
    }
    #expect(blocked > 30 && passed > 30, "\(blocked) blocked, \(passed) passed")
  }
}
