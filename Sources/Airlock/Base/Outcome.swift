/// The verdict of a check on a cell, an output or a whole run.
///
/// Outcomes are ordered by severity: `pass` < `review` < `fail`. The verdict of an output is the
/// worst outcome of its findings; an output with no findings passes.
public enum Outcome: String, Codable, Sendable, Comparable, CaseIterable {
  /// Nothing stops the cell or output leaving the TRE.
  case pass
  /// A person must look: evidence is missing or the input is ambiguous.
  case review
  /// The cell or output is disclosive as it stands.
  case fail

  private var severity: Int {
    switch self {
    case .pass: 0
    case .review: 1
    case .fail: 2
    }
  }

  public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.severity < rhs.severity }
}
