import Foundation

/// A typed value of a rule parameter.
public enum ParameterValue: Sendable, Equatable, CustomStringConvertible, Codable {
  case integer(Int)
  case number(Double)
  case boolean(Bool)
  case string(String)
  case strings([String])

  public var description: String {
    switch self {
    case .integer(let v): String(v)
    case .number(let v): v == v.rounded() && abs(v) < 1e15 ? String(format: "%.1f", v) : String(v)
    case .boolean(let v): String(v)
    case .string(let v):
      Self.isPlainWord(v) && !["true", "false", "yes", "no", "null"].contains(v.lowercased())
        ? v : "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    case .strings(let v): "[" + v.map { ParameterValue.string($0).description }.joined(separator: ", ") + "]"
    }
  }

  /// Whether `text` can be written in YAML without quotes: an ASCII letter, then letters, digits,
  /// `_`, `.`, `/` or `-`. (Checked by hand: a regex built per value cost a short command, such as
  /// a pack's digest in `tabulate`, a fifth of its time.)
  static func isPlainWord(_ text: String) -> Bool {
    func letter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 97 < 26 }
    guard let first = text.utf8.first, letter(first) else { return false }
    return text.utf8.allSatisfy {
      letter($0) || $0 &- 48 < 10 || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/")
        || $0 == UInt8(ascii: "-")
    }
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let v = try? container.decode(Bool.self) {
      self = .boolean(v)
    } else if let v = try? container.decode(Int.self) {
      self = .integer(v)
    } else if let v = try? container.decode(Double.self) {
      self = .number(v)
    } else if let v = try? container.decode(String.self) {
      self = .string(v)
    } else {
      self = .strings(try container.decode([String].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .integer(let v): try container.encode(v)
    case .number(let v): try container.encode(v)
    case .boolean(let v): try container.encode(v)
    case .string(let v): try container.encode(v)
    case .strings(let v): try container.encode(v)
    }
  }
}

/// The declaration of one rule parameter: its name, type, default and meaning.
public struct ParameterSpec: Sendable {
  /// The kinds of value a parameter takes.
  public enum Kind: String, Sendable {
    case integer, number, boolean, string, strings
  }

  public var name: String
  public var kind: Kind
  public var defaultValue: ParameterValue
  public var summary: String
  /// The allowed values of a `string` parameter, if restricted.
  public var choices: [String]?
  /// The allowed range of a numeric parameter.
  public var range: ClosedRange<Double>?
  /// A pattern every string (or every item of a list) must match, described for error messages.
  public var pattern: (regex: String, description: String)?

  public init(
    _ name: String, _ kind: Kind, default defaultValue: ParameterValue, _ summary: String,
    choices: [String]? = nil, range: ClosedRange<Double>? = nil, pattern: (regex: String, description: String)? = nil
  ) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.summary = summary
    self.choices = choices
    self.range = range
    self.pattern = pattern
  }

  /// The `enabled` switch every rule has.
  static var enabled: ParameterSpec { RuleParameter<Bool>.enabled.spec }
}

/// The effective parameters of a rule: every declared parameter has a value.
public struct RuleParameters: Sendable, Equatable {
  public private(set) var values: [String: ParameterValue]

  public init(_ values: [String: ParameterValue]) { self.values = values }

  /// The defaults of `specs`.
  public init(defaults specs: [ParameterSpec]) {
    values = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0.defaultValue) })
    values["enabled"] = .boolean(true)
  }

  mutating func set(_ name: String, _ value: ParameterValue) { values[name] = value }

  /// The value of `parameter`: typed by its declaration, so a read cannot ask for the wrong type.
  /// A parameter the rule does not declare reads as its default.
  public subscript<Value>(_ parameter: RuleParameter<Value>) -> Value {
    values[parameter.name].flatMap(Value.init(parameterValue:)) ?? parameter.defaultValue
  }

  public var isEnabled: Bool { self[RuleParameter.enabled] }
}

/// The types a rule parameter may have, each with its kind in a pack.
public protocol ParameterValueType: Sendable {
  static var kind: ParameterSpec.Kind { get }
  var parameterValue: ParameterValue { get }
  init?(parameterValue: ParameterValue)
}

extension Int: ParameterValueType {
  public static var kind: ParameterSpec.Kind { .integer }
  public var parameterValue: ParameterValue { .integer(self) }
  public init?(parameterValue: ParameterValue) {
    guard case .integer(let v) = parameterValue else { return nil }
    self = v
  }
}

extension Double: ParameterValueType {
  public static var kind: ParameterSpec.Kind { .number }
  public var parameterValue: ParameterValue { .number(self) }
  public init?(parameterValue: ParameterValue) {
    switch parameterValue {
    case .number(let v): self = v
    case .integer(let v): self = Double(v)
    default: return nil
    }
  }
}

extension Bool: ParameterValueType {
  public static var kind: ParameterSpec.Kind { .boolean }
  public var parameterValue: ParameterValue { .boolean(self) }
  public init?(parameterValue: ParameterValue) {
    guard case .boolean(let v) = parameterValue else { return nil }
    self = v
  }
}

extension String: ParameterValueType {
  public static var kind: ParameterSpec.Kind { .string }
  public var parameterValue: ParameterValue { .string(self) }
  public init?(parameterValue: ParameterValue) {
    guard case .string(let v) = parameterValue else { return nil }
    self = v
  }
}

extension Array: ParameterValueType where Element == String {
  public static var kind: ParameterSpec.Kind { .strings }
  public var parameterValue: ParameterValue { .strings(self) }
  public init?(parameterValue: ParameterValue) {
    guard case .strings(let v) = parameterValue else { return nil }
    self = v
  }
}

/// A rule parameter, declared once: its spec (docs, pack validation, `rules show`) comes from here,
/// and the rule reads its value with it (`parameters[Self.threshold]`), typed, by no string.
public struct RuleParameter<Value: ParameterValueType>: Sendable {
  /// The declaration: name, kind, default, meaning and limits.
  public let spec: ParameterSpec
  /// The value when a pack does not set one.
  public let defaultValue: Value

  public init(
    _ name: String, default defaultValue: Value, _ summary: String, choices: [String]? = nil,
    range: ClosedRange<Double>? = nil, pattern: (regex: String, description: String)? = nil
  ) {
    self.defaultValue = defaultValue
    spec = ParameterSpec(
      name, Value.kind, default: defaultValue.parameterValue, summary, choices: choices, range: range, pattern: pattern)
  }

  /// The parameter's name in a pack.
  public var name: String { spec.name }
}

extension RuleParameter where Value == Bool {
  /// The `enabled` switch every rule has.
  static let enabled = RuleParameter("enabled", default: true, "whether the rule runs")
}
