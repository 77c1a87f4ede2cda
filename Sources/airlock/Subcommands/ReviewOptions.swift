import Airlock
import ArgumentParser
import Foundation

/// Options shared by the review-workflow commands: which store, and whose key.
struct ReviewOptions: ParsableArguments {
  @Option(name: .long, help: "The review store folder (default: $AIRLOCK_STORE or ./.airlock).")
  var store: String?

  @Option(name: .long, help: "Your private key (PEM, mode 0600) (default: $AIRLOCK_KEY).")
  var key: String?

  var storeURL: URL { store.map { URL(fileURLWithPath: $0) } ?? ReviewStore.defaultRoot() }

  func openWorkflow() throws -> ReviewWorkflow {
    do { return ReviewWorkflow(store: try ReviewStore.open(at: storeURL)) } catch { throw fail(error) }
  }

  func signingKey() throws -> SigningKey {
    guard let path = key ?? ProcessInfo.processInfo.environment["AIRLOCK_KEY"], !path.isEmpty else {
      throw fail(AirlockError(.usage, "this command acts for a person: give --key PATH (or set AIRLOCK_KEY)"))
    }
    do { return try KeyFile.loadPrivateKey(path) } catch { throw fail(error) }
  }

  /// Runs one signed workflow step: opens the store, loads the person's key, and turns any error
  /// into its message and exit code.
  func act(_ step: (ReviewWorkflow, SigningKey) throws(AirlockError) -> Void) throws {
    let workflow = try openWorkflow()
    let key = try signingKey()
    do { try step(workflow, key) } catch { throw fail(error) }
  }
}

/// Prints a Codable value as sorted, pretty JSON.
func printJSON<T: Encodable>(_ value: T) {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  print(String(decoding: try! encoder.encode(value), as: UTF8.self))
}

/// "3h", "2d": how long ago an ISO time was.
func age(_ iso: String) -> String {
  guard let date = ISOTime.parse(iso) else { return "?" }
  let seconds = max(0, Int(Date().timeIntervalSince(date)))
  if seconds < 3600 { return "\(seconds / 60)m" }
  if seconds < 86400 { return "\(seconds / 3600)h" }
  return "\(seconds / 86400)d"
}
