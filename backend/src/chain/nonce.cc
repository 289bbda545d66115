#include "chain/nonce.h"

#include <algorithm>
#include <iterator>

namespace cx::chain {

uint64_t NonceManager::Floor(const Account& a) {
  return std::max(a.chain_pending, a.journal_next);
}

void NonceManager::ObserveJournaled(const Address& sender, uint64_t nonce) {
  std::lock_guard<std::mutex> lock(mu_);
  Account& a = accounts_[sender];
  a.journal_next = std::max(a.journal_next, nonce + 1);
  a.reserved.erase(nonce);
  a.released.erase(nonce);
  a.local_next = std::max(a.local_next, nonce + 1);
}

Result<uint64_t> NonceManager::Reserve(const Address& sender) {
  bool need_sync = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    need_sync = !accounts_[sender].synced;
  }
  if (need_sync) {
    CX_TRY(Resync(sender));
  }
  std::lock_guard<std::mutex> lock(mu_);
  Account& a = accounts_[sender];
  const uint64_t floor = Floor(a);
  // Released nonces below the floor are used by now (journaled or taken on chain).
  while (!a.released.empty() && *a.released.begin() < floor) a.released.erase(a.released.begin());
  uint64_t n = 0;
  if (!a.released.empty()) {
    n = *a.released.begin();
    a.released.erase(a.released.begin());
  } else {
    n = std::max(a.local_next, floor);
    a.local_next = n + 1;
  }
  a.reserved.insert(n);
  return n;
}

void NonceManager::Release(const Address& sender, uint64_t nonce) {
  std::lock_guard<std::mutex> lock(mu_);
  Account& a = accounts_[sender];
  if (a.reserved.erase(nonce) == 0) return;  // unknown or already committed
  a.released.insert(nonce);
  // Released nonces at the top just step local_next back.
  while (!a.released.empty() && *a.released.rbegin() + 1 == a.local_next) {
    a.local_next = *a.released.rbegin();
    a.released.erase(std::prev(a.released.end()));
  }
}

Result<uint64_t> NonceManager::Resync(const Address& sender) {
  // The RPC runs outside the lock (it can take seconds); the merge below is monotonic.
  CX_ASSIGN_OR_RETURN(uint64_t pending, rpc_.GetTransactionCount(sender, BlockTag::Pending()));
  std::lock_guard<std::mutex> lock(mu_);
  Account& a = accounts_[sender];
  a.synced = true;
  a.chain_pending = pending;
  const uint64_t floor = Floor(a);
  while (!a.released.empty() && *a.released.begin() < floor) a.released.erase(a.released.begin());
  // Reservations below the chain's count lost their nonce to another transaction: forget
  // them; their owners get "nonce too low" and re-prepare.
  while (!a.reserved.empty() && *a.reserved.begin() < pending) a.reserved.erase(a.reserved.begin());
  a.local_next = std::max(a.local_next, floor);
  return std::max(a.local_next, floor);
}

uint64_t NonceManager::PeekNext(const Address& sender) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = accounts_.find(sender);
  if (it == accounts_.end()) return 0;
  const Account& a = it->second;
  const uint64_t floor = Floor(a);
  for (uint64_t r : a.released) {
    if (r >= floor) return r;
  }
  return std::max(a.local_next, floor);
}

}  // namespace cx::chain
