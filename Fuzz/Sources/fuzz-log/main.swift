import Foundation
import FuzzDriver
@_spi(Fuzzing) import Airlock

/// Log files: entries (one JSON line), checkpoints, tlog-proof receipts and verifier keys.
nonisolated(unsafe) let key: NoteVerifier? = {
  let signing = SigningKey()
  return try? NoteVerifier(name: "fuzz.example/log", publicKey: signing.publicKey)
}()
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Data(bytes: data, count: size)
  for line in bytes.split(separator: 0x0a) { _ = try? LogEntry.parse(Data(line)) }
  guard let text = String(data: bytes, encoding: .utf8) else { return 0 }
  _ = try? Checkpoint(text: text)
  if let key {
    _ = try? Checkpoint.open(text, verifier: key)
    if let receipt = try? InclusionReceipt(text: text) { _ = try? receipt.verify(key) }
  }
  _ = try? NoteVerifier(vkey: text)
  return 0
}

runFuzzer(fuzz)
