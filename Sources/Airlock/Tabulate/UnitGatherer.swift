import Foundation

/// Gathers each unit's total in each full cell (`airlock tabulate --unit`) and emits every unit's
/// totals into the cube once they are complete, in one of three ways:
///
/// - in memory: a table of (cell, unit) pairs, emitted unit by unit at the end;
/// - `--sorted-by unit`: the input's records come unit by unit, so only the current unit's pairs
///   are held, and the order is checked (unit ids compared as bytes);
/// - `--memory SIZE`: pairs are held in memory until they would exceed the budget, then written
///   out to partition files by a hash of the unit id; each partition is then folded in turn. A
///   unit is wholly in one partition, so its totals are exact, and since units in different
///   partitions are different units, their contributions to a cell simply add up.
final class UnitGatherer {
  enum Mode {
    case memory
    case sorted
    /// Spill beyond `budget` bytes into a new folder inside `folder`.
    case spill(budget: Int, folder: String)
  }

  let mode: Mode
  let counts: Bool
  /// Distinct units seen.
  private(set) var unitCount = 0
  /// Partitions written (0: everything stayed in memory).
  private(set) var partitionCount = 0

  // In memory (and between spills): units, pairs and pair totals.
  private var units = ByteTable(capacity: 1024)
  private var pairs = PairTable(capacity: 1024)
  private var pairTotals: [ExactSum] = []
  private var pairValued: [Bool] = []

  // Sorted: the current unit and its cells.
  private var current: [UInt8] = []
  private var hasCurrent = false
  private var cellPlace: [Int32] = []
  private var currentCells: [Int32] = []
  private var currentTotals: [ExactSum] = []
  private var currentValued: [Bool] = []

  // Spill.
  private var spillFolder: String?
  private var partitions: [UnsafeMutablePointer<FILE>] = []
  private var maxPairs = Int.max
  private let inputBytes: Int

  /// - Parameters:
  ///   - counts: whether the statistic is a count (units are counted, not totalled).
  ///   - inputBytes: the input's size, to choose how many partitions a spill needs.
  init(mode: Mode, counts: Bool, inputBytes: Int) {
    self.mode = mode
    self.counts = counts
    self.inputBytes = max(1, inputBytes)
    if case .spill(let budget, _) = mode {
      // About 96 bytes a pair with the unit's id and the tables' room; half the budget, so that
      // a table's doubling stays inside it.
      maxPairs = max(1024, budget / 192)
      // Room for them all from the start: a table that doubles holds both sizes for a moment.
      units = ByteTable(capacity: maxPairs)
      pairs = PairTable(capacity: maxPairs)
      pairTotals.reserveCapacity(maxPairs)
      pairValued.reserveCapacity(maxPairs)
    }
  }

  deinit { removeSpill() }

  /// Removes the partition files and their folder.
  func removeSpill() {
    for file in partitions { fclose(file) }
    partitions = []
    if let spillFolder { try? FileManager.default.removeItem(atPath: spillFolder) }
    spillFolder = nil
    SpillCleanup.forget()
  }

  /// What ``add`` found wrong: with `--sorted-by unit`, a unit id before the previous one.
  struct OutOfOrder: Error {
    var previous: String
  }

  /// One record of unit `unit` in full cell `cell`, with its value (nil: missing, or a count).
  @inline(__always)
  func add(
    unit: UnsafeBufferPointer<UInt8>, cell: Int32, value: TabulateNumber?, into fold: inout CubeFold, consumed: Int
  ) throws(AirlockError) -> OutOfOrder? {
    switch mode {
    case .sorted:
      if !hasCurrent || !unit.elementsEqual(current) {
        if hasCurrent {
          if unit.lexicographicallyPrecedes(current) {
            return OutOfOrder(previous: String(decoding: current, as: UTF8.self))
          }
          emitCurrent(into: &fold)
        }
        current.removeAll(keepingCapacity: true)
        current.append(contentsOf: unit)
        hasCurrent = true
        unitCount += 1
      }
      while cellPlace.count <= Int(cell) { cellPlace.append(-1) }
      var place = Int(cellPlace[Int(cell)])
      if place < 0 {
        place = currentCells.count
        cellPlace[Int(cell)] = Int32(place)
        currentCells.append(cell)
        currentTotals.append(ExactSum())
        currentValued.append(false)
      }
      if let value {
        currentTotals[place].add(value)
        currentValued[place] = true
      }
    case .memory, .spill:
      let u = units.intern(unit).index
      let (pair, isNew) = pairs.intern(cell, u)
      if isNew {
        pairTotals.append(ExactSum())
        pairValued.append(false)
      }
      if let value {
        pairTotals[pair].add(value)
        pairValued[pair] = true
      }
      if pairs.count >= maxPairs { try spill(consumed: consumed) }
    }
    return nil
  }

