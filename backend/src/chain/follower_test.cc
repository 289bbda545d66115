// LogFollower against FakeChain: confirmation depth, ranges, re-orgs (confirmed and
// unconfirmed delivery), restart from a persisted cursor, exactly-once across a "crash".
#include "chain/follower.h"

#include <gtest/gtest.h>

#include <map>

#include "chain/fake_chain_test_util.h"
#include "chain/hex.h"

namespace cx::chain {
namespace {

using testing::A;
using testing::FakeChain;

FakeChain::FakeLog L(uint8_t contract, const std::string& data) {
  return FakeChain::FakeLog{A(contract), Keccak256("Event()"), data};
}

// The caller's state: applied effects keyed by (block, data) plus the persisted cursor,
// updated together as the header asks.
struct Sink {
  std::map<std::pair<uint64_t, std::string>, int> applied;  // -> times applied
  std::optional<std::string> persisted;
  std::vector<uint64_t> rewinds;
  bool fail_next = false;
  FollowerCallbacks Callbacks() {
    FollowerCallbacks cb;
    cb.on_logs = [this](const std::vector<Log>& logs, const FollowerCursor& c) -> Result<void> {
      if (fail_next) {
        fail_next = false;
        return Err(Code::kStorage, "crash before commit");
      }
      for (const auto& l : logs) ++applied[{l.block_number, l.data}];
      persisted = c.Encode();
      return Ok();
    };
    cb.on_rewind = [this](uint64_t from, const FollowerCursor& c) -> Result<void> {
      rewinds.push_back(from);
      for (auto it = applied.begin(); it != applied.end();) {
        it = it->first.first >= from ? applied.erase(it) : std::next(it);
      }
      persisted = c.Encode();
      return Ok();
    };
    return cb;
  }
  std::vector<std::string> Datas() const {
    std::vector<std::string> out;
    for (const auto& [k, n] : applied) {
      for (int i = 0; i < n; ++i) out.push_back(k.second);
    }
    return out;
  }
};

void PollAll(LogFollower& f) {
  for (int i = 0; i < 100; ++i) {
    auto r = f.Poll();
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (r.value().caught_up) return;
  }
  FAIL() << "never caught up";
}

TEST(FollowerCursor, EncodeDecodeRoundTripAndRefusals) {
  FollowerCursor c{42, testing::H(42, 0), {testing::H(41, 0), testing::H(40, 0)}};
  auto d = FollowerCursor::Decode(c.Encode());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value(), c);
  const std::string too_many = "v1:0:0x" + std::string(64, 'a') + ":0x" + std::string(64, 'b');
  for (std::string_view bad : {std::string_view(""), std::string_view("v2:1:0x"), std::string_view("v1:x:0x"),
                               std::string_view("v1:1:0x12:"), std::string_view("v1:1:"), std::string_view(too_many)}) {
    EXPECT_FALSE(FollowerCursor::Decode(bad).ok()) << bad;
  }
}

TEST(LogFollower, DeliversOnlyAtTheConfirmationDepth) {
  FakeChain chain;
  chain.Mine({L(1, "a")});  // block 1
  chain.Mine({L(2, "other contract")});
  chain.Mine();             // block 3: block 1 has 3 confirmations
  Sink sink;
  FollowerOptions o;
  o.addresses = {A(1)};
  o.confirmations = 3;
  o.start_block = 1;
  LogFollower f(chain, o, sink.Callbacks());
  PollAll(f);
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a"}));
  EXPECT_EQ(f.cursor()->block_number, 1u);
  chain.Mine({L(1, "b")});  // block 4
  PollAll(f);
  EXPECT_EQ(f.cursor()->block_number, 2u);
  EXPECT_EQ(sink.applied.size(), 1u);
  chain.Mine();
  chain.Mine();
  PollAll(f);
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a", "b"}));
}

TEST(LogFollower, ZeroConfirmationsDeliversTheHead) {
  FakeChain chain;
  chain.Mine({L(1, "a")});
  Sink sink;
  FollowerOptions o;
  o.confirmations = 0;
  LogFollower f(chain, o, sink.Callbacks());
  PollAll(f);
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a"}));
  EXPECT_EQ(f.cursor()->block_number, 1u);
}

TEST(LogFollower, BoundedRangesAndNodeLimitsSplit) {
  FakeChain chain;
  for (int i = 0; i < 50; ++i) chain.Mine({L(1, "x" + std::to_string(i))});
  chain.max_log_range_ = 4;  // the node refuses wider eth_getLogs ranges
  Sink sink;
  FollowerOptions o;
  o.confirmations = 1;
  o.max_range = 16;
  o.keep_blocks = 8;
  LogFollower f(chain, o, sink.Callbacks());
  auto r = f.Poll().value();
  EXPECT_EQ(r.delivered_to, 15u);
  EXPECT_FALSE(r.caught_up);
  PollAll(f);
  EXPECT_EQ(sink.applied.size(), 50u);
  EXPECT_EQ(f.cursor()->ancestors.size(), 7u);  // K - 1
}

TEST(LogFollower, UnconfirmedDeliveryRewindsAndRedeliversAfterAReorg) {
  FakeChain chain;
  chain.Mine({L(1, "a")});  // 1
  chain.Mine({L(1, "b")});  // 2
  chain.Mine({L(1, "c")});  // 3
  Sink sink;
  FollowerOptions o;
  o.deliver_unconfirmed = true;
  o.confirmations = 6;
  LogFollower f(chain, o, sink.Callbacks());
  PollAll(f);
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a", "b", "c"}));
  // Blocks 2 and 3 replaced by a longer fork where "b" moved and "c" vanished.
  chain.Reorg(1, 3, {{}, {L(1, "b")}, {L(1, "d")}});
  auto r = f.Poll().value();
  ASSERT_TRUE(r.rewound_from.has_value());
  EXPECT_EQ(*r.rewound_from, 2u);
  PollAll(f);
  EXPECT_EQ(sink.rewinds, std::vector<uint64_t>({2}));
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a", "b", "d"}));
  EXPECT_EQ(sink.applied.count({3, "b"}), 1u);
  EXPECT_EQ(f.reorgs_seen(), 1u);
  EXPECT_EQ(f.cursor()->block_hash, chain.block(4).header.hash);
}

TEST(LogFollower, ConfirmedDeliveryIgnoresShallowReorgs) {
  FakeChain chain;
  chain.Mine({L(1, "a")});
  chain.Mine({L(1, "b")});
  chain.Mine();
  Sink sink;
  FollowerOptions o;
  o.confirmations = 2;
  LogFollower f(chain, o, sink.Callbacks());
  PollAll(f);
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a", "b"}));
  chain.Reorg(2, 2, {{L(1, "z")}});  // only blocks above the delivered ones change
  PollAll(f);
  EXPECT_TRUE(sink.rewinds.empty());
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a", "b", "z"}));
}

TEST(LogFollower, ReorgToAShorterChainRewinds) {
  FakeChain chain;
  chain.Mine({L(1, "a")});
  chain.Mine({L(1, "b")});
  Sink sink;
  FollowerOptions o;
  o.deliver_unconfirmed = true;
  LogFollower f(chain, o, sink.Callbacks());
  PollAll(f);
  chain.Reorg(1, 0);  // like anvil's evm_revert: the chain is now shorter
  PollAll(f);
  EXPECT_EQ(sink.rewinds, std::vector<uint64_t>({2}));
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a"}));
  EXPECT_EQ(f.cursor()->block_number, 1u);
}

TEST(LogFollower, ReorgDeeperThanTheKeptHashesFails) {
  FakeChain chain;
  for (int i = 0; i < 10; ++i) chain.Mine({L(1, std::to_string(i))});
  Sink sink;
  FollowerOptions o;
  o.deliver_unconfirmed = true;
  o.confirmations = 1;
  o.keep_blocks = 3;
  LogFollower f(chain, o, sink.Callbacks());
  PollAll(f);
  chain.Reorg(2, 12);
  auto r = f.Poll();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "cursor");
  EXPECT_EQ(r.error().code, Code::kChainReorgTooDeep);
  EXPECT_EQ(CodeName(r.error().code), "CHAIN_REORG_TOO_DEEP");
}

