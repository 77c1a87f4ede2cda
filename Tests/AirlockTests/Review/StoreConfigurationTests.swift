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
      at: temporaryFolder().appendingPathComponent("store"), rules: "default",
      projectRules: ["p1=default", "p2=default"])
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
      #expect(throws: AirlockError.self, "\(bad)") {
        try ReviewStore.configuration(at: root, rules: nil, projectRules: [bad])
      }
    }
    #expect(throws: AirlockError.self) {
      try ReviewStore.configuration(at: root, rules: "no-such-pack", projectRules: [])
    }
    #expect(throws: AirlockError.self) {
      try ReviewStore.configuration(at: root, rules: nil, projectRules: ["p1=no-such-pack"])
    }
  }
}

/// `ReviewStore.rulePack(checked:)`: the pack `airlock report` judges a request's stored results by.
@Suite struct CheckedRulePackTests {
  @Test func theStoresPackThenTheBuiltInOfTheSameVersionThenAnError() throws {
    let f = ReviewFixture(rules: "opensafely")
    let id = try f.submit()
    var view = try f.workflow.show(id, key: f.bob)
    let opensafely = try RulePackLoader.load("opensafely")
    #expect(view.rulePack == "opensafely \(opensafely.version)")
    #expect(try f.store.rulePack(checked: view).name == "opensafely")
    // The store now uses another pack: the built-in pack the request was checked with still is.
    try f.store.saveConfig(.init(rules: "default"))
    #expect(try f.store.rulePack(checked: view).name == "opensafely")
    // A version that no longer exists anywhere is refused, not replaced by the current pack.
    view.rulePack = "opensafely 0.0.0-gone"
    #expect(throws: AirlockError.self) { try f.store.rulePack(checked: view) }
  }
}
