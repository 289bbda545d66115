// Merkle trees over journal event hashes (format: docs/formats.md, "Blocks and Merkle
// roots"; shared with the Solidity JournalAnchor through docs/test-vectors/merkle.json).
//   leaf(e)    = SHA-256(0x00 || e)
//   node(a, b) = SHA-256(0x01 || min(a, b) || max(a, b))
// An odd node at the end of a level is promoted unchanged. Pure functions.
#pragma once
#include <vector>

#include "core/sha256.h"

namespace cx {

Hash256 MerkleLeaf(const Hash256& event_hash);
Hash256 MerkleNode(const Hash256& a, const Hash256& b);
// Root over event hashes (non-empty).
Hash256 MerkleRoot(const std::vector<Hash256>& event_hashes);
// Sibling hashes from the leaf at `index` upward.
std::vector<Hash256> MerkleProof(const std::vector<Hash256>& event_hashes, size_t index);
bool MerkleVerify(const Hash256& event_hash, const std::vector<Hash256>& proof,
                  const Hash256& root);

}  // namespace cx
