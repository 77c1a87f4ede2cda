import Foundation
import Testing

@_spi(Fuzzing) @testable import Airlock

/// A byte source that makes its bytes as they are read (a header, then `repeating` up to `total`
/// bytes), and counts how many were asked for: a 1 GB input that is never written or held.
private final class Generated: @unchecked Sendable {
  var produced = 0
}

private struct GeneratedSource: ByteSource {
  let head: [UInt8]
  let repeating: UInt8
  let total: Int
  let counter: Generated

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AirlockError) -> Int {
    let n = min(buffer.count, total - counter.produced)
    guard n > 0 else { return 0 }
    for i in 0..<n {
      let offset = counter.produced + i
      buffer[i] = offset < head.count ? head[offset] : repeating
    }
    counter.produced += n
    return n
  }

  mutating func close() {}
}

/// Reads every record from `source` and returns the error that stops it.
private func readAll(_ source: any ByteSource, limits: ReadLimits = ReadLimits()) -> AirlockError? {
  let reader = DelimitedReader(path: "big.csv", source: source, delimiter: UInt8(ascii: ","), limits: limits)
  do {
    while try reader.next() {}
    return nil
  } catch { return error }
}

@Suite struct HostileInputTests {
  @Test func aOneGigabyteFieldStopsAtTheFieldLimitWithoutReadingTheRest() {
    let counter = Generated()
    let source = GeneratedSource(
      head: Array("a,b\n1,".utf8), repeating: UInt8(ascii: "x"), total: 1 << 30, counter: counter)
    let error = readAll(source)
    #expect(error?.message == "field is longer than 1048576 bytes")
    #expect(error?.line == 2)
    #expect(error?.column == 3)
    // One chunk past the limit at most: the gigabyte is never read.
    #expect(counter.produced <= 3 << 20)
  }

  @Test func aQuotedOneGigabyteFieldIsReportedWhereItsQuoteOpens() {
    let counter = Generated()
    let source = GeneratedSource(
      head: Array("a,b\n1,\"".utf8), repeating: UInt8(ascii: "y"), total: 1 << 30, counter: counter)
    let error = readAll(source)
    #expect(error?.message == "field is longer than 1048576 bytes")
    #expect(error?.line == 2 && error?.column == 3)
    #expect(counter.produced <= 3 << 20)
  }

  @Test func aMillionColumnsStopAtTheFieldsLimit() {
    let counter = Generated()
    // "a," a million times: the header itself is the hostile row.
    let source = GeneratedSource(head: [], repeating: UInt8(ascii: ","), total: 1_000_000, counter: counter)
    let error = readAll(source)
    #expect(error?.message == "row has more than 100000 fields")
    #expect(error?.line == 1)
    #expect(counter.produced <= 1_000_000)
  }

  @Test func aMillionColumnsInAFileAreAnErrorWithNoFindings() {
    let header = (0..<1_000_000).map { "c\($0)" }.joined(separator: ",")
    let result = check(header + "\n")
    #expect(result.error?.message == "row has more than 100000 fields")
    #expect(result.findings.isEmpty && result.outcome == nil)
  }

  @Test func aDecompressionBombIsStoppedAtTheLimitWithNoPartialResult() {
    // 64 MiB of '1' in one field: inflates ~1000:1; the limit stops it after 1 MiB of output.
    let bomb = gzip(Data("count\n".utf8) + Data(repeating: UInt8(ascii: "1"), count: 64 << 20))
    #expect(bomb.count < 1 << 20)
    let path = write(bomb, to: "bomb.csv.gz", in: temporaryFolder())
    var checker = Checker(pack: pack())
    checker.limits.maxDecompressedBytes = 1 << 20
    let result = checker.check(paths: [path]).results[0]
    #expect(result.error?.message.contains("decompressed size exceeds the limit") == true)
    #expect(result.findings.isEmpty && result.outcome == nil && result.rows == 0)
  }

