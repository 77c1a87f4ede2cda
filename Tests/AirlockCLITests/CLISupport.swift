import Foundation

/// The output of one run of the `airlock` binary.
struct Run {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// The package root (the one place tests find it).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The folder holding this test process's temporary folders, removed when the process exits.
let scratchRoot: URL = {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-cli-tests-\(getpid())")
  try? FileManager.default.removeItem(at: url)
  try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  atexit { try? FileManager.default.removeItem(at: scratchRoot) }
  return url
}()

/// The `airlock` binary built beside the test bundle.
let airlockBinary: URL = {
  let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
    "airlock")
  if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
  return packageRoot.appendingPathComponent(".build/debug/airlock")
}()

/// Runs `airlock` with `arguments` in `directory` (the package root by default).
func airlock(_ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:]) throws -> Run
{
  let process = Process()
  process.executableURL = airlockBinary
  process.arguments = arguments
  process.currentDirectoryURL = directory
  var env = ProcessInfo.processInfo.environment
  env["NO_COLOR"] = "1"
  for (key, value) in environment { env[key] = value }
  process.environment = env
  // Both streams go to files, so that a large report can never block the child on a full pipe.
  let scratch = scratchRoot.appendingPathComponent("run-\(UUID().uuidString)")
  FileManager.default.createFile(atPath: scratch.path + ".out", contents: nil)
  FileManager.default.createFile(atPath: scratch.path + ".err", contents: nil)
  let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".out"))
  let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".err"))
  process.standardOutput = out
  process.standardError = err
  process.standardInput = FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  try out.close()
  try err.close()
  defer {
    unlink(scratch.path + ".out")
    unlink(scratch.path + ".err")
  }
  let stdout = try String(contentsOfFile: scratch.path + ".out", encoding: .utf8)
  let stderr = try String(contentsOfFile: scratch.path + ".err", encoding: .utf8)
  return Run(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

/// A fresh temporary folder holding `files`.
func folder(_ files: [String: String]) -> URL {
  let url = scratchRoot.appendingPathComponent(UUID().uuidString)
  try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  for (name, text) in files { try! Data(text.utf8).write(to: url.appendingPathComponent(name)) }
  return url
}
