@_spi(Fuzzing) import Airlock
import Foundation
import FuzzDriver

/// Log files: entries (one JSON line), checkpoints, tlog-proof receipts and verifier keys, and
/// checkpoint files planted in a log on disk.
nonisolated(unsafe) let key: NoteVerifier? = {
  let signing = SigningKey()
  return try? NoteVerifier(name: "fuzz.example/log", publicKey: signing.publicKey)
}()
/// A small log on disk (entries 0-5, every checkpoint archived), among whose checkpoint files
/// inputs are planted (issue 19 §6: a planted checkpoint made `log verify` trap).
nonisolated(unsafe) let planted: (log: TransparencyLog, pristine: [String: Data])? = {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-fuzz-log-\(getpid())")
  try? FileManager.default.removeItem(at: folder)
  let signing = SigningKey()
  guard let log = try? TransparencyLog.create(at: folder, origin: "fuzz.example/log", key: signing) else { return nil }
  for n in 0..<6 {
    guard
      (try? log.append(key: signing, { existing in [Data(#"{"index":\#(existing.count),"n":\#(n)}"#.utf8)] })) != nil
    else {
      return nil
    }
  }
  var pristine: [String: Data] = [:]
  for size in log.archivedSizes() {
    pristine["\(log.checkpointsFolder)/\(size)"] = FileManager.default.contents(
      atPath: "\(log.checkpointsFolder)/\(size)")
  }
  pristine[log.checkpointPath] = FileManager.default.contents(atPath: log.checkpointPath)
  return (log, pristine)
}()

/// For an input starting with 0 or 1 (the rest run at full speed: planting costs file writes and
/// a whole `verify`): plants the input's tail as a checkpoint file (with 0: one of the log's own
/// signed checkpoints under another size), verifies the log, and restores it.
func plantCheckpoint(_ bytes: Data) {
  guard let (log, pristine) = planted, bytes.count >= 2, bytes[bytes.startIndex] <= 1 else { return }
  let target =
    bytes[bytes.startIndex + 1] % 13 == 12
    ? log.checkpointPath : "\(log.checkpointsFolder)/\(bytes[bytes.startIndex + 1] % 13)"
  let content: Data
  if bytes[bytes.startIndex] == 0, bytes.count >= 3 {
    content = pristine["\(log.checkpointsFolder)/\(bytes[bytes.startIndex + 2] % 7)"] ?? Data()
  } else {
    content = bytes.dropFirst(2)
  }
  try? content.write(to: URL(fileURLWithPath: target))
  _ = log.verify()
  if let original = pristine[target] { try? original.write(to: URL(fileURLWithPath: target)) } else { unlink(target) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Data(bytes: data, count: size)
  plantCheckpoint(bytes)
  FuzzingEntryPoints.run(.log, Array(bytes))
  guard let text = String(data: bytes, encoding: .utf8) else { return 0 }
  if let key {
    _ = try? Checkpoint.open(text, verifier: key)
    if let receipt = try? InclusionReceipt(text: text) { _ = try? receipt.verify(key) }
  }
  return 0
}

runFuzzer(fuzz)