  @Test func deeplyNestedYAMLIsRefusedNotACrash() {
    let folder = temporaryFolder()
    write("region,count\nA,20\n", to: "t.csv", in: folder)
    write(
      "kind: " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000), to: "t.airlock.yaml",
      in: folder)
    let error = checkFile(folder.appendingPathComponent("t.csv").path).error
    #expect(error?.kind == .configuration)
    #expect(error?.message.contains("nesting") == true)
    let pack = String(repeating: "a: {", count: 5000) + String(repeating: "}", count: 5000)
    #expect(throws: AirlockError.self) { try RulePackLoader.load(text: pack, file: "deep.yaml") }
  }

  @Test func billionLaughsIsRefusedBeforeExpansion() {
    var yaml = "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
    for i in 1...9 {
      yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n"
    }
    for text in [yaml, "kind: frequency\ndimensions: &x [a, *x]\n"] {
      do {
        _ = try FuzzingEntryPoints.manifest(text)
        Issue.record("accepted")
      } catch { #expect(error.message.contains("anchors and aliases are not allowed")) }
    }
    #expect(throws: AirlockError.self) {
      try RulePackLoader.load(text: "extends: default\n" + yaml, file: "laughs.yaml")
    }
  }

  /// Nested explicit keys (`? - ?`) took the YAML parser 29 s, 57 s and over a minute (fuzzing,
  /// Tests/Fixtures/yaml-complex-keys): refused before parsing, in manifests and rule packs alike.
  @Test func complexYAMLKeysAreRefusedBeforeParsing() throws {
    let findings = packageRoot.appendingPathComponent("Tests/Fixtures/yaml-complex-keys")
    let files = try FileManager.default.contentsOfDirectory(atPath: findings.path).filter { $0.hasSuffix(".yaml") }
    #expect(files.count == 3)
    for name in files {
      let text = try String(contentsOf: findings.appendingPathComponent(name), encoding: .utf8)
      let start = Date()
      do {
        _ = try FuzzingEntryPoints.manifest(text)
        Issue.record("\(name) accepted")
      } catch { #expect(error.message.contains("complex mapping keys"), "\(name): \(error.message)") }
      #expect(throws: AirlockError.self) { try RulePackLoader.load(text: text, file: name) }
      #expect(Date().timeIntervalSince(start) < 1, "\(name)")
    }
    // A question mark in text is still text.
    #expect((try? FuzzingEntryPoints.manifest("kind: frequency\npopulation: who? all adults\n")) != nil)
  }

  @Test func nulBytesInTheHeaderAndInvalidUTF8InColumnNames() {
    #expect(check("reg\u{0}ion,count\nA,20\n").error?.message.contains("NUL") == true)
    let path = write(
      Data("r".utf8) + Data([0xC3, 0x28]) + Data(",count\nA,20\n".utf8), to: "t.csv", in: temporaryFolder())
    let error = checkFile(path).error
    #expect(error?.message.contains("invalid UTF-8") == true)
    #expect(error?.line == 1)
  }

  @Test func fileNamesWithControlCharactersAreRefusedAndEscaped() {
    let folder = temporaryFolder()
    let forged = "evil\nPASS  forged.csv"
    write("region,count\nA,3\n", to: forged, in: folder)
    write("region,count\nA,3\n", to: "ansi\u{1B}[32m.csv", in: folder)
    let report = Checker(pack: pack()).check(paths: [folder.path])
    #expect(report.results.count == 2)
    #expect(report.results.allSatisfy { $0.error?.message.contains("control character") == true })
    let text = TextReporter.render(report)
    #expect(!text.contains("\nPASS  forged.csv"))
    #expect(!text.contains("\u{1B}"))
    #expect(text.contains("evil\\nPASS  forged.csv"))
    #expect(report.exitStatus() == 2)
  }

  @Test func fileNamesThatAreNotUTF8AreNamedAsSuch() throws {
    let folder = temporaryFolder()
    let raw = Array(folder.path.utf8) + Array("/bad".utf8) + [0xFF] + Array(".csv".utf8) + [0]
    let fd = raw.withUnsafeBufferPointer {
      open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o600)
    }
    #expect(fd >= 0)
    close(fd)
    let result = Checker(pack: pack()).check(paths: [folder.path]).results
    #expect(result.count == 1)
    #expect(result.first?.error?.message == "the file name is not valid UTF-8; rename it")
  }

  @Test func dotDotAndControlCharactersNeverBecomeReleaseNames() {
    for name in [
      "..", ".", "../x.csv", "a/b.csv", ".hidden.csv", "a\nb.csv", "tab\t.csv", "esc\u{1B}.csv", "del\u{7F}.csv",
      "c1\u{85}.csv", "bad\u{FFFD}.csv",
    ] {
      #expect(!RecordVerifier.isPlainName(name), "\(name)")
    }
    #expect(RecordVerifier.isPlainName("table 2 (final).csv"))
  }

  @Test func symlinksAreRefusedEvenToReadableTables() throws {
    let folder = temporaryFolder()
    let target = write("region,count\nA,30\n", to: "real.csv", in: temporaryFolder())
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("link.csv").path, withDestinationPath: target)
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("loop").path, withDestinationPath: ".")
    let results = Checker(pack: pack()).check(paths: [folder.path]).results
    #expect(results.count == 1)
    #expect(results[0].error?.message.contains("symbolic link") == true)
    // A symlinked manifest is refused too: the researcher's folder holds only regular files.
    let other = temporaryFolder()
    write("region,count\nA,30\n", to: "t.csv", in: other)
    let manifest = write("kind: frequency\n", to: "m.yaml", in: temporaryFolder())
    try FileManager.default.createSymbolicLink(
      atPath: other.appendingPathComponent("t.airlock.yaml").path, withDestinationPath: manifest)
    #expect(checkFile(other.appendingPathComponent("t.csv").path).error?.message.contains("symbolic link") == true)
  }

  @Test func specialFilesAsOutputsAndManifestsNeverHang() throws {
    let devices = temporaryFolder()
    // A character device named like a table (root may mknod; otherwise the FIFO cases below stand).
    if mknod(devices.appendingPathComponent("zero.csv").path, S_IFCHR | 0o600, dev_t((1 << 8) | 5)) == 0 {
      #expect(
        checkFile(devices.appendingPathComponent("zero.csv").path).error?.message.contains("not a regular file") == true
      )
    }
    // A device without a table's name is never opened: C008 sends it to review.
    #expect(checkFile("/dev/zero").outcome == .review)
    let folder = temporaryFolder()
    write("region,count\nA,30\n", to: "t.csv", in: folder)
    #expect(mkfifo(folder.appendingPathComponent("t.airlock.yaml").path, 0o600) == 0)
    let error = checkFile(folder.appendingPathComponent("t.csv").path).error
    #expect(error?.message.contains("not a regular file") == true)
    #expect(throws: AirlockError.self) { try RulePackLoader.load("/dev/zero") }
    #expect(throws: AirlockError.self) { try TrustList.load("/dev/zero") }
  }

  /// Decision: a file that grows, shrinks or is rewritten while airlock reads it is an error
  /// ("the file changed while it was read"), never a result for a table that never existed.
  @Test func aFileThatGrowsOrShrinksWhileReadIsAnError() throws {
    for change in ["append", "truncate"] {
      let path = write(Data(repeating: UInt8(ascii: "a"), count: 3 << 20), to: "t.csv", in: temporaryFolder())
      var source = try FileSource(path: path)
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
      defer {
        buffer.deallocate()
        source.close()
      }
      _ = try source.read(into: buffer)
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
      if change == "append" {
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("more\n".utf8))
      } else {
        try handle.truncate(atOffset: 1 << 20 + 10)
      }
      try handle.close()
      var caught: AirlockError?
      do { while try source.read(into: buffer) > 0 {} } catch { caught = error }
      #expect(caught?.message.contains("the file changed while it was read") == true, "\(change)")
    }
  }

  @Test func aFileRewrittenInPlaceWhileReadIsAnError() throws {
    let path = write(Data(repeating: UInt8(ascii: "a"), count: 2 << 20), to: "t.csv", in: temporaryFolder())
    var source = try FileSource(path: path)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
    defer {
      buffer.deallocate()
      source.close()
    }
    _ = try source.read(into: buffer)
    usleep(20_000)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.write(contentsOf: Data("b".utf8))  // same size, new modification time
    try handle.close()
    var caught: AirlockError?
    do { while try source.read(into: buffer) > 0 {} } catch { caught = error }
    #expect(caught?.message.contains("changed while it was read") == true)
  }

  /// Found by Scripts/fuzz.sh trustlist: an empty option (`principal ,namespaces=...`) crashed
  /// the parser with an index out of range.
  @Test func fuzzCrashTrustListEmptyOption() {
    let line =
      "bob@tre ,namespaces=\"airlock-review\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBOUnKWZbtUh6qebPywoXDU8ijFZ+F86lEP4yJeXHN2O\n"
    #expect(throws: AirlockError.self) { try TrustList.parse(line) }
    #expect(throws: AirlockError.self) { try TrustList.parse("a ,,, ssh-ed25519 AAAA\n") }
  }

  /// Found by Scripts/fuzz.sh reader (issue 8, second round): a margin of 8e48 with suppressed
  /// cells trapped converting it to Int in `ExactRecovery` (the size guard came after the
  /// conversion). Now the equations are skipped and the table is checked like any other.
  @Test func fuzzCrashExactRecoveryHugeMargin() {
    let text =
      "region?,Mal,eFem/ale,Total\nNo1rth,*,1,8422222222222222222222222222222222222222222222222\nSouth,*,*,112\n"
    let result = FuzzingEntryPoints.check(data: Array(text.utf8), name: "t.csv", pack: pack())
    #expect(result.error == nil && result.outcome == .fail)
  }

  /// The same short label in two dimensions is each dimension's own label in the cell store, even
  /// a label the first dimension keeps in its first slot.
  @Test func shortLabelsAreKeptPerDimension() throws {
    let label = try #require(
      (0..<100_000).lazy.map { "L\($0)" }.first { text in
        Array(text.utf8).withUnsafeBufferPointer {
          ShortLabelCache.slot(0, ByteStringTable.shortKey($0), $0.count) == 0
        }
      })
    let path = write("a,b,count\n\(label),\(label),30\nY,Z,40\nY,\(label),40\n", to: "t.csv", in: temporaryFolder())
    var table: Table?
    let checker = OutputChecker(pack: pack(), rules: pack().enabledRules(), limits: ReadLimits(), findingLimit: 1000)
    _ = checker.check(path: path, keeping: true, table: &table)
    let cells = try #require(table)
    #expect(
      (0..<3).map { cells.coordinates(ofCell: $0).map(\.label) } == [[label, label], ["Y", "Z"], ["Y", label]])
  }

  @Test func memoryEntryPointMatchesTheFileReader() {
    let text = "region,count\nNorth,3\nSouth,40\n"
    let fromMemory = FuzzingEntryPoints.check(data: Array(text.utf8), name: "t.csv", pack: pack())
    let fromFile = check(text)
    #expect(fromMemory.outcome == fromFile.outcome)
    #expect(fromMemory.findings.map(\.code) == fromFile.findings.map(\.code))
    let gz = FuzzingEntryPoints.check(data: Array(gzip(Data(text.utf8))), name: "t.csv.gz", pack: pack())
    #expect(gz.findings.map(\.code) == fromFile.findings.map(\.code))
  }
}
