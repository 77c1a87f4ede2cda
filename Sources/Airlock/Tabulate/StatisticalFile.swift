import CReadStat
import Foundation

/// Stata (`.dta`), SPSS (`.sav`, `.zsav`, `.por`) and SAS (`.sas7bdat`, `.xpt`) microdata, read
/// through ReadStat and handed to the tabulators as the CSV they would read: one header row of
/// variable names, one row per observation. In the columns named in `labelled` (the dimensions), a
/// value with a value label becomes its label (`1` → `Female`); system and user-defined missing
/// values become empty fields (missing).
enum StatisticalFile {
  /// The file name suffixes read through ReadStat.
  static let suffixes = [".dta", ".sav", ".zsav", ".por", ".sas7bdat", ".xpt"]

  /// Whether `path` is read through ReadStat.
  static func handles(_ path: String) -> Bool {
    let lower = path.lowercased()
    return suffixes.contains { lower.hasSuffix($0) }
  }

  /// A value as read, before labels are applied.
  enum Value {
    case missing
    case number(Double)
    case text(String)
  }

  /// What the callbacks collect (labels come after the data in a `.dta` file, so they are applied
  /// once everything is read).
  final class Collector {
    var names: [String] = []
    var labelSets: [String?] = []
    var rows: [[Value]] = []
    var labels: [String: [String: String]] = [:]
    var problem: String?
  }

  /// The key of a labelled value in its label set.
  static func key(_ value: Value) -> String? {
    switch value {
    case .missing: nil
    case .number(let x): "n:\(x)"
    case .text(let s): "s:\(s)"
    }
  }

  /// A number as the CSV reader reads it: whole numbers without a decimal point.
  static func format(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 9.0e15 { return String(Int64(x)) }
    return "\(x)"
  }

  /// Reads `path` and returns it as CSV bytes.
  static func csv(path: String, labelled: Set<String>) throws(AirlockError) -> [UInt8] {
    // A regular file only (no FIFO to hang on, no symbolic link), as the CSV reader requires.
    var file = try FileSource(path: path)
    file.close()
    guard let parser = readstat_parser_init() else { throw AirlockError(.input, file: path, "cannot start ReadStat") }
    defer { readstat_parser_free(parser) }
    let collector = Collector()
    readstat_set_variable_handler(parser) { index, variable, labelSet, context in
      let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
      collector.names.append(readstat_variable_get_name(variable).map { String(cString: $0) } ?? "v\(index)")
      collector.labelSets.append(labelSet.map { String(cString: $0) })
      return Int32(READSTAT_HANDLER_OK)
    }
    readstat_set_value_handler(parser) { observation, variable, value, context in
      let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
      let index = Int(readstat_variable_get_index(variable))
      while collector.rows.count <= Int(observation) {
        collector.rows.append([Value](repeating: .missing, count: collector.names.count))
      }
      guard index < collector.rows[Int(observation)].count else { return Int32(READSTAT_HANDLER_OK) }
      let read: Value
      if readstat_value_is_missing(value, variable) != 0 {
        read = .missing
      } else if readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING {
        read = .text(readstat_string_value(value).map { String(cString: $0) } ?? "")
      } else {
        read = .number(readstat_double_value(value))
      }
      collector.rows[Int(observation)][index] = read
      return Int32(READSTAT_HANDLER_OK)
    }
    readstat_set_value_label_handler(parser) { set, value, label, context in
      let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
      guard let set, let label else { return Int32(READSTAT_HANDLER_OK) }
      let read: Value =
        readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING
        ? .text(readstat_string_value(value).map { String(cString: $0) } ?? "") : .number(readstat_double_value(value))
      if let key = StatisticalFile.key(read) {
        collector.labels[String(cString: set), default: [:]][key] = String(cString: label)
      }
      return Int32(READSTAT_HANDLER_OK)
    }
    readstat_set_error_handler(parser) { message, context in
      let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
      collector.problem = message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
    }
    let context = Unmanaged.passUnretained(collector).toOpaque()
    let lower = path.lowercased()
    let status: readstat_error_t =
      if lower.hasSuffix(".dta") {
        readstat_parse_dta(parser, path, context)
      } else if lower.hasSuffix(".sav") || lower.hasSuffix(".zsav") {
        readstat_parse_sav(parser, path, context)
      } else if lower.hasSuffix(".por") {
        readstat_parse_por(parser, path, context)
      } else if lower.hasSuffix(".sas7bdat") {
        readstat_parse_sas7bdat(parser, path, context)
      } else {
        readstat_parse_xport(parser, path, context)
      }
    guard status == READSTAT_OK else {
      let reason = collector.problem ?? readstat_error_message(status).map { String(cString: $0) } ?? "unreadable"
      throw AirlockError(.input, file: path, "not a readable statistical file: \(reason)")
    }
    guard !collector.names.isEmpty else { throw AirlockError(.input, file: path, "the file has no variables") }
    var text = TabulateRendering.csvLine(collector.names)
    for row in collector.rows {
      var fields: [String] = []
      for (index, value) in row.enumerated() {
        if labelled.contains(collector.names[index]), let set = collector.labelSets[index], let key = key(value),
          let label = collector.labels[set]?[key]
        {
          fields.append(label)
          continue
        }
        switch value {
        case .missing: fields.append("")
        case .number(let x): fields.append(format(x))
        case .text(let s): fields.append(s)
        }
      }
      text += TabulateRendering.csvLine(fields)
    }
    return Array(text.utf8)
  }

  /// Opens microdata: CSV/TSV (`.gz` too) through the delimited reader, the statistical formats
  /// through ReadStat.
  static func open(path: String, labelled: Set<String>, limits: ReadLimits) throws(AirlockError) -> DelimitedReader {
    guard handles(path) else { return try DelimitedReader.open(path: path, limits: limits) }
    return try DelimitedReader.open(
      path: path, name: "data.csv", memory: try csv(path: path, labelled: labelled), limits: limits)
  }
}
