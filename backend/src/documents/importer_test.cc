#include "documents/importer.h"

#include <gtest/gtest.h>

#include <random>

#include "documents/dag_pb.h"
#include "documents/errors.h"
#include "documents/test_util.h"

namespace cx::documents {
namespace {

using testing::Pattern;
using testing::RandomBytes;

// Naive reference, shaped like the JS balanced layout: chunk everything, then batch the
// whole list of nodes max_links at a time, level after level, until one is left.
struct RefNode {
  Cid cid;
  uint64_t tsize, content;
};
Cid NaiveCid(std::string_view data, size_t chunk, size_t max_links) {
  std::vector<RefNode> level;
  size_t pos = 0;
  do {
    std::string_view c = data.substr(pos, chunk);
    level.push_back({Cid::Of(Codec::kRaw, c), c.size(), c.size()});
    pos += chunk;
  } while (pos < data.size());
  while (level.size() > 1) {  // a single leaf is its own root
    std::vector<RefNode> up;
    for (size_t i = 0; i < level.size(); i += max_links) {
      std::vector<PbLink> links;
      std::vector<uint64_t> sizes;
      uint64_t t = 0, c = 0;
      for (size_t j = i; j < std::min(level.size(), i + max_links); ++j) {
        links.push_back({level[j].cid, level[j].tsize});
        sizes.push_back(level[j].content);
        t += level[j].tsize;
        c += level[j].content;
      }
      std::string block = EncodeFileNode(links, sizes);
      up.push_back({Cid::Of(Codec::kDagPb, block), t + block.size(), c});
    }
    level = std::move(up);
  }
  return level[0].cid;
}

TEST(Importer, GoldenCidsFromTheJavaScriptImporter) {
  // Values printed by js/reference.mjs (ipfs-unixfs-importer 17.1.1).
  EXPECT_EQ(ComputeCid("")->root.ToString(),
            "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  EXPECT_EQ(ComputeCid("a")->root.ToString(),
            "bafkreigks6arfsq3xxfpvqrrwonchxcnu6do76auprhhfomao6c273sixm");
  EXPECT_EQ(ComputeCid(std::string(262145, '\0'))->root.ToString(),
            "bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki");
  EXPECT_EQ(ComputeCid(std::string(1 << 20, '\0'))->root.ToString(),
            "bafybeiggzq4ryi7hscq5hzvzcnk4urnxt3asp37dhgvnjilf7exskximla");
  // 177 chunks + 17 bytes: two levels of links.
  EXPECT_EQ(ComputeCid(Pattern(45613056 + 262144 * 3 + 17))->root.ToString(),
            "bafybeiarjumwixvk4vqt6cjih75xd4vdex5uvfqlxc3f7ns5nuhmgloywq");
}

TEST(Importer, SingleChunkIsItsRawLeaf) {
  std::string full(kChunkSize, 'x');
  auto r = ComputeCid(full);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root, Cid::Of(Codec::kRaw, full));
  EXPECT_EQ(r->file_size, kChunkSize);
  EXPECT_EQ(r->dag_size, kChunkSize);
}

TEST(Importer, TwoChunksMakeOneFileNode) {
  std::string data(kChunkSize + 1, 'y');
  MemoryBlockStore store;
  UnixFsImporter imp(&store);
  ASSERT_TRUE(imp.Write(data.data(), data.size()).ok());
  auto r = imp.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->root.codec, Codec::kDagPb);
  auto block = store.GetBlock(r->root);
  ASSERT_TRUE(block.ok());
  auto node = DecodeFileNode(*block);
  ASSERT_TRUE(node.ok()) << node.error().message;
  ASSERT_EQ(node->links.size(), 2u);
  EXPECT_EQ(node->blocksizes, (std::vector<uint64_t>{kChunkSize, 1}));
  EXPECT_EQ(node->filesize, kChunkSize + 1);
  EXPECT_EQ(node->links[0].tsize, kChunkSize);
  EXPECT_EQ(node->links[1].tsize, 1u);
  EXPECT_EQ(r->dag_size, kChunkSize + 1 + block->size());
  EXPECT_EQ(store.size(), 3u);
}

