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
    // Rules about the whole run (differencing across outputs and releases) need each output's
    // comparable cells kept; without one, every output is checked on its own.
    let runRules = rules.compactMap { $0 as? any RunRule }
    guard !runRules.isEmpty else {
      let results = files.enumerated().map { index, file in
        progress?(index, files.count, file)
        return checker.check(path: file)
      }
      return CheckReport(pack: pack, results: results)
    }
    var results: [OutputResult] = []
    var tables: [ComparableTable?] = []
    // Declarations of links between outputs (`same_dimension_as`, `not_linked`), checked by the run rules.
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
    var run = CheckRun(
      files: files, results: results, tables: tables, linkDeclarations: linkDeclarations, rules: rules, pack: pack,
      history: history, prunesHistory: prunesHistory, indexesLinks: indexesLinks)
    for rule in runRules { rule.audit(&run) }
    return CheckReport(pack: pack, results: run.results)
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
