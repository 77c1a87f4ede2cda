import Foundation

extension Claim {
  /// Rules a structural zero relaxes: the zero policy (and the histogram bins that follow it) and
  /// the cell-equals-total check, which skips structural zeros.
  static func structuralZeroRules(_ kind: OutputKind) -> [String] {
    ["C002", "C003"] + (kind == .histogram ? ["H001"] : [])
  }

  /// Rules that read the table's margins and categories: cell-equals-total, the structure audit
  /// and recoverable suppression.
  static let structureRules = ["C003", "C010", "X001"]

  /// The claims an output's declaration and columns make, in manifest order.
  ///
  /// - Parameters:
  ///   - schema: how the output is read, with its declaration.
  ///   - inferred: how airlock reads it without the declaration (nil when there is none, or when
  ///     it cannot be read without one): a declared role that differs from it is a claim when it
  ///     takes the column out of some rule's reach.
  static func claims(of schema: TableSchema, inferred: TableSchema?) -> [Claim] {
    let file = schema.file
    var claims: [Claim] = []
    let kind = schema.kind
    if let declaration = schema.declaration {
      let manifest = manifestPath(declaration.source, beside: file)
      let claim = Declared(declaration: declaration, file: file)
      // Column roles, in the header's order: a column declared something that takes it out of the
      // reach of rules that would judge it as airlock reads it.
      if let inferred, inferred.header == schema.header {
        for index in schema.header.indices
        where schema.roleSources[index] == .manifest && schema.roles[index] != inferred.roles[index] {
          let before = Set(
            RuleRegistry.builtIn.filter { $0.covers(inferred, column: index) }.map { $0.description.code })
          let after = Set(RuleRegistry.builtIn.filter { $0.covers(schema, column: index) }.map { $0.description.code })
          let lost = before.subtracting(after)
          guard !lost.isEmpty else { continue }
          let key = Self.roleKey(schema.roles[index])
          claims.append(
            claim(
              .columnRole, key, rules: Array(lost), field: index + 1,
              "column '\(schema.header[index])' declared \(schema.roles[index].rawValue) (airlock reads it as \(inferred.roles[index].rawValue))"
            ))
        }
      }
      // The declared kind: the columns it alone re-reads (not declared one by one) lose the rules
      // that would judge them as airlock reads the output.
      if let inferred, inferred.header == schema.header, let declared = declaration.kind, declared != inferred.kind {
        var lost = Set<String>()
        for index in schema.header.indices where schema.roleSources[index] != .manifest {
          let before = Set(
            RuleRegistry.builtIn.filter { $0.covers(inferred, column: index) }.map { $0.description.code })
          let after = Set(RuleRegistry.builtIn.filter { $0.covers(schema, column: index) }.map { $0.description.code })
          lost.formUnion(before.subtracting(after))
        }
        if !lost.isEmpty {
          claims.append(
            claim(
              .outputKind, "kind", rules: Array(lost),
              "declared a \(declared.rawValue) output (airlock reads it as \(inferred.kind.rawValue))"))
        }
      }
      for (index, entry) in declaration.structuralZeros.enumerated() {
        let labels = entry.matches.map { "\($0.dimension.label) = '\($0.label)'" }.joined(separator: ", ")
        claims.append(
          claim(
            .structuralZeros, "structural_zeros[\(index)]", rules: structuralZeroRules(kind),
            "zeros where \(labels) are structural"))
      }
      if let limits = declaration.designLimits {
        let reason = declaration.designLimitsReason.map { "; reason: \($0)" } ?? ""
        let rules: [String]
        let what: String
        switch limits {
        case .all:
          rules = kind == .histogram ? ["H002"] : kind == .summary ? ["S002", "S003"] : ["H002", "S002", "S003"]
          what = "every extreme and bin edge is a design limit"
        case .columns(let names):
          rules = ["S002", "S003"]
          what = "the extremes of \(names.map { "'\($0)'" }.joined(separator: ", ")) are design limits"
        case .bounds(let lower, let upper):
          rules = ["H002"]
          what =
            "the histogram's edges are design limits ("
            + [lower.map { "lower \(formatNumber($0))" }, upper.map { "upper \(formatNumber($0))" }]
            .compactMap { $0 }.joined(separator: ", ") + ")"
        }
        claims.append(claim(.designLimits, "design_limits", rules: rules, what + reason))
      }
      if !declaration.margins.isEmpty {
        claims.append(
          claim(
            .margins, "margins", rules: structureRules,
            "labels read as totals: \(declaration.margins.map { "'\($0)'" }.joined(separator: ", "))"))
      }
      if !declaration.categories.isEmpty {
        claims.append(
          claim(
            .categories, "categories", rules: structureRules,
            "labels read as categories, not totals: \(declaration.categories.map { "'\($0)'" }.joined(separator: ", "))"
          ))
      }
      if let superset = declaration.subsetOf {
        claims.append(
          claim(.subsetOf, "subset_of", rules: ["X002"], "the population is contained in that of '\(superset)'"))
      }
      if !declaration.notLinked.isEmpty {
        claims.append(
          claim(
            .notLinked, "not_linked", rules: ["X002"],
            "never compared or linked with \(declaration.notLinked.map { "'\($0.label)'" }.joined(separator: ", ")) (another population)"
          ))
      }
      if !declaration.differentDimensions.isEmpty {
        claims.append(
          claim(
            .notLinked, "different_dimension_from", rules: ["X002"],
            "dimensions that are not another output's: "
              + declaration.differentDimensions.map {
                "'\($0.dimension.label)' is not \($0.file) '\($0.otherDimension)'"
              }.joined(separator: ", ")))
      }
      for hierarchy in declaration.hierarchies {
        let claimed = Claim(
          kind: .hierarchy, file: file, manifest: manifest, line: hierarchy.dimension.line,
          column: hierarchy.dimension.column,
          key: hierarchy.dimension.path, rules: ["C010", "X001"],
          detail:
            "codes of '\(hierarchy.dimension.label)' nest (\(hierarchy.groups.count) parent code\(hierarchy.groups.count == 1 ? "" : "s"))"
        )
        claims.append(claimed)
      }
      if !declaration.denominators.isEmpty || !declaration.multipliers.isEmpty {
        let named =
          declaration.denominators.map { "'\($0.column.label)' of '\($0.denominator.label)'" }
          + declaration.multipliers.map { "'\($0.column.label)' per \(formatNumber($0.multiplier))" }
        claims.append(
          claim(
            .denominators, declaration.denominators.isEmpty ? "multipliers" : "denominators", rules: ["C011"],
            "what percentages and rates are of: " + named.joined(separator: ", ")))
      }
      if !declaration.cumulative.isEmpty {
        claims.append(
          claim(
            .cumulative, "cumulative", rules: ["C003", "C010", "X001"],
            "running totals, left out of the structure and the differencing audit: \(declaration.cumulative.map { "'\($0.label)'" }.joined(separator: ", "))"
          ))
      }
      if let entry = declaration.folderEntry {
        let rules = Set(claims.flatMap(\.rules))
        claims.insert(
          claim(
            .folderManifest, "outputs", rules: Array(rules),
            "declared by the folder's airlock.yaml (entry '\(entry)'), not by a manifest of its own"),
          at: 0)
      }
    }
    if let flag = schema.roles.firstIndex(of: .structuralZeroFlag) {
      claims.append(
        Claim(
          kind: .structuralZeroColumn, file: file, field: flag + 1, rules: structuralZeroRules(kind),
          detail: "column '\(schema.header[flag])' flags rows whose zeros are structural"))
    }
    return claims
  }

