// Integration tests against a real anvil started per test (anvil_test_util.h): typed calls
// and batching, sending/confirming/resending transactions, nonce resync after an external
// transaction from the same key, fee estimation (EIP-1559 and a pre-London hardfork), and
// the log follower through re-orgs (evm_snapshot/evm_revert and anvil_reorg) and a restart
// from a persisted cursor. Labelled "anvil" in ctest.
#include <gtest/gtest.h>

#include <map>

#include <boost/json.hpp>

#include "chain/anvil_test_util.h"
#include "chain/fees.h"
#include "chain/follower.h"
#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/nonce.h"
#include "chain/rpc.h"
#include "chain/sign.h"
#include "chain/tx.h"
#include "chain/tx_sender.h"

namespace cx::chain {
namespace {

namespace json = boost::json;

constexpr const char* kKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* kKey1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
constexpr const char* kKey2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

// Init code deploying a contract that emits LOG1(topic 0xaa, data = calldata) on any call.
constexpr const char* kEmitterInit = "0x600d600c600039600d6000f336600060003760aa366000a100";

Hash32 EmitterTopic() {
  Hash32 t;
  t.bytes[31] = 0xaa;
  return t;
}

Address Addr(uint8_t b) {
  Address a;
  a.bytes.fill(b);
  return a;
}

struct Node {
  std::unique_ptr<RpcClient> rpc;
  std::unique_ptr<RpcClient> admin;  // a second connection for anvil_* calls
  NonceManager nonces;
  explicit Node(const testing::Anvil& a)
      : rpc(MakeHttpRpcClient(a.url(), testing::Anvil::Quick()).value()),
        admin(MakeHttpRpcClient(a.url(), testing::Anvil::Quick()).value()),
        nonces(*rpc) {}
  void Mine(uint64_t n = 1) {
    ASSERT_TRUE(admin->Call("anvil_mine", {json::value(ToQuantity(U256(n)))}).ok());
  }
  std::unique_ptr<TxSender> Sender(const char* key, bool mine_while_waiting = true) {
    TxSenderOptions o;
    o.poll_interval = std::chrono::milliseconds(5);
    if (mine_while_waiting) {
      o.sleep = [this](std::chrono::milliseconds) { Mine(); };
    }
    return TxSender::Create(*rpc, nonces, ParsePrivateKey(key).value(), o).value();
  }
};

// Prepares, "journals", sends and waits for `confirmations`.
Receipt SendAndConfirm(TxSender& s, const TxRequest& req, uint64_t confirmations = 1) {
  auto tx = s.Prepare(req);
  EXPECT_TRUE(tx.ok()) << tx.error().message;
  s.Committed(tx.value());
  auto h = s.Send(tx.value().raw);
  EXPECT_TRUE(h.ok()) << h.error().message;
  auto st = s.AwaitReceipt(tx.value().hash, confirmations, std::chrono::seconds(20));
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.value().state, TxState::kConfirmed);
  return *st.value().receipt;
}

Address DeployEmitter(TxSender& s) {
  TxRequest req;
  req.data = FromHex(kEmitterInit).value();
  Receipt r = SendAndConfirm(s, req);
  EXPECT_TRUE(r.status);
  EXPECT_TRUE(r.contract_address.has_value());
  return *r.contract_address;
}

TxRequest EmitReq(const Address& emitter, const std::string& data) {
  TxRequest req;
  req.to = emitter;
  req.data = data;
  return req;
}

// The caller's side of the follower: effects + cursor, persisted together.
struct Sink {
  std::map<std::pair<Hash32, uint64_t>, std::string> applied;  // (tx, log index) -> data
  int duplicates = 0;
  std::optional<std::string> persisted;
  std::vector<uint64_t> rewinds;
  std::map<std::pair<Hash32, uint64_t>, uint64_t> block_of;
  FollowerCallbacks Callbacks() {
    FollowerCallbacks cb;
    cb.on_logs = [this](const std::vector<Log>& logs, const FollowerCursor& c) -> Result<void> {
      for (const auto& l : logs) {
        auto key = std::make_pair(l.tx_hash, l.log_index);
        if (applied.count(key)) ++duplicates;
        applied[key] = l.data;
        block_of[key] = l.block_number;
      }
      persisted = c.Encode();
      return Ok();
    };
    cb.on_rewind = [this](uint64_t from, const FollowerCursor& c) -> Result<void> {
      rewinds.push_back(from);
      for (auto it = block_of.begin(); it != block_of.end();) {
        if (it->second >= from) {
          applied.erase(it->first);
          it = block_of.erase(it);
        } else {
          ++it;
        }
      }
      persisted = c.Encode();
      return Ok();
    };
    return cb;
  }
  std::multiset<std::string> Datas() const {
    std::multiset<std::string> out;
    for (const auto& [k, v] : applied) out.insert(v);
    return out;
  }
};

void CatchUp(LogFollower& f) {
  for (int i = 0; i < 200; ++i) {
    auto r = f.Poll();
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (r.value().caught_up) return;
  }
  FAIL() << "follower never caught up";
}

TEST(AnvilRpc, TypedCallsAndBatching) {
  CX_START_ANVIL(anvil);
  Node n(anvil);
  EXPECT_EQ(n.rpc->ChainId().value(), 31337u);
  n.Mine(30);
  EXPECT_EQ(n.rpc->BlockNumber().value(), 30u);
  const uint64_t before = GetRpcStats(*n.rpc).http_exchanges;
  auto range = n.rpc->GetBlockRange(0, 30).value();
  EXPECT_EQ(GetRpcStats(*n.rpc).http_exchanges - before, 1u);  // one batch
  ASSERT_EQ(range.size(), 31u);
  for (uint64_t i = 0; i <= 30; ++i) {
    auto one = n.rpc->GetBlockByNumber(BlockTag::Number(i)).value();
    ASSERT_TRUE(one && range[i]);
    EXPECT_EQ(one->hash, range[i]->hash);
    if (i > 0) {
      EXPECT_EQ(range[i]->parent_hash, range[i - 1]->hash);
    }
  }
  auto beyond = n.rpc->GetBlockRange(29, 32).value();
  EXPECT_TRUE(beyond[1].has_value());
  EXPECT_FALSE(beyond[3].has_value());
  // Partial errors in one batch.
  std::vector<RpcRequest> reqs = {{"eth_blockNumber", {}}, {"eth_noSuchMethod", {}}, {"eth_chainId", {}}};
  auto b = n.rpc->CallBatch(reqs).value();
  EXPECT_TRUE(b[0].ok());
  ASSERT_FALSE(b[1].ok());
  EXPECT_EQ(RpcErrcOf(b[1].error()), RpcErrc::kMethodNotFound);
  EXPECT_TRUE(b[2].ok());
  const Address a0 = AddressOf(ParsePrivateKey(kKey0).value()).value();
  EXPECT_GT(n.rpc->GetBalance(a0).value(), U256(0));
  // eth_call reverting: a contract creation whose init code is REVERT(0,0).
  CallRequest call;
  call.data = FromHex("0x60006000fd").value();
  auto est = n.rpc->EstimateGas(call);
  ASSERT_FALSE(est.ok());
  EXPECT_EQ(RpcErrcOf(est.error()), RpcErrc::kReverted) << est.error().message;
}

TEST(AnvilTx, SendConfirmAndResendIdempotently) {
  CX_START_ANVIL(anvil);
  Node n(anvil);
  auto s = n.Sender(kKey0);
  const Address to = Addr(0x42);
  TxRequest req;
  req.to = to;
  req.value = U256(1234567);
  auto tx = s->Prepare(req).value();
  s->Committed(tx);
  ASSERT_EQ(s->Send(tx.raw).value(), tx.hash);
  auto st = s->AwaitReceipt(tx.hash, 3, std::chrono::seconds(20)).value();
  EXPECT_EQ(st.state, TxState::kConfirmed);
  EXPECT_GE(st.confirmations, 3u);
  EXPECT_TRUE(st.receipt->status);
  EXPECT_EQ(n.rpc->GetBalance(to).value(), U256(1234567));
  // Resending the mined bytes (a restart re-broadcasting its journal) is a success, and
  // nothing is sent twice.
  ASSERT_EQ(s->Send(tx.raw).value(), tx.hash);
  ASSERT_EQ(s->Rebroadcast(tx.raw).value(), tx.hash);
  n.Mine();
  EXPECT_EQ(n.rpc->GetBalance(to).value(), U256(1234567));
  // Pending twice ("already known") with automine off.
  ASSERT_TRUE(n.admin->Call("evm_setAutomine", {json::value(false)}).ok());
  auto tx2 = s->Prepare(req).value();
  s->Committed(tx2);
  ASSERT_EQ(s->Send(tx2.raw).value(), tx2.hash);
  auto again = s->Send(tx2.raw);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(s->Check(tx2.hash, 1).value().state, TxState::kPending);
  n.Mine();
  EXPECT_EQ(n.rpc->GetBalance(to).value(), U256(2 * 1234567));
}

TEST(AnvilTx, NonceResyncAfterAnExternalTransactionFromTheSameKey) {
  CX_START_ANVIL(anvil);
  Node n(anvil);
  auto s = n.Sender(kKey1);
  TxRequest req;
  req.to = Addr(0x43);
  req.value = U256(1);
  SendAndConfirm(*s, req);  // nonce 0
  auto ours = s->Prepare(req).value();  // nonce 1, journaled
  s->Committed(ours);
  ASSERT_EQ(ours.nonce, 1u);
  // Another wallet holding the same key sends its own transaction with nonce 1.
  TxFields ext;
  ext.chain_id = 31337;
  ext.nonce = 1;
  ext.to = Addr(0x44);
  ext.value = 7;
  ext.max_fee_per_gas = ours.fees.max_fee_per_gas;
  ext.max_priority_fee_per_gas = ours.fees.max_priority_fee_per_gas;
  auto ext_tx = SignTx(ext, ParsePrivateKey(kKey1).value()).value();
  ASSERT_TRUE(n.rpc->SendRawTransaction(ext_tx.raw).ok());
  // (While it is still pending the node answers "replacement underpriced" instead.)
  ASSERT_EQ(s->AwaitReceipt(ext_tx.hash, 1, std::chrono::seconds(10)).value().state, TxState::kConfirmed);
  auto r = s->Send(ours.raw);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kNonceTooLow) << r.error().message;
  // The sender resynced: the next intent gets nonce 2 and goes through.
  auto next = s->Prepare(req).value();
  EXPECT_EQ(next.nonce, 2u);
  s->Committed(next);
  ASSERT_TRUE(s->Send(next.raw).ok());
  EXPECT_EQ(s->AwaitReceipt(next.hash, 1, std::chrono::seconds(20)).value().state, TxState::kConfirmed);
}

