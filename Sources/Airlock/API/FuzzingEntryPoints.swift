import Foundation

// Entry points that take bytes instead of paths, for the libFuzzer targets in Fuzz/. They run the
// same code as the commands (the reader, gzip, YAML, manifests, evidence); only where the bytes
// come from differs. `@_spi(Fuzzing)`: not part of the library's API.

@_spi(Fuzzing) public enum FuzzingEntryPoints {
  /// Checks `bytes` as an output called `name` (`.csv`, `.tsv`, `.csv.gz`, ...) with `pack`.
  public static func check(data bytes: [UInt8], name: String, pack: RulePack, limits: ReadLimits = ReadLimits())
    -> OutputResult
  {
    check(data: bytes, name: name, pack: pack, rules: pack.enabledRules(), limits: limits)
  }

  /// Checks `bytes` as an output called `name` with `rules` (built once from `pack`, as a command
  /// that checks many files builds them once).
  public static func check(
    data bytes: [UInt8], name: String, pack: RulePack, rules: [any Rule], limits: ReadLimits = ReadLimits()
  ) -> OutputResult {
    var checker = OutputChecker(pack: pack, rules: rules, limits: limits, findingLimit: 1000)
    checker.memoryInput = bytes
    return checker.check(path: name)
  }

  /// Everything the reader makes of `bytes` (each record's line, field columns and fields, then the
  /// error that stopped it, if any), read with or without the 64-bytes-at-a-time path for plain records.
  /// The two must agree byte for byte: the reader fuzz target and the tests compare them.
  public static func records(
    data bytes: [UInt8], delimiter: UInt8, plainFastPath: Bool, limits: ReadLimits = ReadLimits(),
    capacity: Int = 1 << 20
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
    let file = try EvidenceFile.load(
      path: "fuzz.evidence.csv", dimensions: dimensions, limits: ReadLimits(), memory: bytes)
    return file.rowCount
  }

  /// The fuzz targets, named as their corpus folders in `Fuzz/Corpus/`. Each target's whole body
  /// is here, so the libFuzzer executables and the test that replays the corpus (every seed and
  /// every input that once crashed) run the same code.
  public enum Target: String, CaseIterable, Sendable {
    case reader, gzip, rulepack, manifest, evidence, dsse, trustlist, log
  }

  /// The default pack and its rules, built once (as a command checking many files builds them once).
  static let defaultRules: (pack: RulePack, rules: [any Rule]) = {
    let pack = try! RulePackLoader.load("default")
    return (pack, pack.enabledRules())
  }()

  /// Runs `target` on `bytes`. It returns normally on any input: an error is an answer, and a trap
  /// or a precondition failure (such as the reader's two paths disagreeing) is the bug fuzzing looks for.
  public static func run(_ target: Target, _ bytes: [UInt8]) {
    let text = String(validating: bytes, as: UTF8.self)
    switch target {
    case .reader:
      // The first byte picks the name (and so the delimiter); the 64-bytes-at-a-time path for plain
      // records must read exactly what the byte-by-byte one reads, through a small buffer too
      // (records cut at every point) and one holding the whole input.
      let name = ["t.csv", "t.tsv", "t.txt", "t.tab"][Int(bytes.first ?? 0) % 4]
      let limits = ReadLimits(maxFieldBytes: 4096, maxFields: 512, maxDecompressedBytes: 1 << 20)
      for capacity in [64, bytes.count + 1] {
        let fast = records(
          data: bytes, delimiter: UInt8(ascii: ","), plainFastPath: true, limits: limits, capacity: capacity)
        let slow = records(
          data: bytes, delimiter: UInt8(ascii: ","), plainFastPath: false, limits: limits, capacity: capacity)
        precondition(fast == slow, "the plain-record fast path disagrees with the byte reader")
      }
      let (pack, rules) = defaultRules
      _ = check(data: Array(bytes.dropFirst()), name: name, pack: pack, rules: rules, limits: limits)
    case .gzip:
      let limits = ReadLimits(maxFieldBytes: 4096, maxFields: 512, maxDecompressedBytes: 1 << 16)
      let (pack, rules) = defaultRules
      _ = check(data: bytes, name: "t.csv.gz", pack: pack, rules: rules, limits: limits)
    case .rulepack:
      if let text, let pack = try? RulePackLoader.load(text: text, file: "fuzz.yaml") { _ = pack.effectiveYAML() }
    case .manifest:
      guard let text else { return }
      _ = try? manifest(text)
      _ = try? folderManifest(text, name: "weekly_1.csv")
    case .evidence:
      _ = try? evidence(bytes, dimensions: ["region", "sex"])
    case .dsse:
      _ = try? Envelope.parse(Data(bytes), file: "fuzz.json")
    case .trustlist:
      guard let text else { return }
      _ = try? TrustList.parse(text, file: "allowed_signers")
    case .log:
      // The parsers only; the libFuzzer target also verifies signatures and plants checkpoints
      // in a log on disk, which needs a key and a folder of its own.
      for line in Data(bytes).split(separator: 0x0a) { _ = try? LogEntry.parse(Data(line)) }
      guard let text else { return }
      _ = try? Checkpoint(text: text)
      _ = try? NoteVerifier(vkey: text)
    }
  }
}
