#include "documents/async_sink.h"

#include <algorithm>
#include <cstring>

namespace cx::documents {

namespace {
constexpr size_t kAlign = 4096;
}

AsyncBlockSink::AsyncBlockSink(BlockSink* target, size_t threads, size_t max_queued)
    : target_(target),
      max_queued_(max_queued == 0 ? 1 : max_queued),
      nthreads_(threads == 0 ? 1 : threads) {
  for (size_t i = 0; i < nthreads_; ++i) threads_.emplace_back([this] { Run(); });
}

AsyncBlockSink::~AsyncBlockSink() {
  {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return queue_.empty() && in_flight_ == 0; });
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

Result<void> AsyncBlockSink::PutBlock(const Cid& cid, std::string_view bytes) {
  Item item;
  {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return queue_.size() < max_queued_ || error_; });
    if (error_) return *error_;
    if (!pool_.empty() && pool_.back().cap >= bytes.size()) {
      item = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!item.buf) {
    item.cap = std::max(kAlign, (bytes.size() + kAlign - 1) / kAlign * kAlign);
    item.buf.reset(static_cast<char*>(std::aligned_alloc(kAlign, item.cap)));
    if (!item.buf) return Err(Code::kInternal, "out of memory for a block buffer");
  }
  std::memcpy(item.buf.get(), bytes.data(), bytes.size());
  item.cid = cid;
  item.len = bytes.size();
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.push_back(std::move(item));
  }
  cv_.notify_all();
  return Ok();
}

Result<void> AsyncBlockSink::Flush() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return (queue_.empty() && in_flight_ == 0) || error_; });
  if (error_) return *error_;
  return Ok();
}

void AsyncBlockSink::Run() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and drained
    Item item = std::move(queue_.front());
    queue_.pop_front();
    ++in_flight_;
    bool skip = error_.has_value();
    lk.unlock();
    cv_.notify_all();
    Result<void> r = skip ? Result<void>()
                          : target_->PutBlock(item.cid, std::string_view(item.buf.get(), item.len));
    lk.lock();
    --in_flight_;
    if (!r.ok() && !error_) {
      error_ = r.error();
      queue_.clear();
    }
    if (pool_.size() < max_queued_ + nthreads_) pool_.push_back(std::move(item));
    cv_.notify_all();
  }
}

}  // namespace cx::documents
