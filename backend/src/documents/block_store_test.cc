// Block store on disk, the DAG reader with ranges, and CAR export.
#include "documents/block_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <random>
#include <set>

#include "documents/async_sink.h"
#include "documents/car.h"
#include "documents/errors.h"
#include "documents/file_reader.h"
#include "documents/importer.h"
#include "documents/test_util.h"

namespace cx::documents {
namespace {

using testing::Pattern;
using testing::TempDir;

void FlipByte(const std::string& path, size_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x01;
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

TEST(BlockStore, PutGetRoundTripAndSharding) {
  TempDir dir;
  auto s = BlockStore::Open(dir.path() + "/blocks");
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::string block = "a block of bytes";
  Cid cid = Cid::Of(Codec::kRaw, block);
  EXPECT_FALSE(s->Has(cid));
  ASSERT_TRUE(s->PutBlock(cid, block).ok());
  ASSERT_TRUE(s->PutBlock(cid, block).ok());  // idempotent
  EXPECT_TRUE(s->Has(cid));
  auto got = s->GetBlock(cid);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, block);
  std::string shard = ToHex(cid.digest.data(), 1);
  EXPECT_EQ(s->PathOf(cid), dir.path() + "/blocks/" + shard + "/" + cid.ToString());
}

TEST(BlockStore, MissingBlockIsNotFound) {
  TempDir dir;
  auto s = BlockStore::Open(dir.path());
  auto r = s->GetBlock(Cid::Of(Codec::kRaw, "never stored"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kNotFound);
}

TEST(BlockStore, FlippedByteIsDetectedNotServed) {
  TempDir dir;
  auto s = BlockStore::Open(dir.path());
  std::string block = Pattern(262144);
  Cid cid = Cid::Of(Codec::kRaw, block);
  ASSERT_TRUE(s->PutBlock(cid, block).ok());
  for (size_t at : {size_t{0}, size_t{131072}, block.size() - 1}) {
    FlipByte(s->PathOf(cid), at);
    auto r = s->GetBlock(cid);
    ASSERT_FALSE(r.ok()) << "flip at " << at;
    EXPECT_EQ(r.error().code, kBlockCorrupt);
    EXPECT_NE(r.error().message.find("not served"), std::string::npos);
    FlipByte(s->PathOf(cid), at);  // restore
    ASSERT_TRUE(s->GetBlock(cid).ok());
  }
  // Truncated file.
  std::filesystem::resize_file(s->PathOf(cid), 100);
  EXPECT_EQ(s->GetBlock(cid).error().code, kBlockCorrupt);
}

TEST(BlockStore, SyncSucceeds) {
  TempDir dir;
  auto s = BlockStore::Open(dir.path());
  ASSERT_TRUE(s->PutBlock(Cid::Of(Codec::kRaw, "x"), "x").ok());
  EXPECT_TRUE(s->Sync().ok());
}

class CountingFailSink final : public BlockSink {
 public:
  explicit CountingFailSink(int ok_puts) : left_(ok_puts) {}
  Result<void> PutBlock(const Cid&, std::string_view) override {
    std::lock_guard<std::mutex> lk(mu_);
    if (left_-- <= 0) return Err(Code::kIo, "disk full");
    ++stored_;
    return Ok();
  }
  int stored() {
    std::lock_guard<std::mutex> lk(mu_);
    return stored_;
  }

 private:
  std::mutex mu_;
  int left_;
  int stored_ = 0;
};

TEST(AsyncBlockSink, WritesEverythingBeforeFlushReturns) {
  CountingFailSink target(1000);
  AsyncBlockSink sink(&target, 3, 2);
  std::string block = Pattern(5000);
  for (int i = 0; i < 100; ++i) {
    block[0] = static_cast<char>(i);
    ASSERT_TRUE(sink.PutBlock(Cid::Of(Codec::kRaw, block), block).ok());
  }
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(target.stored(), 100);
}

TEST(AsyncBlockSink, TheFirstErrorIsReported) {
  CountingFailSink target(5);
  AsyncBlockSink sink(&target, 2, 2);
  std::string block = "b";
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) refused = !sink.PutBlock(Cid::Of(Codec::kRaw, block), block).ok();
  auto f = sink.Flush();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Code::kIo);
  EXPECT_LE(target.stored(), 5);
}

// Every range of a multi-level DAG (small chunks so the tree is deep) equals substr.
TEST(FileReader, EveryRangeOfADeepDagMatchesTheBytes) {
  const ImporterOptions opt{5, 3};
  std::string data = Pattern(5 * 27 + 7);  // 4 levels of links
  MemoryBlockStore store;
  UnixFsImporter imp(&store, opt);
  ASSERT_TRUE(imp.Write(data.data(), data.size()).ok());
  auto root = imp.Finish();
  ASSERT_TRUE(root.ok());
  for (size_t off = 0; off <= data.size(); ++off) {
    for (size_t len = 0; off + len <= data.size() + 2; ++len) {
      auto r = FileReader::Open(&store, root->root, off, len);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ((*r)->file_size(), data.size());
      auto all = (*r)->ReadAll();
      ASSERT_TRUE(all.ok()) << all.error().message;
      ASSERT_EQ(*all, data.substr(off, len)) << off << "+" << len;
    }
  }
  auto whole = FileReader::Open(&store, root->root);
  EXPECT_EQ(*(*whole)->ReadAll(), data);
  auto bad = FileReader::Open(&store, root->root, data.size() + 1, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, kBadRange);
}

TEST(FileReader, PiecesAreLeavesSoRangesStream) {
  std::string data = Pattern(3 * kChunkSize + 10);
  MemoryBlockStore store;
  UnixFsImporter imp(&store);
  ASSERT_TRUE(imp.Write(data.data(), data.size()).ok());
  auto root = imp.Finish();
  auto r = FileReader::Open(&store, root->root, 100, 2 * kChunkSize);
  ASSERT_TRUE(r.ok());
  std::vector<size_t> sizes;
  std::string piece, all;
  while (*(*r)->Next(&piece)) {
    sizes.push_back(piece.size());
    all += piece;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{kChunkSize - 100, kChunkSize, 100}));
  EXPECT_EQ(all, data.substr(100, 2 * kChunkSize));
}

