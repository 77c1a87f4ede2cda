@_spi(Fuzzing) import Airlock
import Foundation
import FuzzDriver

/// Sidecar and folder manifests.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  FuzzingEntryPoints.run(.manifest, Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

runFuzzer(fuzz)
