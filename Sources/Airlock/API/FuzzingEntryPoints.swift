import Foundation

// Entry points that take bytes instead of paths, for the libFuzzer targets in Fuzz/. They run the
// same code as the commands (the reader, gzip, YAML, manifests, evidence); only where the bytes
// come from differs. `@_spi(Fuzzing)`: not part of the library's API.

@_spi(Fuzzing) public enum FuzzingEntryPoints {
  /// Checks `bytes` as an output called `name` (`.csv`, `.tsv`, `.csv.gz`, ...) with `pack`.
  public static func check(data bytes: [UInt8], name: String, pack: RulePack, limits: ReadLimits = ReadLimits()) -> OutputResult {
    check(data: bytes, name: name, pack: pack, rules: pack.enabledRules(), limits: limits)
  }

  /// Checks `bytes` as an output called `name` with `rules` (built once from `pack`, as a command
  /// that checks many files builds them once).
  public static func check(data bytes: [UInt8], name: String, pack: RulePack, rules: [any Rule], limits: ReadLimits = ReadLimits()) -> OutputResult {
    var checker = OutputChecker(pack: pack, rules: rules, limits: limits, findingLimit: 1000)
    checker.memoryInput = bytes
    return checker.check(path: name)
  }

  /// Everything the reader makes of `bytes` (each record's line, field columns and fields, then the
  /// error that stopped it, if any), read with or without the 64-bytes-at-a-time path for plain records.
  /// The two must agree byte for byte: the reader fuzz target and the tests compare them.
  public static func records(
    data bytes: [UInt8], delimiter: UInt8, plainFastPath: Bool, limits: ReadLimits = ReadLimits(), capacity: Int = 1 << 20
  ) -> [String] {
    let reader = DelimitedReader(
      path: "t.csv", source: MemorySource(bytes), delimiter: delimiter, limits: limits, capacity: capacity,
      plainFastPath: plainFastPath)
    var out: [String] = []
    do throws(AirlockError) {
      while try reader.next() {
        let fields = (0..<reader.fieldCount).map { reader.field($0) }
        out.append("\(reader.recordLine) \(reader.fieldColumns) \(fields) \(reader.consumedBytes)")
      }
    } catch {
      out.append("error \(error.line ?? 0):\(error.column ?? 0) \(error.message)")
    }
    return out
  }

  /// Parses `text` as a sidecar manifest.
  public static func manifest(_ text: String) throws(AirlockError) -> OutputDeclaration {
    try OutputDeclaration.parse(YAMLValue.parse(text, file: "fuzz.airlock.yaml"))
  }

  /// Parses `text` as an `airlock.yaml` folder manifest and returns the declaration for `name`.
  public static func folderManifest(_ text: String, name: String) throws(AirlockError) -> OutputDeclaration? {
    try OutputDeclaration.fromFolderManifest(YAMLValue.parse(text, file: "airlock.yaml"), for: name)
  }

  /// Loads `bytes` as an evidence file keyed by `dimensions`; returns the number of keyed rows.
  public static func evidence(_ bytes: [UInt8], dimensions: [String]) throws(AirlockError) -> Int {
    let file = try EvidenceFile.load(path: "fuzz.evidence.csv", dimensions: dimensions, limits: ReadLimits(), memory: bytes)
    return file.rowCount
  }
}
