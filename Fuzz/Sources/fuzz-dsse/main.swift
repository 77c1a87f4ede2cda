import Foundation
import FuzzDriver
@_spi(Fuzzing) import Airlock

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  _ = try? Envelope.parse(Data(bytes: data, count: size), file: "fuzz.json")
  return 0
}

runFuzzer(fuzz)
