import Crypto
import Foundation

/// RFC 6962 / RFC 9162 Merkle tree hashing over SHA-256.
///
/// Functions take *leaf hashes* (`leafHash(entry)`), so that a log hashes each entry once.
public enum Merkle {
  /// `SHA256("")`: the root of the empty tree.
  public static let emptyRoot = Data(SHA256.hash(data: Data()))

  /// `SHA256(0x00 ‖ entry)`.
  public static func leafHash(_ entry: Data) -> Data {
    var hasher = SHA256()
    hasher.update(data: Data([0]))
    hasher.update(data: entry)
    return Data(hasher.finalize())
  }

  /// `SHA256(0x01 ‖ left ‖ right)`.
  public static func nodeHash(_ left: Data, _ right: Data) -> Data {
    var hasher = SHA256()
    hasher.update(data: Data([1]))
    hasher.update(data: left)
    hasher.update(data: right)
    return Data(hasher.finalize())
  }

  /// The largest power of two strictly below `n` (n ≥ 2): where RFC 6962 splits a tree.
  static func split(_ n: Int) -> Int {
    var k = 1
    while k << 1 < n { k <<= 1 }
    return k
  }

  /// MTH(D[n]) over leaf hashes.
  public static func root(_ leaves: ArraySlice<Data>) -> Data {
    switch leaves.count {
    case 0: return emptyRoot
    case 1: return leaves[leaves.startIndex]
    default:
      let k = split(leaves.count)
      let start = leaves.startIndex
      return nodeHash(root(leaves[start..<start + k]), root(leaves[(start + k)...]))
    }
  }

  public static func root(_ leaves: [Data]) -> Data { root(leaves[...]) }

  /// PATH(m, D[n]): the inclusion proof of leaf `index`, the leaf's sibling first.
  public static func inclusionProof(_ index: Int, _ leaves: ArraySlice<Data>) -> [Data] {
    precondition(index >= 0 && index < leaves.count)
    guard leaves.count > 1 else { return [] }
    let k = split(leaves.count)
    let start = leaves.startIndex
    if index < k {
      return inclusionProof(index, leaves[start..<start + k]) + [root(leaves[(start + k)...])]
    }
    return inclusionProof(index - k, leaves[(start + k)...]) + [root(leaves[start..<start + k])]
  }

  public static func inclusionProof(_ index: Int, _ leaves: [Data]) -> [Data] { inclusionProof(index, leaves[...]) }

  /// PROOF(m, D[n]): that the tree of the first `m` leaves is a prefix of the whole tree. Empty
  /// when m is 0 or n.
  public static func consistencyProof(_ m: Int, _ leaves: [Data]) -> [Data] {
    precondition(m >= 0 && m <= leaves.count)
    guard m > 0, m < leaves.count else { return [] }
    return subproof(m, leaves[...], true)
  }

  static func subproof(_ m: Int, _ leaves: ArraySlice<Data>, _ complete: Bool) -> [Data] {
    let n = leaves.count
    if m == n { return complete ? [] : [root(leaves)] }
    let k = split(n)
    let start = leaves.startIndex
    if m <= k {
      return subproof(m, leaves[start..<start + k], complete) + [root(leaves[(start + k)...])]
    }
    return subproof(m - k, leaves[(start + k)...], false) + [root(leaves[start..<start + k])]
  }

  /// RFC 9162 §2.1.3.2: whether `proof` shows leaf `index` (hash `leaf`) in the tree of `size`
  /// leaves with root `root`.
  public static func verifyInclusion(index: Int, size: Int, leaf: Data, proof: [Data], root: Data) -> Bool {
    guard index >= 0, index < size else { return false }
    var fn = index
    var sn = size - 1
    var r = leaf
    for p in proof {
      if sn == 0 { return false }
      if fn & 1 == 1 || fn == sn {
        r = nodeHash(p, r)
        while fn & 1 == 0 && fn != 0 {
          fn >>= 1
          sn >>= 1
        }
      } else {
        r = nodeHash(r, p)
      }
      fn >>= 1
      sn >>= 1
    }
    return sn == 0 && r == root
  }

  /// RFC 9162 §2.1.4.2: whether `proof` shows the tree of `oldSize` leaves (root `oldRoot`) is a
  /// prefix of the tree of `newSize` leaves (root `newRoot`).
  public static func verifyConsistency(
    oldSize: Int, newSize: Int, oldRoot: Data, newRoot: Data, proof: [Data]
  ) -> Bool {
    guard oldSize >= 0, oldSize <= newSize else { return false }
    if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
    if oldSize == 0 { return proof.isEmpty }
    guard !proof.isEmpty else { return false }
    var path = proof
    if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
    var fn = oldSize - 1
    var sn = newSize - 1
    while fn & 1 == 1 {
      fn >>= 1
      sn >>= 1
    }
    var fr = path[0]
    var sr = path[0]
    for c in path.dropFirst() {
      if sn == 0 { return false }
      if fn & 1 == 1 || fn == sn {
        fr = nodeHash(c, fr)
        sr = nodeHash(c, sr)
        while fn & 1 == 0 && fn != 0 {
          fn >>= 1
          sn >>= 1
        }
      } else {
        sr = nodeHash(sr, c)
      }
      fn >>= 1
      sn >>= 1
    }
    return sn == 0 && fr == oldRoot && sr == newRoot
  }
}
