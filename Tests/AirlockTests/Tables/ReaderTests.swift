import CByteClasses
import Foundation
import Testing

@_spi(Fuzzing) @testable import Airlock

/// Reads every record of `text` with the reader, as strings.
private func records(_ data: Data, name: String = "t.csv", delimiter: Character = ",") throws -> [[String]] {
  let path = write(data, to: name, in: temporaryFolder())
  let source = try openByteSource(path: path, maxDecompressedBytes: 1 << 30)
  let reader = DelimitedReader(path: path, source: source, delimiter: delimiter.asciiValue!, limits: ReadLimits())
  try reader.skipByteOrderMark()
  var rows: [[String]] = []
  while try reader.next() { rows.append((0..<reader.fieldCount).map { reader.field($0) }) }
  return rows
}

private func records(_ text: String, name: String = "t.csv", delimiter: Character = ",") throws -> [[String]] {
  try records(Data(text.utf8), name: name, delimiter: delimiter)
}

/// The input error for a file, or nil.
private func inputError(_ data: Data, name: String = "t.csv") -> AirlockError? {
  checkFile(write(data, to: name, in: temporaryFolder())).error
}

private func inputError(_ text: String, name: String = "t.csv") -> AirlockError? {
  inputError(Data(text.utf8), name: name)
}

@Suite struct ReaderTests {
  @Test func readsQuotedDelimitersDoubledQuotesAndEmbeddedNewlines() throws {
    let rows = try records("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"two\nlines\",3\n")
    #expect(rows == [["a", "b"], ["x,y", "say \"hi\""], ["two\nlines", "3"]])
  }

  @Test func readsCRLFAndNoFinalNewline() throws {
    #expect(try records("a,b\r\n1,2\r\n3,4") == [["a", "b"], ["1", "2"], ["3", "4"]])
  }

  @Test func skipsUTF8ByteOrderMark() throws {
    #expect(try records(Data([0xEF, 0xBB, 0xBF]) + Data("a,b\n1,2\n".utf8)) == [["a", "b"], ["1", "2"]])
  }

  @Test func readsTSV() throws {
    #expect(try records("a\tb\n1\t2\n", name: "t.tsv", delimiter: "\t") == [["a", "b"], ["1", "2"]])
  }

  @Test func readsGzipStreams() throws {
    let text = "region,count\n" + (0..<5000).map { "R\($0),\($0 + 10)" }.joined(separator: "\n") + "\n"
    let rows = try records(gzip(Data(text.utf8)), name: "t.csv.gz")
    #expect(rows.count == 5001)
    #expect(rows.last == ["R4999", "5009"])
  }

  @Test func keepsLineNumbersAcrossEmbeddedNewlines() {
    let result = check("region,count\n\"North\nEast\",3\nSouth,40\nWest,2\n")
    let lines = result.findings.filter { $0.code == "C001" }.map(\.line)
    #expect(lines == [2, 5])
  }

  @Test func sniffsTheDelimiterWhenTheExtensionIsWrong() {
    let result = check("region;count\nNorth;3\nSouth;40\n")
    #expect(result.error == nil)
    #expect(result.findings.contains { $0.code == "C001" && $0.line == 2 })
  }

