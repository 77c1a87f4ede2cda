import Foundation

extension ReviewStore {
  /// The configuration `airlock init` writes to the store at `root`: the store's current one (a
  /// fresh one for a new store) with `rules` as the pack of every project without its own and each
  /// `PROJECT=PACK` of `projectRules` as that project's pack. Every pack named is loaded first, so
  /// a store is never configured with a pack that does not load. nil when neither is given: the
  /// store's configuration stays as it is.
  /// - Throws: `.usage` for a `projectRules` entry that is not `PROJECT=PACK`; the loader's error
  ///   for a pack that does not load; the store's error when an existing store cannot be read.
  public static func configuration(at root: URL, rules: String?, projectRules: [String]) throws(AirlockError) -> Config?
  {
    guard rules != nil || !projectRules.isEmpty else { return nil }
    var config = Config()
    if FileManager.default.fileExists(atPath: root.appendingPathComponent("airlock.sqlite").path) {
      config = try ReviewStore.open(at: root).config()
    }
    if let rules {
      _ = try RulePackLoader.load(rules)
      config.rules = rules
    }
    for pair in projectRules {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty else {
        throw AirlockError(.usage, "--project-rules expects PROJECT=PACK, got '\(pair)'")
      }
      _ = try RulePackLoader.load(parts[1])
      config.projects[parts[0]] = parts[1]
    }
    return config
  }
}

extension ReviewStore {
  /// The rule pack a request was checked with (its `rulePack`, "NAME VERSION"): the store's pack
  /// for the request's project while it is still that name and version, else the built-in pack of
  /// that name and version.
  /// - Throws: `.configuration` when neither is that pack any more: judging the request's stored
  ///   results by other rules would misreport it.
  public func rulePack(checked view: RequestView) throws(AirlockError) -> RulePack {
    let configured = try RulePackLoader.load(try config().pack(for: view.project))
    if "\(configured.name) \(configured.version)" == view.rulePack { return configured }
    let name = String(view.rulePack.split(separator: " ").first ?? "")
    if let builtIn = try? RulePackLoader.load(name), "\(builtIn.name) \(builtIn.version)" == view.rulePack {
      return builtIn
    }
    throw AirlockError(
      .configuration,
      "request was checked with rule pack '\(view.rulePack)', which is no longer available (now: \(configured.name) \(configured.version))"
    )
  }
}
