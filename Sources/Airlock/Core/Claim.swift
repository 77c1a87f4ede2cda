import Foundation

/// A declaration that makes airlock check less: something taken on the researcher's word.
///
/// Every manifest key that relaxes a rule (structural zeros, design limits, declared margins and
/// categories, `subset_of`, a hierarchy, a column role or output kind other than airlock infers, a
/// folder's `airlock.yaml`), a `structural_zero` flag column, and the researcher's exception
/// request are claims. Claims are listed in every report, stored with a review request, and an
/// approving checker must accept them by name; the acceptance is signed into the review record.
///
/// A claim's `detail` says what was declared in words (labels, column names, a reason), which may
/// be sensitive: reports that leave the TRE use ``releasableMessage`` (kind, position and rule
/// codes only).
public struct Claim: Codable, Sendable, Equatable, Hashable {
  /// What kind of declaration a claim is.
  public enum Kind: String, Codable, Sendable, CaseIterable {
    /// A `structural_zeros` entry: zeros in the cells it matches are not disclosive.
    case structuralZeros = "structural-zeros"
    /// A `structural_zero` flag column: zeros on flagged rows are not disclosive.
    case structuralZeroColumn = "structural-zero-column"
    /// `design_limits`: extremes or bin edges fixed by the study's design, not observed.
    case designLimits = "design-limits"
    /// `margins`: labels read as totals.
    case margins
    /// `categories`: labels that read as totals declared categories.
    case categories
    /// `subset_of`: the population is contained in another output's.
    case subsetOf = "subset-of"
    /// `hierarchy`: codes declared to nest.
    case hierarchy
    /// `not_linked` or `different_dimension_from`: outputs or dimensions declared unrelated, so
    /// differencing across outputs does not link them.
    case notLinked = "not-linked"
    /// A column declared a role other than the one airlock infers, so rules that would judge it
    /// do not.
    case columnRole = "column-role"
    /// A declared kind other than the one airlock infers, so rules that would judge some columns
    /// do not (a frequency table declared a model).
    case outputKind = "output-kind"
    /// `denominators` or `multipliers`: what a percentage or rate is of, which decides the counts
    /// it gives back.
    case denominators
    /// `cumulative`: columns declared running totals, left out of the structure and the
    /// differencing audit (their steps are judged instead).
    case cumulative
    /// A folder's `airlock.yaml` declares the output (not a sidecar beside it).
    case folderManifest = "folder-manifest"
    /// The researcher's exception request (`submit --exception`) on a request's outputs.
    case exception
  }

  /// What is declared.
  public var kind: Kind
  /// The output the claim applies to.
  public var file: String
  /// The manifest that makes the claim, when it comes from one.
  public var manifest: String?
  /// The 1-based line and column of the declaring key in `manifest`, when known.
  public var line: Int?
  public var column: Int?
  /// The manifest key path (`structural_zeros[0]`, `design_limits`, `counts`).
  public var key: String?
  /// The 1-based field (column of the output) the claim is about, for a flag column or a role.
  public var field: Int?
  /// Codes of the rules the declaration relaxes, sorted.
  public var rules: [String]
  /// What is declared, in words (may name labels, columns, a reason): not for public reports.
  public var detail: String

  public init(
    kind: Kind, file: String, manifest: String? = nil, line: Int? = nil, column: Int? = nil, key: String? = nil,
    field: Int? = nil, rules: [String], detail: String
  ) {
    self.kind = kind
    self.file = file
    self.manifest = manifest
    self.line = line
    self.column = column
    self.key = key
    self.field = field
    self.rules = Array(Set(rules)).sorted()
    self.detail = detail
  }

  /// The position of the declaration: `manifest:line:column`, the output's field, or the output.
  public var position: String {
    if let manifest {
      let name = (manifest as NSString).lastPathComponent
      guard let line else { return name }
      return column.map { "\(name):\(line):\($0)" } ?? "\(name):\(line)"
    }
    if let field { return "\((file as NSString).lastPathComponent) field \(field)" }
    return (file as NSString).lastPathComponent
  }

  /// The claim for a report that may leave the TRE: its kind, where it is declared and the rules
  /// it relaxes; never the labels, columns or reason it names.
  public var releasableMessage: String {
    "claim \(kind.rawValue) (\(position)) relaxes "
      + (rules.isEmpty ? "no rule by itself" : rules.joined(separator: ", "))
  }

  /// The claim as one line for people (inside the TRE).
  public var text: String {
    "\(kind.rawValue) at \(position): \(detail) (relaxes \(rules.isEmpty ? "no rule by itself" : rules.joined(separator: ", ")))"
  }
}
