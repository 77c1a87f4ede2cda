@_spi(Fuzzing) import Airlock
import Foundation
import FuzzDriver

/// The CSV/TSV reader and every rule behind it: the first byte picks the name (delimiter by extension).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  FuzzingEntryPoints.run(.reader, Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

runFuzzer(fuzz)
