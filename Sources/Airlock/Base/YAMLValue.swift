import Foundation
import Yams

/// A YAML node with its file and key path, so that every configuration error can say exactly
/// where it is: `file:line:column: rules.small-cell-count.treshold: unknown parameter`.
struct YAMLValue {
  let node: Node
  let file: String
  let path: String

  /// Parses `text`, refusing anchors and aliases (they let a small file expand without bound) and
  /// explicit complex keys (`? ...`: nested ones take the YAML parser minutes on a 2 KB file, a
  /// fuzzer found; no pack or manifest needs a key that is not plain text).
  static func parse(_ text: String, file: String) throws(AirlockError) -> YAMLValue {
    guard text.utf8.count <= 1 << 20 else {
      throw AirlockError(.configuration, file: file, "file is larger than 1 MiB")
    }
    if let (line, column, token) = firstRefusedToken(in: text) {
      let message =
        token == "?"
        ? "complex mapping keys (`? `) are not allowed; keys are plain text" : "anchors and aliases are not allowed"
      throw AirlockError(.configuration, file: file, line: line, column: column, message)
    }
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw AirlockError(.configuration, file: file, Self.describe(error))
    } catch {
      throw AirlockError(.configuration, file: file, "invalid YAML: \(error)")
    }
    guard let node else { throw AirlockError(.configuration, file: file, line: 1, column: 1, "empty file") }
    let value = YAMLValue(node: node, file: file, path: "")
    try value.refuseAliases()
    return value
  }

  /// The position of the first YAML anchor (`&name`), alias (`*name`) or explicit key indicator
  /// (`? `) outside quotes and comments, with the character found.
  static func firstRefusedToken(in text: String) -> (Int, Int, Character)? {
    var line = 1
    var column = 0
    var quote: Character? = nil
    var previous: Character = "\n"
    var lastSignificant: Character = "\n"
    var inComment = false
    let characters = Array(text)
    for (index, character) in characters.enumerated() {
      column += 1
      if character == "\n" {
        line += 1
        column = 0
        inComment = false
        quote = nil
        previous = character
        lastSignificant = character
        continue
      }
      if inComment { continue }
      if let open = quote {
        if character == open { quote = nil }
      } else if character == "#" && (previous == " " || previous == "\t" || previous == "\n") {
        inComment = true
      } else if character == "\"" || character == "'" {
        if " \t\n:-[,{".contains(lastSignificant) || previous == " " { quote = character }
      } else if character == "&" || character == "*" {
        let next = index + 1 < characters.count ? characters[index + 1] : " "
        if ":-[,{?\n".contains(lastSignificant), next.isLetter || next.isNumber || next == "_" {
          return (line, column, character)
        }
      } else if character == "?" {
        let next = index + 1 < characters.count ? characters[index + 1] : "\n"
        if ":-[,{?\n".contains(lastSignificant), next == " " || next == "\t" || next == "\n" || next == "\r" {
          return (line, column, character)
        }
      }
      previous = character
      if character != " " && character != "\t" { lastSignificant = character }
    }
    return nil
  }

  private static func describe(_ error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
      return "\(mark.line):\(mark.column): invalid YAML: \(problem)"
    default:
      return "invalid YAML: \(error)"
    }
  }

  private func refuseAliases() throws(AirlockError) {
    // Yams resolves aliases into shared copies; an anchor is never needed in a pack or manifest.
    switch node {
    case .alias:
      throw error("anchors and aliases are not allowed")
    case .mapping(let mapping):
      if mapping.anchor != nil { throw error("anchors and aliases are not allowed") }
      for (key, value) in mapping {
        try YAMLValue(node: key, file: file, path: path).refuseAliases()
        try YAMLValue(node: value, file: file, path: path).refuseAliases()
      }
    case .sequence(let sequence):
      if sequence.anchor != nil { throw error("anchors and aliases are not allowed") }
      for item in sequence { try YAMLValue(node: item, file: file, path: path).refuseAliases() }
    case .scalar(let scalar):
      if scalar.anchor != nil { throw error("anchors and aliases are not allowed") }
    }
  }

  /// A configuration error at this node.
  func error(_ message: String) -> AirlockError {
    let mark = node.mark
    let prefix = path.isEmpty ? "" : "\(path): "
    return AirlockError(
      .configuration, file: file, line: mark.map { $0.line }, column: mark.map { $0.column }, prefix + message)
  }

  private func child(_ node: Node, _ key: String) -> YAMLValue {
    YAMLValue(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
  }

  /// The entries of a mapping, in order, refusing keys outside `allowed` (when given).
  func mapping(allowed: [String]? = nil) throws(AirlockError) -> [(key: String, value: YAMLValue)] {
    try keyedMapping(allowed: allowed).map { ($0.key, $0.value) }
  }

  /// ``mapping(allowed:)`` with each key's own node, for errors that point at the key.
  func keyedMapping(allowed: [String]? = nil) throws(AirlockError) -> [(
    key: String, keyNode: YAMLValue, value: YAMLValue
  )] {
    guard case .mapping(let mapping) = node else { throw error("expected a mapping") }
    var result: [(String, YAMLValue, YAMLValue)] = []
    var seen = Set<String>()
    for (keyNode, valueNode) in mapping {
      guard let key = keyNode.string else { throw child(keyNode, "?").error("keys must be strings") }
      let value = child(valueNode, key)
      if let allowed, !allowed.contains(key) {
        throw YAMLValue(node: keyNode, file: file, path: value.path)
          .error("unknown key (expected one of: \(allowed.joined(separator: ", ")))")
      }
      guard seen.insert(key).inserted else { throw value.error("duplicate key") }
      result.append((key, YAMLValue(node: keyNode, file: file, path: value.path), value))
    }
    return result
  }

  /// The items of a sequence.
  func sequence() throws(AirlockError) -> [YAMLValue] {
    guard case .sequence(let sequence) = node else { throw error("expected a list") }
    return sequence.enumerated().map { child($0.element, "[\($0.offset)]") }
  }

  /// A plain string scalar.
  func string() throws(AirlockError) -> String {
    guard case .scalar(let scalar) = node else { throw error("expected a string") }
    return scalar.string
  }

  /// An integer scalar.
  func int() throws(AirlockError) -> Int {
    guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { throw error("expected an integer") }
    return value
  }

  /// A number scalar.
  func double() throws(AirlockError) -> Double {
    guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
      throw error("expected a number")
    }
    return value
  }

  /// A boolean scalar (`true` or `false`).
  func bool() throws(AirlockError) -> Bool {
    guard case .scalar(let scalar) = node else { throw error("expected true or false") }
    switch scalar.string {
    case "true", "True", "TRUE", "yes": return true
    case "false", "False", "FALSE", "no": return false
    default: throw error("expected true or false")
    }
  }

  /// A list of strings.
  func strings() throws(AirlockError) -> [String] {
    try sequence().map { (item) throws(AirlockError) in try item.string() }
  }
}