  private func emitCurrent(into fold: inout CubeFold) {
    var cells: [Int32] = []
    var totals: [ExactSum] = []
    for (i, cell) in currentCells.enumerated() {
      cellPlace[Int(cell)] = -1
      if counts || currentValued[i] {
        cells.append(cell)
        if !counts { totals.append(currentTotals[i]) }
      }
    }
    cells.withUnsafeBufferPointer { c in totals.withUnsafeBufferPointer { t in fold.emit(cells: c, totals: t) } }
    currentCells.removeAll(keepingCapacity: true)
    currentTotals.removeAll(keepingCapacity: true)
    currentValued.removeAll(keepingCapacity: true)
  }

  /// Emits every unit held in the tables (unit by unit: pairs grouped by unit with a counting
  /// sort), and returns how many units there were.
  private func emitTables(into fold: inout CubeFold) -> Int {
    let unitTotal = units.count
    var starts = [Int](repeating: 0, count: unitTotal + 1)
    for key in pairs.keys { starts[Int(UInt32(truncatingIfNeeded: key)) + 1] += 1 }
    for u in 0..<unitTotal { starts[u + 1] += starts[u] }
    var next = starts
    var order = [Int32](repeating: 0, count: pairs.count)
    for (index, key) in pairs.keys.enumerated() {
      let u = Int(UInt32(truncatingIfNeeded: key))
      order[next[u]] = Int32(index)
      next[u] += 1
    }
    var cells: [Int32] = []
    var totals: [ExactSum] = []
    for u in 0..<unitTotal {
      cells.removeAll(keepingCapacity: true)
      totals.removeAll(keepingCapacity: true)
      for position in starts[u]..<starts[u + 1] {
        let pair = Int(order[position])
        guard counts || pairValued[pair] else { continue }
        cells.append(Int32(truncatingIfNeeded: pairs.keys[pair] >> 32))
        if !counts { totals.append(pairTotals[pair]) }
      }
      cells.withUnsafeBufferPointer { c in totals.withUnsafeBufferPointer { t in fold.emit(cells: c, totals: t) } }
    }
    return unitTotal
  }

  private func clearTables() {
    units.removeAll()
    pairs.removeAll()
    pairTotals.removeAll(keepingCapacity: true)
    pairValued.removeAll(keepingCapacity: true)
  }

  // MARK: - Spill

