// Channel pub/sub hub for WebSocket market data (and anything else pushed to clients).
// Plain C++: a subscriber is an id with a sink; Publish() hands the same shared text to
// every sink subscribed to the channel. The WebSocket session in http_server.cc registers
// a sink that posts the text to its connection's executor and queues the write, so
// Publish never blocks on a slow client (a session whose queue exceeds its bound is
// closed by the server).
// Thread-safe: all methods may be called from any thread (one mutex; sinks are called
// outside it, so a sink may call back into the hub).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cx::api {

class PubSubHub {
 public:
  using Sink = std::function<void(std::shared_ptr<const std::string> text)>;
  static constexpr size_t kMaxChannelsPerSubscriber = 64;

  // Registers a subscriber; returns its id (never 0).
  uint64_t Connect(Sink sink);
  // Removes the subscriber and all its subscriptions.
  void Disconnect(uint64_t id);
  // False if the subscriber is unknown or already has kMaxChannelsPerSubscriber channels.
  bool Subscribe(uint64_t id, const std::string& channel);
  void Unsubscribe(uint64_t id, const std::string& channel);
  // Delivers `text` to every subscriber of `channel`; returns how many.
  size_t Publish(const std::string& channel, std::string text);
  size_t subscriber_count() const;
  std::vector<std::string> ChannelsOf(uint64_t id) const;
  // Every channel with at least one subscriber (issue 10: resync notices).
  std::vector<std::string> Channels() const;

 private:
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<Sink>> sinks_;
  std::map<uint64_t, std::set<std::string>> subs_by_id_;
  std::map<std::string, std::set<uint64_t>> subs_by_channel_;
};

}  // namespace cx::api