TEST(AnvilFees, Eip1559FromFeeHistory) {
  CX_START_ANVIL(anvil);
  Node n(anvil);
  auto s = n.Sender(kKey2);
  SendAndConfirm(*s, EmitReq(Addr(0x45), "x"));  // some history
  auto q = EstimateFees(*n.rpc).value();
  ASSERT_TRUE(q.eip1559);
  auto head = n.rpc->GetBlockByNumber(BlockTag::Latest());
  ASSERT_TRUE(head.ok() && head.value().has_value());
  EXPECT_TRUE(head.value()->base_fee_per_gas.has_value());
  EXPECT_GT(q.base_fee, U256(0));
  EXPECT_GE(q.max_fee_per_gas, 2 * q.base_fee);
  TxRequest req;
  req.to = Addr(0x46);
  req.fees = q;
  Receipt r = SendAndConfirm(*s, req);
  EXPECT_LE(r.effective_gas_price, q.max_fee_per_gas);
  EXPECT_GE(r.effective_gas_price, q.max_priority_fee_per_gas);
  auto d = DecodeSignedTx(s->Prepare(req).value().raw).value();
  EXPECT_EQ(d.fields.type, TxType::kEip1559);
}

TEST(AnvilFees, LegacyGasPriceOnAPreLondonChain) {
  CX_START_ANVIL(anvil, std::vector<std::string>{"--hardfork", "berlin"});
  Node n(anvil);
  auto q = EstimateFees(*n.rpc).value();
  EXPECT_FALSE(q.eip1559);
  EXPECT_EQ(q.gas_price, n.rpc->GasPrice().value());
  auto s = n.Sender(kKey0);
  TxRequest req;
  req.to = Addr(0x47);
  req.value = U256(5);
  auto tx = s->Prepare(req).value();
  EXPECT_EQ(DecodeSignedTx(tx.raw).value().fields.type, TxType::kLegacy);
  s->Committed(tx);
  ASSERT_TRUE(s->Send(tx.raw).ok());
  auto st = s->AwaitReceipt(tx.hash, 2, std::chrono::seconds(20)).value();
  EXPECT_EQ(st.state, TxState::kConfirmed);
  EXPECT_EQ(st.receipt->effective_gas_price, q.gas_price);
}

