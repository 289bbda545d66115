// `carbonx proof verify CERTIFICATE --chain URL [--anchor ADDRESS | --chain-deployment FILE]`
// (see chain_anchor.h). Reads a retirement certificate as GET /api/v1/retirements/{id}/certificate
// serves it (or a bare proof object as the proof routes serve it), then:
//   1. recomputes the event hash from (prev_hash, seq, ts, type, payload) when the payload is
//      public, and checks it equals the certificate's event_hash;
//   2. folds the proof into the block root locally (docs/formats.md);
//   3. asks JournalAnchor on chain: rootAt(height) must be the certificate's root and
//      verifyInclusion(height, event_hash, proof) must be true (eth_call).
// Exit 0 only if every check passes; otherwise 1 with the first failure on stderr.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/chain_anchor.h"
#include "chain/abi.h"
#include "chain/hex.h"
#include "chain/rpc.h"
#include "core/merkle.h"
#include "core/sha256.h"
#include "store/store.h"

namespace cx::app {
namespace json = boost::json;
namespace {

// Minimal ABI of the two JournalAnchor views used here, so a bare --anchor ADDRESS works
// without a deployment file.
constexpr const char* kAnchorAbi = R"([
 {"type":"function","name":"verifyInclusion","stateMutability":"view",
  "inputs":[{"name":"height","type":"uint64"},{"name":"eventHash","type":"bytes32"},{"name":"proof","type":"bytes32[]"}],
  "outputs":[{"name":"","type":"bool"}]},
 {"type":"function","name":"rootAt","stateMutability":"view",
  "inputs":[{"name":"height","type":"uint64"}],"outputs":[{"name":"root","type":"bytes32"}]},
 {"type":"function","name":"latestHeight","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint64"}]}
])";

std::string Strip0x(std::string s) {
  if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) s = s.substr(2);
  return s;
}

Result<Hash256> HashField(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  Hash256 h{};
  if (!v || !v->is_string() || !FromHex(Strip0x(std::string(v->as_string())), h))
    return Err(Code::kInvalidField, std::string("certificate: ") + k + " must be 32-byte hex", k);
  return h;
}

Result<int64_t> IntField(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  if (!v || !v->is_int64()) return Err(Code::kInvalidField, std::string("certificate: ") + k + " must be an integer", k);
  return v->as_int64();
}

struct Checked {
  int64_t height = 0;
  Hash256 event_hash{};
  Hash256 root{};
  std::vector<Hash256> proof;
  bool payload_checked = false;
};

// Steps 1 and 2: everything that needs no chain.
Result<Checked> CheckLocally(const json::value& doc) {
  if (!doc.is_object()) return Err(Code::kBadJson, "certificate: not a JSON object");
  const json::object* p = &doc.as_object();
  if (const json::value* inner = p->if_contains("proof"); inner && inner->is_object()) p = &inner->as_object();
  else if (inner && inner->is_null()) return Err(Code::kBadState, "certificate has no proof yet (block not sealed)", "proof");
  const json::value* blk = p->if_contains("block");
  if (!blk || !blk->is_object()) return Err(Code::kBadState, "certificate's event is not sealed in a block yet", "block");
  Checked c;
  CX_ASSIGN_OR_RETURN(c.event_hash, HashField(*p, "event_hash"));
  CX_ASSIGN_OR_RETURN(c.height, IntField(blk->as_object(), "height"));
  CX_ASSIGN_OR_RETURN(c.root, HashField(blk->as_object(), "root"));
  const json::value* pr = p->if_contains("proof");
  if (!pr || !pr->is_array()) return Err(Code::kInvalidField, "certificate: proof must be an array", "proof");
  for (const auto& s : pr->as_array()) {
    Hash256 h{};
    if (!s.is_string() || !FromHex(Strip0x(std::string(s.as_string())), h))
      return Err(Code::kInvalidField, "certificate: proof entries must be 32-byte hex", "proof");
    c.proof.push_back(h);
  }
  if (const json::value* ph = p->if_contains("payload_hex"); ph && ph->is_string()) {
    std::string payload;
    if (!FromHexBytes(Strip0x(std::string(ph->as_string())), payload))
      return Err(Code::kInvalidField, "certificate: payload_hex is not hex", "payload_hex");
    CX_ASSIGN_OR_RETURN(Hash256 prev, HashField(*p, "prev_hash"));
    CX_ASSIGN_OR_RETURN(int64_t seq, IntField(*p, "seq"));
    CX_ASSIGN_OR_RETURN(int64_t ts, IntField(*p, "ts"));
    const json::value* type = p->if_contains("type");
    if (!type || !type->is_string()) return Err(Code::kInvalidField, "certificate: type must be a string", "type");
    if (store::EventHash(prev, seq, ts, std::string(type->as_string()), payload) != c.event_hash)
      return Err(Code::kJournalCorrupt, "the event's fields do not hash to event_hash (certificate altered)", "event_hash");
    c.payload_checked = true;
  }
  if (!MerkleVerify(c.event_hash, c.proof, c.root))
    return Err(Code::kJournalCorrupt, "the proof does not fold into the block root (certificate altered)", "proof");
  return c;
}

