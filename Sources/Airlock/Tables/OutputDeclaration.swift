import Foundation

/// What a sidecar manifest (`NAME.airlock.yaml`, or an entry of a folder's `airlock.yaml`)
/// declares about an output. Anything declared overrides what airlock would infer.
public struct OutputDeclaration: Sendable, Equatable {
  public var kind: OutputKind?
  public var layout: Layout?
  /// Columns that are dimensions (category labels).
  public var dimensions: [String]?
  /// Columns that hold unweighted counts.
  public var counts: [String]?
  /// Columns that hold percentages, proportions or rates.
  public var percentages: [String]?
  /// Columns that hold sums or totals of a magnitude.
  public var magnitudes: [String]?
  /// Columns that hold summary statistics.
  public var statistics: [String]?
  /// Columns of supporting evidence (not for release).
  public var evidence: [String]?
  /// In a crosstab, the name of the dimension its column headers are categories of.
  public var columnsDimension: String?
  /// Extra margin labels, beside the pack's.
  public var margins: [String] = []
  /// Labels that are categories although they read as margins (a real category called `Total`).
  public var categories: [String] = []
  /// Cells whose zeros are structural: each entry matches cells by some of their labels.
  public var structuralZeros: [StructuralZero] = []
  /// The sidecar evidence file, relative to the output's folder (default `NAME.evidence.csv`).
  public var evidenceFile: String?
  /// Statistic columns whose extremes are design limits (such as ages 11–16 of schoolchildren), not
  /// one person's value; `design_limits: true` makes every extreme a design limit.
  public var designLimits: DesignLimits?
  /// A model's number of observations, residual degrees of freedom and parameters.
  public var observations: Int?
  public var residualDegreesOfFreedom: Int?
  public var parameters: Int?
  /// Whether a model's terms are all categorical (a saturated table in disguise).
  public var saturated: Bool?
  /// Another output (file name) whose population contains this one's: `airlock check` derives
  /// their difference and applies the threshold to it.
  public var subsetOf: String?
  /// A description of the population the output covers.
  public var population: String?
  /// Dimensions declared one with another output's (`same_dimension_as: {age_group:
  /// "ages.csv:age_band"}`): the linked-tables audit matches them whatever their names and
  /// labels, and reports labels that contradict the declaration.
  public var sameDimensions: [DimensionLink] = []
  /// Dimensions declared not to be another output's (`different_dimension_from:`): never matched,
  /// by name or by labels. A claim: it can only take links away.
  public var differentDimensions: [DimensionLink] = []
  /// Outputs this one is declared never to be compared or linked with (`not_linked: [other.csv]`,
  /// another population): differencing across outputs (X002) leaves the pair out. A claim.
  public var notLinked: [Hierarchy.Code] = []
  /// Dimensions whose codes nest (region → area): per dimension, which codes total which.
  public var hierarchies: [Hierarchy] = []
  /// Per percentage or rate column, its denominator: a count column of the same row, `total` (a
  /// share of the table's total) or a dimension (a share within each of its categories).
  public var denominators: [DeclaredDenominator] = []
  /// Per rate column, the multiplier its name does not state (1,000 for a rate per 1,000).
  public var multipliers: [DeclaredMultiplier] = []
  /// Columns declared cumulative along the table's ordered dimension.
  public var cumulative: [Hierarchy.Code] = []
  /// Why the design limits are design limits (`design_limits_reason:`, or `reason:` inside
  /// `design_limits: {lower:, upper:}`): required whenever limits are declared, since the
  /// declaration is a claim a checker must accept.
  public var designLimitsReason: String?
  /// The manifest file this came from.
  public var source: String = ""
  /// Where each top-level key (and each `structural_zeros[i]` entry) is written in `source`, for
  /// claims that point at their declaration.
  public var positions: [String: Position] = [:]
  /// The `outputs:` entry of a folder's `airlock.yaml` that declared the output (its name or
  /// pattern), or nil for a sidecar manifest.
  public var folderEntry: String?

