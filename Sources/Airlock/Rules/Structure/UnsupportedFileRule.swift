import Foundation

/// Flags files that are not CSV or TSV tables: images, PDFs, R data, archives, notebooks.
struct UnsupportedFileRule: FileRule {
  // The parameters, each declared once: the description lists their specs and `init` reads them.
  static let failExtensions = RuleParameter<[String]>(
    "fail_extensions",
    default: [
      ".rdata", ".rda", ".rds", ".parquet", ".feather", ".pkl", ".pickle", ".dta", ".sav", ".sas7bdat", ".zip", ".tar",
      ".7z", ".ipynb", ".svg", ".gph", ".db", ".sqlite", ".xlsx", ".xls",
    ], "extensions (lowercase, with the dot) that fail rather than need review")

  static let description = RuleDescription(
    code: "C008", name: "unsupported-file",
    summary: "Only CSV and TSV tables can be checked; any other file needs a person, or is refused.",
    rationale: """
      ## What it checks
      Outputs whose names do not end in `.csv`, `.tsv`, `.tab` or `.txt` (optionally `.gz`) are not
      read. They need review, or fail when their extension is in `fail_extensions` (Genes & Health
      refuses R data files and binaries). An image is never `pass`: it needs its underlying table.

      ## Why it is a disclosure risk
      Binary and editable formats (`.RData`, `.parquet`, `.svg`, notebooks) can carry microdata that
      no one sees; a plot hides its counts.

      ## References
      ACRO `blocked_extensions` (`.svg`, `.gph`); Genes & Health output rules; Handbook ch. 6.
      """,
    fix: "export the underlying numbers as a CSV table and check that instead",
    parameters: [
      UnsupportedFileRule.failExtensions.spec
    ],
    examples: [
      Example("a CSV table is read", "region,count\nNorth,12\nSouth,40"),
      Example(
        "a PNG needs review", "not really a picture", fileName: "plot.png", outcome: .review, outputFinding: true),
      Example("R data fails", "not really R data", fileName: "model.RData", outputFinding: true),
    ])

  let failExtensions: Set<String>

  init(parameters: RuleParameters, pack: RulePack) {
    failExtensions = Set(parameters[Self.failExtensions].map { $0.lowercased() })
  }

  /// The finding for a file that is not a table (`nil` for a table).
  func judge(file path: String) -> Finding? {
    guard !TableFiles.isTable(path) else { return nil }
    let ext = TableFiles.fileExtension(of: path, droppingGzip: false)
    let fails = failExtensions.contains(ext)
    let what = ext.isEmpty ? "a file without an extension" : "a '\(ext)' file"
    return finding(
      fails ? .fail : .review, file: path,
      reason: fails
        ? "\(what) may not leave the TRE under this pack"
        : "\(what) is not a CSV or TSV table, so airlock cannot check it; a person must")
  }
}
