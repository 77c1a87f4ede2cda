/// Interning tables for `airlock tabulate`'s per-record path: labels and unit ids looked up by
/// their bytes straight from the reader's buffer, and cells and (cell, unit) pairs by their
/// indices, in open-addressed tables that allocate nothing per record.
///
/// Keys are always compared in full (bytes as bytes): the hash only picks where to look, so two
/// ids that collide are still two ids.

/// FNV-1a over bytes: deterministic (the same slots on every run), cheap for short ids.
@inline(__always)
func tabulateHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
  return hash
}

/// Mixes a 64-bit key into a slot position.
@inline(__always)
func tabulateMix(_ key: UInt64) -> UInt64 {
  var x = key &* 0x9e37_79b9_7f4a_7c15
  x ^= x >> 29
  return x &* 0xbf58_476d_1ce4_e5b9
}

/// Byte strings interned to dense indices 0, 1, 2, … in order of first appearance.
struct ByteTable {
  /// The strings' bytes, end to end.
  private(set) var arena: [UInt8] = []
  /// Per index: where its bytes start in `arena` (one more entry than `count`, for the end).
  private var offsets: [Int] = [0]
  private var hashes: [UInt64] = []
  /// Open-addressed slots holding index + 1 (0: empty).
  private var slots: [Int32]
  private var mask: Int

  init(capacity: Int = 64) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = [Int32](repeating: 0, count: size)
    mask = size - 1
  }

  /// How many distinct strings.
  var count: Int { hashes.count }

  /// Bytes held (for the memory budget).
  var footprint: Int { arena.capacity + offsets.capacity * 8 + hashes.capacity * 8 + slots.count * 4 }

  /// The bytes of index `i`.
  func bytes(_ i: Int) -> ArraySlice<UInt8> { arena[offsets[i]..<offsets[i + 1]] }

  @inline(__always)
  private func equal(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = offsets[i]
    guard offsets[i + 1] - start == bytes.count else { return false }
    return arena.withUnsafeBufferPointer { arena in
      for j in 0..<bytes.count where arena[start + j] != bytes[j] { return false }
      return true
    }
  }

  /// The index of `bytes`, if interned.
  @inline(__always)
  func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
    find(bytes, hash: tabulateHash(bytes))
  }

  @inline(__always)
  func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32? {
    var slot = Int(truncatingIfNeeded: tabulateMix(hash)) & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { return nil }
      let i = Int(entry - 1)
      if hashes[i] == hash && equal(i, bytes) { return Int32(i) }
      slot = (slot + 1) & mask
    }
  }

  /// The index of `bytes`, interning it if new; `isNew` tells which.
  @inline(__always)
  mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> (index: Int32, isNew: Bool) {
    let hash = tabulateHash(bytes)
    if let known = find(bytes, hash: hash) { return (known, false) }
    let index = hashes.count
    arena.append(contentsOf: bytes)
    offsets.append(arena.count)
    hashes.append(hash)
    if hashes.count * 2 > slots.count { grow() } else { place(index) }
    return (Int32(index), true)
  }

  private mutating func place(_ index: Int) {
    var slot = Int(truncatingIfNeeded: tabulateMix(hashes[index])) & mask
    while slots[slot] != 0 { slot = (slot + 1) & mask }
    slots[slot] = Int32(index + 1)
  }

  private mutating func grow() {
    slots = [Int32](repeating: 0, count: slots.count * 2)
    mask = slots.count - 1
    for index in hashes.indices { place(index) }
  }

  /// Empties the table, keeping its room.
  mutating func removeAll() {
    arena.removeAll(keepingCapacity: true)
    offsets.removeAll(keepingCapacity: true)
    offsets.append(0)
    hashes.removeAll(keepingCapacity: true)
    for i in slots.indices { slots[i] = 0 }
  }
}

/// Pairs of 32-bit indices (a cell and a unit) interned to dense indices.
struct PairTable {
  private(set) var keys: [UInt64] = []
  private var slots: [Int32]
  private var mask: Int

  init(capacity: Int = 1024) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = [Int32](repeating: 0, count: size)
    mask = size - 1
  }

  var count: Int { keys.count }

  /// Bytes held (for the memory budget).
  var footprint: Int { keys.capacity * 8 + slots.count * 4 }

  @inline(__always)
  static func key(_ a: Int32, _ b: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
  }

  /// The index of pair (a, b), interning it if new.
  @inline(__always)
  mutating func intern(_ a: Int32, _ b: Int32) -> (index: Int, isNew: Bool) {
    let key = Self.key(a, b)
    var slot = Int(truncatingIfNeeded: tabulateMix(key)) & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { break }
      if keys[Int(entry - 1)] == key { return (Int(entry - 1), false) }
      slot = (slot + 1) & mask
    }
    keys.append(key)
    slots[slot] = Int32(keys.count)
    if keys.count * 2 > slots.count { grow() }
    return (keys.count - 1, true)
  }

  private mutating func grow() {
    slots = [Int32](repeating: 0, count: slots.count * 2)
    mask = slots.count - 1
    for (index, key) in keys.enumerated() {
      var slot = Int(truncatingIfNeeded: tabulateMix(key)) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(index + 1)
    }
  }

  /// Empties the table, keeping its room.
  mutating func removeAll() {
    keys.removeAll(keepingCapacity: true)
    for i in slots.indices { slots[i] = 0 }
  }
}

/// A set of 64-bit values (a cell's distinct values, by their bits): open addressing, no
/// per-insert hashing beyond a multiply, which a `Set` spends most of `n_distinct`'s time on.
struct DistinctSet {
  /// Slots holding value + 1 … except that 0 is kept apart (`hasZero`): 0 marks an empty slot.
  private var slots: [UInt64] = []
  private var hasZero = false
  private(set) var count = 0

  @inline(__always)
  mutating func insert(_ value: UInt64) {
    if value == 0 {
      if !hasZero {
        hasZero = true
        count += 1
      }
      return
    }
    if (count + 1) * 2 > slots.count { grow() }
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: tabulateMix(value)) & mask
    while true {
      let held = slots[slot]
      if held == value { return }
      if held == 0 {
        slots[slot] = value
        count += 1
        return
      }
      slot = (slot + 1) & mask
    }
  }

  private mutating func grow() {
    let old = slots
    slots = [UInt64](repeating: 0, count: max(16, old.count * 2))
    let mask = slots.count - 1
    for value in old where value != 0 {
      var slot = Int(truncatingIfNeeded: tabulateMix(value)) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = value
    }
  }

  /// Adds every value of `other`.
  mutating func formUnion(_ other: DistinctSet) {
    if other.hasZero { insert(0) }
    for value in other.slots where value != 0 { insert(value) }
  }
}
