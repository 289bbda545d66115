#include "chain/follower.h"

#include <algorithm>
#include <charconv>

#include "chain/hex.h"
#include "chain/rpc_parse.h"

namespace cx::chain {

namespace {

constexpr size_t kMaxEncodedAncestors = 100000;

// A re-org below what the cursor keeps: CHAIN_REORG_TOO_DEEP (7008), field "cursor".
Error ReorgTooDeep(std::string message) { return Error::Make(Code::kChainReorgTooDeep, std::move(message), "cursor"); }

}  // namespace

// ---- cursor ------------------------------------------------------------------------------

std::string FollowerCursor::Encode() const {
  std::string s = "v1:" + std::to_string(block_number) + ":" + ToHex(block_hash) + ":";
  for (size_t i = 0; i < ancestors.size(); ++i) {
    if (i > 0) s += ',';
    s += ToHex(ancestors[i]);
  }
  return s;
}

Result<FollowerCursor> FollowerCursor::Decode(std::string_view text) {
  auto bad = [](std::string_view why) {
    return Err(Code::kInvalidField, "bad follower cursor: " + std::string(why), "cursor");
  };
  if (text.substr(0, 3) != "v1:") return bad("unknown version");
  text.remove_prefix(3);
  const size_t c1 = text.find(':');
  if (c1 == std::string_view::npos || c1 == 0) return bad("no block number");
  FollowerCursor c;
  const auto num = text.substr(0, c1);
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), c.block_number);
  if (ec != std::errc() || p != num.data() + num.size()) return bad("bad block number");
  text.remove_prefix(c1 + 1);
  const size_t c2 = text.find(':');
  if (c2 == std::string_view::npos) return bad("no block hash");
  auto h = ParseHash32(text.substr(0, c2), "cursor");
  if (!h.ok()) return bad("bad block hash");
  c.block_hash = h.value();
  text.remove_prefix(c2 + 1);
  while (!text.empty()) {
    const size_t comma = text.find(',');
    auto a = ParseHash32(text.substr(0, comma), "cursor");
    if (!a.ok()) return bad("bad ancestor hash");
    c.ancestors.push_back(a.value());
    if (c.ancestors.size() > kMaxEncodedAncestors) return bad("too many ancestors");
    if (c.ancestors.size() > c.block_number) return bad("more ancestors than blocks");
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return bad("trailing comma");
  }
  return c;
}

// ---- follower ----------------------------------------------------------------------------

LogFollower::LogFollower(RpcClient& rpc, FollowerOptions options, FollowerCallbacks callbacks,
                         std::optional<FollowerCursor> resume)
    : rpc_(rpc), options_(std::move(options)), callbacks_(std::move(callbacks)),
      cursor_(std::move(resume)) {
  options_.keep_blocks = std::max<uint64_t>({options_.keep_blocks, options_.confirmations + 1, 2});
  options_.max_range = std::max<uint64_t>(options_.max_range, 1);
  if (cursor_ && cursor_->ancestors.size() + 1 > options_.keep_blocks) {
    cursor_->ancestors.resize(options_.keep_blocks - 1);
  }
}

// Returns the first re-orged block when a re-org was found and handled.
Result<std::optional<uint64_t>> LogFollower::CheckReorg() {
  if (!cursor_) return std::optional<uint64_t>();
  const FollowerCursor& c = *cursor_;
  const uint64_t lowest = c.block_number - c.ancestors.size();
  CX_ASSIGN_OR_RETURN(auto top, rpc_.GetBlockByNumber(BlockTag::Number(c.block_number)));
  if (top && top->hash == c.block_hash) return std::optional<uint64_t>();
  // The cursor's block is gone (other hash, or the chain is now shorter): find the highest
  // kept block that is still canonical.
  std::optional<uint64_t> ancestor;
  size_t ancestor_index = 0;
  if (!c.ancestors.empty()) {
    CX_ASSIGN_OR_RETURN(auto headers, rpc_.GetBlockRange(lowest, c.block_number - 1));
    for (size_t i = 0; i < c.ancestors.size(); ++i) {
      const uint64_t n = c.block_number - 1 - i;
      const auto& h = headers[n - lowest];
      if (h && h->hash == c.ancestors[i]) {
        ancestor = n;
        ancestor_index = i;
        break;
      }
    }
  }
  if (!ancestor) {
    return ReorgTooDeep("re-org deeper than the " + std::to_string(c.ancestors.size() + 1) +
                        " kept block hashes below block " + std::to_string(c.block_number));
  }
  FollowerCursor back;
  back.block_number = *ancestor;
  back.block_hash = c.ancestors[ancestor_index];
  back.ancestors.assign(c.ancestors.begin() + static_cast<std::ptrdiff_t>(ancestor_index) + 1,
                        c.ancestors.end());
  if (callbacks_.on_rewind) CX_TRY(callbacks_.on_rewind(*ancestor + 1, back));
  cursor_ = std::move(back);
  ++reorgs_seen_;
  return std::optional<uint64_t>(*ancestor + 1);
}

Result<std::vector<Log>> LogFollower::FetchLogs(uint64_t from, uint64_t to) {
  LogFilter f;
  f.from_block = from;
  f.to_block = to;
  f.addresses = options_.addresses;
  f.topics = options_.topics;
  auto r = rpc_.GetLogs(f);
  if (r.ok() || to == from || RpcErrcOf(r.error()) != RpcErrc::kLimitExceeded) return r;
  const uint64_t mid = from + (to - from) / 2;
  CX_ASSIGN_OR_RETURN(auto a, FetchLogs(from, mid));
  CX_ASSIGN_OR_RETURN(auto b, FetchLogs(mid + 1, to));
  a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
  return a;
}

