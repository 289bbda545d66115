// Anchor gas bench (tools/bench/anchor.sh): builds a journal block of N event hashes
// (sha256("event-<i>"), as docs/test-vectors/merkle.json does), computes its Merkle root with
// the C++ rule (core/merkle.h), anchors it with JournalAnchor.anchor(latest + 1, root,
// rootAt(latest)) signed by --private-key, waits for the receipt and prints
//   BENCH anchor_gas_per_event <gas used / N> gas/event
//   BENCH anchor_gas <gas used> gas
// It then checks, with eth_call, that the contract accepts the C++ proofs: verifyInclusion is
// true for events at several positions and false for a tampered proof; exit 1 otherwise.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "chain/abi.h"
#include "chain/hex.h"
#include "chain/nonce.h"
#include "chain/rpc.h"
#include "chain/sign.h"
#include "chain/tx_sender.h"
#include "core/merkle.h"
#include "core/sha256.h"

namespace json = boost::json;
using namespace cx;  // NOLINT(google-build-using-namespace): a small tool

namespace {
int Fail(const std::string& what, const Error& e) {
  std::cerr << "anchor bench: " << what << ": " << CodeName(e.code) << ": " << e.message << "\n";
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"JournalAnchor gas per event for one block"};
  std::string url, deployment, key_hex;
  int64_t events = 10000;
  app.add_option("--chain", url, "JSON-RPC URL")->required();
  app.add_option("--chain-deployment", deployment, "deployment file")->required();
  app.add_option("--private-key", key_hex, "anchorer key (0x hex; anvil's first account on a local chain)")->required();
  app.add_option("--events", events, "events in the block")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (events < 1) return Fail("--events", Err(Code::kInvalidField, "must be >= 1"));

  std::ifstream in(deployment);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string dj = ss.str();
  auto abi = chain::Abi::FromDeployment(dj, "JournalAnchor");
  if (!abi.ok()) return Fail("deployment", abi.error());
  json::value doc = json::parse(dj);
  std::string addr_text(doc.at("contracts").at("JournalAnchor").at("address").as_string());
  for (auto& ch : addr_text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto anchor = chain::ParseAddress(addr_text);
  if (!anchor.ok()) return Fail("address", anchor.error());
  auto key = chain::ParsePrivateKey(key_hex);
  if (!key.ok()) return Fail("key", key.error());
  auto rpc = chain::MakeHttpRpcClient(url);
  if (!rpc.ok()) return Fail("rpc", rpc.error());
  chain::NonceManager nonces(**rpc);
  auto sender = chain::TxSender::Create(**rpc, nonces, *key);
  if (!sender.ok()) return Fail("sender", sender.error());

  auto call = [&](const std::string& fn, const json::array& args) -> Result<json::array> {
    chain::CallRequest c;
    c.to = *anchor;
    CX_ASSIGN_OR_RETURN(c.data, abi->EncodeCall(fn, args));
    CX_ASSIGN_OR_RETURN(auto out, (*rpc)->EthCall(c));
    return abi->DecodeOutput(fn, out);
  };

  std::vector<Hash256> hashes;
  hashes.reserve(static_cast<size_t>(events));
  for (int64_t i = 0; i < events; ++i) {
    const std::string s = "event-" + std::to_string(i);
    hashes.push_back(Sha256(s));
  }
  const Hash256 root = MerkleRoot(hashes);
  auto latest = call("latestHeight", {});
  if (!latest.ok()) return Fail("latestHeight", latest.error());
  const int64_t height = std::stoll(std::string(latest->at(0).as_string())) + 1;
  auto prev = call("rootAt", json::array{height - 1});
  if (!prev.ok()) return Fail("rootAt", prev.error());
  const std::string root_hex = "0x" + cx::ToHex(root);
  chain::TxRequest req;
  req.to = *anchor;
  auto data = abi->EncodeCall("anchor", json::array{height, root_hex, prev->at(0)});
  if (!data.ok()) return Fail("encode", data.error());
  req.data = *data;
  auto tx = (*sender)->Prepare(req);
  if (!tx.ok()) return Fail("prepare", tx.error());
  (*sender)->Committed(*tx);
  auto sent = (*sender)->Send(tx->raw);
  if (!sent.ok()) return Fail("send", sent.error());
  auto st = (*sender)->AwaitReceipt(tx->hash, 1, std::chrono::seconds(60));
  if (!st.ok()) return Fail("receipt", st.error());
  if (!st->receipt || !st->receipt->status) return Fail("receipt", Err(Code::kBadState, "anchor transaction failed"));
  const uint64_t gas = st->receipt->gas_used;

  // The contract must accept the C++ proofs, and refuse a tampered one.
  int bad = 0;
  for (int64_t idx : {int64_t{0}, events / 2, events - 1}) {
    json::array proof;
    for (const auto& h : MerkleProof(hashes, static_cast<size_t>(idx))) proof.push_back(json::string("0x" + cx::ToHex(h)));
    auto ok = call("verifyInclusion", json::array{height, "0x" + cx::ToHex(hashes[static_cast<size_t>(idx)]), proof});
    if (!ok.ok() || !ok->at(0).as_bool()) {
      std::cerr << "anchor bench: verifyInclusion refused the C++ proof of event " << idx << "\n";
      ++bad;
    }
    if (!proof.empty()) {
      std::string t(proof[0].as_string());
      t[2] = t[2] == '0' ? '1' : '0';
      proof[0] = json::string(t);
      auto no = call("verifyInclusion", json::array{height, "0x" + cx::ToHex(hashes[static_cast<size_t>(idx)]), proof});
      if (!no.ok() || no->at(0).as_bool()) {
        std::cerr << "anchor bench: verifyInclusion accepted a tampered proof of event " << idx << "\n";
        ++bad;
      }
    }
  }
  char per[64];
  std::snprintf(per, sizeof per, "%.3f", static_cast<double>(gas) / static_cast<double>(events));
  std::cout << "BENCH anchor_gas_per_event " << per << " gas/event\n";
  std::cout << "BENCH anchor_gas " << gas << " gas\n";
  std::cerr << "anchored height " << height << " root " << root_hex << " (" << events << " events); proofs "
            << (bad ? "REFUSED" : "accepted on chain") << "\n";
  return bad ? 1 : 0;
}
