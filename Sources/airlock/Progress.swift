import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A one-line progress display on standard error for long runs: shown only when standard error is
/// a terminal, not under CI (`CI` set) and not with `--quiet`; it appears once a run has taken
/// half a second, redraws at most ten times a second and is erased when the run ends.
final class ProgressLine {
  private let enabled: Bool
  private let start = Date()
  private var lastDraw = Date.distantPast
  private var drawn = false

  /// Whether progress may be shown in this environment.
  static var wanted: Bool {
    isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"].map(\.isEmpty) ?? true
      && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  }

  init(quiet: Bool) { enabled = !quiet && Self.wanted }

  /// Shows "checking i/n: file".
  func update(_ index: Int, _ total: Int, _ item: String) {
    guard enabled else { return }
    let now = Date()
    guard now.timeIntervalSince(start) > 0.5, now.timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = now
    var name = item
    if name.count > 60 { name = "…" + name.suffix(59) }
    FileHandle.standardError.write(Data("\r\u{1B}[Kchecking \(index + 1)/\(total): \(name)".utf8))
    drawn = true
  }

  /// Erases the line.
  func finish() {
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    drawn = false
  }
}