  /// A 1-based line and column in a manifest.
  public struct Position: Sendable, Equatable {
    public var line: Int
    public var column: Int
  }

  public init() {}

  /// Which extremes of an output are design limits fixed by the study's design (the ages 11–16 of a
  /// school cohort), not observed values.
  public enum DesignLimits: Sendable, Equatable {
    /// Every extreme and every bin edge (`design_limits: true`).
    case all
    /// These statistic columns (`design_limits: [min, max]`).
    case columns([String])
    /// A histogram's outer edges are these limits (`design_limits: {lower: 0, upper: 120}`); a side
    /// without a limit is not declared.
    case bounds(lower: Double?, upper: Double?)

    /// Whether statistic column `column` is a design limit.
    public func contains(_ column: String) -> Bool {
      switch self {
      case .all: true
      case .columns(let names): names.contains(column)
      case .bounds: false
      }
    }
  }

  /// One `structural_zeros` entry: the cells whose labels are these, in every combination of the
  /// dimensions it does not name. In a crosstab, the column headers are labels of its
  /// `columns_dimension`.
  public struct StructuralZero: Sendable, Equatable {
    /// One dimension's label, with where the dimension was named (for errors).
    public struct Match: Sendable, Equatable {
      /// The dimension's name, where the manifest names it.
      public var dimension: Hierarchy.Code
      /// The label cells must have in that dimension.
      public var label: String
    }

    /// Every dimension the entry names; a cell matches when it has all of their labels.
    public var matches: [Match]

    /// The entry as a mapping from dimension to label.
    public var labels: [String: String] {
      Dictionary(matches.map { ($0.dimension.label, $0.label) }, uniquingKeysWith: { first, _ in first })
    }

    static func parse(_ value: YAMLValue) throws(AirlockError) -> StructuralZero {
      // An empty entry would match every cell: refused rather than read as "every zero".
      let entries = try value.keyedMapping()
      guard !entries.isEmpty else { throw value.error("an entry needs at least one dimension and its label") }
      return StructuralZero(
        matches: try entries.map { (entry) throws(AirlockError) in
          Match(dimension: Hierarchy.Code(entry.key, entry.keyNode), label: try entry.value.string())
        })
    }
  }

  /// Checks what the manifest names against the file's columns once they are known: every
  /// `structural_zeros` and `hierarchy` key must be a dimension of the output (in a crosstab, also
  /// its columns dimension). A misspelt key would otherwise drop out of the entry and widen it to every zero
  /// of the cells it still matches.
  public func validate(against schema: TableSchema) throws(AirlockError) {
    var dimensions = schema.dimensionColumns.map { schema.header[$0] }
    if schema.layout == .wide { dimensions.append(schema.columnsDimension) }
    // Hierarchy codes are checked against the labels once the table is read; its dimension can be
    // checked now, so that a misspelt one is an error even when no rule reads the hierarchy.
    let named =
      structuralZeros.flatMap { $0.matches.map(\.dimension) } + hierarchies.map(\.dimension)
      + (sameDimensions + differentDimensions).map(\.dimension)
    for key in named where !dimensions.contains(key.label) {
      throw AirlockError(
        .configuration, file: source, line: key.line, column: key.column,
        "\(key.path): '\(key.label)' is not a dimension of \(schema.file) (its dimensions: \(dimensions.joined(separator: ", ")))"
      )
    }
    try validateDerived(against: schema)
  }

