// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "airlock",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "airlock", targets: ["airlock"]),
    .library(name: "Airlock", targets: ["Airlock"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .systemLibrary(
      name: "CClp",
      pkgConfig: "clp",
      providers: [.apt(["coinor-libclp-dev"])]
    ),
    // ReadStat: Stata, SPSS and SAS microdata for `airlock tabulate` (Debian ships no .pc file).
    .systemLibrary(
      name: "CReadStat",
      providers: [.apt(["libreadstat-dev"])]
    ),
    // SSE2 byte classification for the reader's fast path (a header-only inline function).
    .target(name: "CByteClasses"),
    .target(
      name: "Airlock",
      dependencies: [
        "CByteClasses",
        "CZlib",
        "CClp",
        "CReadStat",
        .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      // Dynamic exclusivity checks cost about 15% of `airlock check`'s time on the reader's hot loop
      // (measured with perf on the 1 GB benchmark); release builds rely on the static checks.
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
    ),
    .executableTarget(
      name: "airlock",
      dependencies: ["Airlock", .product(name: "ArgumentParser", package: "swift-argument-parser")]
    ),
    .executableTarget(
      name: "airlock-bench",
      dependencies: ["Airlock"]
    ),
    .executableTarget(
      name: "airlock-bench-differencing",
      dependencies: ["Airlock"]
    ),
    .testTarget(
      name: "AirlockTests",
      dependencies: ["Airlock", "CByteClasses"]
    ),
    .testTarget(
      name: "AirlockCLITests",
      dependencies: ["airlock"]
    ),
  ]
)