  @Test func reportsUnterminatedQuoteWhereItOpens() {
    let error = inputError("a,b\n1,\"open\n2,3\n")
    #expect(
      error?.description == "\(error!.file!):2:3: unterminated quoted field (the quote opened here is never closed)")
  }

  @Test func reportsRaggedRows() {
    let error = inputError("region,count\nNorth,12\nSouth,40,9\n")
    #expect(error?.line == 3)
    #expect(error?.column == 10)
    #expect(error?.message.contains("ragged row: 3 fields where the header has 2") == true)
  }

  @Test func reportsInvalidUTF8WithItsField() {
    let error = inputError(Data("region,count\n".utf8) + Data([0x4E, 0xFF, 0x2C, 0x31, 0x32, 0x0A]))
    #expect(error?.line == 2)
    #expect(error?.column == 1)
    #expect(error?.message.contains("invalid UTF-8") == true)
  }

  @Test func reportsEmptyFile() {
    #expect(inputError("")?.message.contains("empty file") == true)
  }

  @Test func reportsMissingHeader() {
    #expect(inputError("1,2\n3,4\n")?.message.contains("no header row") == true)
  }

  @Test func reportsDuplicateColumnNames() {
    let error = inputError("region,count,Count\nNorth,1,2\n")
    #expect(error?.message.hasPrefix("duplicate column name 'Count' (also column 2);") == true)
    #expect(error?.column == 14)
  }

  @Test func reportsBinaryContent() {
    let error = inputError(Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x0A]) + Data("a,b\n".utf8))
    #expect(error != nil)
    #expect(error?.line == 1)
  }

  @Test func reportsNULBytes() {
    #expect(inputError(Data("a,b\n1,".utf8) + Data([0]) + Data("2\n".utf8))?.message.contains("NUL") == true)
  }

  @Test func reportsTruncatedGzip() {
    let full = gzip(Data(("region,count\n" + String(repeating: "North,12\n", count: 2000)).utf8))
    let error = inputError(full.prefix(full.count - 12), name: "t.csv.gz")
    #expect(error?.message.contains("truncated gzip stream") == true)
  }

  @Test func reportsCorruptGzip() {
    #expect(inputError("region,count\nNorth,12\n", name: "t.csv.gz")?.message.contains("corrupt gzip") == true)
  }

  @Test func enforcesTheDecompressedSizeLimit() {
    let bomb = gzip(Data(repeating: UInt8(ascii: "1"), count: 4 << 20))
    let path = write(bomb, to: "bomb.csv.gz", in: temporaryFolder())
    var checker = Checker(pack: pack())
    checker.limits.maxDecompressedBytes = 1 << 20
    let error = checker.check(paths: [path]).results[0].error
    #expect(error?.message.contains("decompressed size exceeds the limit of 1048576 bytes") == true)
  }

  @Test func enforcesTheFieldSizeLimit() {
    let path = write("a,b\n" + String(repeating: "x", count: 3 << 20) + ",1\n", to: "t.csv", in: temporaryFolder())
    let error = Checker(pack: pack()).check(paths: [path]).results[0].error
    #expect(error?.message.contains("field is longer than") == true)
    #expect(error?.line == 2)
  }

  @Test func reportsMissingPath() {
    let error = checkFile("/nonexistent/airlock/x.csv").error
    #expect(error?.description == "/nonexistent/airlock/x.csv: no such file")
  }

  @Test func refusesUTF16() {
    #expect(inputError(Data([0xFF, 0xFE, 0x61, 0x00]))?.message.contains("UTF-16") == true)
  }

  @Test func refusesBareCarriageReturns() {
    #expect(inputError("a,b\r1,2\r")?.message.contains("carriage return") == true)
  }

  @Test func refusesStrayQuotes() {
    let error = inputError("region,count\nNor\"th,12\n")
    #expect(error?.line == 2)
    #expect(error?.column == 4)
  }

  @Test func refusesFIFOs() throws {
    let folder = temporaryFolder()
    let path = folder.appendingPathComponent("pipe.csv").path
    #expect(mkfifo(path, 0o600) == 0)
    #expect(checkFile(path).error?.message.contains("not a regular file") == true)
  }

  @Test func keepsCheckingOtherFilesAfterAnError() {
    let folder = temporaryFolder()
    write("a,b\n1,\"open\n", to: "a-bad.csv", in: folder)
    write("region,count\nNorth,3\n", to: "b-good.csv", in: folder)
    let report = Checker(pack: pack()).check(paths: [folder.path])
    #expect(report.results.count == 2)
    #expect(report.results[0].error != nil)
    #expect(report.results[1].outcome == .fail)
    #expect(report.exitStatus() == 2)
  }

  @Test func columnsCountCharactersNotBytes() {
    let result = check("région,count\nÎle-de-France,3\n")
    let finding = result.findings.first { $0.code == "C001" }
    #expect(finding?.column == 2)
    let error = inputError("région,count\nÎle,\"x\"y\n")
    #expect(error?.column == 8)
  }

  /// Records that straddle the read buffer, in every way the reader parses: many records of random
  /// fields (quoted delimiters, doubled quotes, embedded newlines, CRLF, multi-byte text), read in
  /// slices of random sizes from 1 byte to several megabytes, must come back exactly as written,
  /// with the line each record starts on.
  @Test func recordsSplitAcrossReadsAtEveryPointComeBackWhole() throws {
    var generator = SplitMix(state: 42)
    let alphabet = Array("abcXYZ019 ,\"\n\r;é€😀".unicodeScalars)
    var expected: [[String]] = []
    var lines: [Int] = []
    var text = ""
    var line = 1
    while text.utf8.count < 2_200_000 {
      let width = Int.random(in: 1...6, using: &generator)
      var record: [String] = []
      var encoded: [String] = []
      for _ in 0..<width {
        let length = Int.random(in: 0...(Bool.random(using: &generator) ? 12 : 300), using: &generator)
        var field = String(
          String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
        // A bare carriage return is an error, so one only ever comes before a line feed.
        field = field.replacingOccurrences(of: "\r", with: "\r\n")
        let needsQuotes = field.utf8.contains { ",\"\n\r".utf8.contains($0) } || Bool.random(using: &generator)
        record.append(field)
        encoded.append(needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field)
      }
      if record == [""] { continue }  // a blank line reads as one empty field; keep the test simple
      expected.append(record)
      lines.append(line)
      let row = encoded.joined(separator: ",") + (Bool.random(using: &generator) ? "\r\n" : "\n")
      line += row.utf8.filter { $0 == UInt8(ascii: "\n") }.count
      text += row
    }
    let bytes = Array(text.utf8)
    for maxSlice in [1, 7, 4096, 1 << 20, 3 << 20] {
      var sliceGenerator = SplitMix(state: UInt64(maxSlice))
      let source = SlicedSource(bytes: bytes, sizes: { Int.random(in: 1...maxSlice, using: &sliceGenerator) })
      let reader = DelimitedReader(path: "t.csv", source: source, delimiter: UInt8(ascii: ","), limits: ReadLimits())
      var index = 0
      var mismatches = 0
      while try reader.next() {
        let record = (0..<reader.fieldCount).map { reader.field($0) }
        if index >= expected.count || record != expected[index] || reader.recordLine != lines[index] { mismatches += 1 }
        index += 1
      }
      #expect(index == expected.count, "slices up to \(maxSlice) bytes")
      #expect(mismatches == 0, "slices up to \(maxSlice) bytes")
      #expect(reader.consumedBytes == bytes.count)
    }
  }
}

