import Foundation
import FuzzDriver
@_spi(Fuzzing) import Airlock

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  _ = try? FuzzingEntryPoints.evidence(bytes, dimensions: ["region", "sex"])
  return 0
}

runFuzzer(fuzz)
