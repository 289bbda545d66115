#include "core/merkle.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace cx {

namespace {
std::vector<Hash256> Events(size_t n) {
  std::vector<Hash256> v;
  for (size_t i = 0; i < n; ++i) v.push_back(Sha256("event-" + std::to_string(i)));
  return v;
}
}  // namespace

TEST(Merkle, OneEventRootIsItsLeaf) {
  auto e = Events(1);
  EXPECT_EQ(MerkleRoot(e), MerkleLeaf(e[0]));
  EXPECT_TRUE(MerkleProof(e, 0).empty());
}

TEST(Merkle, EveryProofVerifiesAndWrongOnesDoNot) {
  for (size_t n : {1u, 2u, 3u, 5u, 8u, 13u, 100u, 257u}) {
    auto e = Events(n);
    Hash256 root = MerkleRoot(e);
    for (size_t i = 0; i < n; ++i) {
      auto p = MerkleProof(e, i);
      ASSERT_TRUE(MerkleVerify(e[i], p, root)) << n << " " << i;
      EXPECT_FALSE(MerkleVerify(Sha256("other"), p, root));
      if (!p.empty()) {
        p[0][0] ^= 1;
        EXPECT_FALSE(MerkleVerify(e[i], p, root));
      }
    }
  }
}

TEST(Merkle, OddNodeIsPromoted) {
  auto e = Events(3);
  Hash256 expect = MerkleNode(MerkleNode(MerkleLeaf(e[0]), MerkleLeaf(e[1])), MerkleLeaf(e[2]));
  EXPECT_EQ(MerkleRoot(e), expect);
  EXPECT_EQ(MerkleProof(e, 2).size(), 1u);
}

// The vectors shared with the Solidity JournalAnchor tests (docs/test-vectors/merkle.json),
// written independently by blockchain/scripts/gen-merkle-vectors.mjs.
TEST(Merkle, MatchesSharedTestVectors) {
  const char* root = std::getenv("CX_ROOT");
  std::ifstream f(std::string(root ? root : "..") + "/docs/test-vectors/merkle.json");
  if (!f) GTEST_SKIP() << "docs/test-vectors/merkle.json not present";
  std::stringstream ss;
  ss << f.rdbuf();
  std::string js = ss.str();
  // Minimal scan of the vector file: each case's event hashes, root and proofs.
  size_t pos = 0, cases = 0;
  while ((pos = js.find("\"event_hashes\"", pos)) != std::string::npos) {
    size_t lb = js.find('[', pos), rb = js.find(']', lb);
    std::vector<Hash256> ev;
    for (size_t q = js.find('"', lb); q < rb; q = js.find('"', q + 1)) {
      size_t q2 = js.find('"', q + 1);
      Hash256 h{};
      ASSERT_TRUE(FromHex(js.substr(q + 1, q2 - q - 1), h));
      ev.push_back(h);
      q = q2;
    }
    size_t rp = js.find("\"root\"", rb);
    size_t q = js.find('"', rp + 6), q2 = js.find('"', q + 1);
    Hash256 expect{};
    ASSERT_TRUE(FromHex(js.substr(q + 1, q2 - q - 1), expect));
    EXPECT_EQ(ToHex(MerkleRoot(ev)), ToHex(expect)) << "case " << cases;
    // Proofs: {"index":i,"proof":[...]} until the next case.
    size_t next = js.find("\"event_hashes\"", q2);
    size_t ip = q2;
    while ((ip = js.find("\"index\"", ip)) != std::string::npos && ip < next) {
      size_t idx = std::strtoull(js.c_str() + js.find(':', ip) + 1, nullptr, 10);
      size_t pl = js.find('[', ip), pr = js.find(']', pl);
      std::vector<Hash256> proof;
      for (size_t a = js.find('"', pl); a < pr; a = js.find('"', a + 1)) {
        size_t b = js.find('"', a + 1);
        Hash256 h{};
        ASSERT_TRUE(FromHex(js.substr(a + 1, b - a - 1), h));
        proof.push_back(h);
        a = b;
      }
      ASSERT_LT(idx, ev.size());
      EXPECT_EQ(proof, MerkleProof(ev, idx)) << "case " << cases << " index " << idx;
      ip = pr;
    }
    ++cases;
    pos = q2;
  }
  EXPECT_GT(cases, 0u);
}

}  // namespace cx