extension ReaderTests {
  /// The 64-bytes-at-a-time path for plain records reads exactly what the byte-by-byte reader reads:
  /// the same fields, lines, columns and consumed bytes, and the same error at the same place, for
  /// random text rich in the bytes the classifier sorts (a `-` after a `,` is one carry away from a
  /// comma; tab, DEL, NUL, CR, quotes and UTF-8 leave the fast path), through small and large
  /// buffers and tight limits.
  @Test func plainRecordFastPathReadsWhatTheByteReaderReads() {
    var generator = SplitMix(state: 2026)
    let alphabet: [[UInt8]] =
      [
        ",", ",", ",", "-", "-", "+", ";", "\n", "\n", "\r\n", "\t", "\u{7F}", "\u{01}", "\u{00}", "\u{1F}", " ", "\"",
        "a", "Z", "0", "9", "é", "€",
      ]
      .map { Array($0.utf8) }
    var differences = 0
    var fastPathRecords = 0
    for round in 0..<4000 {
      var bytes: [UInt8] = []
      let length = Int.random(in: 0...(round % 10 == 0 ? 600 : 90), using: &generator)
      while bytes.count < length {
        // Mostly plain characters, so that whole records take the fast path.
        let pick = Int.random(in: 0..<100, using: &generator)
        bytes += pick < 70 ? [UInt8(ascii: "a") + UInt8(pick % 26)] : alphabet.randomElement(using: &generator)!
      }
      let limits =
        round % 3 == 0
        ? ReadLimits(maxFieldBytes: 5, maxFields: 3) : ReadLimits(maxFieldBytes: 1 << 20, maxFields: 100_000)
      for capacity in [64, 1 << 20] {
        for delimiter in [UInt8(ascii: ","), UInt8(ascii: "\t")] {
          let fast = FuzzingEntryPoints.records(
            data: bytes, delimiter: delimiter, plainFastPath: true, limits: limits, capacity: capacity)
          let slow = FuzzingEntryPoints.records(
            data: bytes, delimiter: delimiter, plainFastPath: false, limits: limits, capacity: capacity)
          if fast != slow { differences += 1 }
          fastPathRecords += slow.filter { !$0.hasPrefix("error") }.count
        }
      }
    }
    #expect(differences == 0)
    #expect(fastPathRecords > 5000)
  }
}