Result<chain::Address> AnchorAddress(const std::string& anchor, const std::string& deployment) {
  if (!anchor.empty()) {
    std::string lower = anchor;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return chain::ParseAddress(lower, "anchor");
  }
  std::ifstream in(deployment);
  if (!in) return Err(Code::kNotFound, "cannot read deployment file " + deployment, "chain-deployment");
  std::stringstream ss;
  ss << in.rdbuf();
  json::value d;
  try {
    d = json::parse(ss.str());
  } catch (const std::exception& e) {
    return Err(Code::kBadJson, std::string("deployment file: ") + e.what(), "chain-deployment");
  }
  const json::value* a = d.is_object() ? d.as_object().if_contains("contracts") : nullptr;
  a = a && a->is_object() ? a->as_object().if_contains("JournalAnchor") : nullptr;
  a = a && a->is_object() ? a->as_object().if_contains("address") : nullptr;
  if (!a || !a->is_string()) return Err(Code::kMissingField, "deployment has no JournalAnchor address", "chain-deployment");
  return AnchorAddress(std::string(a->as_string()), "");
}

// Step 3.
Result<void> CheckOnChain(const Checked& c, const std::string& url, const chain::Address& anchor) {
  CX_ASSIGN_OR_RETURN(auto abi, chain::Abi::FromJson(json::parse(kAnchorAbi)));
  chain::RpcOptions ro;
  ro.max_attempts = 2;
  CX_ASSIGN_OR_RETURN(auto rpc, chain::MakeHttpRpcClient(url, ro));
  chain::CallRequest call;
  call.to = anchor;
  const std::string root_hex = "0x" + cx::ToHex(c.root);
  CX_ASSIGN_OR_RETURN(call.data, abi.EncodeCall("rootAt", json::array{c.height}));
  CX_ASSIGN_OR_RETURN(auto rout, rpc->EthCall(call));
  CX_ASSIGN_OR_RETURN(auto rv, abi.DecodeOutput("rootAt", rout));
  const std::string onchain(rv.at(0).as_string());
  if (onchain == "0x" + std::string(64, '0'))
    return Err(Code::kNotFound, "block " + std::to_string(c.height) + " is not anchored on chain yet", "height");
  if (onchain != root_hex)
    return Err(Code::kJournalCorrupt,
               "the root anchored on chain for block " + std::to_string(c.height) + " is " + onchain +
                   ", not the certificate's " + root_hex,
               "root");
  json::array proof;
  for (const auto& h : c.proof) proof.push_back(json::string("0x" + cx::ToHex(h)));
  CX_ASSIGN_OR_RETURN(call.data, abi.EncodeCall("verifyInclusion", json::array{c.height, "0x" + cx::ToHex(c.event_hash), proof}));
  CX_ASSIGN_OR_RETURN(auto vout, rpc->EthCall(call));
  CX_ASSIGN_OR_RETURN(auto vv, abi.DecodeOutput("verifyInclusion", vout));
  if (!vv.at(0).is_bool() || !vv.at(0).as_bool())
    return Err(Code::kJournalCorrupt, "JournalAnchor.verifyInclusion returned false", "proof");
  return Ok();
}

}  // namespace

int RunProofVerifyCli(int argc, char** argv) {
  CLI::App app{"carbonx proof verify: check a certificate's inclusion proof against the root anchored on chain"};
  std::string file, url, anchor, deployment;
  app.add_option("CERTIFICATE", file, "certificate JSON file (as the API serves it; - for stdin)")->required();
  app.add_option("--chain", url, "EVM JSON-RPC URL")->required();
  auto* a = app.add_option("--anchor", anchor, "JournalAnchor address");
  auto* d = app.add_option("--chain-deployment", deployment, "deployment file (contracts.JournalAnchor.address)");
  a->excludes(d);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (anchor.empty() && deployment.empty()) {
    std::cerr << "carbonx proof verify: give --anchor ADDRESS or --chain-deployment FILE\n";
    return 2;
  }
  std::stringstream ss;
  if (file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "carbonx proof verify: cannot read " << file << "\n";
      return 2;
    }
    ss << in.rdbuf();
  }
  json::value doc;
  try {
    doc = json::parse(ss.str());
  } catch (const std::exception& e) {
    std::cerr << "carbonx proof verify: BAD_JSON: " << e.what() << "\n";
    return 1;
  }
  auto fail = [](const Error& e) {
    std::cerr << "carbonx proof verify: FAILED: " << CodeName(e.code) << ": " << e.message << "\n";
    return 1;
  };
  auto local = CheckLocally(doc);
  if (!local.ok()) return fail(local.error());
  std::cout << "event " << cx::ToHex(local->event_hash) << (local->payload_checked ? " (recomputed from the event)" : "")
            << "\nblock " << local->height << " root " << cx::ToHex(local->root) << ": proof of " << local->proof.size()
            << " hashes folds into the root (local check passed)\n";
  auto addr = AnchorAddress(anchor, deployment);
  if (!addr.ok()) return fail(addr.error());
  auto chain_ok = CheckOnChain(*local, url, *addr);
  if (!chain_ok.ok()) return fail(chain_ok.error());
  std::cout << "JournalAnchor " << chain::AddressToHex(*addr) << " at " << url << ": root anchored for block "
            << local->height << ", verifyInclusion = true\nVERIFIED\n";
  return 0;
}

}  // namespace cx::app
