import Foundation

/// Reads one output and runs the pack's rules over it: per-cell rules as the file streams past,
/// then (only when some are enabled) whole-table rules over a compact cell store.
struct OutputChecker {
  let pack: RulePack
  let rules: [any Rule]
  let limits: ReadLimits
  let findingLimit: Int
  /// The output's bytes, when they come from memory rather than `path` (fuzzing): no manifest is
  /// looked up, and a `.gz` name inflates them.
  var memoryInput: [UInt8]? = nil

  private var cellRules: [any CellRule] { rules.compactMap { $0 as? any CellRule } }
  private var tableRules: [any TableRule] { rules.compactMap { $0 as? any TableRule } }
  private var outputRules: [any OutputRule] { rules.compactMap { $0 as? any OutputRule } }
  private var fieldRules: [any FieldRule] { rules.compactMap { $0 as? any FieldRule } }
  private var fileRules: [any FileRule] { rules.compactMap { $0 as? any FileRule } }

  /// Codes of the built-in rules that judge particular columns (their `covers(_:column:)` is true
  /// for some column of some kind of output): found by asking each about one column of every kind
  /// and role under names of every family.
  static let columnRules: Set<String> = {
    var codes = Set<String>()
    let names = [
      "n", "count", "percent", "sum", "mean", "sd", "median", "max", "p25", "estimate", "time", "n_at_risk", "n_events",
      "surv", "bin_lo",
    ]
    for kind in OutputKind.allCases {
      for role in ColumnRole.allCases {
        for name in names {
          let schema = TableSchema(
            file: "", header: ["label", name], kind: kind, layout: .long, roles: [.dimension, role],
            roleSources: [.values, .values], columnsDimension: "column", declaration: nil)
          for rule in RuleRegistry.builtIn where rule.covers(schema, column: 1) { codes.insert(rule.description.code) }
        }
      }
    }
    return codes
  }()

  /// Whether `text` reads as the name of a variable (`region`, `age_band`) rather than a label
  /// (`North`, `18-39`): a conventional dimension name, or lowercase letters, digits and `_`.
  static func looksLikeAColumnName(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
    return NamingConventions.role(ofHeader: text) == .dimension
      || text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
  }

  /// Checks the output at `path`. Input and manifest errors are returned in the result, never thrown.
  func check(path: String) -> OutputResult {
    var table: Table?
    return check(path: path, keeping: false, table: &table)
  }

  /// Checks the output at `path` and hands back its cell store (for `airlock protect`).
  func check(path: String, keeping: Bool, table: inout Table?) -> OutputResult {
    var result = OutputResult(file: path)
    var sink = FindingSink(limit: findingLimit)
    do {
      try read(path: path, result: &result, sink: &sink, keeping: keeping, kept: &table)
    } catch {
      result.error = error
      result.findings = []
      result.omitted = []
      result.rulesRun = nil
      result.claims = []
      return result
    }
    result.findings = sink.findings.sorted { lhs, rhs in
      if lhs.outcome != rhs.outcome { return lhs.outcome > rhs.outcome }
      if (lhs.line ?? 0) != (rhs.line ?? 0) { return (lhs.line ?? 0) < (rhs.line ?? 0) }
      if (lhs.column ?? 0) != (rhs.column ?? 0) { return (lhs.column ?? 0) < (rhs.column ?? 0) }
      return lhs.code < rhs.code
    }
    result.omitted = sink.omitted.keys.sorted().map {
      OutputResult.OmittedFindings(code: $0, count: sink.omitted[$0]!, worst: sink.omittedWorst[$0]!)
    }
    let worstKept = result.findings.map(\.outcome).max() ?? .pass
    let worstOmitted = result.omitted.map(\.worst).max() ?? .pass
    result.outcome = max(worstKept, worstOmitted)
    return result
  }