TEST(LogFollower, RestartFromThePersistedCursorDeliversNothingTwice) {
  FakeChain chain;
  for (int i = 0; i < 5; ++i) chain.Mine({L(1, "e" + std::to_string(i))});
  Sink sink;
  FollowerOptions o;
  o.confirmations = 1;
  o.max_range = 2;
  {
    LogFollower f(chain, o, sink.Callbacks());
    ASSERT_TRUE(f.Poll().ok());  // blocks 0..1
    ASSERT_TRUE(f.Poll().ok());  // 2..3
    sink.fail_next = true;       // crash while applying 4..5: nothing of it persisted
    EXPECT_FALSE(f.Poll().ok());
  }
  for (int i = 5; i < 8; ++i) chain.Mine({L(1, "e" + std::to_string(i))});
  ASSERT_TRUE(sink.persisted.has_value());
  LogFollower again(chain, o, sink.Callbacks(), FollowerCursor::Decode(*sink.persisted).value());
  PollAll(again);
  EXPECT_EQ(sink.applied.size(), 8u);
  for (const auto& [k, n] : sink.applied) EXPECT_EQ(n, 1) << k.second;
}

TEST(LogFollower, ReorgWhileStoppedIsFoundOnRestart) {
  FakeChain chain;
  for (int i = 0; i < 4; ++i) chain.Mine({L(1, "e" + std::to_string(i))});
  Sink sink;
  FollowerOptions o;
  o.deliver_unconfirmed = true;
  {
    LogFollower f(chain, o, sink.Callbacks());
    PollAll(f);
  }
  chain.Reorg(2, 3, {{L(1, "n3")}, {L(1, "n4")}});
  LogFollower again(chain, o, sink.Callbacks(), FollowerCursor::Decode(*sink.persisted).value());
  PollAll(again);
  EXPECT_EQ(sink.rewinds, std::vector<uint64_t>({3}));
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"e0", "e1", "n3", "n4"}));
}