TEST(AnvilFollower, SnapshotRevertRewindsAndRedelivers) {
  CX_START_ANVIL(anvil);
  Node n(anvil);
  auto s = n.Sender(kKey0, /*mine_while_waiting=*/false);
  const Address emitter = DeployEmitter(*s);
  const uint64_t start = n.rpc->BlockNumber().value();
  SendAndConfirm(*s, EmitReq(emitter, "a"));
  Sink sink;
  FollowerOptions o;
  o.addresses = {emitter};
  o.topics = {{EmitterTopic()}};
  o.start_block = start;
  o.deliver_unconfirmed = true;
  o.confirmations = 3;
  LogFollower f(*n.rpc, o, sink.Callbacks());
  CatchUp(f);
  EXPECT_EQ(sink.Datas(), std::multiset<std::string>({"a"}));

  auto snap = n.admin->Call("evm_snapshot").value();
  auto tx_b = s->Prepare(EmitReq(emitter, "b")).value();
  s->Committed(tx_b);
  ASSERT_TRUE(s->Send(tx_b.raw).ok());
  ASSERT_EQ(s->AwaitReceipt(tx_b.hash, 1, std::chrono::seconds(10)).value().state, TxState::kConfirmed);
  CatchUp(f);
  EXPECT_EQ(sink.Datas(), std::multiset<std::string>({"a", "b"}));

  // Re-org: back to the snapshot; the block holding "b" is gone.
  ASSERT_TRUE(n.admin->Call("evm_revert", {snap}).value().as_bool());
  n.Mine(2);
  EXPECT_NE(s->Check(tx_b.hash, 1).value().state, TxState::kConfirmed);
  CatchUp(f);
  ASSERT_EQ(sink.rewinds.size(), 1u);
  EXPECT_EQ(sink.Datas(), std::multiset<std::string>({"a"}));
  EXPECT_EQ(f.reorgs_seen(), 1u);

  // The journaled bytes are re-broadcast (same hash): "b" comes back in a new block.
  ASSERT_EQ(s->Rebroadcast(tx_b.raw).value(), tx_b.hash);
  auto st = s->AwaitReceipt(tx_b.hash, 1, std::chrono::seconds(10)).value();
  ASSERT_EQ(st.state, TxState::kConfirmed);
  CatchUp(f);
  EXPECT_EQ(sink.Datas(), std::multiset<std::string>({"a", "b"}));
  const auto key_b = std::make_pair(tx_b.hash, uint64_t{0});
  EXPECT_EQ(sink.block_of[key_b], st.receipt->block_number);
}

