import Foundation
import FuzzDriver
@_spi(Fuzzing) import Airlock

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
  if let pack = try? RulePackLoader.load(text: text, file: "fuzz.yaml") { _ = pack.effectiveYAML() }
  return 0
}

runFuzzer(fuzz)