  /// `denominators`, `multipliers` and `cumulative` name columns of the output: a percentage or
  /// rate, and its denominator (a count or person-time column, `total`, or a dimension).
  private func validateDerived(against schema: TableSchema) throws(AirlockError) {
    func fail(_ code: Hierarchy.Code, _ message: String) -> AirlockError {
      AirlockError(.configuration, file: source, line: code.line, column: code.column, "\(code.path): \(message)")
    }
    func column(_ code: Hierarchy.Code, roles: Set<ColumnRole>, what: String) throws(AirlockError) {
      guard let index = schema.header.firstIndex(of: code.label) else {
        throw fail(
          code,
          "'\(code.label)' is not a column of \(schema.file) (its columns: \(schema.header.joined(separator: ", ")))")
      }
      guard roles.contains(schema.roles[index]) else {
        throw fail(code, "'\(code.label)' is a \(schema.roles[index].rawValue) column, not \(what)")
      }
    }
    let dimensions = Set(schema.dimensionColumns.map { schema.header[$0] })
    for declared in denominators {
      let denominator = declared.denominator
      try column(declared.column, roles: [.percentage], what: "a percentage or rate")
      if denominator.label == "total" || dimensions.contains(denominator.label) { continue }
      try column(denominator, roles: [.count, .other], what: "a count or person-time column, 'total' or a dimension")
    }
    for declared in multipliers { try column(declared.column, roles: [.percentage], what: "a percentage or rate") }
    for name in cumulative { try column(name, roles: [.count, .percentage], what: "a count or percentage") }
  }

  /// A percentage or rate column and its declared denominator (`denominators:`).
  public struct DeclaredDenominator: Sendable, Equatable {
    public var column: Hierarchy.Code
    public var denominator: Hierarchy.Code
  }

  /// A rate column and its declared multiplier (`multipliers:`).
  public struct DeclaredMultiplier: Sendable, Equatable {
    public var column: Hierarchy.Code
    public var multiplier: Double
  }

  /// One entry of `same_dimension_as` or `different_dimension_from`: a dimension of this output
  /// and one of another output of the run, named `FILE:DIMENSION`.
  public struct DimensionLink: Sendable, Equatable {
    /// This output's dimension, where the manifest names it.
    public var dimension: Hierarchy.Code
    /// The other output's file name (no folder: outputs of one run are compared by file name).
    public var file: String
    /// The other output's dimension.
    public var otherDimension: String
    /// Where the manifest names the other output's dimension (`FILE:DIMENSION`).
    public var target: Hierarchy.Code

    /// Reads a mapping from this output's dimensions to `FILE:DIMENSION` (or a list of them).
    static func parse(_ value: YAMLValue) throws(AirlockError) -> [DimensionLink] {
      var result: [DimensionLink] = []
      for entry in try value.keyedMapping() {
        let targets: [YAMLValue]
        if case .sequence = entry.value.node { targets = try entry.value.sequence() } else { targets = [entry.value] }
        guard !targets.isEmpty else {
          throw entry.value.error("name at least one other output's dimension as 'FILE:DIMENSION'")
        }
        for target in targets {
          let text = try target.string()
          guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex
          else {
            throw target.error("expected 'FILE:DIMENSION' (such as \"ages.csv:age_band\"), got '\(text)'")
          }
          let file = String(text[..<colon]).trimmingWhitespace()
          guard !file.contains("/") else {
            throw target.error("name the other output by its file name, without a folder ('\(file)')")
          }
          result.append(
            DimensionLink(
              dimension: Hierarchy.Code(entry.key, entry.keyNode), file: file,
              otherDimension: String(text[text.index(after: colon)...]).trimmingWhitespace(),
              target: Hierarchy.Code(text, target)))
        }
      }
      return result
    }
  }

  /// A dimension whose codes nest: each parent code is the total of its child codes, in every
  /// combination of the other dimensions. Codes with no parent are what the dimension's margin
  /// (`Total`) adds up.
  public struct Hierarchy: Sendable, Equatable {
    /// A code named in the manifest, with where it was named (for errors).
    public struct Code: Sendable, Equatable {
      public var label: String
      /// The manifest key path, such as `hierarchy.region.North[1]`.
      public var path: String
      public var line: Int?
      public var column: Int?

      /// `label`, named at `node` of the manifest.
      init(_ label: String, _ node: YAMLValue) {
        let mark = node.node.mark
        self.init(label: label, path: node.path, line: mark.map { $0.line }, column: mark.map { $0.column })
      }

