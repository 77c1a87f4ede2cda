import Testing

@testable import Airlock

/// The compact cell store must give back exactly what went in, however it packs it.
@Suite struct CellStoreTests {
  /// Ids in runs of `runLength` (on average), up to `maximum`.
  private func ids(count: Int, runLength: Int, maximum: UInt32, seed: UInt64) -> [UInt32] {
    var generator = SplitMix(state: seed)
    var result: [UInt32] = []
    while result.count < count {
      let id = UInt32.random(in: 0...maximum, using: &generator)
      let length = Int.random(in: 1...(2 * runLength - 1), using: &generator)
      result += Array(repeating: id, count: min(length, count - result.count))
    }
    return result
  }

  @Test(arguments: [1, 3, 20, 1000, 100_000])
  func packedIDsReadBackWhatWasAppended(runLength: Int) {
    for maximum: UInt32 in [200, 60_000, 5_000_000] {
      let expected = ids(
        count: 50_000, runLength: runLength, maximum: maximum, seed: UInt64(runLength) &+ UInt64(maximum))
      var packed = PackedIDs()
      packed.reserve(expected.count)
      for id in expected { packed.append(id) }
      #expect(packed.count == expected.count)
      #expect(
        (0..<expected.count).allSatisfy { packed[$0] == expected[$0] }, "runs of \(runLength), ids up to \(maximum)")
      // Reading out of order too.
      var generator = SplitMix(state: 9)
      #expect(
        (0..<2000).allSatisfy { _ in
          let index = Int.random(in: 0..<expected.count, using: &generator)
          return packed[index] == expected[index]
        })
    }
  }

  @Test func longRunsCostFarLessThanOneIDPerCell() {
    var runs = PackedIDs()
    var alternating = PackedIDs()
    for cell in 0..<100_000 {
      runs.append(UInt32(cell / 20))
      alternating.append(UInt32(cell % 20))
    }
    // Runs of 20 two-byte ids: a start and an id per run, under 1 byte a cell (one per cell: 2).
    #expect(runs.byteCount < 100_000)
    // No runs: one byte per cell.
    #expect(alternating.byteCount >= 100_000 && alternating.byteCount < 2 * 100_000)
  }

  /// C003 numbers groups by label arithmetic in dense tables and through a dictionary in sparse
  /// ones (too many label combinations for an array): both must find the same 100% cell.
  @Test(arguments: [false, true])
  func cellEqualsTotalIsFoundInDenseAndSparseTables(sparse: Bool) {
    // Three dimensions; with 400 codes each, the combinations of two (160,000) outnumber the cells.
    let codes = sparse ? 400 : 3
    var text = "a,b,c,count\n"
    for i in 0..<codes { text += "A\(i),B\(i),C\(i),\(20 + i)\n" }
    // Group (b = B0, c = C0) along a: A0 holds 20, A1 holds 0, so A0 is 100% of the group.
    text += "A1,B0,C0,0\n"
    let result = check(text)
    let hits = result.findings.filter { $0.code == "C003" }
    #expect(hits.contains { $0.cell?.map(\.label) == ["A0", "B0", "C0"] })
  }

  /// Labels are looked up by their bytes: short ones (8 bytes or fewer) packed in the slot, longer
  /// ones in the arena. Every key stored is found with its value; no other key is.
  @Test func byteStringTableFindsExactlyWhatWasStored() {
    var generator = SplitMix(state: 77)
    var table = ByteStringTable()
    var stored: [[UInt8]: UInt32] = [:]
    func random() -> [UInt8] {
      (0..<Int.random(in: 0...20, using: &generator)).map { _ in UInt8.random(in: 0...3, using: &generator) + 48 }
    }
    for value in 0..<3000 {
      let key = random()
      if stored[key] != nil { continue }
      stored[key] = UInt32(value)
      #expect(key.withUnsafeBufferPointer { table.insert($0, value: UInt32(value)) })
    }
    for (key, value) in stored { #expect(key.withUnsafeBufferPointer { table.find($0) } == value) }
    for _ in 0..<3000 {
      let key = random()
      #expect(key.withUnsafeBufferPointer { table.find($0) } == stored[key])
    }
  }
}