TEST(AnvilFollower, AnvilReorgReplacesBlocksAndConfirmedModeWaits) {
  CX_START_ANVIL(anvil);
  Node n(anvil);
  auto s = n.Sender(kKey1, /*mine_while_waiting=*/false);
  const Address emitter = DeployEmitter(*s);
  const uint64_t start = n.rpc->BlockNumber().value();
  Sink fast, safe;
  FollowerOptions o;
  o.addresses = {emitter};
  o.start_block = start;
  o.deliver_unconfirmed = true;
  o.confirmations = 4;
  LogFollower unconfirmed(*n.rpc, o, fast.Callbacks());
  o.deliver_unconfirmed = false;
  LogFollower confirmed(*n.rpc, o, safe.Callbacks());

  auto e1 = SendAndConfirm(*s, EmitReq(emitter, "one"));
  auto e2 = SendAndConfirm(*s, EmitReq(emitter, "two"));
  CatchUp(unconfirmed);
  CatchUp(confirmed);
  EXPECT_EQ(fast.Datas(), std::multiset<std::string>({"one", "two"}));
  EXPECT_TRUE(safe.Datas().empty());  // not 4 confirmations yet

  // Replace the last block (holding "two") by an empty one at the same height.
  const Hash32 old_hash = n.rpc->GetBlockByNumber(BlockTag::Number(e2.block_number)).value()->hash;
  ASSERT_TRUE(n.admin->Call("anvil_reorg", {json::value(1), json::array{}}).ok());
  auto now = n.rpc->GetBlockByNumber(BlockTag::Number(e2.block_number)).value();
  ASSERT_TRUE(now.has_value());
  EXPECT_NE(now->hash, old_hash);
  CatchUp(unconfirmed);
  EXPECT_EQ(fast.rewinds, std::vector<uint64_t>({e2.block_number}));
  EXPECT_EQ(fast.Datas(), std::multiset<std::string>({"one"}));

  n.Mine(5);
  CatchUp(unconfirmed);
  CatchUp(confirmed);
  EXPECT_TRUE(safe.rewinds.empty());
  // What the confirmed follower applied equals what the unconfirmed one ended with.
  EXPECT_EQ(safe.applied, fast.applied);
  EXPECT_EQ(safe.duplicates, 0);
  (void)e1;
}

