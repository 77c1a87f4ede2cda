import Foundation
import FuzzDriver
@_spi(Fuzzing) import Airlock

/// Sidecar and folder manifests.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  FuzzingEntryPoints.run(.manifest, Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

runFuzzer(fuzz)
