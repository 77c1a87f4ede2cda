import Airlock
import ArgumentParser
import Foundation

extension AirlockCommand {
  struct LogVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Recompute the tree from entries.jsonl and check every checkpoint against it and the one before.",
      discussion: """
        Catches truncation, edited, inserted or reordered lines, a rolled-back checkpoint and unsigned entries. \
        An append a crash interrupted is not a failure when the log's own signed pending record accounts for it; \
        verify says so, and the next change or 'airlock log sync' finishes it. Keep the checkpoint you saw last time and pass it with --previous to catch a log rolled back wholesale. \
        Exit 0 verified, 1 not, 2 unreadable.
        """)
    @OptionGroup var location: LogLocation
    @Option(name: .long, help: "The log key you pinned (a vkey file); it must be the log's.") var vkey: String?
    @Option(name: .long, help: "A checkpoint you saved earlier: the log must extend it.") var previous: String?

    func run() throws {
      let log = try location.open()
      var previousNote: String?
      var pinnedMismatch: NoteVerifier?
      if let vkey {
        let pinned = try NoteVerifier.load(pinned: vkey)
        if pinned != log.verifier { pinnedMismatch = pinned }
      }
      if let previous {
        guard let text = try? String(contentsOfFile: previous, encoding: .utf8) else {
          throw AirlockError(.input, file: previous, "cannot read the previous checkpoint")
        }
        previousNote = text
      }
      if let pinned = pinnedMismatch {
        printError(
          "verification failed: \(log.vkeyPath): the log's key \(log.verifier.vkey) is not the pinned \(pinned.vkey)")
        throw ExitStatus.failed
      }
      let (problems, size) = log.verify(previous: previousNote, previousFile: previous)
      for problem in problems { printError("verification failed: \(problem)") }
      guard problems.isEmpty else { throw ExitStatus.failed }
      if let note = log.interruptedAppendNote() { print("note: \(note)") }
      print("log verified: \(size) entries, \(log.archivedSizes().count) checkpoints, signed by \(log.verifier.vkey)")
    }
  }
}
