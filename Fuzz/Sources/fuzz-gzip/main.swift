@_spi(Fuzzing) import Airlock
import Foundation
import FuzzDriver

/// Gzip-compressed outputs through the reader and the rules.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  FuzzingEntryPoints.run(.gzip, Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

runFuzzer(fuzz)
