import Foundation
import Testing

@testable import Airlock

/// RFC 6962 test vectors (transparency-dev/merkle `testonly`) and exhaustive proofs.
@Suite struct MerkleTests {
  static let leaves = [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
  ]
  .map { Data(hex: $0)! }
  static var leafHashes: [Data] { leaves.map(Merkle.leafHash) }

  func matches(_ hash: Data, _ head: String, _ tail: String = "") -> Bool {
    hash.hex.hasPrefix(head) && hash.hex.hasSuffix(tail)
  }

  @Test func emptyTreeIsSHA256OfNothing() {
    #expect(Merkle.root([Data]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }

  @Test func rootsMatchTheRFC6962Vectors() {
    let hashes = Self.leafHashes
    #expect(matches(Merkle.root(hashes[..<1]), "6e340b9c", "afa01d"))
    #expect(matches(Merkle.root(hashes[..<2]), "fac54203", "e3c125"))
    #expect(matches(Merkle.root(hashes[..<4]), "d37ee418", "9614b7"))
    #expect(matches(Merkle.root(hashes), "5dc9da79", "4604328"))
    #expect(Merkle.root(hashes).hex == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
  }

  @Test func proofsMatchTheRFC6962Vectors() {
    let hashes = Self.leafHashes
    let path0 = Merkle.inclusionProof(0, hashes)
    #expect(
      path0.count == 3 && matches(path0[0], "96a296d2") && matches(path0[1], "5f083f0a")
        && matches(path0[2], "6b47aaf2"))
    let path5 = Merkle.inclusionProof(5, hashes)
    #expect(
      path5.count == 3 && matches(path5[0], "bc1a0643") && matches(path5[1], "ca854ea1")
        && matches(path5[2], "d37ee418"))
    let proof = Merkle.consistencyProof(2, Array(hashes[..<5]))
    #expect(proof.count == 2 && matches(proof[0], "5f083f0a") && matches(proof[1], "bc1a0643"))
  }

  /// Every inclusion proof of every tree up to 70 leaves verifies, and a forged one does not.
  @Test func inclusionProofsForEveryTreeUpTo70() {
    let hashes = (0..<70).map { Merkle.leafHash(Data("entry \($0)".utf8)) }
    var checked = 0
    for size in 1...70 {
      let tree = Array(hashes[..<size])
      let root = Merkle.root(tree)
      for index in 0..<size {
        let proof = Merkle.inclusionProof(index, tree)
        #expect(Merkle.verifyInclusion(index: index, size: size, leaf: tree[index], proof: proof, root: root))
        // A wrong index, a wrong size, a wrong leaf, a flipped hash, a shortened proof all fail.
        if size > 1 {
          #expect(
            !Merkle.verifyInclusion(index: (index + 1) % size, size: size, leaf: tree[index], proof: proof, root: root))
          #expect(
            !Merkle.verifyInclusion(index: index, size: size, leaf: tree[(index + 1) % size], proof: proof, root: root))
          var forged = proof
          forged[0][0] ^= 1
          #expect(!Merkle.verifyInclusion(index: index, size: size, leaf: tree[index], proof: forged, root: root))
          #expect(
            !Merkle.verifyInclusion(
              index: index, size: size, leaf: tree[index], proof: Array(proof.dropLast()), root: root))
        }
        #expect(!Merkle.verifyInclusion(index: index, size: size, leaf: tree[index], proof: proof + [root], root: root))
        checked += 1
      }
    }
    #expect(checked == 70 * 71 / 2)
  }

  /// Every (m, n) consistency proof with n ≤ 70 verifies, and forged ones do not.
  @Test func consistencyProofsForEveryPairUpTo70() {
    let hashes = (0..<70).map { Merkle.leafHash(Data("entry \($0)".utf8)) }
    let roots = (0...70).map { Merkle.root(hashes[..<$0]) }
    for n in 1...70 {
      let tree = Array(hashes[..<n])
      for m in 1...n {
        let proof = Merkle.consistencyProof(m, tree)
        #expect(
          Merkle.verifyConsistency(oldSize: m, newSize: n, oldRoot: roots[m], newRoot: roots[n], proof: proof),
          "m=\(m) n=\(n)")
        guard m < n else { continue }
        // Wrong old root (a rewritten past), wrong sizes, a flipped hash all fail.
        #expect(
          !Merkle.verifyConsistency(oldSize: m, newSize: n, oldRoot: roots[m - 1], newRoot: roots[n], proof: proof))
        #expect(
          !Merkle.verifyConsistency(oldSize: m, newSize: n, oldRoot: roots[m], newRoot: roots[n - 1], proof: proof))
        if m + 1 < n {
          #expect(
            !Merkle.verifyConsistency(oldSize: m + 1, newSize: n, oldRoot: roots[m], newRoot: roots[n], proof: proof))
        }
        var forged = proof
        forged[forged.count - 1][0] ^= 1
        #expect(!Merkle.verifyConsistency(oldSize: m, newSize: n, oldRoot: roots[m], newRoot: roots[n], proof: forged))
      }
    }
  }
}
