#include "documents/pin_service.h"

#include <chrono>
#include <iostream>

namespace cx::documents {

Result<std::unique_ptr<PinService>> PinService::Start(const DocumentStore* store, Options options) {
  if (!options.clock) return Err(Code::kInvalidField, "a clock is required", "clock");
  CX_ASSIGN_OR_RETURN(PinQueue q, PinQueue::Open(options.queue_dir));
  CX_ASSIGN_OR_RETURN(KuboClient k, KuboClient::Create(options.api_url, options.timeout_ms));
  return std::unique_ptr<PinService>(new PinService(store, std::move(options), std::move(q), std::move(k)));
}

PinService::PinService(const DocumentStore* store, Options o, PinQueue q, KuboClient k)
    : opt_(std::move(o)), queue_(std::move(q)), kubo_(std::move(k)), worker_(store, &queue_, &kubo_, opt_.retry) {
  thread_ = std::thread([this] { Loop(); });
}

PinService::~PinService() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<void> PinService::Enqueue(const Cid& cid) {
  CX_TRY(queue_.Enqueue(cid, opt_.clock()));
  Kick();
  return Ok();
}

Result<std::vector<PendingPin>> PinService::Pending() const { return queue_.List(); }

void PinService::Kick() {
  {
    std::lock_guard<std::mutex> l(mu_);
    kicked_ = true;
  }
  cv_.notify_all();
}

void PinService::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait_for(l, std::chrono::milliseconds(opt_.poll_ms), [&] { return stop_ || kicked_; });
      if (stop_) return;
      kicked_ = false;
    }
    auto r = worker_.RunOnce(opt_.clock());
    if (!r.ok()) std::cerr << "carbonx: pin queue: " << r.error().message << "\n";  // entries stay queued
    passes_.fetch_add(1);
  }
}

}  // namespace cx::documents