TEST(AnvilFollower, RestartFromAPersistedCursorDeliversEachLogOnce) {
  CX_START_ANVIL(anvil);
  Node n(anvil);
  auto s = n.Sender(kKey2, /*mine_while_waiting=*/false);
  const Address emitter = DeployEmitter(*s);
  const uint64_t start = n.rpc->BlockNumber().value();
  Sink sink;
  FollowerOptions o;
  o.addresses = {emitter};
  o.start_block = start;
  o.confirmations = 2;
  o.max_range = 3;
  for (int i = 0; i < 6; ++i) SendAndConfirm(*s, EmitReq(emitter, "e" + std::to_string(i)));
  {
    LogFollower f(*n.rpc, o, sink.Callbacks());
    ASSERT_TRUE(f.Poll().ok());
    ASSERT_TRUE(f.Poll().ok());
  }  // "crash": the follower is gone; the sink kept what it persisted
  for (int i = 6; i < 9; ++i) SendAndConfirm(*s, EmitReq(emitter, "e" + std::to_string(i)));
  n.Mine(2);
  LogFollower again(*n.rpc, o, sink.Callbacks(), FollowerCursor::Decode(*sink.persisted).value());
  CatchUp(again);
  EXPECT_EQ(sink.applied.size(), 9u);
  EXPECT_EQ(sink.duplicates, 0);
}

}  // namespace
}  // namespace cx::chain

