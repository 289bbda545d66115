// Bench for the JSON-RPC client against a real anvil (started here, on a free port):
//   rpc_calls_per_s          eth_blockNumber, one call per HTTP exchange (keep-alive)
//   rpc_batched_calls_per_s  eth_blockNumber in batches of 100
//   rpc_batch_speedup        the ratio of the two
//   rpc_block_headers_per_s / rpc_batched_block_headers_per_s  eth_getBlockByNumber, single
//                            calls vs batches of 100 (GetBlockRange)
//   tx_prepare_send_confirm_per_s  TxSender: prepare (fees+gas+sign) + send + receipt, automine
//   follower_logs_per_s      LogFollower delivering 1000 logs (200 blocks x 5 logs)
// Usage: cx_chain_rpc_bench [seconds per measure, default 2]. Prints BENCH lines.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <boost/json.hpp>

#include "chain/anvil_test_util.h"
#include "chain/follower.h"
#include "chain/hex.h"
#include "chain/sign.h"
#include "chain/tx_sender.h"

using namespace cx::chain;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const double secs = argc > 1 ? std::strtod(argv[1], nullptr) : 2.0;
  testing::Anvil anvil;
  if (!anvil.ok()) {
    std::fprintf(stderr, "bench: %s\n", anvil.error().c_str());
    return 1;
  }
  auto rpc = MakeHttpRpcClient(anvil.url()).value();
  if (!rpc->Call("anvil_mine", {boost::json::value("0x100")}).ok()) return 1;

  auto run = [&](auto&& body) {
    uint64_t calls = 0;
    const auto t0 = Clock::now();
    const auto end = t0 + std::chrono::duration<double>(secs);
    while (Clock::now() < end) calls += body();
    return static_cast<double>(calls) / std::chrono::duration<double>(Clock::now() - t0).count();
  };
  const double single = run([&]() -> uint64_t { return rpc->BlockNumber().ok() ? 1 : 0; });
  const std::vector<RpcRequest> hundred(100, RpcRequest{"eth_blockNumber", {}});
  const double batched = run([&]() -> uint64_t {
    auto r = rpc->CallBatch(hundred);
    return r.ok() ? r.value().size() : 0;
  });
  const double headers_single = run([&]() -> uint64_t {
    auto r = rpc->GetBlockByNumber(BlockTag::Number(150));
    return r.ok() ? 1 : 0;
  });
  const double headers_batched = run([&]() -> uint64_t {
    auto r = rpc->GetBlockRange(100, 199);
    return r.ok() ? r.value().size() : 0;
  });
  std::printf("BENCH rpc_calls_per_s %.0f calls/s\n", single);
  std::printf("BENCH rpc_batched_calls_per_s %.0f calls/s\n", batched);
  std::printf("BENCH rpc_batch_speedup %.1f x\n", batched / single);
  std::printf("BENCH rpc_block_headers_per_s %.0f headers/s\n", headers_single);
  std::printf("BENCH rpc_batched_block_headers_per_s %.0f headers/s\n", headers_batched);

  NonceManager nonces(*rpc);
  auto key = ParsePrivateKey("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").value();
  TxSenderOptions so;
  so.poll_interval = std::chrono::milliseconds(1);
  auto sender = TxSender::Create(*rpc, nonces, key, so).value();
  Address to;
  to.bytes.fill(0x42);
  const double txs = run([&]() -> uint64_t {
    TxRequest req;
    req.to = to;
    req.value = 1;
    auto tx = sender->Prepare(req);
    if (!tx.ok()) return 0;
    sender->Committed(tx.value());
    if (!sender->Send(tx.value().raw).ok()) return 0;
    auto st = sender->AwaitReceipt(tx.value().hash, 1, std::chrono::seconds(10));
    return st.ok() && st.value().state == TxState::kConfirmed ? 1 : 0;
  });
  std::printf("BENCH tx_prepare_send_confirm_per_s %.0f tx/s\n", txs);

  // 200 blocks with 5 logs each from an emitter contract (LOG1 of the calldata).
  TxRequest deploy;
  deploy.data = FromHex("0x600d600c600039600d6000f336600060003760aa366000a100").value();
  auto dtx = sender->Prepare(deploy).value();
  sender->Committed(dtx);
  (void)sender->Send(dtx.raw);
  auto dst = sender->AwaitReceipt(dtx.hash, 1, std::chrono::seconds(10)).value();
  const Address emitter = *dst.receipt->contract_address;
  const uint64_t start = rpc->BlockNumber().value() + 1;
  (void)rpc->Call("evm_setAutomine", {boost::json::value(false)});
  for (int b = 0; b < 200; ++b) {
    for (int i = 0; i < 5; ++i) {
      TxRequest req;
      req.to = emitter;
      req.data = "log";
      req.gas_limit = 30000;
      auto tx = sender->Prepare(req).value();
      sender->Committed(tx);
      (void)sender->Send(tx.raw);
    }
    (void)rpc->Call("anvil_mine", {boost::json::value("0x1")});
  }
  FollowerOptions fo;
  fo.addresses = {emitter};
  fo.start_block = start;
  fo.confirmations = 1;
  fo.max_range = 100;
  uint64_t delivered = 0;
  FollowerCallbacks cb;
  cb.on_logs = [&](const std::vector<Log>& logs, const FollowerCursor&) -> cx::Result<void> {
    delivered += logs.size();
    return cx::Ok();
  };
  LogFollower follower(*rpc, fo, cb);
  const auto t0 = Clock::now();
  while (true) {
    auto r = follower.Poll();
    if (!r.ok() || r.value().caught_up) break;
  }
  const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
  if (delivered != 1000) {
    std::fprintf(stderr, "bench: follower delivered %llu logs, expected 1000\n",
                 static_cast<unsigned long long>(delivered));
    return 1;
  }
  std::printf("BENCH follower_logs_per_s %.0f logs/s\n", delivered / dt);
  return 0;
}