  private func read(
    path: String, result: inout OutputResult, sink: inout FindingSink, keeping: Bool, kept: inout Table?
  ) throws(AirlockError) {
    let name = (path as NSString).lastPathComponent
    if path.containsControlCharacter {
      throw AirlockError(
        .input, file: path, "the file name holds a control character (a newline, tab or escape); rename it")
    }
    if name.contains("\u{FFFD}") && !FileManager.default.fileExists(atPath: path) {
      throw AirlockError(.input, file: path, "the file name is not valid UTF-8; rename it")
    }
    var judged = fileRules.lazy.compactMap { $0.judge(file: path) }.first
    if judged == nil && !TableFiles.isTable(path) {
      // A file the reader cannot read is never read and never passed, even where a pack switched
      // off the rule that judges file types: it needs review.
      judged = UnsupportedFileRule(parameters: pack.parameters(of: UnsupportedFileRule.self), pack: pack).judge(
        file: path)
      judged?.outcome = .review
    }
    if let finding = judged {
      guard FileManager.default.fileExists(atPath: path) else { throw AirlockError(.input, file: path, "no such file") }
      sink.add(finding)
      result.rulesRun = [finding.code]
      return
    }
    let declaration = memoryInput == nil ? try OutputDeclaration.find(for: path) : nil
    let reader = try DelimitedReader.open(path: path, memory: memoryInput, limits: limits)

    // Header.
    guard try reader.next() else {
      throw AirlockError(.input, file: path, line: 1, column: 1, "empty file (no header and no rows)")
    }
    let header = (0..<reader.fieldCount).map { reader.field($0).trimmingWhitespace() }
    let headerColumns = reader.fieldColumns
    let parser = ValueParser(markers: pack.markers)
    if header.count == 1 && header[0].isEmpty {
      throw AirlockError(.input, file: path, line: 1, column: 1, "empty header row")
    }
    if header.allSatisfy({ ValueParser.parseInteger(ArraySlice($0.utf8)) != nil || Double($0) != nil }) {
      throw AirlockError(
        .input, file: path, line: 1, column: 1, "no header row (the first row holds only numbers; add column names)")
    }
    var seen: [String: Int] = [:]
    for (index, name) in header.enumerated() {
      if name.isEmpty && index > 0 {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: headerColumns[index],
          "empty column name in column \(index + 1)\(header.contains { !$0.isEmpty } && header.dropFirst().filter(\.isEmpty).count * 2 >= header.count - 1 ? " (is this the first of several header rows, as Stata's tabout and pandas MultiIndex columns write? write one row of names)" : "")"
        )
      }
      if let first = seen[name.lowercased()] {
        throw AirlockError(
          .input, file: path, line: reader.recordLine, column: headerColumns[index],
          "duplicate column name '\(name)' (also column \(first + 1)); if the file has two header rows (pandas MultiIndex columns, such as several aggregation functions per column), write one row of unique names (in pandas: df.columns = ['_'.join(map(str, c)) for c in df.columns])"
        )
      }
      seen[name.lowercased()] = index
    }

    // Sample rows for inference.
    var sample: [[String]] = []
    var sampleLines: [Int] = []
    while sample.count < 200, try reader.nextDataRow(width: header.count) {
      sample.append((0..<reader.fieldCount).map { reader.field($0) })
      sampleLines.append(reader.recordLine)
    }
    var schemaHeader = header
    var columnsName: String?
    if let first = sample.first, sample.count >= 2, first.count >= 2, let line = sampleLines.first {
      let rest = first.dropFirst().map(ValueParser.trimmed)
      if header[0].isEmpty && first[0].trimmingWhitespace().isEmpty
        && rest.allSatisfy({ !$0.isEmpty && parser.parse(ArraySlice($0.utf8)) == .text })
      {
        throw AirlockError(
          .input, file: path, line: line, column: 1,
          "a second header row (pandas MultiIndex columns, such as several aggregation functions per column): write one row of unique names (in pandas: df.columns = ['_'.join(map(str, c)) for c in df.columns])"
        )
      }
      let indexName = first[0].trimmingWhitespace()
      if !header[0].isEmpty, rest.allSatisfy(\.isEmpty), Self.looksLikeAColumnName(indexName),
        header.dropFirst().contains(where: {
          NamingConventions.role(ofHeader: $0) == nil || TableSchema.isQuantileName(NamingConventions.normalized($0))
        }),
        !sample.dropFirst().contains(where: { $0[0].trimmingWhitespace() == indexName }),
        sample.dropFirst().allSatisfy({ row in row.dropFirst().contains { !ValueParser.trimmed($0).isEmpty } })
      {
        // pandas names the row index on a line of its own (`region,,`) below a header whose first
        // field names the columns (`sex,F,M`): a crosstab of region by sex, not a row of withheld
        // cells labelled `region`.
        columnsName = header[0]
        schemaHeader[0] = first[0].trimmingWhitespace()
        sample.removeFirst()
        sampleLines.removeFirst()
      }
    }
    if schemaHeader[0].isEmpty { schemaHeader[0] = "row" }
    var schema = try TableSchema.make(
      file: path, header: schemaHeader, sample: sample, lines: sampleLines, declaration: declaration, parser: parser,
      rowIndexFirst: columnsName != nil)
    if let columnsName, schema.declaration?.columnsDimension == nil, schema.layout == .wide {
      schema.columnsDimension = columnsName
    }
    try declaration?.validate(against: schema)
    // What airlock would read without the declaration: a declared role that takes a column out of
    // a rule's reach is a claim.
    var inferred: TableSchema?
    if declaration != nil {
      inferred = try? TableSchema.make(
        file: path, header: schemaHeader, sample: sample, lines: sampleLines, declaration: nil, parser: parser,
        rowIndexFirst: columnsName != nil)
    }
    result.claims = Claim.claims(of: schema, inferred: inferred)
    let fieldRules = fieldRules
    for (index, name) in header.enumerated() {
      let facts = FieldFacts(bytes: ArraySlice(name.utf8), columnName: name, role: schema.roles[index], isHeader: true)
      let location = FieldLocation(file: path, line: 1, field: index + 1)
      for rule in fieldRules { rule.inspect(facts, at: location, into: &sink) }
    }
    result.kind = schema.kind
    result.layout = schema.layout
    result.declared = schema.isDeclared
    result.columns = header.indices.map {
      OutputResult.ColumnReading(name: schema.header[$0], role: schema.roles[$0], source: schema.roleSources[$0])
    }
    for rule in outputRules { rule.check(schema, into: &sink) }
    // What airlock could not tell makes the output `review` (C000 above); every rule that can still
    // run does, so that nothing it cannot read hides a failure it can see.
    var ran = Set(outputRules.map { type(of: $0).description.code } + fieldRules.map { type(of: $0).description.code })
    defer {
      // A rule that judges particular columns ran only if the output has one of them.
      let covering = self.rules.filter { rule in
        !Self.columnRules.contains(type(of: rule).description.code)
          || schema.roles.indices.contains { type(of: rule).covers(schema, column: $0) }
      }
      result.rulesRun = covering.map { type(of: $0).description.code }.filter { ran.contains($0) }
    }

    var tableRules = tableRules.filter { type(of: $0).kinds.contains(schema.kind) }
    if schema.layoutInDoubt {
      // Margins, class disclosure and differencing rest on the table's structure, which is in doubt.
      tableRules = tableRules.filter { !($0 is CellEqualsTotalRule) && !($0 is RecoverableSuppressionRule) }
    }
    // Differencing across outputs compares frequency tables only, read as they are.
    let keeping = keeping && schema.kind == .frequency && !schema.layoutInDoubt
    let builder = TableBuilder(schema: schema, pack: pack, storing: keeping || !tableRules.isEmpty)
    // Estimate the rows from the file's size and the sample's, so the store is sized once.
    if !path.lowercased().hasSuffix(".gz"), sample.count > 0, reader.consumedBytes > 0,
      let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int
    {
      builder.reserve(rows: Int(Double(size) / Double(reader.consumedBytes) * Double(sample.count) * 1.02) + 16)
    }
    let cursor = RowCursor(reader: reader, schema: schema)
    let rules = cellRules
    // The sample goes through the same path as the rest of the file.
    for (row, line) in zip(sample, sampleLines) {
      cursor.replayRow = row
      builder.add(
        ReplayRow(fields: row), line: line, rules: rules, fieldRules: fieldRules, sink: &sink, cursor: cursor,
        parser: parser)
    }
    cursor.replayRow = nil
    // A large plain file checked by streaming rules only is read on several threads.
    let boundaries =
      builder.storing || reader.openedFile == nil
      ? []
      : SegmentedScan.boundaries(
        path: path, start: reader.consumedBytes, size: Int(reader.openedFile!.openedSize),
        count: SegmentedScan.segmentCount(
          bytes: Int(reader.openedFile!.openedSize) - reader.consumedBytes, limits: limits))
    if !boundaries.isEmpty {
      let scan = SegmentedScan(
        path: path, schema: schema, pack: pack, limits: limits, findingLimit: findingLimit, rules: rules,
        fieldRules: fieldRules, parser: parser, width: header.count)
      (result.rows, result.cells) = try scan.run(reader: reader, builder: builder, boundaries: boundaries, sink: &sink)
      if result.cells > 0 { ran.formUnion(rules.map { type(of: $0).description.code }) }
      return
    }
    let width = header.count
    while try reader.nextDataRow(width: width) {
      builder.add(
        reader, line: reader.recordLine, rules: rules, fieldRules: fieldRules, sink: &sink, cursor: cursor,
        parser: parser)
    }
    result.rows = builder.rows
    result.cells = builder.cells
    if result.cells > 0 { ran.formUnion(rules.map { type(of: $0).description.code }) }
    if var table = builder.finish() {
      if let declaration = schema.declaration {
        for hierarchy in declaration.hierarchies {
          try hierarchy.validate(against: table, manifest: declaration.source)
        }
      }
      let evidencePath =
        schema.declaration?.evidenceFile.map { file in
          ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
        } ?? EvidenceFile.sidecarPath(for: path)
      if FileManager.default.fileExists(atPath: evidencePath) {
        table.sidecarEvidence = try EvidenceFile.load(
          path: evidencePath, dimensions: schema.dimensionColumns.map { schema.header[$0] },
          columnsDimension: schema.layout == .wide ? schema.columnsDimension : nil, limits: limits)
      } else if let declared = schema.declaration?.evidenceFile {
        throw AirlockError(
          .configuration, file: schema.declaration?.source, "evidence_file: '\(declared)' does not exist")
      }
      result.cellStoreBytes = table.cellStoreBytes
      result.structure = table.structure
      // The dominance, p% and contributor rules read the same magnitude cells: work them out once.
      if tableRules.count(where: { $0 is any MagnitudeTableRule }) > 1 {
        table.magnitudeCells = MagnitudeCell.make(in: table)
      }
      for rule in tableRules { rule.check(table, into: &sink) }
      if let rule = outputRules.lazy.compactMap({ $0 as? UndeclaredOutputRule }).first {
        rule.checkEmptyCells(table, markers: pack.markers, into: &sink)
      }
      if result.rows > 0 { ran.formUnion(tableRules.map { type(of: $0).description.code }) }
      table.magnitudeCells = nil
      if keeping { kept = table }
    }
  }

}
