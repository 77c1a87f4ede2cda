import Crypto
import Foundation

/// The files of one tabulation, rendered but not yet written: the table, its evidence, its
/// manifest, and what the provenance reports about the run.
public struct TabulatedFiles: Sendable {
  /// `NAME.csv`.
  public var table: String
  /// `NAME.evidence.csv`, if the tabulation has evidence.
  public var evidence: String?
  /// `NAME.airlock.yaml`.
  public var manifest: String
  /// Records read (blank lines aside).
  public var rowsRead: Int
  public var rowsDropped: [String: Int]
  /// Lines for the researcher (and the provenance), such as what min and max publish.
  public var warnings: [String]
}

/// What `airlock tabulate` ran: a table, a histogram or a survival table (recorded in the
/// provenance, so that `--verify` can run it again).
public enum TabulateJob: Sendable, Equatable, Codable {
  case table(request: TabulateRequest)
  case histogram(request: HistogramRequest)
  case survival(request: SurvivalRequest)

  /// The microdata file.
  public var data: String {
    switch self {
    case .table(let r): r.data
    case .histogram(let r): r.data
    case .survival(let r): r.data
    }
  }

  /// The rule pack's name or path.
  public var rules: String {
    switch self {
    case .table(let r): r.rules
    case .histogram(let r): r.rules
    case .survival(let r): r.rules
    }
  }

  /// Runs the job and renders its files; `name` is the output's file name without extension.
  ///   `spillFolder` is where `--memory` may write its partitions (beside the output).
  public func render(name: String, pack: RulePack, limits: ReadLimits = ReadLimits(), spillFolder: String? = nil)
    throws(AirlockError) -> TabulatedFiles
  {
    do {
      return try renderTabulation(name: name, pack: pack, limits: limits, spillFolder: spillFolder)
    } catch var error {
      // A Stata, SPSS or SAS file is read as the CSV ReadStat gives: its line is the observation
      // (after the header), its character column means nothing in the original file.
      if StatisticalFile.handles(data), error.file == data, let line = error.line {
        error.column = nil
        if line > 1 { error.message += " (observation \(line - 1))" }
      }
      throw error
    }
  }

  private func renderTabulation(name: String, pack: RulePack, limits: ReadLimits, spillFolder: String?)
    throws(AirlockError) -> TabulatedFiles
  {
    switch self {
    case .table(let request):
      var tabulator = Tabulator(request: request, pack: pack, limits: limits)
      if let spillFolder { tabulator.spillFolder = spillFolder }
      let result = try tabulator.run()
      return TabulateRendering.files(result, request: request, name: name)
    case .histogram(let request):
      return try HistogramTabulator(request: request, limits: limits).render(name: name)
    case .survival(let request):
      return try SurvivalTabulator(request: request, limits: limits).render(name: name)
    }
  }
}

/// The provenance file (`NAME.tabulate.json`): what was run on which input, and the digests of the
/// files it wrote. A supporting file, never released.
public struct TabulateProvenance: Sendable, Equatable, Codable {
  /// The microdata file: its path as given, size and SHA-256.
  public struct Input: Sendable, Equatable, Codable {
    public var path: String
    public var bytes: Int
    public var sha256: String
  }

  /// The rule pack the tabulation used.
  public struct Pack: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    /// SHA-256 of the pack's effective YAML (every parameter's value).
    public var sha256: String
  }

  /// A `--levels` file and its SHA-256.
  public struct LevelsFile: Sendable, Equatable, Codable {
    public var dimension: String
    public var file: String
    public var sha256: String
  }

  /// The tool that wrote the file.
  public var tool = "airlock tabulate"
  /// airlock's version.
  public var airlockVersion: String
  /// The command line as given.
  public var command: [String]
  /// What was tabulated (run again by `--verify`).
  public var job: TabulateJob
  /// The input as read.
  public var input: Input
  /// The declared levels files.
  public var levels: [LevelsFile]
  /// Records read, and records dropped by reason (`filter`, `missing_label`, ...).
  public var rowsRead: Int
  public var rowsDropped: [String: Int]
  /// The rule pack.
  public var pack: Pack
  /// SHA-256 of each file written beside this one, by file name.
  public var files: [String: String]
  /// Warnings printed by the command (what min and max publish, records not counted).
  public var warnings: [String]

  /// The provenance as written: sorted keys, indented, with a final newline.
  public func encoded() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = (try? encoder.encode(self)) ?? Data()
    data.append(0x0a)
    return data
  }

  /// Reads a provenance file.
  public static func load(path: String) throws(AirlockError) -> TabulateProvenance {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw AirlockError(.input, file: path, "cannot read the provenance file")
    }
    do {
      return try JSONDecoder().decode(TabulateProvenance.self, from: data)
    } catch {
      throw AirlockError(.input, file: path, line: 1, column: 1, "not an airlock tabulate provenance file")
    }
  }
}

