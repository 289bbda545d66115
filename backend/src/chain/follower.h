// LogFollower: follows the logs of some contracts (addresses, topic filter) from a cursor,
// checks block hashes so that a re-org is noticed, rewinds to the common ancestor, and
// resumes after a restart exactly where the caller's persisted cursor says.
//
// Delivery. A block b has confirmations = head - b + 1. By default logs are delivered only
// once their block has `confirmations` confirmations (0 and 1 both mean "as soon as mined").
// With `deliver_unconfirmed` they are delivered as soon as their block is seen; a later
// re-org of an already delivered block is announced through on_rewind.
// Each Poll() fetches at most `max_range` blocks (eth_getLogs over a block range, halved
// while the node says the range is too large) and calls on_logs once for that range, with
// the logs (sorted by block, log index; `removed` logs dropped) and the cursor to persist.
//
// Re-orgs. The follower keeps the hashes of the last `keep_blocks` processed blocks (K; at
// least confirmations + 1; they are part of the cursor). Before going on it checks that the
// cursor's block hash is still the chain's hash at that height; if not, it walks back through
// the kept hashes to the highest block still canonical (the common ancestor a), calls
// on_rewind(a + 1, cursor_at_a) and then re-delivers from a + 1 on later polls. A re-org
// deeper than K fails with CHAIN_REORG_TOO_DEEP (Code::kChainReorgTooDeep,
// field "cursor"; nothing delivered).
// New blocks are checked to link to the cursor (parent hash) and every delivered log's block
// hash is checked against the header fetched for its height (in the last K blocks of the
// range; older blocks of a catch-up range are more than K deep and taken as final).
//
// Exactly once, across crashes. The caller MUST persist, atomically with the effects of the
// logs (e.g. in the same journal command / SQL transaction), the cursor passed to on_logs
// (FollowerCursor::Encode()), and likewise the cursor passed to on_rewind together with the
// undoing of the rewound blocks' effects. On restart, pass the last persisted cursor to the
// constructor: logs of blocks after it are delivered again (their effects were not persisted
// either), none before it. If a callback returns an error the cursor does not advance and
// the same range is offered again on the next Poll. Idempotency by (tx_hash, log_index) on
// the caller's side is still recommended as a second guard.
//
// Thread-safety: not thread-safe; one thread polls. Callbacks run on the polling thread.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chain/rpc.h"
#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

// The last block fully processed and the hashes of up to K-1 blocks below it.
struct FollowerCursor {
  uint64_t block_number = 0;
  Hash32 block_hash{};
  std::vector<Hash32> ancestors;  // ancestors[i] = hash of block_number - 1 - i
  bool operator==(const FollowerCursor&) const = default;
  // Compact text form for persistence: "v1:<n>:<hash hex>:<ancestor hex>,..."
  std::string Encode() const;
  static Result<FollowerCursor> Decode(std::string_view text);
};

struct FollowerOptions {
  std::vector<Address> addresses;            // empty = any contract
  std::vector<std::vector<Hash32>> topics;   // eth_getLogs topic filter
  uint64_t start_block = 0;                  // first block to read when there is no cursor
  uint64_t confirmations = 12;
  bool deliver_unconfirmed = false;
  uint64_t max_range = 1000;                 // blocks per Poll (>= 1)
  uint64_t keep_blocks = 64;                 // K; raised to confirmations + 1 if smaller
};

struct FollowerCallbacks {
  // Logs of blocks (cursor_before, cursor.block_number]; persist `cursor` with their effects.
  std::function<Result<void>(const std::vector<Log>& logs, const FollowerCursor& cursor)> on_logs;
  // Blocks >= from_block were re-orged away: undo what was applied for them and persist
  // `cursor` (the common ancestor) with that undo.
  std::function<Result<void>(uint64_t from_block, const FollowerCursor& cursor)> on_rewind;
};

struct PollResult {
  uint64_t head = 0;              // chain head seen
  uint64_t delivered_logs = 0;
  uint64_t delivered_to = 0;      // cursor block after the poll
  bool caught_up = false;         // nothing more to deliver until new blocks come
  std::optional<uint64_t> rewound_from;  // set when a re-org was handled in this poll
};

class LogFollower {
 public:
  // `rpc` must outlive the follower. `resume`: the last persisted cursor (nullopt = start at
  // options.start_block).
  LogFollower(RpcClient& rpc, FollowerOptions options, FollowerCallbacks callbacks,
              std::optional<FollowerCursor> resume = std::nullopt);

  // One step: head, re-org check, next range, delivery. Call in a loop (sleep when
  // caught_up). Transport errors are returned and nothing changes.
  Result<PollResult> Poll();

  // nullopt until the first block was processed (and no cursor was given).
  const std::optional<FollowerCursor>& cursor() const { return cursor_; }
  uint64_t reorgs_seen() const { return reorgs_seen_; }

 private:
  Result<std::optional<uint64_t>> CheckReorg();
  Result<std::vector<Log>> FetchLogs(uint64_t from, uint64_t to);
  RpcClient& rpc_;
  FollowerOptions options_;
  FollowerCallbacks callbacks_;
  std::optional<FollowerCursor> cursor_;
  uint64_t reorgs_seen_ = 0;
};

// The block `contract` was deployed in: the first block at which it has code, found by binary
// search with eth_getCode at past blocks (about log2(head) calls). A follower of the contract's
// logs starts there instead of block 0 (FollowerOptions::start_block). Needs a node serving
// past state (archive, or a deployment within its pruning window): on an error the caller
// falls back to 0. kNotFound when the contract has no code at the head.
Result<uint64_t> FindDeploymentBlock(RpcClient& rpc, const Address& contract);
// Where followers of `contracts` start without a cursor: `recorded` (a deployment file's
// "startBlock") when given, else the earliest FindDeploymentBlock of them, else 0.
uint64_t FollowerStartBlock(RpcClient& rpc, const std::vector<Address>& contracts, std::optional<uint64_t> recorded);

}  // namespace cx::chain
