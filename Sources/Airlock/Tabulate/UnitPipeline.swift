import Foundation

/// The second core for `airlock tabulate --unit`: the reading thread parses records, interns
/// labels and folds the record evidence; a worker thread gathers units' totals (``UnitGatherer``)
/// from batches of (cell, unit id, value) handed over in input order. Each side does exactly what
/// one thread would, in the same order, so the output is the same bytes with one thread or two
/// (`TabulateModesTests`).
final class UnitPipeline: @unchecked Sendable {
  /// Records handed to the worker, in input order, with the cells first seen among them.
  final class Batch {
    var newCells: [[Int32]] = []
    var cells: [Int32] = []
    var values: [TabulateNumber] = []
    var valued: [Bool] = []
    var unitBytes: [UInt8] = []
    var unitEnds: [Int] = []
    var lines: [Int] = []
    var columns: [Int] = []
    var consumed = 0

    var count: Int { cells.count }

    func clear() {
      newCells.removeAll(keepingCapacity: true)
      cells.removeAll(keepingCapacity: true)
      values.removeAll(keepingCapacity: true)
      valued.removeAll(keepingCapacity: true)
      unitBytes.removeAll(keepingCapacity: true)
      unitEnds.removeAll(keepingCapacity: true)
      lines.removeAll(keepingCapacity: true)
      columns.removeAll(keepingCapacity: true)
    }
  }

  /// Where the worker stopped on an unsorted input (`--sorted-by unit`).
  struct Failure {
    var line: Int
    var column: Int
    var unit: String
    var previous: String
  }

  /// Records per batch.
  let batchSize: Int

  let gatherer: UnitGatherer
  /// The worker's cube: the same cells as the reader's, in the same order; only its unit
  /// evidence is used.
  private(set) var fold: CubeFold
  private var current = Batch()
  private let condition = NSCondition()
  private var full: [Batch] = []
  private var free: [Batch] = []
  private var ended = false
  private var done = false
  private(set) var failure: Failure?
  private var error: AirlockError?
  private var thread: Thread?

  init(gatherer: UnitGatherer, fold: CubeFold, batchSize: Int = 1 << 15) {
    self.batchSize = batchSize
    self.gatherer = gatherer
    self.fold = fold
    for _ in 0..<3 { free.append(Batch()) }
    let thread = Thread { [unowned self] in self.work() }
    thread.stackSize = 1 << 22
    self.thread = thread
    thread.start()
  }

  /// A full cell first seen by the reader.
  func addCell(_ key: [Int32]) { current.newCells.append(key) }

  /// One record for the worker; false when the worker has stopped (a failure to report).
  @inline(__always)
  func add(unit: UnsafeBufferPointer<UInt8>, cell: Int32, value: TabulateNumber?, line: Int, column: Int, consumed: Int)
    -> Bool
  {
    let batch = current
    batch.cells.append(cell)
    if let value {
      batch.values.append(value)
      batch.valued.append(true)
    } else {
      batch.values.append(TabulateNumber(0))
      batch.valued.append(false)
    }
    batch.unitBytes.append(contentsOf: unit)
    batch.unitEnds.append(batch.unitBytes.count)
    batch.lines.append(line)
    batch.columns.append(column)
    if batch.count >= batchSize {
      batch.consumed = consumed
      return hand()
    }
    return true
  }

  /// Hands the current batch over and takes an empty one; false when the worker has stopped.
  private func hand() -> Bool {
    condition.lock()
    full.append(current)
    condition.broadcast()
    while free.isEmpty && !done { condition.wait() }
    let stopped = done
    current = free.popLast() ?? Batch()
    condition.unlock()
    current.clear()
    return !stopped
  }

  private func work() {
    while true {
      condition.lock()
      while full.isEmpty && !ended { condition.wait() }
      if full.isEmpty {
        done = true
        condition.broadcast()
        condition.unlock()
        return
      }
      let batch = full.removeFirst()
      condition.unlock()
      let ok = process(batch)
      condition.lock()
      free.append(batch)
      if !ok {
        done = true
        full.removeAll()
      }
      condition.broadcast()
      condition.unlock()
      if !ok { return }
    }
  }

  private func process(_ batch: Batch) -> Bool {
    for key in batch.newCells { fold.addCell(key) }
    return batch.unitBytes.withUnsafeBufferPointer { bytes in
      var start = 0
      for i in 0..<batch.count {
        let end = batch.unitEnds[i]
        let unit = UnsafeBufferPointer(rebasing: bytes[start..<end])
        do {
          if let outOfOrder = try gatherer.add(
            unit: unit, cell: batch.cells[i], value: batch.valued[i] ? batch.values[i] : nil, into: &fold,
            consumed: batch.consumed)
          {
            failure = Failure(
              line: batch.lines[i], column: batch.columns[i], unit: String(decoding: unit, as: UTF8.self),
              previous: outOfOrder.previous)
            return false
          }
        } catch let error as AirlockError {
          self.error = error
          return false
        } catch {
          self.error = AirlockError(.usage, "\(error)")
          return false
        }
        start = end
      }
      return true
    }
  }

  /// Hands over the last batch and waits for the worker; throws what stopped it, if anything.
  func finish(consumed: Int) throws(AirlockError) -> Failure? {
    current.consumed = consumed
    condition.lock()
    if !done { full.append(current) }
    ended = true
    condition.broadcast()
    while !done { condition.wait() }
    condition.unlock()
    if let error { throw error }
    return failure
  }

  /// Stops the worker without waiting for its work (an error on the reading side).
  func cancel() {
    condition.lock()
    ended = true
    full.removeAll()
    condition.broadcast()
    while !done { condition.wait() }
    condition.unlock()
  }

  /// Whether the worker has stopped on a failure or error.
  var stopped: Bool {
    condition.lock()
    defer { condition.unlock() }
    return done
  }
}

extension UnitPipeline {
  /// After ``finish(consumed:)``: emits the units the gatherer still holds into the worker's cube.
  func finishGatherer() throws(AirlockError) -> Int {
    try gatherer.finish(into: &fold)
  }
}
