import Foundation

/// A rule about a whole run of outputs (and the release history): differencing across outputs. It
/// is asked once every output has been checked on its own, and adds its findings to their results.
protocol RunRule: Rule {
  /// Audits the run.
  func audit(_ run: inout CheckRun)
}

/// Everything a ``RunRule`` works on: the outputs of one check, each output's result (which the
/// rule adds its findings to) and comparable cells, the link declarations of their manifests, and
/// the release history.
public struct CheckRun {
  /// The outputs, in the order they were checked.
  public let files: [String]
  /// Each output's result so far.
  public var results: [OutputResult]
  /// Each output's cells in comparable form (`nil`: not a table that can be compared).
  var tables: [ComparableTable?]
  /// Each output's manifest when it declares links to other outputs.
  var linkDeclarations: [OutputDeclaration?]
  /// The enabled rules (for each output's list of the rules that ran).
  let rules: [any Rule]
  let pack: RulePack
  let history: ReleaseHistory?
  let prunesHistory: Bool
  let indexesLinks: Bool
}

/// X002's audit of a run: outputs compared with each other cell by cell (same cells, nesting, other
/// names and spellings), with the release history, and as linked tables (a table and its margins).
extension CrossOutputDifferencingRule: RunRule {
  func audit(_ run: inout CheckRun) {
    let differencing = self
    let (files, rules, pack, history) = (run.files, run.rules, run.pack, run.history)
    let (prunesHistory, indexesLinks, linkDeclarations) = (run.prunesHistory, run.indexesLinks, run.linkDeclarations)
    var results = run.results
    var tables = run.tables
    defer {
      run.results = results
      run.tables = tables
    }
    // A declaration naming an output or dimension that is not in the run is an error; a declared
    // mapping the labels contradict needs review.
    if linkDeclarations.contains(where: { $0 != nil }) {
      let declared = DeclaredLinkCheck(files: files, tables: tables, declarations: linkDeclarations)
      for (index, error) in declared.errors {
        results[index] = OutputResult(file: files[index])
        results[index].error = error
        tables[index] = nil
      }
      for (index, reasons) in declared.contradictions where tables[index] != nil {
        for reason in reasons {
          let finding = differencing.finding(declaredMapping: reason, in: files[index])
          results[index].findings.append(finding)
          results[index].outcome = max(results[index].outcome ?? .pass, finding.outcome)
        }
      }
    }
    // Tables with the same cells (labels) can only disclose through nesting, which needs one to be
    // at most the other everywhere: a vector test rules most pairs out before the full derivation.
    let signatures = tables.map { $0?.signature }
    let canonical = tables.map { $0?.canonical() }
    let vectors = canonical.map { $0?.values ?? [] }
    var groupOf: [String: Int] = [:]
    var groups: [Int?] = []
    for entry in canonical {
      guard let keySet = entry?.keySet else {
        groups.append(nil)
        continue
      }
      let group = groupOf[keySet] ?? groupOf.count
      groupOf[keySet] = group
      groups.append(group)
    }
    var pruning = RunPruning(
      tables: tables, threshold: differencing.counts.threshold, inclusive: differencing.counts.inclusive)
    var released: [String: [ComparableTable]] = [:]
    var indexes: [String: ReleaseHistory.SignatureIndex] = [:]
    // Per signature, the outputs before this one that have it.
    var earlier: [String: [Int]] = [:]
    for index in results.indices where results[index].error == nil {
      guard let table = tables[index], let signature = signatures[index] else { continue }
      defer { earlier[signature, default: []].append(index) }
      // The output is compared with the others (and the history): the rule runs on it.
      if let ran = results[index].rulesRun {
        let codes = Set(ran + [CrossOutputDifferencingRule.description.code])
        results[index].rulesRun = rules.map { type(of: $0).description.code }.filter { codes.contains($0) }
      }
      var fromHistory: [ComparableTable] = []
      if let history {
        do {
          if !prunesHistory {
            if released[signature] == nil { released[signature] = try history.tables(withSignature: signature) }
            fromHistory = released[signature] ?? []
          } else {
            let signatureIndex: ReleaseHistory.SignatureIndex
            if let known = indexes[signature] {
              signatureIndex = known
            } else {
              signatureIndex = try history.index(signature: signature)
              indexes[signature] = signatureIndex
            }
            fromHistory = try history.candidates(
              for: table, in: signatureIndex, threshold: differencing.counts.threshold,
              inclusive: differencing.counts.inclusive)
          }
        } catch {
          results[index].error = error
          results[index].rulesRun = nil
          continue
        }
      }
      var candidates: [ComparableTable] = []
      let compared = (earlier[signature] ?? []).filter { !Self.declaredApart(table, tables[$0]!) }
      let declared = compared.filter { table.subsetOf != nil || tables[$0]!.subsetOf != nil }
      if indexesLinks {
        // Pairs the audit can find nothing in are ruled out from their cells as vectors.
        let kept = Set(declared + pruning.candidates(for: index, among: compared.filter { !declared.contains($0) }))
        candidates = compared.filter { kept.contains($0) }.map { tables[$0]! }
      } else {
        for other in compared
        where declared.contains(other) || groups[other] != groups[index] || Self.ordered(vectors[index], vectors[other])
        {
          candidates.append(tables[other]!)
        }
      }
      candidates += fromHistory
      let found = differencing.findings(for: table, against: candidates)
      guard !found.isEmpty else { continue }
      results[index].findings += found
      results[index].outcome = max(results[index].outcome ?? .pass, found.map(\.outcome).max() ?? .pass)
    }
    // Linked tables: a table and another over some of its dimensions (its margins published as a
    // second file) are audited as one system.
    let linkedIndices = tables.indices.filter { tables[$0] != nil && results[$0].error == nil }
    // Released tables of other shapes may link with the new ones (a one-way table released last
    // month, its two-way table now), or be the same shape under other names.
    var releasedLinks: [ComparableTable] = []
    if let history, !linkedIndices.isEmpty {
      do {
        releasedLinks = try history.otherShapes(than: Set(linkedIndices.compactMap { signatures[$0] }))
      } catch {
        for index in linkedIndices { results[index].error = error }
        return
      }
    }
    // The same shape under other dimension names or label spellings (`age_group` and `age_band`,
    // `0 to 15` and `0-15`): compared cell by cell once aligned.
    // Each table's categories are put in canonical form once, and a pair is aligned only when
    // its dimensions match (most pairs of a run do not); tables with the same cells under the
    // same dimensions were compared cell by cell above.
    var targets: [Int: ComparableTable.AlignmentTarget] = [:]
    var releasedTargets: [Int: ComparableTable.AlignmentTarget] = [:]
    var earlierOfWidth: [Int: [Int]] = [:]
    for index in linkedIndices {
      let table = tables[index]!
      let target = ComparableTable.AlignmentTarget(table)
      targets[index] = target
      defer { earlierOfWidth[table.dimensions.count, default: []].append(index) }
      var others: [(table: ComparableTable, target: () -> ComparableTable.AlignmentTarget)] = []
      let sameWidth = earlierOfWidth[table.dimensions.count] ?? []
      // Tables of this signature, in the same dimension order, that share most keys were
      // compared cell by cell above (`realigned` would leave them out; counted over interned keys).
      let comparedAlready =
        indexesLinks
        ? pruning.sharingHalfTheKeys(
          with: index, among: sameWidth.filter { tables[$0]!.dimensions == table.dimensions }) : []
      for other in sameWidth where !comparedAlready.contains(other) {
        let candidate = tables[other]!
        if indexesLinks && candidate.signature == table.signature && candidate.dimensions == table.dimensions
          && groups[other] == groups[index]
        {
          continue
        }
        others.append((candidate, { targets[other]! }))
      }
      for (r, released) in releasedLinks.enumerated() where released.dimensions.count == table.dimensions.count {
        others.append(
          (
            released,
            {
              if let known = releasedTargets[r] { return known }
              let made = ComparableTable.AlignmentTarget(released)
              releasedTargets[r] = made
              return made
            }
          ))
      }
      for (other, otherTarget) in others where !Self.declaredApart(table, other) {
        let own = indexesLinks ? otherTarget() : nil
        guard other.source != table.source,
          own.map({ other.couldAlign($0, to: target, renamed: other.signature == table.signature) }) ?? true,
          let (aligned, notes) = Self.realigned(other, to: target, own: own)
        else { continue }
        var found = differencing.findings(for: table, against: [aligned])
        guard !found.isEmpty else { continue }
        if !notes.isEmpty { for i in found.indices { found[i].reason += " (" + notes.joined(separator: "; ") + ")" } }
        results[index].findings += found
        results[index].outcome = max(results[index].outcome ?? .pass, found.map(\.outcome).max() ?? .pass)
      }
    }
    // Only tables of another width can be linked (a table and its margins).
    let widths = Set(linkedIndices.map { tables[$0]!.dimensions.count })
    let releasedOtherWidths = releasedLinks.filter { released in widths.contains { $0 != released.dimensions.count } }
    let audited = linkedIndices.map { tables[$0]! } + releasedOtherWidths
    let (linked, links) = LinkedTablesAudit(
      minWidth: pack.parameters(of: RecoverableSuppressionRule.self)[RecoverableSuppressionRule.minWidth]
    )
    .deriveWithLinks(audited, released: releasedOtherWidths.count, indexed: indexesLinks)
    // Every mapping made is reported on both tables of the run, findings or not.
    for link in links {
      let mapping = link.notes.isEmpty ? "dimensions matched by name" : link.notes.joined(separator: "; ")
      for (mine, other) in [(link.small, link.big), (link.big, link.small)] where mine < linkedIndices.count {
        let otherName = (audited[other].source as NSString).lastPathComponent
        let partner = other < linkedIndices.count ? otherName : "the released table \(otherName)"
        results[linkedIndices[mine]].links = (results[linkedIndices[mine]].links ?? []) + ["\(partner): \(mapping)"]
      }
    }
    for derivation in linked {
      let index = linkedIndices[derivation.table]
      let finding = differencing.finding(linked: derivation, in: tables[index]!)
      results[index].findings.append(finding)
      results[index].outcome = max(results[index].outcome ?? .pass, finding.outcome)
    }
  }

