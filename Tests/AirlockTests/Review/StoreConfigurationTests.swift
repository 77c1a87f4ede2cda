import Foundation
import Testing

@testable import Airlock

/// `ReviewStore.configuration(at:rules:projectRules:)`: the configuration `airlock init` writes
/// (moved out of the CLI, issue 20).
@Suite struct StoreConfigurationTests {
  @Test func nothingGivenLeavesTheConfigurationAlone() throws {
    #expect(try ReviewStore.configuration(at: temporaryFolder(), rules: nil, projectRules: []) == nil)
  }

  @Test func aNewStoreGetsThePacksGiven() throws {
    let config = try ReviewStore.configuration(
      at: temporaryFolder().appendingPathComponent("store"), rules: "default", projectRules: ["p1=default", "p2=default"])
    #expect(config == ReviewStore.Config(rules: "default", projects: ["p1": "default", "p2": "default"]))
  }

  @Test func anExistingStoreKeepsWhatIsNotGiven() throws {
    let root = temporaryFolder().appendingPathComponent("store")
    _ = try ReviewStore.create(at: root, config: ReviewStore.Config(rules: "default", projects: ["p1": "default"]))
    let config = try ReviewStore.configuration(at: root, rules: nil, projectRules: ["p2=default"])
    #expect(config?.projects == ["p1": "default", "p2": "default"])
  }

  @Test func badEntriesAndPacksThatDoNotLoadAreRefused() {
    let root = temporaryFolder().appendingPathComponent("store")
    for bad in ["p1", "=default", ""] {
      #expect(throws: AirlockError.self, "\(bad)") { try ReviewStore.configuration(at: root, rules: nil, projectRules: [bad]) }
    }
    #expect(throws: AirlockError.self) { try ReviewStore.configuration(at: root, rules: "no-such-pack", projectRules: []) }
    #expect(throws: AirlockError.self) { try ReviewStore.configuration(at: root, rules: nil, projectRules: ["p1=no-such-pack"]) }
  }
}