/// Writes a tabulation's files atomically, and checks one again (`--verify`).
public enum TabulateWriter {
  /// The base path (`DIR/NAME`) of `--out`, without a `.csv` the user may have added.
  public static func basePath(_ out: String) -> String {
    out.lowercased().hasSuffix(".csv") ? String(out.dropLast(4)) : out
  }

  /// The four file names of base path `base`.
  public static func paths(_ base: String) -> (table: String, evidence: String, manifest: String, provenance: String) {
    (base + ".csv", base + ".evidence.csv", base + ".airlock.yaml", base + ".tabulate.json")
  }

  /// Hex SHA-256 of `data`.
  public static func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  /// Size and SHA-256 of a file, read in blocks (a regular file only: a FIFO, device or symbolic
  /// link is refused, as by the reader).
  public static func digest(file path: String) throws(AirlockError) -> (bytes: Int, sha256: String) {
    var source = try FileSource(path: path)
    defer { source.close() }
    var hasher = SHA256()
    var bytes = 0
    let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
    defer { block.deallocate() }
    while true {
      let count = try source.read(into: block)
      if count == 0 { break }
      bytes += count
      hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: block[..<count]))
    }
    return (bytes, hasher.finalize().map { String(format: "%02x", $0) }.joined())
  }

  /// Runs `job` and renders every file, provenance included, without writing anything.
  public static func render(
    job: TabulateJob, out: String, command: [String], pack: RulePack, limits: ReadLimits = ReadLimits()
  ) throws(AirlockError) -> (files: [(path: String, data: Data)], tabulation: TabulatedFiles) {
    let base = basePath(out)
    let name = URL(fileURLWithPath: base).lastPathComponent
    var isFolder: ObjCBool = false
    // `airlock check` refuses file names holding control characters: so are they here.
    guard !out.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
      throw AirlockError(.usage, "--out holds a control character")
    }
    guard !out.hasSuffix("/"), !name.isEmpty, !name.hasPrefix("."),
      !(FileManager.default.fileExists(atPath: base, isDirectory: &isFolder) && isFolder.boolValue)
    else {
      throw AirlockError(
        .usage, "--out takes DIR/NAME, the files' common name (NAME.csv, NAME.evidence.csv, ...), not a folder")
    }
    // The input's digest is taken before and after it is read: the provenance must name the bytes
    // the table came from, so a file rewritten in between is an error.
    let before = try digest(file: job.data)
    // A spill (--memory) goes beside the output, on the disk the output goes to: in its folder, or
    // the nearest one that exists (nothing is created before the tabulation succeeds).
    var outFolder = URL(fileURLWithPath: base).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: outFolder.path) && outFolder.path != "/" {
      outFolder.deleteLastPathComponent()
    }
    var rendered = try job.render(name: name, pack: pack, limits: limits, spillFolder: outFolder.path)
    let input = try digest(file: job.data)
    guard input == before else { throw AirlockError(.input, file: job.data, "the file changed while it was read") }
    var levels: [TabulateProvenance.LevelsFile] = []
    if case .table(let request) = job {
      for level in request.levels {
        levels.append(.init(dimension: level.dimension, file: level.file, sha256: try digest(file: level.file).sha256))
      }
    }
    let paths = paths(base)
    var files: [(path: String, data: Data)] = [(paths.table, Data(rendered.table.utf8))]
    if let evidence = rendered.evidence { files.append((paths.evidence, Data(evidence.utf8))) }
    files.append((paths.manifest, Data(rendered.manifest.utf8)))
    if case .table(let request) = job, request.protect {
      let protected = try protect(files, name: name, pack: pack)
      files.append((base + ".protected.csv", protected.table))
      // The protected table's manifest is the table's: the same columns, the same evidence file.
      files.append((base + ".protected.airlock.yaml", Data(rendered.manifest.utf8)))
      rendered.warnings.append(protected.summary)
    }
    var digests: [String: String] = [:]
    for file in files { digests[URL(fileURLWithPath: file.path).lastPathComponent] = sha256(file.data) }
    let provenance = TabulateProvenance(
      airlockVersion: AirlockVersion.current, command: command, job: job,
      input: .init(path: job.data, bytes: input.bytes, sha256: input.sha256), levels: levels,
      rowsRead: rendered.rowsRead, rowsDropped: rendered.rowsDropped,
      pack: .init(name: pack.name, version: pack.version, sha256: sha256(Data(pack.effectiveYAML().utf8))),
      files: digests, warnings: rendered.warnings)
    files.append((paths.provenance, provenance.encoded()))
    return (files, rendered)
  }

  /// Runs `airlock protect` (suppression) on the rendered table, in a scratch folder holding the
  /// table, its evidence and its manifest; returns the protected table and a one-line summary.
  static func protect(_ files: [(path: String, data: Data)], name: String, pack: RulePack) throws(AirlockError) -> (
    table: Data, summary: String
  ) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-tabulate-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    do {
      try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
      for file in files {
        try file.data.write(to: scratch.appendingPathComponent(URL(fileURLWithPath: file.path).lastPathComponent))
      }
    } catch {
      throw AirlockError(.usage, file: scratch.path, "cannot write the scratch folder for --protect")
    }
    let input = scratch.appendingPathComponent(name + ".csv").path
    let output = scratch.appendingPathComponent(name + ".protected.csv").path
    let report = try Protector(pack: pack, method: .suppress).protect(input: input, output: output)
    guard let table = FileManager.default.contents(atPath: output) else {
      throw AirlockError(.usage, file: output, "cannot read the protected table")
    }
    let primary = report.changes.count { $0.kind == .primary }
    let secondary = report.changes.count { $0.kind == .secondary }
    return (
      table,
      "--protect: \(report.hiddenCells) of \(report.cells) cells withheld in \(name).protected.csv (\(primary) primary, \(secondary) secondary)"
    )
  }

  /// Writes `files` atomically: each to a temporary file in its folder, then renamed into place.
  /// Nothing is written when one of them exists already (unless `force`) or a write fails.
  public static func write(_ files: [(path: String, data: Data)], force: Bool) throws(AirlockError) {
    let manager = FileManager.default
    if !force {
      for file in files where manager.fileExists(atPath: file.path) {
        throw AirlockError(.usage, file: file.path, "already exists (use --force to overwrite)")
      }
    }
    guard let folder = files.first.map({ URL(fileURLWithPath: $0.path).deletingLastPathComponent() }) else { return }
    do {
      try manager.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw AirlockError(.usage, file: folder.path, "cannot create the output folder")
    }
    var temporary: [String] = []
    func cleanUp() { for path in temporary { try? manager.removeItem(atPath: path) } }
    for file in files {
      let url = URL(fileURLWithPath: file.path)
      let path = url.deletingLastPathComponent().appendingPathComponent(
        ".\(url.lastPathComponent).\(UUID().uuidString).tmp"
      ).path
      do {
        try file.data.write(to: URL(fileURLWithPath: path))
        temporary.append(path)
      } catch {
        cleanUp()
        throw AirlockError(.usage, file: file.path, "cannot write the file")
      }
    }
    for (file, path) in zip(files, temporary) where rename(path, file.path) != 0 {
      cleanUp()
      throw AirlockError(.usage, file: file.path, "cannot write the file")
    }
  }

  /// Where the evidence behind output `path` (whose stored SHA-256 is `sha256`) comes from, for
  /// `airlock submit` to record: computed by `airlock tabulate` from a named input (when the
  /// provenance beside the output names this very output, evidence and manifest by their
  /// digests), or a claim (an evidence file with no provenance, or with one that does not match);
  /// nil when the output has neither.
  public static func evidenceOrigin(output path: String, sha256: String) -> String? {
    let url = URL(fileURLWithPath: path)
    let base = url.deletingLastPathComponent().appendingPathComponent(
      OutputDeclaration.baseName(of: url.lastPathComponent)
    ).path
    let paths = paths(base)
    let names = [paths.evidence, paths.manifest].map { URL(fileURLWithPath: $0).lastPathComponent }
    let hasEvidence = FileManager.default.fileExists(atPath: paths.evidence)
    guard FileManager.default.fileExists(atPath: paths.provenance) else {
      return hasEvidence ? "claim: \(names[0]) is the researcher's (no provenance beside it)" : nil
    }
    guard let provenance = try? TabulateProvenance.load(path: paths.provenance) else {
      return "claim: \(URL(fileURLWithPath: paths.provenance).lastPathComponent) cannot be read"
    }
    var mismatched: [String] = []
    if provenance.files[url.lastPathComponent] != sha256 { mismatched.append(url.lastPathComponent) }
    for (name, file) in zip(names, [paths.evidence, paths.manifest]) where provenance.files[name] != nil {
      if (try? digest(file: file).sha256) != provenance.files[name] { mismatched.append(name) }
    }
    guard mismatched.isEmpty else {
      return "claim: the provenance does not match \(mismatched.joined(separator: ", "))"
    }
    let input = provenance.input
    return
      "computed by airlock tabulate \(provenance.airlockVersion) from \(input.path) (sha256 \(input.sha256), \(input.bytes) bytes)"
  }

  /// What `--verify` found: the files that differ from a fresh run, and whether the input is the
  /// one recorded.
  public struct Verification: Sendable {
    /// Whether the input has the size and SHA-256 recorded.
    public var inputMatches: Bool
    /// Files whose bytes differ from the re-run's (or from the digest recorded), by path.
    public var differing: [String]
    /// Whether everything is as recorded.
    public var isIdentical: Bool { inputMatches && differing.isEmpty }
  }

  /// Runs the tabulation recorded in `provenancePath` again and compares every file byte for byte
  /// with the files beside it and with the digests recorded.
  public static func verify(provenancePath: String, pack: RulePack, limits: ReadLimits = ReadLimits())
    throws(AirlockError) -> Verification
  {
    let provenance = try TabulateProvenance.load(path: provenancePath)
    let suffix = ".tabulate.json"
    guard provenancePath.hasSuffix(suffix) else {
      throw AirlockError(.usage, file: provenancePath, "expected a NAME.tabulate.json file")
    }
    let base = String(provenancePath.dropLast(suffix.count))
    let input = try digest(file: provenance.job.data)
    let (files, _) = try render(job: provenance.job, out: base, command: provenance.command, pack: pack, limits: limits)
    var differing: [String] = []
    for file in files where !file.path.hasSuffix(suffix) {
      let name = URL(fileURLWithPath: file.path).lastPathComponent
      let onDisk = FileManager.default.contents(atPath: file.path)
      if onDisk != file.data || provenance.files[name] != sha256(file.data) { differing.append(file.path) }
    }
    let recorded = Set(provenance.files.keys)
    let produced = Set(files.map { URL(fileURLWithPath: $0.path).lastPathComponent }).subtracting([
      URL(fileURLWithPath: provenancePath).lastPathComponent
    ])
    for name in recorded.symmetricDifference(produced) { differing.append(name) }
    return Verification(
      inputMatches: input.sha256 == provenance.input.sha256 && input.bytes == provenance.input.bytes,
      differing: differing)
  }
}