TEST(Importer, MatchesNaiveLayoutAcrossSizes) {
  // Small chunks and fan-out make deep trees cheap: every boundary of 1..4 levels.
  const size_t chunk = 3, links = 3;
  std::string data = Pattern(3 * 3 * 3 * 3 * 3 + 10);
  for (size_t n = 0; n <= data.size(); ++n) {
    std::string_view d(data.data(), n);
    auto r = ComputeCid(d, {chunk, links});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->root, NaiveCid(d, chunk, links)) << "size " << n;
    ASSERT_EQ(r->file_size, n);
  }
}

TEST(Importer, PiecewiseWritesGiveTheSameDag) {
  uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 6; ++round) {
    size_t n = rng() % (3 * kChunkSize + 100);
    std::string data = RandomBytes(rng, n);
    auto whole = ComputeCid(data);
    ASSERT_TRUE(whole.ok());
    NullBlockSink sink;
    UnixFsImporter imp(&sink);
    size_t pos = 0;
    while (pos < n) {
      size_t k = std::min<size_t>(n - pos, rng() % 2 ? rng() % 17 : rng() % (kChunkSize * 2));
      ASSERT_TRUE(imp.Write(data.data() + pos, k).ok());
      pos += k;
    }
    auto r = imp.Finish();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->root, whole->root) << "size " << n;
    EXPECT_EQ(imp.bytes_written(), n);
  }
}

class FailingSink final : public BlockSink {
 public:
  explicit FailingSink(int ok_puts) : left_(ok_puts) {}
  Result<void> PutBlock(const Cid&, std::string_view) override {
    if (left_-- <= 0) return Err(Code::kIo, "disk full");
    return Ok();
  }

 private:
  int left_;
};

TEST(Importer, SinkErrorsStopTheImport) {
  FailingSink sink(2);
  UnixFsImporter imp(&sink);
  std::string data(kChunkSize * 4, 'z');
  auto w = imp.Write(data.data(), data.size());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, Code::kIo);
  EXPECT_FALSE(imp.Write("x", 1).ok());
  EXPECT_FALSE(imp.Finish().ok());
}

TEST(DagPb, EncodesLinksFirstLikeJs) {
  Cid leaf = Cid::Of(Codec::kRaw, "abc");
  std::string b = EncodeFileNode({{leaf, 3}}, {3});
  // 12 <len> [0a 24 <cid>] [12 00] [18 03]   then   0a <len> [08 02 18 03 20 03]
  ASSERT_EQ(static_cast<uint8_t>(b[0]), 0x12);
  EXPECT_EQ(b.substr(2, 2), std::string("\x0a\x24", 2));
  EXPECT_EQ(b.substr(4, 36), leaf.Bytes());
  EXPECT_EQ(b.substr(40, 4), std::string("\x12\x00\x18\x03", 4));
  EXPECT_EQ(b.substr(44), std::string("\x0a\x06\x08\x02\x18\x03\x20\x03", 8));
}

TEST(DagPb, RejectsMalformedNodes) {
  Cid leaf = Cid::Of(Codec::kRaw, "abc");
  std::string good = EncodeFileNode({{leaf, 3}}, {3});
  ASSERT_TRUE(DecodeFileNode(good).ok());
  for (size_t cut = 0; cut < good.size(); ++cut) {
    auto r = DecodeFileNode(good.substr(0, cut));
    EXPECT_FALSE(r.ok()) << "truncated at " << cut;
  }
  // Directory type (1) instead of file.
  std::string dir = good;
  dir[dir.size() - 5] = 0x01;
  EXPECT_FALSE(DecodeFileNode(dir).ok());
  // Filesize that disagrees with blocksizes.
  std::string lie = good;
  lie[lie.size() - 3] = 0x04;
  auto r = DecodeFileNode(lie);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, kBlockCorrupt);
}

TEST(DagPb, RandomBytesNeverCrashTheDecoder) {
  uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  Cid leaf = Cid::Of(Codec::kRaw, "abc");
  std::string good = EncodeFileNode({{leaf, 3}, {leaf, 3}}, {3, 3});
  for (int i = 0; i < 20000; ++i) {
    std::string b = good;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      b[rng() % b.size()] = static_cast<char>(rng());
    }
    if (rng() % 4 == 0) b = RandomBytes(rng, rng() % 64);
    auto r = DecodeFileNode(b);
    if (r.ok()) {
      EXPECT_EQ(r->links.size(), r->blocksizes.size());
    }
  }
}

}  // namespace
}  // namespace cx::documents
