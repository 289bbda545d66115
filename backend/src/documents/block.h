// Interfaces between the pure DAG code (importer, reader, CAR writer) and storage.
// Implementations: BlockStore (files on disk, block_store.h) and MemoryBlockStore (tests).
// Thread-safety is the implementation's to state.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"
#include "documents/cid.h"

namespace cx::documents {

class BlockSink {
 public:
  virtual ~BlockSink() = default;
  // Stores `bytes` under `cid` (the caller has computed cid from bytes). Idempotent.
  virtual Result<void> PutBlock(const Cid& cid, std::string_view bytes) = 0;
};

class BlockSource {
 public:
  virtual ~BlockSource() = default;
  // The block's bytes, checked against the CID's hash. Error kNotFound when absent,
  // kBlockCorrupt when the stored bytes do not hash to `cid`.
  virtual Result<std::string> GetBlock(const Cid& cid) const = 0;
};

// Consumer of a byte stream (CAR export, document bytes); an error stops the producer.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> Write(std::string_view bytes) = 0;
};

// In-memory store for tests and for computing CIDs without keeping blocks. Not
// thread-safe.
class MemoryBlockStore final : public BlockSink, public BlockSource {
 public:
  explicit MemoryBlockStore(bool keep_bytes = true) : keep_(keep_bytes) {}
  Result<void> PutBlock(const Cid& cid, std::string_view bytes) override;
  Result<std::string> GetBlock(const Cid& cid) const override;
  size_t size() const { return blocks_.size(); }
  const std::map<Cid, std::string>& blocks() const { return blocks_; }
  std::map<Cid, std::string>& mutable_blocks() { return blocks_; }

 private:
  bool keep_;
  std::map<Cid, std::string> blocks_;
};

// A sink that discards blocks (computes CIDs only).
class NullBlockSink final : public BlockSink {
 public:
  Result<void> PutBlock(const Cid&, std::string_view) override { return Ok(); }
};

}  // namespace cx::documents
