#include "api/pubsub.h"

namespace cx::api {

uint64_t PubSubHub::Connect(Sink sink) {
  std::lock_guard lk(mu_);
  uint64_t id = next_id_++;
  sinks_[id] = std::make_shared<Sink>(std::move(sink));
  subs_by_id_[id];
  return id;
}

void PubSubHub::Disconnect(uint64_t id) {
  std::lock_guard lk(mu_);
  auto it = subs_by_id_.find(id);
  if (it != subs_by_id_.end()) {
    for (const auto& ch : it->second) {
      auto c = subs_by_channel_.find(ch);
      if (c == subs_by_channel_.end()) continue;
      c->second.erase(id);
      if (c->second.empty()) subs_by_channel_.erase(c);
    }
    subs_by_id_.erase(it);
  }
  sinks_.erase(id);
}

bool PubSubHub::Subscribe(uint64_t id, const std::string& channel) {
  std::lock_guard lk(mu_);
  auto it = subs_by_id_.find(id);
  if (it == subs_by_id_.end()) return false;
  if (it->second.count(channel)) return true;
  if (it->second.size() >= kMaxChannelsPerSubscriber) return false;
  it->second.insert(channel);
  subs_by_channel_[channel].insert(id);
  return true;
}

void PubSubHub::Unsubscribe(uint64_t id, const std::string& channel) {
  std::lock_guard lk(mu_);
  auto it = subs_by_id_.find(id);
  if (it != subs_by_id_.end()) it->second.erase(channel);
  auto c = subs_by_channel_.find(channel);
  if (c != subs_by_channel_.end()) {
    c->second.erase(id);
    if (c->second.empty()) subs_by_channel_.erase(c);
  }
}

size_t PubSubHub::Publish(const std::string& channel, std::string text) {
  auto shared = std::make_shared<const std::string>(std::move(text));
  std::vector<std::shared_ptr<Sink>> targets;
  {
    std::lock_guard lk(mu_);
    auto c = subs_by_channel_.find(channel);
    if (c == subs_by_channel_.end()) return 0;
    for (uint64_t id : c->second) {
      auto s = sinks_.find(id);
      if (s != sinks_.end()) targets.push_back(s->second);
    }
  }
  for (const auto& s : targets) (*s)(shared);
  return targets.size();
}

size_t PubSubHub::subscriber_count() const {
  std::lock_guard lk(mu_);
  return sinks_.size();
}

std::vector<std::string> PubSubHub::ChannelsOf(uint64_t id) const {
  std::lock_guard lk(mu_);
  auto it = subs_by_id_.find(id);
  if (it == subs_by_id_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> PubSubHub::Channels() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& [ch, ids] : subs_by_channel_)
    if (!ids.empty()) out.push_back(ch);
  return out;
}

}  // namespace cx::api
