import Foundation

/// Which files the reader reads as tables: by extension, as the rules and reports must agree.
enum TableFiles {
  /// The table extensions airlock reads (each optionally followed by `.gz`).
  static let extensions: Set<String> = [".csv", ".tsv", ".tab", ".txt"]

  /// Whether airlock reads `path` as a table.
  static func isTable(_ path: String) -> Bool {
    extensions.contains(fileExtension(of: path, droppingGzip: true))
  }

  /// The lowercased extension of `path`'s name with its dot (`.csv`), or `""`.
  static func fileExtension(of path: String, droppingGzip: Bool) -> String {
    var name = (path as NSString).lastPathComponent.lowercased()
    if droppingGzip && name.hasSuffix(".gz") { name = String(name.dropLast(3)) }
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
    return String(name[dot...])
  }
}
