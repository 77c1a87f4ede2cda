import Foundation
import FuzzDriver
@_spi(Fuzzing) import Airlock

/// The CSV/TSV reader and every rule behind it: the first byte picks the name (delimiter by extension).
nonisolated(unsafe) let pack = try! RulePackLoader.load("default")
nonisolated(unsafe) let rules = pack.enabledRules()
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let name = ["t.csv", "t.tsv", "t.txt", "t.tab"][Int(bytes.first ?? 0) % 4]
  let limits = ReadLimits(maxFieldBytes: 4096, maxFields: 512, maxDecompressedBytes: 1 << 20)
  // The 64-bytes-at-a-time path for plain records must read exactly what the byte-by-byte one
  // reads, through a small buffer too (records cut at every point). The large buffer holds the whole
  // input and one byte more, as a megabyte would (and costs the sanitizer far less to allocate).
  for capacity in [64, bytes.count + 1] {
    let fast = FuzzingEntryPoints.records(data: bytes, delimiter: UInt8(ascii: ","), plainFastPath: true, limits: limits, capacity: capacity)
    let slow = FuzzingEntryPoints.records(data: bytes, delimiter: UInt8(ascii: ","), plainFastPath: false, limits: limits, capacity: capacity)
    precondition(fast == slow, "the plain-record fast path disagrees with the byte reader")
  }
  _ = FuzzingEntryPoints.check(data: Array(bytes.dropFirst()), name: name, pack: pack, rules: rules, limits: limits)
  return 0
}

runFuzzer(fuzz)
