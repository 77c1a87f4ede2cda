/// Numbers the groups along dimension `d` (the cells sharing all their other labels; with `d`
/// nil, the cells sharing every label): dense tables by their labels directly (no hashing),
/// sparse ones through a dictionary.
struct TableGrouping {
  let count: Int
  private let others: [Int]
  private let strides: [Int]
  private let sparse: [Int32]?

  init(_ table: Table, along d: Int?) {
    others = table.dimensions.indices.filter { $0 != d }
    var strides: [Int] = []
    var count = 1
    for other in others {
      strides.append(count)
      let (product, overflow) = count.multipliedReportingOverflow(by: max(1, table.dimensions[other].labels.count))
      count = overflow ? Int.max : product
    }
    self.strides = strides
    if count <= max(1 << 16, 2 * table.cellCount) {
      self.count = count
      sparse = nil
      return
    }
    var numbers: [GroupKey: Int32] = [:]
    var indices = [Int32](repeating: 0, count: table.cellCount)
    for cell in 0..<table.cellCount {
      var key = GroupKey()
      for other in others { key.append(table.keys[other][cell]) }
      indices[cell] = numbers[key, default: Int32(numbers.count)]
      if Int(indices[cell]) == numbers.count { numbers[key] = indices[cell] }
    }
    self.count = numbers.count
    sparse = indices
  }

  /// Goes through the cells in order, calling `body` with each cell and its group.
  func forEachCell(_ table: Table, _ body: (_ cell: Int, _ group: Int) -> Void) {
    // A loop of its own rather than a call to `forEachCellWhile`: the closure in a closure was not
    // inlined, and this loop runs over every cell several times per table.
    if let sparse {
      for cell in sparse.indices { body(cell, Int(sparse[cell])) }
      return
    }
    var readers = others.map { table.keys[$0].sequentialReader() }
    for cell in 0..<table.cellCount {
      var group = 0
      for index in readers.indices { group += Int(readers[index].id(of: cell)) * strides[index] }
      body(cell, group)
    }
  }

  /// Goes through the cells in order while `body` returns true.
  func forEachCellWhile(_ table: Table, _ body: (_ cell: Int, _ group: Int) -> Bool) {
    if let sparse {
      for cell in sparse.indices where !body(cell, Int(sparse[cell])) { return }
      return
    }
    var readers = others.map { table.keys[$0].sequentialReader() }
    for cell in 0..<table.cellCount {
      var group = 0
      for index in readers.indices { group += Int(readers[index].id(of: cell)) * strides[index] }
      if !body(cell, group) { return }
    }
  }
}

/// The labels of a cell in every dimension but one, as a hashable key.
struct GroupKey: Hashable {
  private var packed: UInt64 = 0
  private var shift: UInt64 = 0
  private var overflow: [UInt32] = []

  init() {}

  mutating func append(_ id: UInt32) {
    if shift <= 32 && overflow.isEmpty {
      packed |= UInt64(id) << shift
      shift += 32
    } else {
      overflow.append(id)
    }
  }
}
