//! The Merkle tree of Certificate Transparency (RFC 9162 §2.1): leaves are
//! `SHA-256(0x00 ‖ entry)`, interior nodes `SHA-256(0x01 ‖ left ‖ right)`. Roots, inclusion
//! proofs and consistency proofs over a list of leaf hashes, their verification, and the
//! compact [`Frontier`] that lets an append update the root in O(log n) inside the
//! transaction that stores the entry.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The hash of one entry's canonical encoding.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    h.finalize().into()
}

/// The hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (`n` ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]): the root over `leaves`.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]): the inclusion proof of leaf `index` in the tree over `leaves`, or `None`
/// when there is no such leaf.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    (index < leaves.len()).then(|| path(index, leaves))
}

fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut proof = path(m, &leaves[..k]);
        proof.push(root(&leaves[k..]));
        proof
    } else {
        let mut proof = path(m - k, &leaves[k..]);
        proof.push(root(&leaves[..k]));
        proof
    }
}

/// PROOF(m, D[n]): that the tree of the first `old_size` leaves is a prefix of the tree over
/// `leaves`; `None` when `old_size` is 0 or larger than the tree.
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Option<Vec<Hash>> {
    (old_size >= 1 && old_size <= leaves.len()).then(|| subproof(old_size, leaves, true))
}

fn subproof(m: usize, leaves: &[Hash], whole: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if whole { Vec::new() } else { vec![root(leaves)] };
    }
    let k = split(n);
    if m <= k {
        let mut proof = subproof(m, &leaves[..k], whole);
        proof.push(root(&leaves[k..]));
        proof
    } else {
        let mut proof = subproof(m - k, &leaves[k..], false);
        proof.push(root(&leaves[..k]));
        proof
    }
}

/// Shifts `fn_` and `sn` right together until `fn_`'s lowest bit is set or it is 0.
fn shift_while_even(fn_: &mut u64, sn: &mut u64) {
    while *fn_ & 1 == 0 && *fn_ != 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// Whether `proof` shows leaf `leaf` at `index` in the tree of `size` leaves with `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            shift_while_even(&mut fn_, &mut sn);
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && &r == root
}

/// Whether `proof` shows that the tree of `old_size` leaves with `old_root` is a prefix of
/// the tree of `new_size` leaves with `new_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size == 0 || old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            shift_while_even(&mut fn_, &mut sn);
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    &fr == old_root && &sr == new_root && sn == 0
}

