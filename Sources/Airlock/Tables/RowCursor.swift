/// The row being read, for building a cell's coordinates only when a finding needs them.
final class RowCursor {
  let reader: DelimitedReader
  let schema: TableSchema
  let dimensionColumns: [Int]
  /// A row of the inference sample being replayed, instead of the reader's current row.
  var replayRow: [String]?

  init(reader: DelimitedReader, schema: TableSchema) {
    self.reader = reader
    self.schema = schema
    dimensionColumns = schema.dimensionColumns
  }

  /// The coordinates of the cell in 1-based `field` of the current row.
  func coordinates(field: Int) -> [Finding.Coordinate] {
    var result = dimensionColumns.map {
      Finding.Coordinate(dimension: schema.header[$0], label: replayRow?[$0] ?? reader.field($0))
    }
    if schema.layout == .wide {
      result.append(Finding.Coordinate(dimension: schema.columnsDimension, label: schema.header[field - 1]))
    }
    return result
  }
}
