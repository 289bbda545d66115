// Chain worker (see chain_worker.h): one thread; every step it reads what the engine has
// pending, sends what is due (each transaction journaled as an intent first), settles what
// is confirmed and reports CarbonMarket deposits at the confirmation depth.
#include "app/chain_worker.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "api/json_util.h"
#include "app/batch_metadata.h"
#include "chain/abi.h"
#include "chain/eip712.h"
#include "chain/follower.h"
#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/keystore.h"
#include "chain/nonce.h"
#include "chain/rpc.h"
#include "chain/sign.h"
#include "chain/tx_sender.h"

namespace cx::app {
namespace json = boost::json;
namespace fs = std::filesystem;
using registry::ChainBatch;
using registry::ChainConfig;
using registry::ChainStep;
using registry::ChainTxKind;
using registry::RegistryState;

namespace {

constexpr ChainPreset kPresets[] = {
    {"localhost", 31337, 1, ""},
    {"amoy", 80002, 5, "https://amoy.polygonscan.com"},
    {"polygon", 137, 64, "https://polygonscan.com"},
    {"sepolia", 11155111, 6, "https://sepolia.etherscan.io"},
    {"mainnet", 1, 12, "https://etherscan.io"},
};

// A step that could not be prepared (node down, call would revert) is retried after this.
constexpr int64_t kRetryAfterMs = 5000;

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Result<std::string> ReadText(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Code::kIo, std::string("cannot read ") + what + " " + path, what);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Id32(const std::string& text) { return chain::ToHex(chain::Keccak256(text)); }

// Test hook (tools and tests only): CX_CHAIN_CRASH_AT=after-journal|after-send ends the
// process abruptly at that point of the first withdrawal intent, as a power cut would.
void CrashHook(const char* where, ChainTxKind kind) {
  const char* at = std::getenv("CX_CHAIN_CRASH_AT");
  if (at && kind == ChainTxKind::kWithdraw && std::string(at) == where) {
    std::cerr << "carbonx: chain: CX_CHAIN_CRASH_AT=" << where << ": exiting now" << std::endl;
    std::_Exit(137);
  }
}

json::array Fields(std::initializer_list<std::pair<const char*, const char*>> f) {
  json::array a;
  for (const auto& [n, t] : f) a.push_back(json::object{{"name", n}, {"type", t}});
  return a;
}

json::object Domain(const char* name, uint64_t chain_id, const std::string& contract) {
  return json::object{{"name", name}, {"version", "1"}, {"chainId", chain_id}, {"verifyingContract", contract}};
}

json::array DomainFields() {
  return Fields({{"name", "string"}, {"version", "string"}, {"chainId", "uint256"}, {"verifyingContract", "address"}});
}

// What the worker needs to know about a batch to mirror it (read on the engine thread).
struct BatchFacts {
  int64_t batch = 0, project = 0, issuance = 0;
  std::string class_code, developer;
  json::object data;  // BatchData as the token contract takes it
  int64_t quantity_kg = 0;
};

struct Plan {
  bool configured = false;
  ChainConfig config;
  std::vector<BatchFacts> to_mirror;
  std::vector<ChainBatch> steps;              // mirrored, next step due
  std::map<int64_t, BatchFacts> facts;        // batch -> data (for createBatch)
  std::vector<registry::ChainWithdrawal> withdrawals;  // requested, no intent yet
  std::map<int64_t, std::string> token_of;    // batch -> token id
  std::vector<registry::ChainTx> sent;
  std::vector<registry::ChainDeposit> seen;
  std::vector<int64_t> nonces;                // every journaled nonce
};

BatchFacts FactsOf(const RegistryState& s, const registry::Batch& b, const std::string& op) {
  BatchFacts f;
  f.batch = b.id;
  f.project = b.project;
  f.issuance = b.issuance;
  f.quantity_kg = b.quantity_kg;
  const registry::Project* p = s.project(b.project);
  std::string methodology, country;
  if (p) {
    methodology = p->info.methodology;
    country = p->info.country;
    auto c = s.credit_classes().find(p->info.credit_class);
    if (c != s.credit_classes().end()) f.class_code = c->second.code;
    if (p->developer) {
      auto ws = s.WalletsOf(p->developer);
      if (!ws.empty()) f.developer = ws.front();
    }
  }
  if (f.developer.empty()) f.developer = op;
  f.data = json::object{{"projectId", Id32("carbonx:project:" + std::to_string(b.project))},
                        {"registry", "carbonx"},
                        {"vintage", std::clamp<int64_t>(b.vintage, 0, 65535)},
                        {"serialStart", std::to_string(b.serial_start)},
                        {"serialEnd", std::to_string(b.serial_end)},
                        {"methodology", methodology},
                        {"country", country},
                        {"metadataUri", "ipfs://" + BatchMetadataCid(s, b)}};
  return f;
}

}  // namespace

const ChainPreset* FindChainPreset(std::string_view name) {
  for (const auto& p : kPresets)
    if (name == p.name) return &p;
  return nullptr;
}

json::value ApprovalTypedData(const ChainConfig& k, const ChainBatch& b) {
  json::object types{{"EIP712Domain", DomainFields()},
                     {"Approval", Fields({{"issuanceId", "bytes32"}, {"batchDataHash", "bytes32"}, {"amount", "uint256"}})}};
  return json::object{{"types", std::move(types)},
                      {"primaryType", "Approval"},
                      {"domain", Domain("CarbonX VerificationRegistry", static_cast<uint64_t>(k.chain_id), k.registry)},
                      {"message", json::object{{"issuanceId", b.issuance_id},
                                               {"batchDataHash", b.batch_data_hash},
                                               {"amount", std::to_string(b.amount_kg)}}}};
}

json::value WithdrawalTypedData(const ChainConfig& k, const registry::ChainWithdrawal& w, const std::string& token_id) {
  json::object types{{"EIP712Domain", DomainFields()},
                     {"Withdrawal", Fields({{"to", "address"}, {"tokenId", "uint256"}, {"amount", "uint256"},
                                            {"nonce", "uint256"}, {"expiry", "uint256"}})}};
  return json::object{{"types", std::move(types)},
                      {"primaryType", "Withdrawal"},
                      {"domain", Domain("CarbonX Market", static_cast<uint64_t>(k.chain_id), k.market)},
                      {"message", json::object{{"to", w.to},
                                               {"tokenId", token_id},
                                               {"amount", std::to_string(w.quantity_kg)},
                                               {"nonce", std::to_string(w.id)},
                                               {"expiry", std::to_string(w.expiry)}}}};
}

Result<std::string> KeystorePassword(const std::string& file) {
  if (const char* p = std::getenv("CX_CHAIN_KEYSTORE_PASSWORD"); p && *p) return std::string(p);
  auto t = ReadText(file + ".password", "password");
  if (!t.ok()) return Err(Code::kMissingField, "set $CX_CHAIN_KEYSTORE_PASSWORD or write " + file + ".password", "password");
  std::string s = std::move(t).value();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// ------------------------------------------------------------------ Impl
struct ChainWorker::Impl {
  ServiceContext* ctx = nullptr;
  ChainOptions opt;
  const ChainPreset* preset = nullptr;
  chain::Abi reg_abi, token_abi, market_abi;
  chain::Address registry{}, token{}, market{};
  std::map<std::string, std::string> contracts;
  std::unique_ptr<chain::RpcClient> rpc;
  std::unique_ptr<chain::NonceManager> nonces;
  std::unique_ptr<chain::TxSender> sender;
  chain::PrivateKey key;
  chain::Address op{};
  ChainConfig config;
  uint64_t confirmations = 1;
  std::unique_ptr<chain::LogFollower> follower;
  uint64_t start_block = 0;  // where the follower starts without a cursor: the deployment block
  std::string cursor_path;
  chain::Hash32 deposited_topic{};
  std::map<std::string, int64_t> retry_at;  // "b<batch>" / "w<id>" -> monotonic ms
  int64_t last_error_log = 0;
  mutable std::mutex st_mu;
  ChainStatus status;
  std::mutex co_mu;
  std::vector<ChainCoSender> co_senders;  // e.g. the anchorer (AddCoSender)

  void Log(const std::string& what) {
    const int64_t now = MonoMs();
    if (now - last_error_log < 2000) return;
    last_error_log = now;
    std::cerr << "carbonx: chain: " << what << std::endl;
  }

  Result<std::string> Exec(registry::Command cmd) { return ctx->engine->Execute(std::move(cmd)); }

  Result<Plan> Read() {
    Plan plan;
    const std::string op_hex = chain::AddressToHex(op);
    auto r = ctx->engine->Query([&](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const auto& cb = s.chain();
      plan.configured = cb.configured;
      plan.config = cb.config;
      for (const auto& [id, t] : cb.txs) {
        plan.nonces.push_back(t.nonce);
        if (t.status == registry::ChainTxStatus::kSent) plan.sent.push_back(t);
      }
      // Anchor intents (co-sender) use the same key: their nonces are taken too.
      for (const auto& [h, a] : s.proofs().anchors) plan.nonces.push_back(a.nonce);
      for (const auto& [id, b] : s.batches()) {
        if (!b.issuance) continue;
        const ChainBatch* m = s.chain_batch(id);
        if (!m) {
          plan.to_mirror.push_back(FactsOf(s, b, op_hex));
          continue;
        }
        plan.token_of[id] = m->token_id;
        if (m->step == ChainStep::kMinted || m->pending_tx || m->failed) continue;
        if (m->step == ChainStep::kProposed && static_cast<int64_t>(m->approvals.size()) < m->threshold) continue;
        plan.steps.push_back(*m);
        if (m->step == ChainStep::kVerified) plan.facts[id] = FactsOf(s, b, op_hex);
      }
      for (const auto& [id, w] : cb.withdrawals)
        if (w.status == registry::ChainWithdrawalStatus::kRequested) plan.withdrawals.push_back(w);
      for (const auto& [k, d] : cb.deposits)
        if (d.status == registry::ChainDepositStatus::kSeen) plan.seen.push_back(d);
      return std::string();
    });
    if (!r.ok()) return r.error();
    return plan;
  }

  // Journals then sends one transaction (the intent rule: never sent before it is durable).
  Result<void> SendIntent(ChainTxKind kind, int64_t ref, const chain::Address& to, const chain::Bytes& data) {
    chain::TxRequest req;
    req.to = to;
    req.data = data;
    CX_ASSIGN_OR_RETURN(chain::PreparedTx p, sender->Prepare(req));
    registry::RecordChainTx cmd{kind, ref, static_cast<int64_t>(p.nonce), chain::ToHex(p.hash), chain::ToHex(p.raw)};
    auto r = Exec(cmd);
    if (!r.ok()) {
      sender->Abandon(p);
      return r.error();
    }
    sender->Committed(p);
    CrashHook("after-journal", kind);
    auto s = sender->Send(p.raw);
    CrashHook("after-send", kind);
    if (!s.ok()) Log(std::string("send ") + registry::ChainTxKindName(kind) + ": " + s.error().message + " (retried)");
    return Ok();
  }

  Result<void> Mirror(const BatchFacts& f) {
    json::array args{f.data};
    CX_ASSIGN_OR_RETURN(chain::Bytes call, token_abi.EncodeCall("hashBatchData", args));
    chain::CallRequest c;
    c.to = token;
    c.data = call;
    CX_ASSIGN_OR_RETURN(chain::Bytes out, rpc->EthCall(c));
    CX_ASSIGN_OR_RETURN(json::array dec, token_abi.DecodeOutput("hashBatchData", out));
    if (dec.empty() || !dec[0].is_string()) return Err(Code::kInternal, "hashBatchData: bad answer");
    registry::MirrorChainBatch cmd;
    cmd.batch = f.batch;
    cmd.token_id = std::to_string(f.batch);
    cmd.project_id = json::value_to<std::string>(f.data.at("projectId"));
    cmd.class_id = Id32("carbonx:class:" + f.class_code);
    cmd.issuance_id = Id32("carbonx:issuance:" + std::to_string(f.issuance));
    cmd.batch_data_hash = std::string(dec[0].get_string());
    cmd.metadata_uri = json::value_to<std::string>(f.data.at("metadataUri"));
    cmd.developer = f.developer;
    auto r = Exec(cmd);
    if (!r.ok() && r.error().code != Code::kConflict) return r.error();
    return Ok();
  }

  Result<void> NextStep(const ChainBatch& b, const Plan& plan) {
    chain::Bytes data;
    ChainTxKind kind{};
    chain::Address to = registry;
    switch (b.step) {
      case ChainStep::kNone: {
        kind = ChainTxKind::kRegisterProject;
        CX_ASSIGN_OR_RETURN(data, reg_abi.EncodeCall("registerProject",
                                                     json::array{b.project_id, b.class_id, b.developer, ""}));
        break;
      }
      case ChainStep::kProjectRegistered: {
        kind = ChainTxKind::kProposeIssuance;
        CX_ASSIGN_OR_RETURN(data, reg_abi.EncodeCall("proposeIssuance",
                                                     json::array{b.issuance_id, b.project_id, b.batch_data_hash,
                                                                 std::to_string(b.amount_kg), ""}));
        break;
      }
      case ChainStep::kProposed: {
        kind = ChainTxKind::kVerifyIssuance;
        json::array sigs;
        for (const auto& a : b.approvals) sigs.push_back(json::value(a.signature));  // ascending signer
        CX_ASSIGN_OR_RETURN(data, reg_abi.EncodeCall("verifyIssuance", json::array{b.issuance_id, sigs}));
        break;
      }
      case ChainStep::kVerified: {
        kind = ChainTxKind::kCreateBatch;
        to = token;
        auto f = plan.facts.find(b.batch);
        if (f == plan.facts.end()) return Err(Code::kInternal, "batch facts missing");
        CX_ASSIGN_OR_RETURN(data, token_abi.EncodeCall("createBatch", json::array{b.token_id, b.issuance_id, f->second.data}));
        break;
      }
      case ChainStep::kCreated: {
        kind = ChainTxKind::kMint;
        to = token;
        CX_ASSIGN_OR_RETURN(data, token_abi.EncodeCall("mint", json::array{chain::AddressToHex(market), b.token_id,
                                                                           std::to_string(b.amount_kg - b.minted_kg)}));
        break;
      }
      case ChainStep::kMinted: return Ok();
    }
    return SendIntent(kind, b.batch, to, data);
  }

  Result<void> Withdraw(const registry::ChainWithdrawal& w, const Plan& plan) {
    const int64_t now_s = static_cast<int64_t>(std::time(nullptr));
    if (w.expiry <= now_s) {
      auto r = Exec(registry::ReleaseChainWithdrawal{w.id, "authorisation expired before it was sent"});
      return r.ok() ? Ok() : Result<void>(r.error());
    }
    auto t = plan.token_of.find(w.batch);
    if (t == plan.token_of.end()) return Err(Code::kInternal, "withdrawal of an unmirrored batch");
    const json::value typed = WithdrawalTypedData(plan.config, w, t->second);
    CX_ASSIGN_OR_RETURN(chain::Signature sig, chain::SignTypedData(typed, key));
    json::object auth{{"to", w.to},
                      {"tokenId", t->second},
                      {"amount", std::to_string(w.quantity_kg)},
                      {"nonce", std::to_string(w.id)},
                      {"expiry", std::to_string(w.expiry)}};
    CX_ASSIGN_OR_RETURN(chain::Bytes data,
                        market_abi.EncodeCall("withdraw", json::array{auth, chain::ToHex(chain::SignatureTo65(sig))}));
    auto r = SendIntent(ChainTxKind::kWithdraw, w.id, market, data);
    if (!r.ok() && chain::RpcErrcOf(r.error()) == chain::RpcErrc::kReverted) {
      // The contract refuses it (estimateGas reverted): nothing was sent; release the credits.
      auto rel = Exec(registry::ReleaseChainWithdrawal{w.id, "refused on chain: " + r.error().message});
      if (!rel.ok()) return rel.error();
      return Ok();
    }
    return r;
  }

  Result<void> Settle(const registry::ChainTx& t) {
    CX_ASSIGN_OR_RETURN(chain::Hash32 h, chain::ParseHash32(t.hash, "hash"));
    CX_ASSIGN_OR_RETURN(chain::TxStatus st, sender->Check(h, confirmations));
    if (st.state == chain::TxState::kConfirmed && st.receipt) {
      const bool ok = st.receipt->status;
      auto r = Exec(registry::SettleChainTx{t.id, ok, static_cast<int64_t>(st.receipt->block_number),
                                             ok ? "" : "reverted on chain"});
      if (!r.ok() && r.error().code != Code::kConflict) return r.error();
      return Ok();
    }
    if (st.state == chain::TxState::kUnknown) {
      // Not known to the node (dropped, or never sent before a crash): the same bytes again.
      CX_ASSIGN_OR_RETURN(chain::Bytes raw, chain::FromHex(t.raw, "raw"));
      auto s = sender->Rebroadcast(raw);
      if (!s.ok() && chain::RpcErrcOf(s.error()) == chain::RpcErrc::kNonceTooLow) {
        // Another transaction took this nonce: this intent can never be mined.
        auto r = Exec(registry::SettleChainTx{t.id, false, 0, "nonce taken by another transaction; never mined"});
        if (!r.ok() && r.error().code != Code::kConflict) return r.error();
      } else if (!s.ok()) {
        return s.error();
      }
    }
    return Ok();
  }

  // Deposited logs at depth (follower) and the unconfirmed tail (seen / re-orged).
  Result<void> Deposits(const Plan& plan, uint64_t head) {
    if (!follower) MakeFollower(std::nullopt);
    {
      std::lock_guard<std::mutex> l(st_mu);
      status.head = static_cast<int64_t>(head);  // before Poll: its credits may raise it
    }
    auto p = follower->Poll();
    if (!p.ok()) {
      if (p.error().code == Code::kChainReorgTooDeep || p.error().code == Code::kBadState) {
        Log("deposit follower: " + p.error().message + "; rescanning from the deployment block (deposits are idempotent)");
        MakeFollower(std::nullopt);
      }
      return p.error();
    }
    const uint64_t done = follower->cursor() ? follower->cursor()->block_number : 0;
    {
      std::lock_guard<std::mutex> l(st_mu);
      status.lag_blocks = head > done ? static_cast<int64_t>(head - done) : 0;
    }
    if (head <= done) return Ok();
    chain::LogFilter f;
    f.from_block = done + 1;
    f.to_block = head;
    f.addresses = {market};
    f.topics = {{deposited_topic}};
    CX_ASSIGN_OR_RETURN(std::vector<chain::Log> logs, rpc->GetLogs(f));
    std::set<std::string> live;
    for (const auto& lg : logs) {
      if (lg.removed) continue;
      auto cmd = DepositOf(lg, registry::ObserveChainDeposit::kSeen);
      if (!cmd.ok()) continue;
      live.insert(registry::ChainDepositKey(cmd->tx_hash, cmd->log_index));
      (void)Exec(*cmd);  // kConflict: already seen in this block
    }
    for (const auto& d : plan.seen) {
      if (static_cast<uint64_t>(d.block_number) <= done) continue;
      if (live.count(registry::ChainDepositKey(d.tx_hash, d.log_index))) continue;
      registry::ObserveChainDeposit cmd;
      cmd.state = registry::ObserveChainDeposit::kReorged;
      cmd.tx_hash = d.tx_hash;
      cmd.log_index = d.log_index;
      cmd.block_number = d.block_number;
      cmd.block_hash = d.block_hash;
      cmd.token_id = d.token_id;
      cmd.quantity_kg = d.quantity_kg;
      cmd.from = d.from;
      cmd.account_ref = d.account_ref;
      (void)Exec(cmd);  // refused if it was credited meanwhile
    }
    return Ok();
  }

  Result<registry::ObserveChainDeposit> DepositOf(const chain::Log& lg, registry::ObserveChainDeposit::State st) {
    CX_ASSIGN_OR_RETURN(chain::DecodedLog d, market_abi.DecodeLog(lg.topics, lg.data));
    if (d.event != "Deposited") return Err(Code::kInvalidField, "not a deposit");
    auto str = [&](const char* k) -> std::string {
      const json::value* v = d.args.if_contains(k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    registry::ObserveChainDeposit c;
    c.state = st;
    c.tx_hash = chain::ToHex(lg.tx_hash);
    c.log_index = static_cast<int64_t>(lg.log_index);
    c.block_number = static_cast<int64_t>(lg.block_number);
    c.block_hash = chain::ToHex(lg.block_hash);
    CX_ASSIGN_OR_RETURN(chain::U256 id, chain::ParseU256(str("depositId"), "depositId"));
    CX_ASSIGN_OR_RETURN(chain::U256 amount, chain::ParseU256(str("amount"), "amount"));
    if (amount > chain::U256(INT64_MAX) || id > chain::U256(INT64_MAX)) return Err(Code::kInvalidField, "too large", "amount");
    c.deposit_id = static_cast<int64_t>(id);
    c.quantity_kg = static_cast<int64_t>(amount);
    c.token_id = str("tokenId");
    c.from = str("from");
    c.account_ref = str("account");
    return c;
  }

  void MakeFollower(std::optional<chain::FollowerCursor> resume) {
    chain::FollowerOptions fo;
    fo.addresses = {market};
    fo.topics = {{deposited_topic}};
    fo.confirmations = confirmations;
    fo.max_range = 2000;
    fo.start_block = start_block;
    chain::FollowerCallbacks cb;
    cb.on_logs = [this](const std::vector<chain::Log>& logs, const chain::FollowerCursor& cur) -> Result<void> {
      for (const auto& lg : logs) {
        auto cmd = DepositOf(lg, registry::ObserveChainDeposit::kConfirmed);
        if (!cmd.ok()) continue;  // not a Deposited log of ours
        {
          // Delivered at depth: the head is at least block + depth - 1. Shown before the
          // credit, so a deposit is never listed as credited with fewer confirmations.
          std::lock_guard<std::mutex> l(st_mu);
          status.head = std::max<int64_t>(status.head, static_cast<int64_t>(lg.block_number + confirmations) - 1);
        }
        auto r = Exec(*cmd);
        if (!r.ok() && r.error().code != Code::kConflict) return r.error();  // retried next poll
      }
      SaveCursor(cur);
      return Ok();
    };
    cb.on_rewind = [this](uint64_t from, const chain::FollowerCursor& cur) -> Result<void> {
      // Only logs at the confirmation depth were credited; a re-org deeper than that is
      // beyond what the depth protects against: say so loudly (the credits stay).
      Log("re-org below the confirmation depth from block " + std::to_string(from));
      SaveCursor(cur);
      return Ok();
    };
    follower = std::make_unique<chain::LogFollower>(*rpc, fo, std::move(cb), std::move(resume));
  }

  void SaveCursor(const chain::FollowerCursor& cur) const {
    if (cursor_path.empty()) return;
    const std::string tmp = cursor_path + ".tmp";
    {
      std::ofstream o(tmp, std::ios::trunc);
      o << cur.Encode();
    }
    std::error_code ec;
    fs::rename(tmp, cursor_path, ec);
  }

  Result<void> Step() {
    CX_ASSIGN_OR_RETURN(uint64_t head, rpc->BlockNumber());
    CX_ASSIGN_OR_RETURN(Plan plan, Read());
    if (!plan.configured) return Err(Code::kUnavailable, "chain config not journaled");
    const int64_t now = MonoMs();
    auto due = [&](const std::string& k) {
      auto it = retry_at.find(k);
      return it == retry_at.end() || it->second <= now;
    };
    auto later = [&](const std::string& k, const Error& e, const std::string& what) {
      retry_at[k] = now + kRetryAfterMs;
      Log(what + ": " + e.message);
    };
    for (const auto& t : plan.sent)
      if (auto r = Settle(t); !r.ok()) Log("tx " + t.hash + ": " + r.error().message);
    for (const auto& f : plan.to_mirror) {
      const std::string k = "m" + std::to_string(f.batch);
      if (!due(k)) continue;
      if (auto r = Mirror(f); !r.ok()) later(k, r.error(), "mirror batch " + std::to_string(f.batch));
    }
    for (const auto& b : plan.steps) {
      const std::string k = "b" + std::to_string(b.batch);
      if (!due(k)) continue;
      if (auto r = NextStep(b, plan); !r.ok()) later(k, r.error(), "batch " + std::to_string(b.batch));
    }
    for (const auto& w : plan.withdrawals) {
      const std::string k = "w" + std::to_string(w.id);
      if (!due(k)) continue;
      if (auto r = Withdraw(w, plan); !r.ok()) later(k, r.error(), "withdrawal " + std::to_string(w.id));
    }
    std::vector<ChainCoSender> co;
    {
      std::lock_guard<std::mutex> l(co_mu);
      co = co_senders;
    }
    for (const auto& f : co)
      if (auto r = f(*sender); !r.ok()) Log("co-sender: " + r.error().message);
    return Deposits(plan, head);
  }
};

// ------------------------------------------------------------------ open
Result<std::unique_ptr<ChainWorker>> ChainWorker::Open(ServiceContext& ctx, const ChainOptions& o) {
  auto im = std::make_unique<Impl>();
  im->ctx = &ctx;
  im->opt = o;
  im->preset = FindChainPreset(o.network);
  if (!im->preset) return Err(Code::kInvalidField, "unknown network (localhost|amoy|polygon|sepolia|mainnet)", "chain-network");
  im->confirmations = static_cast<uint64_t>(o.confirmations >= 0 ? o.confirmations : im->preset->confirmations);
  CX_ASSIGN_OR_RETURN(std::string dep, ReadText(o.deployment, "deployment"));
  auto dj = api::ParseJsonObject(dep);
  if (!dj.ok()) return Err(Code::kBadJson, "deployment file is not JSON: " + o.deployment, "chain-deployment");
  const json::object* cs = dj->if_contains("contracts") ? dj->at("contracts").if_object() : nullptr;
  if (!cs) return Err(Code::kInvalidField, "deployment has no contracts", "chain-deployment");
  for (const auto& kv : *cs) {
    const json::object* c = kv.value().if_object();
    if (!c || !c->if_contains("address") || !c->at("address").is_string()) continue;
    auto a = chain::ParseAddress(std::string(c->at("address").get_string()), "chain-deployment");
    if (a.ok()) im->contracts[std::string(kv.key())] = chain::AddressToHex(*a);
  }
  for (const char* need : {"VerificationRegistry", "CarbonCreditToken", "CarbonMarket"})
    if (!im->contracts.count(need)) return Err(Code::kInvalidField, std::string("deployment lacks ") + need, "chain-deployment");
  CX_ASSIGN_OR_RETURN(im->reg_abi, chain::Abi::FromDeployment(dep, "VerificationRegistry"));
  CX_ASSIGN_OR_RETURN(im->token_abi, chain::Abi::FromDeployment(dep, "CarbonCreditToken"));
  CX_ASSIGN_OR_RETURN(im->market_abi, chain::Abi::FromDeployment(dep, "CarbonMarket"));
  CX_ASSIGN_OR_RETURN(im->registry, chain::ParseAddress(im->contracts["VerificationRegistry"]));
  CX_ASSIGN_OR_RETURN(im->token, chain::ParseAddress(im->contracts["CarbonCreditToken"]));
  CX_ASSIGN_OR_RETURN(im->market, chain::ParseAddress(im->contracts["CarbonMarket"]));
  CX_ASSIGN_OR_RETURN(const chain::AbiEvent* dev, im->market_abi.Event("Deposited"));
  im->deposited_topic = dev->Topic0();

  CX_ASSIGN_OR_RETURN(std::string ks, ReadText(o.keystore, "keystore"));
  CX_ASSIGN_OR_RETURN(std::string pw, KeystorePassword(o.keystore));
  CX_ASSIGN_OR_RETURN(im->key, chain::DecryptKeystore(ks, pw));
  CX_ASSIGN_OR_RETURN(im->op, chain::AddressOf(im->key));

  CX_ASSIGN_OR_RETURN(im->rpc, chain::MakeHttpRpcClient(o.url));
  CX_ASSIGN_OR_RETURN(uint64_t chain_id, im->rpc->ChainId());
  if (chain_id != im->preset->chain_id)
    return Err(Code::kConflict,
               "the node at " + o.url + " is chain " + std::to_string(chain_id) + ", not " + o.network + " (" +
                   std::to_string(im->preset->chain_id) + ")",
               "chain");
  if (const json::value* dc = dj->if_contains("chainId"); dc && dc->is_int64() && static_cast<uint64_t>(dc->as_int64()) != chain_id)
    return Err(Code::kConflict, "the deployment file is for chain " + std::to_string(dc->as_int64()), "chain-deployment");
  im->nonces = std::make_unique<chain::NonceManager>(*im->rpc);
  chain::TxSenderOptions so;
  so.chain_id = chain_id;
  CX_ASSIGN_OR_RETURN(im->sender, chain::TxSender::Create(*im->rpc, *im->nonces, im->key, so));

  // Threshold the registry contract enforces (its default k).
  uint64_t threshold = 1;
  {
    chain::CallRequest c;
    c.to = im->registry;
    auto data = im->reg_abi.EncodeCall("defaultThreshold", json::array{});
    if (data.ok()) {
      c.data = *data;
      auto out = im->rpc->EthCall(c);
      if (out.ok()) {
        auto dec = im->reg_abi.DecodeOutput("defaultThreshold", *out);
        if (dec.ok() && !dec->empty() && dec->at(0).is_string())
          threshold = std::strtoull(std::string(dec->at(0).get_string()).c_str(), nullptr, 10);
      }
    }
  }
  ChainConfig& k = im->config;
  k.chain_id = static_cast<int64_t>(chain_id);
  k.network = o.network;
  k.registry = chain::AddressToHex(im->registry);
  k.token = chain::AddressToHex(im->token);
  k.market = chain::AddressToHex(im->market);
  k.anchor = im->contracts.count("JournalAnchor") ? im->contracts["JournalAnchor"] : "";
  k.operator_address = chain::AddressToHex(im->op);
  k.confirmations = static_cast<int64_t>(im->confirmations);
  k.threshold = static_cast<int64_t>(std::max<uint64_t>(threshold, 1));
  auto r = ctx.engine->Execute(registry::SetChainConfig{0, k});
  if (!r.ok() && r.error().code != Code::kConflict) return r.error();

  if (!o.data_dir.empty())
    im->cursor_path = (fs::path(o.data_dir) / ("chain-deposits-" + std::to_string(chain_id) + "-" + k.market + ".cursor")).string();
  std::optional<uint64_t> recorded_start;  // "startBlock" of the deployment file, if recorded
  if (const json::value* sb = dj->if_contains("startBlock"); sb && sb->is_int64() && sb->as_int64() >= 0)
    recorded_start = static_cast<uint64_t>(sb->as_int64());
  im->start_block = chain::FollowerStartBlock(*im->rpc, {im->market}, recorded_start);
  std::optional<chain::FollowerCursor> resume;
  if (!im->cursor_path.empty())
    if (auto t = ReadText(im->cursor_path, "cursor"); t.ok())
      if (auto c = chain::FollowerCursor::Decode(*t); c.ok()) resume = *c;
  im->MakeFollower(resume);

  ChainStatus& st = im->status;
  st.enabled = true;
  st.network = o.network;
  st.rpc_url = o.public_url.empty() ? o.url : o.public_url;
  st.operator_address = k.operator_address;
  st.explorer = im->preset->explorer;
  st.chain_id = chain_id;
  st.confirmations = k.confirmations;
  for (const char* n : {"VerificationRegistry", "CarbonCreditToken", "CarbonMarket", "JournalAnchor", "RetirementCertificate",
                        "PaymentToken"})
    st.contracts[n] = im->contracts.count(n) ? im->contracts[n] : "";
  return std::unique_ptr<ChainWorker>(new ChainWorker(std::move(im)));
}

ChainWorker::ChainWorker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChainWorker::~ChainWorker() { Stop(); }

void ChainWorker::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void ChainWorker::Stop() {
  stop_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void ChainWorker::Wake() {
  {
    std::lock_guard<std::mutex> l(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void ChainWorker::AddCoSender(ChainCoSender f) {
  {
    std::lock_guard<std::mutex> l(impl_->co_mu);
    impl_->co_senders.push_back(std::move(f));
  }
  Wake();
}

ChainStatus ChainWorker::Status() const {
  std::lock_guard<std::mutex> l(impl_->st_mu);
  return impl_->status;
}

void ChainWorker::Loop() {
  Impl& im = *impl_;
  // Restart: every journaled nonce is taken; every intent still "sent" goes out again with
  // its same raw bytes (idempotent at the node), then is awaited by the steps below.
  if (auto plan = im.Read(); plan.ok()) {
    for (int64_t n : plan->nonces) im.nonces->ObserveJournaled(im.op, static_cast<uint64_t>(n));
    for (const auto& t : plan->sent) {
      auto raw = chain::FromHex(t.raw, "raw");
      if (!raw.ok()) continue;
      auto s = im.sender->Rebroadcast(*raw);
      std::cerr << "carbonx: chain: re-broadcast journaled " << registry::ChainTxKindName(t.kind) << " " << t.hash
                << (s.ok() ? "" : ": " + s.error().message) << std::endl;
    }
  }
  while (!stop_) {
    if (auto r = im.Step(); !r.ok()) im.Log(r.error().message);
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, std::chrono::milliseconds(im.opt.poll_ms), [this] { return woken_ || stop_.load(); });
    woken_ = false;
  }
}

// ------------------------------------------------------------------ keystore CLI
int RunKeystoreCli(int argc, char** argv) {
  // argv[0] = "keystore"
  std::string sub = argc > 1 ? argv[1] : "";
  std::string out, hex;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--private-key" && i + 1 < argc) hex = argv[++i];
    else {
      std::cerr << "carbonx keystore: unknown argument " << a << "\n";
      return 2;
    }
  }
  if (sub != "new" || out.empty()) {
    std::cerr << "usage: carbonx keystore new --out FILE [--private-key 0xHEX]\n"
                 "  password: $CX_CHAIN_KEYSTORE_PASSWORD, else FILE.password (created with a random one)\n";
    return 2;
  }
  auto key = hex.empty() ? chain::GeneratePrivateKey() : chain::ParsePrivateKey(hex);
  if (!key.ok()) {
    std::cerr << "carbonx keystore: " << key.error().message << "\n";
    return 1;
  }
  std::string pw;
  if (auto p = KeystorePassword(out); p.ok()) {
    pw = *p;
  } else {
    auto k = chain::GeneratePrivateKey();  // 32 random bytes, as a password
    if (!k.ok()) return 1;
    pw = chain::ToHex(std::string_view(reinterpret_cast<const char*>(k->bytes.data()), k->bytes.size())).substr(2);  // NOLINT
    std::ofstream(out + ".password", std::ios::trunc) << pw << "\n";
    fs::permissions(out + ".password", fs::perms::owner_read | fs::perms::owner_write);
  }
  auto ks = chain::EncryptKeystore(*key, pw);
  if (!ks.ok()) {
    std::cerr << "carbonx keystore: " << ks.error().message << "\n";
    return 1;
  }
  std::ofstream(out, std::ios::trunc) << *ks;
  auto addr = chain::AddressOf(*key);
  std::cout << (addr.ok() ? chain::AddressToChecksum(*addr) : std::string("?")) << std::endl;
  return 0;
}

}  // namespace cx::app