/// Renders a table tabulation's files.
enum TabulateRendering {
  /// A CSV field, quoted when it must be (RFC 4180).
  static func csvField(_ text: String) -> String {
    guard
      text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.first == " "
        || text.last == " "
    else {
      return text
    }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  static func csvLine(_ fields: [String]) -> String { fields.map(csvField).joined(separator: ",") + "\n" }

  /// A YAML double-quoted string.
  static func yamlString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  static func yamlList(_ items: [String]) -> String { "[" + items.map(yamlString).joined(separator: ", ") + "]" }

  /// The name of the published column.
  static func valueColumn(_ request: TabulateRequest) -> String {
    request.statistic == .sum && request.weight != nil ? "weighted_sum" : request.statistic.rawValue
  }

  static func files(_ result: Tabulator.Result, request: TabulateRequest, name: String) -> TabulatedFiles {
    let wide = !request.cols.isEmpty
    var table = ""
    var valueColumns: [String]
    if wide {
      let columnLabels = result.labelOrder.last ?? []
      valueColumns = columnLabels
      table += csvLine(request.rows + columnLabels)
      var rowOrder: [[String]] = []
      var values: [[String]: [String: String]] = [:]
      for cell in result.cells {
        let rowKey = Array(cell.labels.dropLast())
        if values[rowKey] == nil { rowOrder.append(rowKey) }
        values[rowKey, default: [:]][cell.labels.last!] = cell.value
      }
      let empty = request.statistic == .count || request.statistic == .sum ? "0" : ""
      for rowKey in rowOrder {
        table += csvLine(rowKey + columnLabels.map { values[rowKey]?[$0] ?? empty })
      }
    } else {
      let column = valueColumn(request)
      valueColumns = [column]
      table += csvLine(request.rows + [column])
      for cell in result.cells { table += csvLine(cell.labels + [cell.value]) }
    }
    var evidence = csvLine(result.dimensions + result.evidenceNames)
    for cell in result.cells {
      evidence += csvLine(cell.labels + result.evidenceNames.map { cell.evidence[$0] ?? "" })
    }
    let kind: String
    let role: String
    switch request.statistic {
    case .count: (kind, role) = ("frequency", "counts")
    case .sum: (kind, role) = ("magnitude", "magnitudes")
    default: (kind, role) = ("summary", "statistics")
    }
    var manifest = "# Written by airlock tabulate: every column is declared, so that airlock check infers nothing.\n"
    manifest += "kind: \(kind)\n"
    manifest += "layout: \(wide ? "wide" : "long")\n"
    manifest += "dimensions: \(yamlList(request.rows))\n"
    if wide { manifest += "columns_dimension: \(yamlString(request.cols[0]))\n" }
    manifest += "\(role): \(yamlList(valueColumns))\n"
    // Margins carry the pack's own label, which check recognises: not declared (a declared
    // margin is a claim a checker must accept).
    if !result.categories.isEmpty { manifest += "categories: \(yamlList(result.categories))\n" }
    manifest += "evidence_file: \(yamlString(name + ".evidence.csv"))\n"
    manifest += "population: \(yamlString(population(request)))\n"
    var warnings: [String] = []
    if request.statistic.publishesOneValue {
      warnings.append(
        "--\(request.statistic.rawValue) publishes one unit's value in every cell; airlock check judges it as a statistic (extreme-value)"
      )
    }
    if result.fewUnitCells > 0 {
      warnings.append(
        "\(result.fewUnitCells) cell\(result.fewUnitCells == 1 ? "" : "s") count enough records but too few units for the pack's threshold; small-cell-count reads the published count of records, not the units in the evidence (n_units)"
      )
    }
    if result.cellsWithoutValue > 0 {
      warnings.append(
        "\(result.cellsWithoutValue) cell\(result.cellsWithoutValue == 1 ? "" : "s") left out: no record there has a value of \(request.variable ?? "")"
      )
    }
    return TabulatedFiles(
      table: table, evidence: evidence, manifest: manifest, rowsRead: result.rowsRead,
      rowsDropped: ["filter": result.droppedByFilter, "missing_label": result.droppedMissingLabel], warnings: warnings)
  }

  static func population(_ request: TabulateRequest) -> String {
    var text = "records of \(URL(fileURLWithPath: request.data).lastPathComponent)"
    if !request.filters.isEmpty {
      text += " where " + request.filters.map { "\($0.column) = \($0.value)" }.joined(separator: " and ")
    }
    if let variable = request.variable { text += "; \(request.statistic.rawValue) of \(variable)" }
    if let unit = request.unit { text += "; units: \(unit)" }
    if let weight = request.weight { text += "; weighted by \(weight)" }
    return text
  }
}
