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
      v.wholeMatch(of: /[A-Za-z][A-Za-z0-9_.\/-]*/) != nil && !["true", "false", "yes", "no", "null"].contains(v.lowercased())
        ? v : "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    case .strings(let v): "[" + v.map { ParameterValue.string($0).description }.joined(separator: ", ") + "]"
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
  static let enabled = ParameterSpec("enabled", .boolean, default: .boolean(true), "whether the rule runs")
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

  public func integer(_ name: String) -> Int {
    if case .integer(let v) = values[name] { return v }
    preconditionFailure("parameter '\(name)' is not a declared integer")
  }

  public func number(_ name: String) -> Double {
    switch values[name] {
    case .number(let v): return v
    case .integer(let v): return Double(v)
    default: preconditionFailure("parameter '\(name)' is not a declared number")
    }
  }

  public func boolean(_ name: String) -> Bool {
    if case .boolean(let v) = values[name] { return v }
    preconditionFailure("parameter '\(name)' is not a declared boolean")
  }

  public func string(_ name: String) -> String {
    if case .string(let v) = values[name] { return v }
    preconditionFailure("parameter '\(name)' is not a declared string")
  }

  public func strings(_ name: String) -> [String] {
    if case .strings(let v) = values[name] { return v }
    preconditionFailure("parameter '\(name)' is not a declared list")
  }

  public var isEnabled: Bool { boolean("enabled") }
}
