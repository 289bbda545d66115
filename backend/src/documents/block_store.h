// Content-addressed block store on disk.
//
// Layout: <dir>/<xx>/<cid>, where xx is the first two hex digits of the block's sha-256
// digest (256 shards, so no directory grows past a few thousand entries per million
// blocks) and <cid> is the CIDv1 base32 string. A block file holds exactly the block bytes.
//
// Writes go to a temporary file in the shard and are renamed into place, so a reader
// never sees a partial block under its final name. Page-aligned blocks of whole pages
// are written with O_DIRECT (no page-cache copy) where the file system allows it. Blocks already present are not
// rewritten. Durability is batched: PutBlock does not fsync; Sync() flushes everything
// written so far with one syncfs(2) on the store's file system (one flush at the end of
// an import instead of one per block).
//
// Every GetBlock re-hashes the bytes and returns kBlockCorrupt (never the bytes) when
// they do not match the CID: a flipped byte on disk is detected, not served.
//
// Thread-safe: several threads may put and get concurrently (the file system arbitrates;
// a block is immutable once renamed).
#pragma once
#include <atomic>
#include <string>
#include <vector>

#include "core/result.h"
#include "documents/block.h"

namespace cx::documents {

class BlockStore final : public BlockSink, public BlockSource {
 public:
  // Creates `dir` if missing (shard directories appear with their first block).
  static Result<BlockStore> Open(const std::string& dir);
  BlockStore(BlockStore&& o) noexcept
      : dir_(std::move(o.dir_)), direct_ok_(o.direct_ok_.load()) {}

  Result<void> PutBlock(const Cid& cid, std::string_view bytes) override;
  Result<std::string> GetBlock(const Cid& cid) const override;
  bool Has(const Cid& cid) const;
  // Removes a block (used by tests and garbage collection).
  Result<void> Delete(const Cid& cid);
  // Flushes all data written so far to stable storage (one syncfs).
  Result<void> Sync();
  // The file that holds `cid` (it may not exist).
  std::string PathOf(const Cid& cid) const;

  // Largest block accepted on read; bigger files are reported as corrupt.
  static constexpr size_t kMaxBlockSize = 4u << 20;

 private:
  explicit BlockStore(std::string dir) : dir_(std::move(dir)) {}
  static constexpr size_t kDirectAlign = 4096;
  std::string dir_;
  std::atomic<bool> direct_ok_{true};  // cleared when the file system refuses O_DIRECT
};

}  // namespace cx::documents