Result<PollResult> LogFollower::Poll() {
  PollResult out;
  CX_ASSIGN_OR_RETURN(out.head, rpc_.BlockNumber());

  if (!cursor_ && options_.start_block > 0) {
    // Base: the block before the first one to read (its hash links the first range).
    CX_ASSIGN_OR_RETURN(auto base, rpc_.GetBlockByNumber(BlockTag::Number(options_.start_block - 1)));
    if (!base) {
      out.caught_up = true;
      return out;
    }
    cursor_ = FollowerCursor{base->number, base->hash, {}};
  }

  CX_ASSIGN_OR_RETURN(out.rewound_from, CheckReorg());

  // Highest block whose logs may be delivered now.
  std::optional<uint64_t> horizon;
  const uint64_t n = options_.confirmations;
  if (options_.deliver_unconfirmed || n <= 1) {
    horizon = out.head;
  } else if (out.head + 1 >= n) {
    horizon = out.head + 1 - n;
  }
  const uint64_t next = cursor_ ? cursor_->block_number + 1 : 0;
  out.delivered_to = cursor_ ? cursor_->block_number : 0;
  if (!horizon || *horizon < next) {
    out.caught_up = true;
    return out;
  }
  const uint64_t target = std::min(*horizon, next + (options_.max_range - 1));
  const uint64_t keep = options_.keep_blocks;
  const uint64_t first_header = target + 1 >= keep ? std::max(next, target + 1 - keep) : next;

  CX_ASSIGN_OR_RETURN(auto headers, rpc_.GetBlockRange(first_header, target));
  for (size_t i = 0; i < headers.size(); ++i) {
    // A missing block or a broken link: the chain is moving under us; try again next poll.
    if (!headers[i]) return out;
    if (i > 0 && headers[i]->parent_hash != headers[i - 1]->hash) return out;
  }
  if (first_header == next && cursor_ && headers[0]->parent_hash != cursor_->block_hash) {
    return out;  // re-org right now: the next poll's CheckReorg rewinds
  }

  CX_ASSIGN_OR_RETURN(auto logs, FetchLogs(next, target));
  std::vector<Log> deliver;
  deliver.reserve(logs.size());
  for (auto& l : logs) {
    if (l.removed) continue;
    if (l.block_number < next || l.block_number > target) {
      return BadResponse("log.blockNumber", "log outside the requested range");
    }
    if (l.block_number >= first_header && headers[l.block_number - first_header]->hash != l.block_hash) {
      return out;  // logs from another fork than the headers: try again
    }
    deliver.push_back(std::move(l));
  }
  std::sort(deliver.begin(), deliver.end(), [](const Log& a, const Log& b) {
    return a.block_number != b.block_number ? a.block_number < b.block_number
                                            : a.log_index < b.log_index;
  });

  FollowerCursor next_cursor;
  next_cursor.block_number = target;
  next_cursor.block_hash = headers.back()->hash;
  for (size_t i = headers.size() - 1; i-- > 0;) next_cursor.ancestors.push_back(headers[i]->hash);
  if (first_header == next && cursor_) {
    next_cursor.ancestors.push_back(cursor_->block_hash);
    for (const auto& a : cursor_->ancestors) {
      if (next_cursor.ancestors.size() + 1 >= keep) break;
      next_cursor.ancestors.push_back(a);
    }
  }
  if (next_cursor.ancestors.size() + 1 > keep) next_cursor.ancestors.resize(keep - 1);

  if (callbacks_.on_logs) CX_TRY(callbacks_.on_logs(deliver, next_cursor));
  cursor_ = std::move(next_cursor);
  out.delivered_logs = deliver.size();
  out.delivered_to = target;
  out.caught_up = target >= *horizon;
  return out;
}

Result<uint64_t> FindDeploymentBlock(RpcClient& rpc, const Address& contract) {
  CX_ASSIGN_OR_RETURN(uint64_t head, rpc.BlockNumber());
  auto has_code = [&](uint64_t n) -> Result<bool> {
    CX_ASSIGN_OR_RETURN(Bytes code, rpc.GetCode(contract, BlockTag::Number(n)));
    return !code.empty();
  };
  CX_ASSIGN_OR_RETURN(bool at_head, has_code(head));
  if (!at_head) return Err(Code::kNotFound, "no contract code at " + AddressToHex(contract), "contract");
  uint64_t lo = 0;
  uint64_t hi = head;  // invariant: code at hi; none below lo
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    CX_ASSIGN_OR_RETURN(bool at_mid, has_code(mid));
    if (at_mid) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

uint64_t FollowerStartBlock(RpcClient& rpc, const std::vector<Address>& contracts, std::optional<uint64_t> recorded) {
  if (recorded) return *recorded;
  std::optional<uint64_t> first;
  for (const Address& a : contracts) {
    auto b = FindDeploymentBlock(rpc, a);
    if (!b.ok()) return 0;  // no past state on this node: read from the start, as before
    first = first ? std::min(*first, *b) : *b;
  }
  return first.value_or(0);
}

}  // namespace cx::chain
