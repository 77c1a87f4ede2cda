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
    let checker = OutputChecker(pack: pack, rules: pack.enabledRules(), limits: limits, findingLimit: findingLimit)
    let results = files.enumerated().map { index, file in
      progress?(index, files.count, file)
      return checker.check(path: file)
    }
    return CheckReport(pack: pack, results: results)
  }

  /// Files named by `paths`: files as given, folders walked in sorted order, skipping airlock's
  /// own manifests. Missing paths are kept so that they are reported.
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
          if isSidecar(relative) { continue }
          found.append(full)
        }
      }
      files += found.sorted()
    }
    return files
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

  /// The worst verdict over all readable outputs.
  public var outcome: Outcome { results.compactMap(\.outcome).max() ?? .pass }

  /// Whether any output could not be read.
  public var hasErrors: Bool { results.contains { $0.error != nil } }

  /// The process exit status: 2 when any output could not be read, 1 when any output's verdict
  /// is at least `blockingAt`, 0 otherwise.
  public func exitStatus(blockingAt: Outcome = .review) -> Int32 {
    if hasErrors { return 2 }
    return outcome >= blockingAt && outcome != .pass ? 1 : 0
  }
}
