import Foundation

/// What manifests declare about links between the outputs of one run (`same_dimension_as`,
/// `different_dimension_from`, `not_linked`), checked against the run before anything is linked.
///
/// Every output a manifest names must be an output of the run, and every dimension it names one
/// of that output's dimensions: anything else is an error at the manifest's `file:line:column`,
/// never ignored (a misspelt `not_linked` would otherwise protect nothing and a misspelt mapping
/// link nothing). A dimension declared the same as another output's whose labels share fewer than
/// half of the smaller set is contradicted by the data: the output needs review (X002), since the
/// declaration links categories that are not the same.
struct DeclaredLinkCheck {
  /// Per output (index into the run), the error that stops it being checked.
  var errors: [Int: AirlockError] = [:]
  /// Per output, the reasons a declared mapping needs review.
  var contradictions: [Int: [String]] = [:]

  init(files: [String], tables: [ComparableTable?], declarations: [OutputDeclaration?]) {
    var byName: [String: Int] = [:]
    for (index, file) in files.enumerated() where byName[(file as NSString).lastPathComponent] == nil {
      byName[(file as NSString).lastPathComponent] = index
    }
    for (index, declaration) in declarations.enumerated() {
      guard let declaration, let table = tables[index] else { continue }
      func fail(_ code: OutputDeclaration.Hierarchy.Code, _ message: String) {
        if errors[index] == nil {
          errors[index] = AirlockError(
            .configuration, file: declaration.source, line: code.line, column: code.column, "\(code.path): \(message)")
        }
      }
      for name in declaration.notLinked where byName[name.label] == nil {
        fail(name, "'\(name.label)' is not an output of this run (name another output's file, as checked together)")
      }
      for link in declaration.sameDimensions + declaration.differentDimensions {
        guard let other = byName[link.file], other != index else {
          fail(
            link.target,
            "'\(link.file)' is not another output of this run (name another output's file, as checked together)")
          continue
        }
        guard let otherTable = tables[other] else {
          fail(link.target, "'\(link.file)' is not a frequency table whose dimensions can be linked")
          continue
        }
        let otherDimension = NamingConventions.normalized(link.otherDimension)
        guard let theirs = otherTable.dimensions.firstIndex(of: otherDimension) else {
          fail(
            link.target,
            "'\(link.otherDimension)' is not a dimension of \(link.file) (its dimensions: \(otherTable.dimensions.joined(separator: ", ")))"
          )
          continue
        }
        guard let mine = table.dimensions.firstIndex(of: NamingConventions.normalized(link.dimension.label)),
          declaration.sameDimensions.contains(link)
        else { continue }
        let ours = Self.categories(of: table, dimension: mine)
        let others = Self.categories(of: otherTable, dimension: theirs)
        let shared = ours.intersection(others).count
        let smaller = min(ours.count, others.count)
        if smaller == 0 || shared * 2 < smaller {
          contradictions[index, default: []].append(
            "the manifest declares '\(link.dimension.label)' the same dimension as '\(link.otherDimension)' of \(link.file) (same_dimension_as), but their labels share \(shared) of \(smaller): the labels contradict the declaration, and only the labels they share are linked"
          )
        }
      }
    }
  }

  /// The categories of dimension `d` of `table` in canonical form, margins and `Unknown`-like
  /// labels left out.
  static func categories(of table: ComparableTable, dimension d: Int) -> Set<String> {
    var result = Set<String>()
    for key in Array(table.cells.keys) + Array(table.withheld ?? []) {
      let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
      guard parts.count == table.dimensions.count, parts[d] != "\u{2211}" else { continue }
      result.insert(LinkedTablesAudit.canonical(String(parts[d])))
    }
    return result.subtracting(LinkedTablesAudit.setAside)
  }
}
