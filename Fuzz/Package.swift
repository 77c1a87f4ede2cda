// swift-tools-version:6.0
// libFuzzer targets for airlock (issue 8). Built apart from the main package, with the fuzzer and
// address sanitizers: see Scripts/fuzz.sh.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name (the clone may not be called "airlock").
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()
let targets = ["reader", "gzip", "rulepack", "manifest", "evidence", "dsse", "trustlist", "log"]

let package = Package(
  name: "airlock-fuzz",
  platforms: [.macOS(.v13)],
  dependencies: [.package(path: "..")],
  targets: [.target(name: "FuzzDriver", path: "Sources/FuzzDriver")]
    + targets.map { name in
      .executableTarget(
        name: "fuzz-\(name)",
        dependencies: ["FuzzDriver", .product(name: "Airlock", package: parent)],
        path: "Sources/fuzz-\(name)")
    }
)