      init(label: String, path: String, line: Int?, column: Int?) {
        (self.label, self.path, self.line, self.column) = (label, path, line, column)
      }
    }

    /// One parent and the codes it totals.
    public struct Group: Sendable, Equatable {
      public var parent: Code
      public var children: [Code]
    }

    /// The dimension (column) whose codes nest.
    public var dimension: Code
    public var groups: [Group]

    /// Reads `hierarchy.DIMENSION`: a mapping from parent code to the list of its child codes.
    /// Refuses an empty list, a code listed twice or under two parents, and cycles.
    static func parse(dimension: String, key: YAMLValue? = nil, _ value: YAMLValue) throws(AirlockError) -> Hierarchy {
      func code(_ label: String, _ node: YAMLValue) -> Code { Code(label, node) }
      var groups: [Group] = []
      var parentOf: [String: String] = [:]
      var nodes: [String: YAMLValue] = [:]
      for (parent, item) in try value.mapping() {
        nodes[parent] = item
        let items = try item.sequence()
        guard !items.isEmpty else { throw item.error("a parent code needs at least one child code") }
        var children: [Code] = []
        for child in items {
          let label = try child.string()
          guard label != parent else { throw child.error("'\(label)' cannot be a child of itself") }
          if let other = parentOf[label] {
            throw child.error(
              other == parent
                ? "'\(label)' is listed twice" : "'\(label)' is already a child of '\(other)' (a code has one parent)")
          }
          parentOf[label] = parent
          children.append(code(label, child))
        }
        groups.append(Group(parent: code(parent, item), children: children))
      }
      // A cycle: following parents from some code comes back to it.
      for group in groups {
        var seen: Set<String> = [group.parent.label]
        var current = group.parent.label
        while let next = parentOf[current] {
          guard seen.insert(next).inserted else {
            throw (nodes[group.parent.label] ?? value).error(
              "the hierarchy has a cycle through '\(group.parent.label)' (a code cannot total its own ancestor)")
          }
          current = next
        }
      }
      return Hierarchy(dimension: code(dimension, key ?? value), groups: groups)
    }

    /// Checks every named code against `table`: the dimension must be one of its dimensions and
    /// every code one of that dimension's labels; a margin label may only be a parent.
    func validate(against table: Table, manifest: String) throws(AirlockError) {
      func fail(_ code: Code, _ message: String) -> AirlockError {
        AirlockError(.configuration, file: manifest, line: code.line, column: code.column, "\(code.path): \(message)")
      }
      guard let d = table.dimensions.firstIndex(where: { $0.name == dimension.label }) else {
        throw fail(
          dimension,
          "'\(dimension.label)' is not a dimension of \(table.file) (its dimensions: \(table.dimensions.map(\.name).joined(separator: ", ")))"
        )
      }
      let labels = table.dimensions[d].labels
      for group in groups {
        for code in [group.parent] + group.children {
          guard let id = labels.id(of: code.label) else {
            throw fail(code, "unknown code '\(code.label)': not a label of \(dimension.label) in \(table.file)")
          }
          if code != group.parent && table.dimensions[d].isMarginLabel[Int(id)] {
            throw fail(code, "'\(code.label)' is a margin label; a margin can only be a parent")
          }
        }
      }
    }
  }

  static let keys = [
    "kind", "layout", "dimensions", "counts", "percentages", "magnitudes", "statistics", "evidence",
    "columns_dimension", "margins", "categories", "structural_zeros", "population", "evidence_file",
    "design_limits", "design_limits_reason", "n_obs", "df_resid", "n_params", "saturated", "subset_of", "hierarchy",
    "denominators", "multipliers", "cumulative", "same_dimension_as", "different_dimension_from", "not_linked",
  ]