/// The roots of the perfect subtrees along the right edge of a tree, largest first: all an
/// append needs to compute the next root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// One root per set bit of `size`, highest bit first.
    peaks: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// A stored frontier, if `peaks` fits `size` (one peak per set bit).
    pub fn from_parts(size: u64, peaks: Vec<Hash>) -> Option<Frontier> {
        (peaks.len() == size.count_ones() as usize).then_some(Frontier { size, peaks })
    }

    /// The tree's size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The peaks, to store.
    pub fn peaks(&self) -> &[Hash] {
        &self.peaks
    }

    /// Appends a leaf.
    pub fn push(&mut self, leaf: Hash) {
        let mut carry = leaf;
        let mut size = self.size;
        // Each trailing set bit of the old size is a peak of the new leaf's height to merge.
        while size & 1 == 1 {
            let Some(left) = self.peaks.pop() else { break };
            carry = node_hash(&left, &carry);
            size >>= 1;
        }
        self.peaks.push(carry);
        self.size += 1;
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(last) = peaks.next() else {
            return empty_root();
        };
        peaks.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// A hash as lowercase hex.
pub fn to_hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash from 64 hex digits.
pub fn from_hex(hex: &str) -> Option<Hash> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect()
    }

    #[test]
    fn the_empty_root_is_the_hash_of_nothing() {
        assert_eq!(
            to_hex(&root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn the_frontier_tracks_the_root_at_every_size() {
        let all = leaves(70);
        let mut frontier = Frontier::new();
        assert_eq!(frontier.root(), root(&[]));
        for n in 1..=all.len() {
            frontier.push(all[n - 1]);
            assert_eq!(frontier.root(), root(&all[..n]), "size {n}");
            let stored = Frontier::from_parts(frontier.size(), frontier.peaks().to_vec());
            assert_eq!(stored.as_ref(), Some(&frontier));
        }
        assert_eq!(Frontier::from_parts(3, vec![all[0]]), None, "3 has two set bits");
    }

    #[test]
    fn every_inclusion_proof_verifies_and_a_wrong_one_does_not() {
        let all = leaves(23);
        for n in 1..=all.len() {
            let r = root(&all[..n]);
            for i in 0..n {
                let proof = inclusion_proof(&all[..n], i).unwrap();
                assert!(
                    verify_inclusion(&all[i], i as u64, n as u64, &proof, &r),
                    "{i} of {n}"
                );
                if n > 1 {
                    let other = (i + 1) % n;
                    assert!(!verify_inclusion(&all[other], i as u64, n as u64, &proof, &r));
                    assert!(!verify_inclusion(&all[i], other as u64, n as u64, &proof, &r));
                }
            }
        }
        assert_eq!(inclusion_proof(&all, 23), None);
    }

    #[test]
    fn every_consistency_proof_verifies_and_a_rewritten_history_does_not() {
        let all = leaves(21);
        let mut forged = all.clone();
        forged[2] = leaf_hash(b"rewritten");
        for n in 1..=all.len() {
            for m in 1..=n {
                let proof = consistency_proof(&all[..n], m).unwrap();
                let (old, new) = (root(&all[..m]), root(&all[..n]));
                assert!(
                    verify_consistency(m as u64, n as u64, &old, &new, &proof),
                    "{m} -> {n}"
                );
                if m > 2 {
                    let forged_proof = consistency_proof(&forged[..n], m).unwrap();
                    let forged_root = root(&forged[..n]);
                    assert!(
                        !verify_consistency(m as u64, n as u64, &old, &forged_root, &forged_proof),
                        "{m} -> {n} after a rewrite"
                    );
                }
            }
        }
        assert_eq!(consistency_proof(&all, 0), None);
        assert_eq!(consistency_proof(&all, 22), None);
    }

    #[test]
    fn hex_round_trips() {
        let h = leaf_hash(b"x");
        assert_eq!(from_hex(&to_hex(&h)), Some(h));
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
    }

    /// An independent implementation (the `ct-merkle` crate) agrees on roots, inclusion
    /// proofs and consistency proofs.
    #[test]
    fn ct_merkle_agrees() {
        use ct_merkle::mem_backed_tree::MemoryBackedTree;
        let entries: Vec<Vec<u8>> = (0..37).map(|i| format!("entry {i}").into_bytes()).collect();
        let mut tree: MemoryBackedTree<sha2_11::Sha256, Vec<u8>> = MemoryBackedTree::new();
        let mut ours = Vec::new();
        for (n, entry) in entries.iter().enumerate() {
            tree.push(entry.clone());
            ours.push(leaf_hash(entry));
            let theirs = tree.root();
            assert_eq!(
                theirs.as_bytes().as_slice(),
                root(&ours).as_slice(),
                "root at {}",
                n + 1
            );
            let proof = tree.prove_inclusion(n / 2);
            let mine: Vec<u8> = inclusion_proof(&ours, n / 2).unwrap().concat();
            assert_eq!(
                proof.as_bytes(),
                mine.as_slice(),
                "inclusion of {} in {}",
                n / 2,
                n + 1
            );
            if n >= 1 {
                let old = (n + 1) / 3 + 1;
                let theirs = tree.prove_consistency(n + 1 - old);
                let mine: Vec<u8> = consistency_proof(&ours, old).unwrap().concat();
                assert_eq!(
                    theirs.as_bytes(),
                    mine.as_slice(),
                    "consistency {old} -> {}",
                    n + 1
                );
            }
        }
    }
}
