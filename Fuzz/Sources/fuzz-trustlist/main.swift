@_spi(Fuzzing) import Airlock
import Foundation
import FuzzDriver

/// Trust lists (allowed signers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  FuzzingEntryPoints.run(.trustlist, Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

runFuzzer(fuzz)
