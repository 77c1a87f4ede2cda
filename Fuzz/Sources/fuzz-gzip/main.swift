import Foundation
import FuzzDriver
@_spi(Fuzzing) import Airlock

nonisolated(unsafe) let pack = try! RulePackLoader.load("default")
nonisolated(unsafe) let rules = pack.enabledRules()
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let limits = ReadLimits(maxFieldBytes: 4096, maxFields: 512, maxDecompressedBytes: 1 << 16)
  _ = FuzzingEntryPoints.check(data: bytes, name: "t.csv.gz", pack: pack, rules: rules, limits: limits)
  return 0
}

runFuzzer(fuzz)
