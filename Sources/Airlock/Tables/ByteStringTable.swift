/// A hash table from short byte strings to `UInt32`s, for the per-row hot path: a label's bytes
/// are looked up where the reader left them, with no `String` made and no allocation per lookup.
///
/// Keys are copied once into an arena. The table has a budget (`maxEntries`, `maxBytes`): once it
/// is spent, ``insert(_:value:)`` refuses and the caller takes its slow path, so a hostile file of
/// millions of distinct values cannot grow it without bound.
struct ByteStringTable {
  private struct Slot {
    var hash: UInt64 = 0
    var offset: Int32 = -1
    var length: Int32 = 0
    var value: UInt32 = 0
    /// A key of 8 bytes or fewer, packed: compared without touching the arena.
    var short: UInt64 = 0
  }

  private var slots: [Slot]
  private var arena: [UInt8] = []
  private(set) var count = 0
  let maxEntries: Int
  let maxBytes: Int

  init(maxEntries: Int = 1 << 16, maxBytes: Int = 4 << 20) {
    self.maxEntries = maxEntries
    self.maxBytes = maxBytes
    slots = Array(repeating: Slot(), count: 64)
  }

  /// The bytes of a key of 8 bytes or fewer, packed little-endian.
  @inline(__always)
  static func shortKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    // Two loads that may overlap (the shared bytes are the same in both), never past the end.
    let n = bytes.count
    guard n > 0, let base = bytes.baseAddress else { return 0 }
    let raw = UnsafeRawPointer(base)
    if n >= 4 {
      let low = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
      let high = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
      return low | high << UInt64(8 * (n - 4))
    }
    return UInt64(base[0]) | UInt64(base[n >> 1]) << UInt64(8 * (n >> 1)) | UInt64(base[n - 1]) << UInt64(8 * (n - 1))
  }

  /// FNV-1a over 8-byte words, then a final mix; the length is folded in.
  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    if bytes.count <= 8 {
      var h = (shortKey(bytes) ^ UInt64(bytes.count) << 56) &* 0x9E37_79B9_7F4A_7C15
      h ^= h >> 32
      return h
    }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
    guard let base = bytes.baseAddress else { return h }
    let raw = UnsafeRawPointer(base)
    var i = 0
    let n = bytes.count
    while i + 8 <= n {
      h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
      h ^= h >> 29
      i += 8
    }
    if i < n {
      var tail: UInt64 = 0
      var shift: UInt64 = 0
      while i < n {
        tail |= UInt64(base[i]) << shift
        shift += 8
        i += 1
      }
      h = (h ^ tail) &* 0x100_0000_01b3
    }
    h ^= h >> 32
    h = h &* 0xd6e8_feb8_6659_fd93
    return h ^ (h >> 32)
  }

  /// The value stored for `bytes`, if any.
  @inline(__always)
  func find(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
    find(bytes, hash: Self.hash(bytes))
  }

  func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> UInt32? {
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: hash) & mask
    if bytes.count <= 8 {
      let key = Self.shortKey(bytes)
      let length = Int32(bytes.count)
      return slots.withUnsafeBufferPointer { slots in
        while true {
          let slot = slots[index]
          if slot.offset < 0 { return nil }
          if slot.short == key && slot.length == length { return slot.value }
          index = (index + 1) & mask
        }
      }
    }
    return slots.withUnsafeBufferPointer { slots in
      arena.withUnsafeBufferPointer { arena in
        while true {
          let slot = slots[index]
          if slot.offset < 0 { return nil }
          if slot.hash == hash && Int(slot.length) == bytes.count
            && (bytes.count == 0 || memcmp(arena.baseAddress! + Int(slot.offset), bytes.baseAddress!, bytes.count) == 0)
          {
            return slot.value
          }
          index = (index + 1) & mask
        }
      }
    }
  }

  /// Stores `value` for `bytes` (not already present). Returns `false`, storing nothing, once the
  /// budget is spent.
  @discardableResult
  mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, value: UInt32) -> Bool {
    guard count < maxEntries, arena.count + bytes.count <= maxBytes else { return false }
    if (count + 1) * 2 > slots.count { grow() }
    let hash = Self.hash(bytes)
    let offset = Int32(arena.count)
    arena.append(contentsOf: bytes)
    place(
      Slot(
        hash: hash, offset: offset, length: Int32(bytes.count), value: value,
        short: bytes.count <= 8 ? Self.shortKey(bytes) : 0))
    count += 1
    return true
  }

  private mutating func place(_ slot: Slot) {
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: slot.hash) & mask
    while slots[index].offset >= 0 { index = (index + 1) & mask }
    slots[index] = slot
  }

  private mutating func grow() {
    let old = slots
    slots = Array(repeating: Slot(), count: old.count * 2)
    for slot in old where slot.offset >= 0 { place(slot) }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