  /// Writes every pair held to its unit's partition and empties the tables.
  private func spill(consumed: Int) throws(AirlockError) {
    guard case .spill(let budget, let folder) = mode else { return }
    if partitions.isEmpty {
      // As many partitions as the pairs of the whole input (estimated from the share read so
      // far) need for one partition's pairs to fit the budget, twice over.
      let share = Double(inputBytes) / Double(max(1, consumed))
      let estimate = Double(pairs.count) * max(1, share) * 192 * 2 / Double(budget)
      partitionCount = min(256, max(2, Int(estimate.rounded(.up))))
      let path = URL(fileURLWithPath: folder).appendingPathComponent(".airlock-spill-\(UUID().uuidString)").path
      spillFolder = path
      // Watched before it exists, so that no signal finds it unwatched.
      let files = (0..<partitionCount).map { path + "/\($0).part" }
      SpillCleanup.watch(folder: path, files: files)
      do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      } catch {
        throw AirlockError(.usage, file: folder, "cannot create the spill folder for --memory")
      }
      for file in files {
        guard let opened = fopen(file, "w+b") else {
          throw AirlockError(.usage, file: path, "cannot create a spill partition for --memory")
        }
        partitions.append(opened)
      }
    }
    var record: [UInt8] = []
    for (pair, key) in pairs.keys.enumerated() {
      let u = Int(UInt32(truncatingIfNeeded: key))
      let id = units.bytes(u)
      let p = Int(tabulateMix(id.withUnsafeBufferPointer { tabulateHash($0) }) % UInt64(partitionCount))
      record.removeAll(keepingCapacity: true)
      withUnsafeBytes(of: UInt32(id.count).littleEndian) { record.append(contentsOf: $0) }
      record.append(contentsOf: id)
      withUnsafeBytes(of: Int32(truncatingIfNeeded: key >> 32).littleEndian) { record.append(contentsOf: $0) }
      record.append(pairValued[pair] ? 1 : 0)
      if !counts { withUnsafeBytes(of: pairTotals[pair]) { record.append(contentsOf: $0) } }
      let written = record.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, partitions[p]) }
      guard written == record.count else {
        throw AirlockError(.usage, file: spillFolder, "cannot write a spill partition for --memory (is the disk full?)")
      }
    }
    clearTables()
  }

  /// Folds one partition file into the tables.
  private func load(partition file: UnsafeMutablePointer<FILE>) throws(AirlockError) {
    fflush(file)
    fseek(file, 0, SEEK_END)
    let size = ftell(file)
    rewind(file)
    var bytes = [UInt8](repeating: 0, count: max(0, size))
    let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
    guard read == bytes.count else {
      throw AirlockError(.usage, file: spillFolder, "cannot read a spill partition back")
    }
    let sumSize = MemoryLayout<ExactSum>.size
    bytes.withUnsafeBytes { raw in
      var at = 0
      while at < raw.count {
        let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        at += 4
        let id = UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[at..<(at + length)])
        at += length
        let cell = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self))
        at += 4
        let valued = raw[at] == 1
        at += 1
        let u = units.intern(id).index
        let (pair, isNew) = pairs.intern(cell, u)
        if isNew {
          pairTotals.append(ExactSum())
          pairValued.append(false)
        }
        if valued { pairValued[pair] = true }
        if !counts {
          pairTotals[pair].add(raw.loadUnaligned(fromByteOffset: at, as: ExactSum.self))
          at += sumSize
        }
      }
    }
  }

  /// Emits the units not yet emitted, and returns the number of distinct units.
  func finish(into fold: inout CubeFold) throws(AirlockError) -> Int {
    switch mode {
    case .sorted:
      if hasCurrent { emitCurrent(into: &fold) }
      return unitCount
    case .memory, .spill:
      guard !partitions.isEmpty else { return emitTables(into: &fold) }
      try spill(consumed: inputBytes)
      var total = 0
      for file in partitions {
        try load(partition: file)
        total += emitTables(into: &fold)
        clearTables()
      }
      removeSpill()
      return total
    }
  }
}

/// Removes a spill folder when the process is interrupted (SIGINT, SIGTERM, SIGHUP): a normal
/// exit or an error removes it on the way out, and a SIGKILL leaves only the hidden folder, never
/// an output file (outputs are written only after the fold, atomically).
///
/// The handler does only what is safe in a signal handler: `unlink` and `rmdir` of paths prepared
/// beforehand as C strings, then `_exit`.
enum SpillCleanup {
  /// The partition files, then the folder (last, removed with `rmdir`).
  nonisolated(unsafe) static var paths: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = .allocate(capacity: 0)
  nonisolated(unsafe) static var count: Int = 0

  /// Watches `folder` holding `files` (paths).
  static func watch(folder: String, files: [String]) {
    forget()
    let all = files + [folder]
    let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: all.count)
    for (i, path) in all.enumerated() { table[i] = strdup(path) }
    paths = table
    count = all.count
    // A parent may have started airlock with these signals blocked: they would never arrive.
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    for signalNumber in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblocked, signalNumber) }
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
      signal(signalNumber) { received in
        let n = SpillCleanup.count
        if n > 0 {
          for i in 0..<(n - 1) { if let path = SpillCleanup.paths[i] { unlink(path) } }
          if let folder = SpillCleanup.paths[n - 1] { rmdir(folder) }
        }
        _exit(128 + received)
      }
    }
  }

  /// Stops watching (the folder is gone); the handlers stay, and exit as the signal would.
  static func forget() {
    let n = count
    count = 0
    for i in 0..<n { free(paths[i]) }
  }
}
