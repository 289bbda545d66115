// AsyncBlockSink: hands blocks to a BlockSink on background threads, so hashing the next
// chunk overlaps writing the previous blocks (an import then costs about max(hash, write)
// instead of their sum, and several writes are in flight at once).
//
// PutBlock copies the block into a page-aligned buffer (reused from a small pool, so the
// target can write it with O_DIRECT) and queues it; at most `max_queued` blocks wait (the
// producer blocks when the queue is full, so memory stays bounded) and returns at once.
// The first error of the target is kept and returned by the next PutBlock and by Flush();
// blocks after an error are dropped. Flush() waits until every queued block is written.
//
// Thread-safety: PutBlock and Flush are for one producer thread; the target must accept
// concurrent PutBlock calls when `threads` > 1 (BlockStore does). The destructor drains
// the queue and joins.
#pragma once
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "documents/block.h"

namespace cx::documents {

class AsyncBlockSink final : public BlockSink {
 public:
  explicit AsyncBlockSink(BlockSink* target, size_t threads = 2, size_t max_queued = 8);
  ~AsyncBlockSink() override;
  AsyncBlockSink(const AsyncBlockSink&) = delete;
  AsyncBlockSink& operator=(const AsyncBlockSink&) = delete;

  Result<void> PutBlock(const Cid& cid, std::string_view bytes) override;
  Result<void> Flush();

 private:
  struct FreeDeleter {
    void operator()(char* p) const { std::free(p); }
  };
  using Buffer = std::unique_ptr<char, FreeDeleter>;
  struct Item {
    Cid cid;
    Buffer buf;
    size_t len = 0;
    size_t cap = 0;
  };
  void Run();

  BlockSink* target_;
  size_t max_queued_;
  size_t nthreads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  std::vector<Item> pool_;  // spare buffers
  size_t in_flight_ = 0;
  std::optional<Error> error_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cx::documents