TEST(LogFollower, TransportErrorsChangeNothing) {
  FakeChain chain;
  chain.Mine({L(1, "a")});
  Sink sink;
  FollowerOptions o;
  o.confirmations = 1;
  LogFollower f(chain, o, sink.Callbacks());
  chain.fail_next_ = 1;
  EXPECT_FALSE(f.Poll().ok());
  EXPECT_FALSE(f.cursor().has_value());
  PollAll(f);
  EXPECT_EQ(sink.Datas(), std::vector<std::string>({"a"}));
}


// A node on which one contract has code from block `deployed` on (eth_getCode at past blocks).
class CodeNode : public RpcClient {
 public:
  CodeNode(uint64_t head, std::optional<uint64_t> deployed) : head_(head), deployed_(deployed) {}
  int code_calls = 0;
  Result<std::vector<Result<boost::json::value>>> CallBatch(const std::vector<RpcRequest>& reqs) override {
    std::vector<Result<boost::json::value>> out;
    for (const auto& r : reqs) {
      if (r.method == "eth_blockNumber") {
        out.emplace_back(boost::json::value(ToQuantity(U256(head_))));
      } else if (r.method == "eth_getCode") {
        ++code_calls;
        auto n = ParseQuantity(std::string(r.params.at(1).as_string()));
        if (!n.ok()) return n.error();
        const bool has = deployed_ && static_cast<uint64_t>(*n) >= *deployed_ && static_cast<uint64_t>(*n) <= head_;
        out.emplace_back(boost::json::value(has ? "0x6080" : "0x"));
      } else {
        return Err(Code::kUnsupported, "unexpected " + r.method);
      }
    }
    return out;
  }

 private:
  uint64_t head_;
  std::optional<uint64_t> deployed_;
};

TEST(LogFollower, FindsTheDeploymentBlockByBinarySearch) {
  for (uint64_t deployed : {0ULL, 1ULL, 17ULL, 999ULL, 1000ULL}) {
    CodeNode node(1000, deployed);
    auto r = FindDeploymentBlock(node, A(7));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, deployed);
    EXPECT_LE(node.code_calls, 12);  // log2(1000) + the head check
  }
  CodeNode node(1000, 300);
  EXPECT_EQ(FollowerStartBlock(node, {A(7)}, std::nullopt), 300u);
  EXPECT_EQ(FollowerStartBlock(node, {A(7)}, 12), 12u);  // recorded in the deployment file
  CodeNode none(50, std::nullopt);
  auto r = FindDeploymentBlock(none, A(7));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kNotFound);
  EXPECT_EQ(FollowerStartBlock(none, {A(7)}, std::nullopt), 0u);  // falls back to block 0
}

}  // namespace
}  // namespace cx::chain
