import Foundation

/// The entry point of the library: checks outputs against a rule pack.
///
/// ```swift
/// let report = try Checker(pack: RulePackLoader.load("default")).check(paths: ["samples"])
/// ```
public struct Checker: Sendable {
  public let pack: RulePack
  public var limits: ReadLimits
  /// Findings kept in full per rule and output; the rest are counted.
  public var findingLimit: Int

  /// Released tables to compare new outputs with (`--history`).
  public var history: ReleaseHistory?
  /// Whether released tables that cannot disclose anything together with a new output are ruled
  /// out from the history's packed cells before the comparison (the default). `false` decodes and
  /// compares every released table of the signature: the same findings, slower (for benchmarks
  /// and tests).
  public var prunesHistory = true
  /// Whether tables of a run are linked through an index of their published sums, and aligned
  /// only when their dimensions match (the default). `false` tries every pair of tables: the same
  /// findings, slower (for benchmarks and tests).
  public var indexesLinks = true

  /// Tables larger than this are not compared across outputs (their cells would all be kept).
  public static let crossOutputCellLimit = 200_000

  public init(pack: RulePack, limits: ReadLimits = ReadLimits(), findingLimit: Int = 1000) {
    self.pack = pack
    self.limits = limits
    self.findingLimit = findingLimit
  }

  /// Checks files and folders (recursively). A path that cannot be read becomes an output with an
  /// error; the other outputs are still checked.
  public func check(paths: [String]) -> CheckReport { check(paths: paths, progress: nil) }

  /// Checks files and folders like ``check(paths:)``, calling `progress` with the 0-based index,
  /// the number of files and the path before each file is checked (for a progress line).
  public func check(paths: [String], progress: ((Int, Int, String) -> Void)?) -> CheckReport {
    let files = Self.expand(paths)
    let rules = pack.enabledRules()
    let checker = OutputChecker(pack: pack, rules: rules, limits: limits, findingLimit: findingLimit)
    guard let differencing = rules.lazy.compactMap({ $0 as? CrossOutputDifferencingRule }).first else {
      let results = files.enumerated().map { index, file in
        progress?(index, files.count, file)
        return checker.check(path: file)
      }
      return CheckReport(pack: pack, results: results)
    }
    var results: [OutputResult] = []
    var tables: [ComparableTable?] = []
    // Declarations of links between outputs (`same_dimension_as`, `not_linked`), checked below.
    var linkDeclarations: [OutputDeclaration?] = []
    for (index, file) in files.enumerated() {
      progress?(index, files.count, file)
      var table: Table?
      // Only frequency tables are compared across outputs; others need not keep their cells.
      results.append(checker.check(path: file, keeping: true, table: &table))
      // Only the comparable summary is kept, so memory does not grow with every table's cells.
      tables.append(table.flatMap { $0.cellCount <= Self.crossOutputCellLimit ? ComparableTable($0) : nil })
      linkDeclarations.append(tables[index]?.links == nil ? nil : table?.declaration)
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
        return CheckReport(pack: pack, results: results)
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
    return CheckReport(pack: pack, results: results)
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

  /// Files named by `paths`: files as given, folders walked in sorted order. A manifest found in a
  /// folder is left out only when it is read as one (it declares an output that is there); any other
  /// file, a manifest that declares nothing there included, is judged like every output (a file
  /// that declares nothing can still carry patient rows). Missing paths are kept so that they are
  /// reported.
  public static func expand(_ paths: [String]) -> [String] {
    var files: [String] = []
    let manager = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        files.append(path)
        continue
      }
      var found: [String] = []
      if let walker = manager.enumerator(atPath: path) {
        while let relative = walker.nextObject() as? String {
          let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
          var childIsDirectory: ObjCBool = false
          if manager.fileExists(atPath: full, isDirectory: &childIsDirectory), childIsDirectory.boolValue { continue }
          found.append(full)
        }
      }
      let outputs = found.filter { !isSidecar($0) }
      files += found.filter { !isSidecar($0) || !declaresAnOutput(manifest: $0, outputs: outputs) }.sorted()
    }
    return files
  }

  /// Whether the manifest at `path` is read for one of `outputs`: `NAME.airlock.yaml` beside
  /// `NAME.csv` (or `.tsv`, `.csv.gz`, ...), or a folder's `airlock.yaml` whose `outputs:` match
  /// an output there (or that cannot be read: the outputs of its folder then report the error).
  static func declaresAnOutput(manifest path: String, outputs: [String]) -> Bool {
    let folder = (path as NSString).deletingLastPathComponent
    let name = (path as NSString).lastPathComponent
    let beside = outputs.filter { ($0 as NSString).deletingLastPathComponent == folder }
    if name != "airlock.yaml" {
      let base = String(name.dropLast(".airlock.yaml".count))
      return beside.contains { OutputDeclaration.baseName(of: ($0 as NSString).lastPathComponent) == base }
    }
    return beside.contains { output in
      let sidecar = (folder as NSString).appendingPathComponent(
        OutputDeclaration.baseName(of: (output as NSString).lastPathComponent) + ".airlock.yaml")
      if FileManager.default.fileExists(atPath: sidecar) { return false }
      do { return try OutputDeclaration.find(for: output) != nil } catch { return true }
    }
  }

  /// Whether a file is one of airlock's sidecars rather than an output.
  public static func isSidecar(_ path: String) -> Bool {
    let name = (path as NSString).lastPathComponent
    return name == "airlock.yaml" || name.hasSuffix(".airlock.yaml")
  }
}

/// The result of one `check` run over many outputs.
public struct CheckReport: Sendable {
  /// The pack the outputs were checked against.
  public let pack: RulePack
  /// One result per output, in the order checked.
  public let results: [OutputResult]

  /// The worst verdict over all readable outputs, and at least `review` when an output could not
  /// be read: a run that could not read something never passes.
  public var outcome: Outcome {
    let worst = results.compactMap(\.outcome).max() ?? .pass
    return hasErrors ? max(worst, .review) : worst
  }

  /// Whether any output could not be read.
  public var hasErrors: Bool { results.contains { $0.error != nil } }

  /// Every output's claims, in the order checked: what the run took on trust.
  public var claims: [Claim] { results.flatMap(\.claims) }

  /// A report of results already at hand (a request's stored check results, say).
  public init(pack: RulePack, results: [OutputResult]) {
    self.pack = pack
    self.results = results
  }

  /// The process exit status: 2 when any output could not be read, 1 when any output's verdict
  /// is at least `blockingAt`, 0 otherwise.
  public func exitStatus(blockingAt: Outcome = .review) -> Int32 {
    if hasErrors { return 2 }
    return outcome >= blockingAt && outcome != .pass ? 1 : 0
  }
}