  /// Whether either table's manifest declares the two apart: never linked (`not_linked`), or a
  /// dimension of one not the same-named dimension of the other (`different_dimension_from`), so
  /// that they are not compared cell by cell under their names.
  static func declaredApart(_ a: ComparableTable, _ b: ComparableTable) -> Bool {
    guard a.links != nil || b.links != nil else { return false }
    if a.isDeclaredUnlinked(with: b) { return true }
    return a.declaredPairs(with: b).different.contains { a.dimensions[$0[0]] == b.dimensions[$0[1]] }
  }

  /// `other` aligned to `target`'s names and spellings, when that makes a comparison the exact
  /// one (same signature, shared labels) has not made: another signature of the same width, or
  /// the same signature with labels written another way (fewer than half the keys shared).
  ///
  /// `own` is `other`'s own ``ComparableTable/AlignmentTarget`` when already made: its labels
  /// are not put in canonical form again.
  static func realigned(
    _ other: ComparableTable, to target: ComparableTable.AlignmentTarget, own: ComparableTable.AlignmentTarget? = nil
  ) -> (ComparableTable, [String])? {
    let table = target.table
    guard other.dimensions.count == table.dimensions.count, other.source != table.source else { return nil }
    if other.signature == table.signature {
      let shared = table.cells.keys.filter { other.cells[$0] != nil }.count
      guard shared * 2 < min(table.cells.count, other.cells.count) else { return nil }
      return other.aligned(to: target, renamed: true, own: own).map { ($0.table, []) }
    }
    return other.aligned(to: target, own: own).map { ($0.table, $0.notes) }
  }

  /// Whether one vector is at most the other everywhere (and they differ): the sign of nesting.
  static func ordered(_ a: [Double], _ b: [Double]) -> Bool {
    var below = true
    var above = true
    var differ = false
    for (x, y) in zip(a, b) {
      if x < y {
        above = false
        differ = true
      } else if x > y {
        below = false
        differ = true
      }
      if !below && !above { return false }
    }
    return differ
  }
}
