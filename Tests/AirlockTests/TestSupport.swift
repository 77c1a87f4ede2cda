import Foundation

@testable import Airlock

/// The package root (the one place tests find it).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The folder holding this test process's temporary folders, removed when the process exits.
let scratchRoot: URL = {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-tests-\(getpid())")
  try? FileManager.default.removeItem(at: url)
  try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  atexit { try? FileManager.default.removeItem(at: scratchRoot) }
  return url
}()

/// A fresh temporary folder for one test (under ``scratchRoot``, so none is left behind).
func temporaryFolder() -> URL {
  let url = scratchRoot.appendingPathComponent(UUID().uuidString)
  try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Writes `text` (or bytes) to `name` in `folder` and returns the path.
@discardableResult
func write(_ text: String, to name: String, in folder: URL) -> String {
  write(Data(text.utf8), to: name, in: folder)
}

@discardableResult
func write(_ data: Data, to name: String, in folder: URL) -> String {
  let url = folder.appendingPathComponent(name)
  try! data.write(to: url)
  return url.path
}

/// gzip-compressed `data`, through the system's gzip.
func gzip(_ data: Data) -> Data {
  let folder = temporaryFolder()
  let input = folder.appendingPathComponent("in")
  try! data.write(to: input)
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", "gzip -c '\(input.path)' > '\(input.path).gz'"]
  try! process.run()
  process.waitUntilExit()
  return try! Data(contentsOf: URL(fileURLWithPath: input.path + ".gz"))
}

/// The default pack with `overrides` applied to rule `name`.
func pack(_ base: String = "default", rule name: String? = nil, _ overrides: [String: ParameterValue] = [:]) -> RulePack
{
  var pack = try! RulePackLoader.load(base)
  if let name {
    var parameters = pack.rules[name]!
    for (key, value) in overrides { parameters.set(key, value) }
    pack.rules[name] = parameters
  }
  return pack
}

/// Checks one file and returns its result.
func checkFile(_ path: String, pack: RulePack = pack()) -> OutputResult {
  Checker(pack: pack).check(paths: [path]).results[0]
}

/// Checks `text` written as `name` in a fresh folder.
func check(_ text: String, name: String = "t.csv", pack: RulePack = pack()) -> OutputResult {
  checkFile(write(text, to: name, in: temporaryFolder()), pack: pack)
}

/// A small deterministic generator, so that failures reproduce.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