extension ReaderTests {
  /// Integers of one to eight digits are read a word at a time: the value of every digit string
  /// the byte-by-byte parser accepts, and nothing for strings with any other byte (each of the 256
  /// in each position), including the neighbours of the digits (`/` and `:`).
  @Test func digitsReadAWordAtATimeMatchTheByteParser() {
    func word(_ text: [UInt8]) -> Int { text.withUnsafeBufferPointer { ValueParser.eightDigits($0) } }
    func byByte(_ text: [UInt8]) -> Int {
      guard (1...8).contains(text.count), text.allSatisfy({ (48...57).contains($0) }) else { return -1 }
      return text.reduce(0) { $0 * 10 + Int($1 - 48) }
    }
    var generator = SplitMix(state: 8)
    var mismatches = 0
    for _ in 0..<200_000 {
      let length = Int.random(in: 0...9, using: &generator)
      var text = (0..<length).map { _ in UInt8(48 + Int.random(in: 0...9, using: &generator)) }
      if !text.isEmpty && Bool.random(using: &generator) {
        text[Int.random(in: 0..<text.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
      }
      if word(text) != byByte(text) { mismatches += 1 }
    }
    for length in 1...8 {
      for position in 0..<length {
        for byte in 0...255 {
          var text = [UInt8](repeating: UInt8(ascii: "7"), count: length)
          text[position] = UInt8(byte)
          if word(text) != byByte(text) { mismatches += 1 }
        }
      }
    }
    #expect(mismatches == 0)
    #expect(word(Array("99999999".utf8)) == 99_999_999)
    #expect(word(Array("00000042".utf8)) == 42)
    #expect(word(Array("123456789".utf8)) == -1)
  }
}

/// Hands out `bytes` in slices whose sizes come from `sizes`.
private struct SlicedSource: ByteSource {
  let bytes: [UInt8]
  var sizes: () -> Int
  var offset = 0

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AirlockError) -> Int {
    let n = min(buffer.count, bytes.count - offset, sizes())
    for i in 0..<n { buffer[i] = bytes[offset + i] }
    offset += n
    return n
  }

  mutating func close() {}
}

extension ReaderTests {
  /// The reader's SSE2 classifier sorts every byte as the portable byte-by-byte definition does (the
  /// one other machines use): each of the 256 byte values in each of the 64 positions, and random
  /// blocks rich in delimiters, line feeds, quotes and control bytes, for each delimiter airlock uses.
  @Test func byteClassifierMatchesItsPortableDefinition() {
    func same(_ block: [UInt8], _ delimiter: UInt8) -> Bool {
      block.withUnsafeBufferPointer { bytes in
        let fast = airlock_classify64(bytes.baseAddress!, delimiter)
        let portable = airlock_classify64_bytewise(bytes.baseAddress!, delimiter)
        return fast.ends == portable.ends && fast.newlines == portable.newlines && fast.others == portable.others
      }
    }
    var mismatches = 0
    var generator = SplitMix(state: 64)
    let interesting: [UInt8] = [0, 9, 10, 13, 31, 32, 34, 44, 59, 124, 126, 127, 128, 191, 255, 97, 48]
    for delimiter in [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")] {
      for position in 0..<64 {
        for byte in 0...255 {
          var block = [UInt8](repeating: UInt8(ascii: "a"), count: 64)
          block[position] = UInt8(byte)
          if !same(block, delimiter) { mismatches += 1 }
        }
      }
      for _ in 0..<2000 {
        let block = (0..<64).map { _ in interesting[Int.random(in: 0..<interesting.count, using: &generator)] }
        if !same(block, delimiter) { mismatches += 1 }
      }
    }
    #expect(mismatches == 0)
    // The portable definition itself: a comma, a line feed, a quote and a high byte.
    var block = [UInt8](repeating: UInt8(ascii: "a"), count: 64)
    block[1] = UInt8(ascii: ",")
    block[2] = 10
    block[3] = 34
    block[63] = 200
    let classes = block.withUnsafeBufferPointer { airlock_classify64_bytewise($0.baseAddress!, UInt8(ascii: ",")) }
    #expect(classes.ends == 0b110 && classes.newlines == 0b100 && classes.others == (1 << 3 | 1 << 63))
  }
}