  /// Makes claims declared at a key of one manifest.
  private struct Declared {
    let declaration: OutputDeclaration
    let file: String

    func callAsFunction(_ kind: Kind, _ key: String, rules: [String], field: Int? = nil, _ detail: String) -> Claim {
      let base = key.split(separator: "[").first.map(String.init) ?? key
      let position = declaration.positions[key] ?? declaration.positions[base]
      return Claim(
        kind: kind, file: file, manifest: Claim.manifestPath(declaration.source, beside: file), line: position?.line,
        column: position?.column, key: key,
        field: field, rules: rules, detail: detail)
    }
  }

  /// The manifest's path as the output's path was given (relative when it is): manifests are
  /// found beside their output, and reports should not spell out the TRE's folders.
  static func manifestPath(_ source: String, beside file: String) -> String {
    let folder = (file as NSString).deletingLastPathComponent
    let name = (source as NSString).lastPathComponent
    return folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
  }

  /// The manifest key that declares `role`.
  static func roleKey(_ role: ColumnRole) -> String {
    switch role {
    case .dimension: "dimensions"
    case .count: "counts"
    case .percentage: "percentages"
    case .magnitude: "magnitudes"
    case .statistic: "statistics"
    case .evidence: "evidence"
    case .other, .structuralZeroFlag: "kind"
    }
  }
}