TEST(FileReader, CorruptLeafStopsTheRead) {
  std::string data = Pattern(2 * kChunkSize + 1);
  MemoryBlockStore store;
  UnixFsImporter imp(&store);
  ASSERT_TRUE(imp.Write(data.data(), data.size()).ok());
  auto root = imp.Finish();
  Cid second = Cid::Of(Codec::kRaw, std::string_view(data).substr(kChunkSize, kChunkSize));
  store.mutable_blocks()[second][5] ^= 1;
  auto r = FileReader::Open(&store, root->root);
  ASSERT_TRUE(r.ok());
  std::string piece;
  EXPECT_TRUE(*(*r)->Next(&piece));  // first leaf is fine
  auto next = (*r)->Next(&piece);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, kBlockCorrupt);
}

// Minimal CAR v1 parser for the test: header bytes and (cid, block) frames.
struct ParsedCar {
  std::string header;
  std::vector<std::pair<Cid, std::string>> blocks;
};
ParsedCar ParseCar(const std::string& car) {
  ParsedCar out;
  size_t pos = 0;
  uint64_t n = 0;
  EXPECT_TRUE(ReadVarint(car, pos, n));
  out.header = car.substr(pos, n);
  pos += n;
  while (pos < car.size()) {
    EXPECT_TRUE(ReadVarint(car, pos, n));
    auto cid = Cid::FromBytes(std::string_view(car).substr(pos, 36));
    EXPECT_TRUE(cid.ok());
    out.blocks.emplace_back(*cid, car.substr(pos + 36, n - 36));
    pos += n;
  }
  return out;
}

class StringSink final : public ByteSink {
 public:
  Result<void> Write(std::string_view b) override {
    s += b;
    return Ok();
  }
  std::string s;
};

TEST(Car, HeaderIsDagCborRootsAndVersion) {
  Cid root = Cid::Of(Codec::kRaw, "");
  std::string h = CarHeader(root);
  // 0x3a = 58 bytes of CBOR: a2 65"roots" 81 d8 2a 58 25 00 <36> 67"version" 01
  EXPECT_EQ(static_cast<uint8_t>(h[0]), 58);
  EXPECT_EQ(h.substr(1, 7), std::string("\xa2\x65roots", 7));
  EXPECT_EQ(h.substr(8, 5), std::string("\x81\xd8\x2a\x58\x25", 5));
  EXPECT_EQ(h[13], '\0');
  EXPECT_EQ(h.substr(14, 36), root.Bytes());
  EXPECT_EQ(h.substr(50), std::string("\x67version\x01", 9));
}

TEST(Car, ExportsEachBlockOnceDepthFirst) {
  std::string data = std::string(4 * kChunkSize, 'z') + Pattern(kChunkSize + 3);
  MemoryBlockStore store;
  UnixFsImporter imp(&store);
  ASSERT_TRUE(imp.Write(data.data(), data.size()).ok());
  auto root = imp.Finish();
  StringSink sink;
  auto n = ExportCar(store, root->root, sink);
  ASSERT_TRUE(n.ok());
  ParsedCar car = ParseCar(sink.s);
  EXPECT_EQ(car.header, CarHeader(root->root).substr(1));
  ASSERT_EQ(car.blocks.size(), *n);
  EXPECT_EQ(car.blocks.size(), store.size());  // 4 equal leaves stored once: 3 distinct leaves + root
  EXPECT_EQ(car.blocks[0].first, root->root);
  std::set<Cid> seen;
  for (auto& [cid, bytes] : car.blocks) {
    EXPECT_EQ(Cid::Of(cid.codec, bytes), cid);
    EXPECT_TRUE(seen.insert(cid).second);
  }
}

TEST(Car, CorruptBlockStopsTheExport) {
  std::string data = Pattern(2 * kChunkSize);
  MemoryBlockStore store;
  UnixFsImporter imp(&store);
  ASSERT_TRUE(imp.Write(data.data(), data.size()).ok());
  auto root = imp.Finish();
  store.mutable_blocks().begin()->second[0] ^= 1;
  StringSink sink;
  auto n = ExportCar(store, root->root, sink);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, kBlockCorrupt);
}

}  // namespace
}  // namespace cx::documents
