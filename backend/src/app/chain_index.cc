// Indexing CarbonMarket listings/fills/cancels and CarbonCreditToken retirements into the
// engine (see chain_anchor.h for the contract).
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/chain_anchor.h"
#include "chain/hex.h"
#include "chain/keccak.h"
#include "engine/engine.h"
#include "registry/registry.h"

namespace cx::app {
namespace json = boost::json;
namespace {

std::string Str(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return {};
}

// A uint256 decimal that must fit int64 (kilograms, ids, times).
Result<int64_t> Small(const json::object& o, const char* k) {
  const std::string s = Str(o, k);
  if (s.empty() || s.size() > 18) return Err(Code::kOverflow, std::string(k) + " out of range", k);
  return static_cast<int64_t>(std::stoll(s));
}

}  // namespace

ChainIndexer::ChainIndexer(engine::Engine& engine, chain::RpcClient& rpc) : engine_(engine), rpc_(rpc) {}

Result<std::unique_ptr<ChainIndexer>> ChainIndexer::Create(engine::Engine& engine, chain::RpcClient& rpc,
                                                           chain::Address market, chain::Abi market_abi,
                                                           chain::Address token, chain::Abi token_abi,
                                                           int64_t confirmations, uint64_t start_block,
                                                           std::string cursor_file) {
  std::unique_ptr<ChainIndexer> x(new ChainIndexer(engine, rpc));
  x->market_ = market;
  x->token_ = token;
  x->market_abi_ = std::move(market_abi);
  x->token_abi_ = std::move(token_abi);
  x->cursor_file_ = std::move(cursor_file);
  chain::FollowerOptions fo;
  fo.addresses = {market, token};
  std::vector<chain::Hash32> topics;
  for (const char* ev : {"ListingCreated", "ListingFilled", "ListingCancelled"}) {
    CX_ASSIGN_OR_RETURN(const chain::AbiEvent* e, x->market_abi_.Event(ev));
    topics.push_back(e->Topic0());
  }
  CX_ASSIGN_OR_RETURN(const chain::AbiEvent* retired, x->token_abi_.Event("Retired"));
  topics.push_back(retired->Topic0());
  fo.topics = {topics};
  fo.start_block = start_block;
  fo.confirmations = static_cast<uint64_t>(std::max<int64_t>(confirmations, 1));
  x->m_.confirmations = static_cast<int64_t>(fo.confirmations);
  std::optional<chain::FollowerCursor> resume;
  std::ifstream in(x->cursor_file_);
  if (in) {
    std::string text;
    std::getline(in, text);
    if (!text.empty()) {
      CX_ASSIGN_OR_RETURN(auto c, chain::FollowerCursor::Decode(text));
      resume = c;
    }
  }
  ChainIndexer* self = x.get();
  chain::FollowerCallbacks cb;
  cb.on_logs = [self](const std::vector<chain::Log>& logs, const chain::FollowerCursor& c) { return self->OnLogs(logs, c); };
  // Only confirmed logs are delivered, so nothing applied is ever rewound here; the cursor moves back.
  cb.on_rewind = [self](uint64_t, const chain::FollowerCursor& c) -> Result<void> { return self->OnLogs({}, c); };
  x->follower_ = std::make_unique<chain::LogFollower>(rpc, fo, cb, resume);
  return x;
}

Result<void> ChainIndexer::OnLogs(const std::vector<chain::Log>& logs, const chain::FollowerCursor& cursor) {
  std::map<uint64_t, int64_t> block_ts;
  for (const chain::Log& lg : logs) {
    const bool from_market = lg.address == market_;
    const chain::Abi& abi = from_market ? market_abi_ : token_abi_;
    auto d = abi.DecodeLog(lg.topics, lg.data);
    if (!d.ok()) continue;  // an event of these contracts we do not index
    const json::object& a = d->args;
    registry::ChainLogFact f;
    f.tx_hash = chain::ToHex(lg.tx_hash);
    f.log_index = static_cast<int64_t>(lg.log_index);
    f.block_number = static_cast<int64_t>(lg.block_number);
    if (!block_ts.count(lg.block_number)) {
      CX_ASSIGN_OR_RETURN(auto hdr, rpc_.GetBlockByNumber(chain::BlockTag::Number(lg.block_number)));
      block_ts[lg.block_number] = hdr ? static_cast<int64_t>(hdr->timestamp) : 0;
    }
    f.block_ts = block_ts[lg.block_number];
    if (from_market && d->event == "ListingCreated") {
      f.kind = registry::ChainLogKind::kListingCreated;
      CX_ASSIGN_OR_RETURN(f.id, Small(a, "listingId"));
      f.party = Str(a, "seller");
      f.token_id = Str(a, "tokenId");
      CX_ASSIGN_OR_RETURN(f.amount_kg, Small(a, "amount"));
      f.unit_price = Str(a, "unitPrice");
      CX_ASSIGN_OR_RETURN(f.min_fill, Small(a, "minFill"));
      CX_ASSIGN_OR_RETURN(f.deadline, Small(a, "deadline"));
    } else if (from_market && d->event == "ListingFilled") {
      f.kind = registry::ChainLogKind::kListingFilled;
      CX_ASSIGN_OR_RETURN(f.id, Small(a, "listingId"));
      f.party = Str(a, "buyer");
      CX_ASSIGN_OR_RETURN(f.amount_kg, Small(a, "amount"));
      f.cost = Str(a, "totalCost");
      f.fee = Str(a, "fee");
    } else if (from_market && d->event == "ListingCancelled") {
      f.kind = registry::ChainLogKind::kListingCancelled;
      CX_ASSIGN_OR_RETURN(f.id, Small(a, "listingId"));
      CX_ASSIGN_OR_RETURN(f.amount_kg, Small(a, "returned"));
    } else if (!from_market && d->event == "Retired") {
      f.kind = registry::ChainLogKind::kRetired;
      CX_ASSIGN_OR_RETURN(f.id, Small(a, "retirementId"));
      f.party = Str(a, "account");
      f.token_id = Str(a, "tokenId");
      CX_ASSIGN_OR_RETURN(f.amount_kg, Small(a, "amount"));
      f.beneficiary = Str(a, "beneficiary");
      f.reason = Str(a, "reason");
    } else {
      continue;
    }
    auto r = engine_.Execute(registry::ObserveChainLog{f});
    // kConflict: already applied (re-delivered after a restart) -- done.
    if (!r.ok() && r.error().code != Code::kConflict) {
      if (r.error().code == Code::kUnavailable || r.error().code == Code::kStorage) return r.error();
      // A refused fact (e.g. a fill of a listing created before indexing began) is skipped
      // rather than blocking every later log; it is counted as an error.
      ++m_.errors;
      m_.last_error = "log " + f.tx_hash + "#" + std::to_string(f.log_index) + ": " + r.error().message;
      continue;
    }
    ++m_.logs_indexed;
  }
  // Persist the cursor after the effects (write-then-rename: never a torn file).
  const std::string tmp = cursor_file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << cursor.Encode() << "\n";
    if (!out) return Err(Code::kIo, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), cursor_file_.c_str()) != 0) return Err(Code::kIo, "cannot rename " + tmp);
  m_.indexed_block = static_cast<int64_t>(cursor.block_number);
  return Ok();
}

Result<bool> ChainIndexer::Step() {
  CX_ASSIGN_OR_RETURN(auto p, follower_->Poll());
  m_.head = static_cast<int64_t>(p.head);
  if (follower_->cursor()) m_.indexed_block = static_cast<int64_t>(follower_->cursor()->block_number);
  m_.head_lag_blocks = m_.head - m_.indexed_block;
  m_.reorgs_seen = static_cast<int64_t>(follower_->reorgs_seen());
  return p.caught_up;
}

}  // namespace cx::app