namespace cx::chain {
namespace {

// https: nginx terminates TLS (a throw-away self-signed certificate for "localhost") in front
// of anvil. Skips only when nginx/openssl are missing (they are Debian packages of the suite).
class TlsProxy {
 public:
  explicit TlsProxy(const std::string& upstream_url)
      : dir_(std::filesystem::temp_directory_path() /
             ("cx-tls-" + std::to_string(::getpid()) + "-" + std::to_string(testing::FreePort()))) {
    std::filesystem::create_directories(dir_);
    port_ = testing::FreePort();
    const std::string d = dir_.string();
    const std::string gen = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                            "-addext subjectAltName=DNS:localhost -keyout " + d + "/key.pem -out " +
                            d + "/cert.pem >/dev/null 2>&1";
    if (std::system(gen.c_str()) != 0) return;  // NOLINT(cert-env33-c): test set-up
    std::FILE* f = std::fopen((d + "/nginx.conf").c_str(), "w");
    if (f == nullptr) return;
    std::fprintf(f,
                 "daemon off; pid %s/nginx.pid; error_log %s/error.log;\n"
                 "events {}\n"
                 "http { access_log off; client_body_temp_path %s; proxy_temp_path %s;\n"
                 "  fastcgi_temp_path %s; uwsgi_temp_path %s; scgi_temp_path %s;\n"
                 "  server { listen 127.0.0.1:%d ssl; ssl_certificate %s/cert.pem;\n"
                 "    ssl_certificate_key %s/key.pem;\n"
                 "    location / { proxy_pass %s; proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }\n",
                 d.c_str(), d.c_str(), d.c_str(), d.c_str(), d.c_str(), d.c_str(), d.c_str(), port_,
                 d.c_str(), d.c_str(), upstream_url.c_str());
    std::fclose(f);
    std::vector<std::string> args = {"/usr/sbin/nginx", "-p", d, "-c", d + "/nginx.conf"};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (!std::filesystem::exists(args[0]) ||
        posix_spawn(&pid_, args[0].c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
  }
  ~TlsProxy() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool ok() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string ca() const { return (dir_ / "cert.pem").string(); }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(AnvilRpc, HttpsThroughATlsProxyVerifiesTheCertificate) {
  CX_START_ANVIL(anvil);
  TlsProxy proxy(anvil.url());
  if (!proxy.ok()) GTEST_SKIP() << "nginx/openssl not available";
  const std::string url = "https://localhost:" + std::to_string(proxy.port()) + "/";
  RpcOptions o = testing::Anvil::Quick();
  o.max_attempts = 1;
  // Trusted (our CA file): works, over one kept-alive TLS connection.
  ::setenv("CX_CHAIN_CA_FILE", proxy.ca().c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
  auto c = MakeHttpRpcClient(url, o).value();
  Result<uint64_t> id = Err(Code::kInternal, "not tried");
  for (int i = 0; i < 100 && !id.ok(); ++i) {  // nginx needs a moment to listen
    id = c->ChainId();
    if (!id.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id.value(), 31337u);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c->BlockNumber().ok());
  std::vector<RpcRequest> reqs(20, RpcRequest{"eth_chainId", {}});
  EXPECT_EQ(c->CallBatch(reqs).value().size(), 20u);
  // Wrong host name for the certificate: refused.
  auto by_ip = MakeHttpRpcClient("https://127.0.0.1:" + std::to_string(proxy.port()) + "/", o).value();
  auto r = by_ip->ChainId();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kTransport) << r.error().message;
  // Untrusted (system store only): refused.
  ::unsetenv("CX_CHAIN_CA_FILE");  // NOLINT(concurrency-mt-unsafe)
  auto untrusted = MakeHttpRpcClient(url, o).value();
  r = untrusted->ChainId();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kTransport) << r.error().message;
}

}  // namespace
}  // namespace cx::chain
