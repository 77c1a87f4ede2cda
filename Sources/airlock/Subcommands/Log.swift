import Airlock
import ArgumentParser
import Foundation

/// Where the decision log is: a store's, or a published copy.
struct LogLocation: ParsableArguments {
  @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock); its log is STORE/log.")
  var store: String?

  @Option(name: .long, help: "A decision log folder (e.g. a published copy), instead of the store's.")
  var log: String?

  var folder: URL {
    if let log { return URL(fileURLWithPath: log) }
    return (store.map { URL(fileURLWithPath: $0) } ?? ReviewStore.defaultRoot()).appendingPathComponent("log")
  }

  func open() throws -> TransparencyLog {
    do { return try TransparencyLog.open(at: folder) } catch { throw fail(error) }
  }
}

/// A default log origin: the host's name, as a schema-less URL.
func defaultLogOrigin() -> String {
  let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || "-.".contains($0) }
  return "\(host.isEmpty ? "localhost" : host)/airlock/log"
}

extension AirlockCommand {
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The tamper-evident decision log: an RFC 6962 Merkle tree with signed C2SP checkpoints.",
      discussion: "See docs/transparency-log.md. Verification failures exit 1; usage and input errors exit 2.",
      subcommands: [LogInit.self, LogVerify.self, LogProve.self, LogConsistency.self, LogReceipt.self, LogSync.self])
  }

  struct LogInit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Create the store's decision log and its key (kept apart from reviewers' keys), and log past events.")
    @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock).") var store: String?
    @Option(name: .long, help: "The log's origin (a schema-less URL naming this log; also the key's name).")
    var origin: String?
    @Option(name: .long, help: "The log's private key (PEM, 0600); created when missing (default: STORE/log.key).")
    var key: String?

    func run() throws {
      do throws(AirlockError) {
        let opened = try ReviewStore.open(at: store.map { URL(fileURLWithPath: $0) } ?? ReviewStore.defaultRoot())
        let log = try opened.enableLog(origin: origin ?? defaultLogOrigin(), keyPath: key)
        print("decision log ready at \(log.folder.path)")
        print("log key (pin this): \(log.verifier.vkey)")
      } catch { throw fail(error) }
    }
  }

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
      do throws(AirlockError) {
        if let vkey {
          guard let text = try? String(contentsOfFile: vkey, encoding: .utf8) else {
            throw AirlockError(.input, file: vkey, "cannot read the pinned log key")
          }
          let pinned = try NoteVerifier(vkey: text, file: vkey)
          if pinned != log.verifier { pinnedMismatch = pinned }
        }
        if let previous {
          guard let text = try? String(contentsOfFile: previous, encoding: .utf8) else {
            throw AirlockError(.input, file: previous, "cannot read the previous checkpoint")
          }
          previousNote = text
        }
      } catch { throw fail(error) }
      if let pinned = pinnedMismatch {
        printError("verification failed: \(log.vkeyPath): the log's key \(log.verifier.vkey) is not the pinned \(pinned.vkey)")
        throw ExitCode(1)
      }
      let (problems, size) = log.verify(previous: previousNote, previousFile: previous)
      for problem in problems { printError("verification failed: \(problem)") }
      guard problems.isEmpty else { throw ExitCode(1) }
      if let note = log.interruptedAppendNote() { print("note: \(note)") }
      print("log verified: \(size) entries, \(log.archivedSizes().count) checkpoints, signed by \(log.verifier.vkey)")
    }
  }

  struct LogProve: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "prove",
      abstract: "Print a C2SP tlog-proof that entry N (0-based) is in the log's latest checkpoint.")
    @OptionGroup var location: LogLocation
    @Argument(help: "The entry's index (0-based).") var index: Int

    func run() throws {
      let log = try location.open()
      do { print(try log.receipt(for: index).text, terminator: "") } catch { throw fail(error) }
    }
  }

  struct LogConsistency: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "consistency",
      abstract: "Print the RFC 6962 consistency proof from the tree of OLD entries to the tree of NEW entries.",
      discussion: """
        Output: 'old SIZE ROOT', 'new SIZE ROOT' (base64 roots), then the proof hashes in base64, one per line. \
        Check the roots against the signed checkpoints checkpoints/OLD and checkpoints/NEW.
        """)
    @OptionGroup var location: LogLocation
    @Argument(help: "The older tree size.") var old: Int
    @Argument(help: "The newer tree size (default: the latest checkpoint's).") var new: Int?

    func run() throws {
      let log = try location.open()
      do throws(AirlockError) {
        let (old, new, proof) = try log.consistencyProof(from: old, to: new)
        print("old \(old.size) \(old.root.base64EncodedString())")
        print("new \(new.size) \(new.root.base64EncodedString())")
        for hash in proof { print(hash.base64EncodedString()) }
      } catch { throw fail(error) }
    }
  }

  struct LogReceipt: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "receipt",
      abstract: "Print the tlog-proof receipt of an approved request's review record.")
    @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock).") var store: String?
    @Argument(help: "The request id.") var request: String

    func run() throws {
      do throws(AirlockError) {
        let opened = try ReviewStore.open(at: store.map { URL(fileURLWithPath: $0) } ?? ReviewStore.defaultRoot())
        print(try ReviewWorkflow(store: opened).logReceipt(request).text, terminator: "")
      } catch { throw fail(error) }
    }
  }

  struct LogSync: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sync",
      abstract: "Append every store event the log lacks (after a crash between a store commit and its log append).",
      discussion: """
        Finishes an append a crash interrupted first. Entries that no checkpoint signs and no interrupted append \
        accounts for (added by hand, or left by an older airlock's crash) are refused unless \
        --adopt-unsigned: check them first.
        """)
    @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock).") var store: String?
    @Flag(name: .long, help: "Sign entries after the latest checkpoint that nothing signs, as they are.")
    var adoptUnsigned = false

    func run() throws {
      do throws(AirlockError) {
        let opened = try ReviewStore.open(at: store.map { URL(fileURLWithPath: $0) } ?? ReviewStore.defaultRoot())
        guard let checkpoint = try opened.syncLog(adoptUnsigned: adoptUnsigned) else {
          throw AirlockError(.usage, file: opened.root.path, "this store keeps no decision log (run 'airlock log init')")
        }
        print("log holds \(checkpoint.size) entries")
      } catch { throw fail(error) }
    }
  }
}
