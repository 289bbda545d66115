#include "core/merkle.h"

#include <algorithm>
#include <cstring>

namespace cx {

Hash256 MerkleLeaf(const Hash256& e) {
  uint8_t buf[33];
  buf[0] = 0x00;
  std::memcpy(buf + 1, e.data(), 32);
  return Sha256(buf, sizeof buf);
}

Hash256 MerkleNode(const Hash256& a, const Hash256& b) {
  uint8_t buf[65];
  buf[0] = 0x01;
  const Hash256& lo = std::min(a, b);
  const Hash256& hi = std::max(a, b);
  std::memcpy(buf + 1, lo.data(), 32);
  std::memcpy(buf + 33, hi.data(), 32);
  return Sha256(buf, sizeof buf);
}

namespace {
std::vector<Hash256> Level0(const std::vector<Hash256>& events) {
  std::vector<Hash256> level;
  level.reserve(events.size());
  for (const auto& e : events) level.push_back(MerkleLeaf(e));
  return level;
}
void Up(std::vector<Hash256>& level) {
  size_t n = level.size(), w = 0;
  for (size_t i = 0; i + 1 < n; i += 2) level[w++] = MerkleNode(level[i], level[i + 1]);
  if (n % 2) level[w++] = level[n - 1];
  level.resize(w);
}
}  // namespace

Hash256 MerkleRoot(const std::vector<Hash256>& events) {
  if (events.empty()) return Hash256{};
  std::vector<Hash256> level = Level0(events);
  while (level.size() > 1) Up(level);
  return level[0];
}

std::vector<Hash256> MerkleProof(const std::vector<Hash256>& events, size_t index) {
  std::vector<Hash256> proof;
  if (index >= events.size()) return proof;
  std::vector<Hash256> level = Level0(events);
  while (level.size() > 1) {
    size_t sib = index ^ 1;
    if (sib < level.size()) proof.push_back(level[sib]);
    Up(level);
    index /= 2;
  }
  return proof;
}

bool MerkleVerify(const Hash256& event_hash, const std::vector<Hash256>& proof,
                  const Hash256& root) {
  Hash256 h = MerkleLeaf(event_hash);
  for (const auto& s : proof) h = MerkleNode(h, s);
  return h == root;
}

}  // namespace cx
