#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/pubsub.h"

namespace cx::api {
namespace {

TEST(PubSub, DeliversToSubscribersOnly) {
  PubSubHub hub;
  std::vector<std::string> a, b;
  uint64_t ia = hub.Connect([&](auto t) { a.push_back(*t); });
  uint64_t ib = hub.Connect([&](auto t) { b.push_back(*t); });
  EXPECT_NE(ia, ib);
  EXPECT_TRUE(hub.Subscribe(ia, "trades.1"));
  EXPECT_TRUE(hub.Subscribe(ib, "trades.2"));
  EXPECT_TRUE(hub.Subscribe(ib, "trades.1"));
  EXPECT_EQ(hub.Publish("trades.1", "x"), 2u);
  EXPECT_EQ(hub.Publish("trades.2", "y"), 1u);
  EXPECT_EQ(hub.Publish("none", "z"), 0u);
  hub.Unsubscribe(ib, "trades.1");
  EXPECT_EQ(hub.Publish("trades.1", "w"), 1u);
  EXPECT_EQ(a, (std::vector<std::string>{"x", "w"}));
  EXPECT_EQ(b, (std::vector<std::string>{"x", "y"}));
  hub.Disconnect(ia);
  EXPECT_EQ(hub.Publish("trades.1", "v"), 0u);
  EXPECT_FALSE(hub.Subscribe(ia, "trades.1"));
  EXPECT_EQ(hub.subscriber_count(), 1u);
}

TEST(PubSub, BoundsChannelsPerSubscriber) {
  PubSubHub hub;
  uint64_t id = hub.Connect([](auto) {});
  for (size_t i = 0; i < PubSubHub::kMaxChannelsPerSubscriber; ++i)
    EXPECT_TRUE(hub.Subscribe(id, "c" + std::to_string(i)));
  EXPECT_FALSE(hub.Subscribe(id, "one-more"));
  EXPECT_TRUE(hub.Subscribe(id, "c0"));  // already subscribed is fine
}

TEST(PubSub, PublishFromManyThreads) {
  PubSubHub hub;
  std::atomic<int> got{0};
  uint64_t id = hub.Connect([&](auto) { got.fetch_add(1); });
  ASSERT_TRUE(hub.Subscribe(id, "c"));
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) hub.Publish("c", "m");
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(got.load(), 4000);
}

}  // namespace
}  // namespace cx::api