  /// Reads a declaration from a YAML mapping.
  static func parse(_ value: YAMLValue) throws(AirlockError) -> OutputDeclaration {
    var declaration = OutputDeclaration()
    declaration.source = value.file
    var designLimitsNode: YAMLValue?
    for (key, keyNode, item) in try value.keyedMapping(allowed: keys) {
      if let mark = keyNode.node.mark { declaration.positions[key] = Position(line: mark.line, column: mark.column) }
      switch key {
      case "kind":
        let text = try item.string()
        guard let kind = OutputKind(rawValue: text) else {
          throw item.error(
            "unknown kind '\(text)' (expected one of: \(OutputKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        declaration.kind = kind
      case "layout":
        let text = try item.string()
        guard let layout = Layout(rawValue: text) else {
          throw item.error("unknown layout '\(text)' (expected long or wide)")
        }
        declaration.layout = layout
      case "dimensions": declaration.dimensions = try item.strings()
      case "counts": declaration.counts = try item.strings()
      case "percentages": declaration.percentages = try item.strings()
      case "magnitudes": declaration.magnitudes = try item.strings()
      case "statistics": declaration.statistics = try item.strings()
      case "evidence": declaration.evidence = try item.strings()
      case "columns_dimension": declaration.columnsDimension = try item.string()
      case "margins": declaration.margins = try item.strings()
      case "categories": declaration.categories = try item.strings()
      case "population": declaration.population = try item.string()
      case "evidence_file": declaration.evidenceFile = try item.string()
      case "design_limits_reason":
        guard declaration.designLimitsReason == nil else {
          throw item.error("the reason is given twice (here and in design_limits)")
        }
        declaration.designLimitsReason = try item.string()
      case "design_limits":
        designLimitsNode = keyNode
        switch item.node {
        case .sequence:
          declaration.designLimits = .columns(try item.strings())
        case .mapping:
          var lower: Double?
          var upper: Double?
          for (bound, value) in try item.mapping(allowed: ["lower", "upper", "reason"]) {
            switch bound {
            case "lower": lower = try value.double()
            case "upper": upper = try value.double()
            default:
              guard declaration.designLimitsReason == nil else {
                throw value.error("the reason is given twice (here and in design_limits_reason)")
              }
              declaration.designLimitsReason = try value.string()
            }
          }
          guard lower != nil || upper != nil else { throw item.error("give lower, upper or both") }
          if let lower, let upper, lower >= upper { throw item.error("lower must be below upper") }
          declaration.designLimits = .bounds(lower: lower, upper: upper)
        default:
          guard let flag = try? item.bool() else {
            throw item.error(
              "expected true, false, a list of statistic columns ([min, max]) or histogram edges ({lower: 0, upper: 120})"
            )
          }
          declaration.designLimits = flag ? .all : nil
        }
      case "n_obs": declaration.observations = try item.int()
      case "df_resid": declaration.residualDegreesOfFreedom = try item.int()
      case "n_params": declaration.parameters = try item.int()
      case "saturated": declaration.saturated = try item.bool()
      case "subset_of": declaration.subsetOf = try item.string()
      case "same_dimension_as": declaration.sameDimensions = try DimensionLink.parse(item)
      case "different_dimension_from": declaration.differentDimensions = try DimensionLink.parse(item)
      case "not_linked":
        declaration.notLinked = try item.sequence().map { (entry) throws(AirlockError) in
          let file = try entry.string().trimmingWhitespace()
          guard !file.isEmpty, !file.contains("/") else {
            throw entry.error("name the other output by its file name, without a folder ('\(file)')")
          }
          return Hierarchy.Code(file, entry)
        }
      case "hierarchy":
        declaration.hierarchies = try item.keyedMapping().map { (entry) throws(AirlockError) in
          try Hierarchy.parse(dimension: entry.key, key: entry.keyNode, entry.value)
        }
      case "denominators":
        declaration.denominators = try item.keyedMapping().map { (entry) throws(AirlockError) in
          DeclaredDenominator(
            column: Hierarchy.Code(entry.key, entry.keyNode),
            denominator: Hierarchy.Code(try entry.value.string(), entry.value))
        }
      case "multipliers":
        declaration.multipliers = try item.keyedMapping().map { (entry) throws(AirlockError) in
          let multiplier = try entry.value.double()
          guard multiplier > 0 else {
            throw entry.value.error("a multiplier must be above 0 (1,000 for a rate per 1,000)")
          }
          return DeclaredMultiplier(column: Hierarchy.Code(entry.key, entry.keyNode), multiplier: multiplier)
        }
      case "cumulative":
        declaration.cumulative = try item.sequence().map { (entry) throws(AirlockError) in
          Hierarchy.Code(try entry.string(), entry)
        }
      case "structural_zeros":
        declaration.structuralZeros = try item.sequence().enumerated().map { (index, entry) throws(AirlockError) in
          if let mark = entry.node.mark {
            declaration.positions["structural_zeros[\(index)]"] = Position(line: mark.line, column: mark.column)
          }
          return try StructuralZero.parse(entry)
        }
      default: break
      }
    }
    // Design limits silence the extreme-value and extreme-bin rules on the researcher's word: the
    // word must come with its reason, which the checker who accepts the claim reads.
    let reason = declaration.designLimitsReason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    if let designLimitsNode, declaration.designLimits != nil, reason.isEmpty {
      throw designLimitsNode.error(
        "design limits need a reason: add design_limits_reason: \"why these limits were fixed before the data were seen\" (or reason: inside {lower:, upper:})"
      )
    }
    if declaration.designLimits == nil, declaration.designLimitsReason != nil,
      let mark = declaration.positions["design_limits_reason"]
    {
      throw AirlockError(
        .configuration, file: value.file, line: mark.line, column: mark.column,
        "design_limits_reason: there are no design limits to give a reason for (design_limits is missing or false)")
    }
    return declaration
  }

  /// The declaration that applies to the output at `path`, from `NAME.airlock.yaml` beside it or
  /// from the `outputs:` of an `airlock.yaml` in its folder; `nil` when there is none.
  public static func find(for path: String) throws(AirlockError) -> OutputDeclaration? {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    let fileName = url.lastPathComponent
    let sidecar = folder.appendingPathComponent(baseName(of: fileName) + ".airlock.yaml")
    if let text = try readIfPresent(sidecar.path) {
      return try parse(YAMLValue.parse(text, file: sidecar.path))
    }
    let folderManifest = folder.appendingPathComponent("airlock.yaml")
    if let text = try readIfPresent(folderManifest.path) {
      return try fromFolderManifest(YAMLValue.parse(text, file: folderManifest.path), for: fileName)
    }
    return nil
  }

  /// The declaration for `fileName` in a folder manifest's `outputs:` (the first entry whose name or
  /// `fnmatch` pattern matches). Every entry is read, so that a mistake in one is an error whichever
  /// file is checked, never silently ignored until its file is.
  static func fromFolderManifest(_ root: YAMLValue, for fileName: String) throws(AirlockError) -> OutputDeclaration? {
    var found: OutputDeclaration?
    for (key, value) in try root.mapping(allowed: ["outputs"]) where key == "outputs" {
      for (name, keyNode, entry) in try value.keyedMapping() {
        var declaration = try parse(entry)
        declaration.folderEntry = name
        if let mark = keyNode.node.mark {
          declaration.positions["outputs"] = Position(line: mark.line, column: mark.column)
        }
        if found == nil && (name == fileName || fnmatch(name, fileName, 0) == 0) { found = declaration }
      }
    }
    return found
  }

  /// The file name without `.gz` and its table extension.
  static func baseName(of fileName: String) -> String {
    var name = fileName
    if name.lowercased().hasSuffix(".gz") { name = String(name.dropLast(3)) }
    if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
    return name
  }

  private static func readIfPresent(_ path: String) throws(AirlockError) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    do { return try readSmallTextFile(path, what: "manifest") } catch {
      throw AirlockError(.configuration, file: path, "cannot read manifest: \(error.message)")
    }
  }
}
