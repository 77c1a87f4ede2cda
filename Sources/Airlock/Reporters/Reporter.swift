/// A format for the report of a check. `airlock check --format` offers exactly the reporters of
/// ``ReportFormats/all``, with their names and summaries as its choices and help, so adding a
/// format is adding a reporter here.
public protocol Reporter: Sendable {
  /// The name given to `--format`, such as `sarif`.
  static var name: String { get }
  /// One line for `--help`.
  static var summary: String { get }
  /// Whether the report carries no cell value, label or header, only positions, rules and
  /// thresholds (see ``ReleasableFinding``), so that it may leave the TRE.
  static var isValueFree: Bool { get }
  /// Renders `report`.
  static func render(_ report: CheckReport, options: ReportOptions) -> String
}

/// What a reporter may be asked for besides the report.
public struct ReportOptions: Sendable {
  /// The least outcome that blocks a release (`--fail-on`): it sets the exit status a report states.
  public var blockingAt: Outcome
  /// ANSI colours (the CLI sets it only on a TTY without `NO_COLOR`).
  public var color: Bool
  /// Details of passing outputs too.
  public var verbose: Bool

  public init(blockingAt: Outcome = .review, color: Bool = false, verbose: Bool = false) {
    self.blockingAt = blockingAt
    self.color = color
    self.verbose = verbose
  }
}

/// The report formats, in the order `--help` lists them.
public enum ReportFormats {
  public static let all: [any Reporter.Type] = [
    TextReporter.self, JSONReporter.self, SARIFReporter.self, JUnitReporter.self, GitHubReporter.self,
    HTMLReporter.self,
  ]

  /// The reporter called `name`, if any.
  public static func reporter(named name: String) -> (any Reporter.Type)? { all.first { $0.name == name } }
}

extension TextReporter: Reporter {
  public static let name = "text"
  public static let summary = "for people"
  public static let isValueFree = false
  public static func render(_ report: CheckReport, options: ReportOptions) -> String {
    render(report, color: options.color, verbose: options.verbose)
  }
}

extension JSONReporter: Reporter {
  public static let name = "json"
  public static let summary = "versioned, docs/json-schema/"
  public static let isValueFree = false
  public static func render(_ report: CheckReport, options: ReportOptions) -> String {
    render(report, blockingAt: options.blockingAt)
  }
}

extension SARIFReporter: Reporter {
  public static let name = "sarif"
  public static let summary = "SARIF 2.1.0 for code scanning"
  public static let isValueFree = true
  public static func render(_ report: CheckReport, options: ReportOptions) -> String { render(report) }
}

extension JUnitReporter: Reporter {
  public static let name = "junit"
  public static let summary = "JUnit XML"
  public static let isValueFree = true
  public static func render(_ report: CheckReport, options: ReportOptions) -> String {
    render(report, blockingAt: options.blockingAt)
  }
}

extension GitHubReporter: Reporter {
  public static let name = "github"
  public static let summary = "workflow annotations"
  public static let isValueFree = true
  public static func render(_ report: CheckReport, options: ReportOptions) -> String { render(report) }
}

extension HTMLReporter: Reporter {
  public static let name = "html"
  public static let summary = "one self-contained page, as `airlock report` writes"
  public static let isValueFree = false
  public static func render(_ report: CheckReport, options: ReportOptions) -> String { render(report) }
}
