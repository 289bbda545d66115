// NonceManager: hands out transaction nonces per sender so that concurrent and restarted
// senders never reuse a nonce and never leave a gap that would stall the account.
//
// The next nonce for a sender is max(chain pending count, highest journaled + 1, next local),
// where "journaled" is every nonce the caller recorded in its journal as part of a signed
// intent (tell the manager with ObserveJournaled at start-up and Commit after journaling).
// A reserved nonce that will not be used (signing failed, intent abandoned before it was
// journaled) must be given back with Release; released nonces are handed out again first,
// lowest first, so no gap remains. After the node answers "nonce too low" call Resync: it
// re-reads the chain's pending count and drops local reservations below it.
//
// Thread-safety: all methods are safe to call concurrently (one mutex).
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <set>

#include "chain/rpc.h"
#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

class NonceManager {
 public:
  // `rpc` must outlive the manager.
  explicit NonceManager(RpcClient& rpc) : rpc_(rpc) {}

  // The caller's journal holds a signed intent with this nonce for `sender`.
  void ObserveJournaled(const Address& sender, uint64_t nonce);
  // Reserves the next nonce (asks the node for the pending count on first use per sender
  // and after Resync).
  Result<uint64_t> Reserve(const Address& sender);
  // The reserved nonce was journaled: it is never handed out again.
  void Commit(const Address& sender, uint64_t nonce) { ObserveJournaled(sender, nonce); }
  // The reserved nonce was not used: hand it out again.
  void Release(const Address& sender, uint64_t nonce);
  // Re-reads the chain's pending transaction count (after "nonce too low", or an external
  // transaction from the same key). Returns the new next nonce.
  Result<uint64_t> Resync(const Address& sender);
  // What Reserve would return now, without reserving (no RPC; 0 if never synced).
  uint64_t PeekNext(const Address& sender) const;

 private:
  struct Account {
    bool synced = false;
    uint64_t chain_pending = 0;    // eth_getTransactionCount(sender, "pending") at last sync
    uint64_t journal_next = 0;     // highest journaled + 1
    uint64_t local_next = 0;       // next never-reserved nonce
    std::set<uint64_t> released;   // reserved then released, below local_next
    std::set<uint64_t> reserved;   // currently reserved, not yet committed/released
  };
  static uint64_t Floor(const Account& a);
  RpcClient& rpc_;
  mutable std::mutex mu_;
  std::map<Address, Account> accounts_;
};

}  // namespace cx::chain
