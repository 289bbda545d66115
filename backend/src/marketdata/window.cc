#include "marketdata/window.h"

namespace cx::marketdata {

void RollingWindow::Add(int64_t ts_us, int64_t price, int64_t qty_kg) {
  uint64_t n = next_n_++;
  trades_.push_back(Entry{ts_us, price, qty_kg, n});
  if (extremes_) {
    while (!max_.empty() && max_.back().price <= price) max_.pop_back();
    max_.push_back(Extreme{n, price});
    while (!min_.empty() && min_.back().price >= price) min_.pop_back();
    min_.push_back(Extreme{n, price});
  }
  volume_kg_ += qty_kg;
  notional_milli_ += MilliNotional(price, qty_kg);
}

void RollingWindow::Expire(int64_t now_us) {
  const int64_t cutoff = now_us - length_us_;  // trades with ts <= cutoff leave
  while (!trades_.empty() && trades_.front().ts_us <= cutoff) {
    const Entry& e = trades_.front();
    volume_kg_ -= e.qty_kg;
    notional_milli_ -= MilliNotional(e.price, e.qty_kg);
    if (extremes_) {
      if (max_.front().n == e.n) max_.pop_front();
      if (min_.front().n == e.n) min_.pop_front();
    }
    trades_.pop_front();
  }
}

RollingWindow::Sums RollingWindow::SumSince(int64_t from_us) const {
  Sums s;
  for (size_t i = trades_.size(); i > 0 && trades_[i - 1].ts_us > from_us; --i) {
    const Entry& e = trades_[i - 1];
    ++s.count;
    s.volume_kg += e.qty_kg;
    s.notional_milli += MilliNotional(e.price, e.qty_kg);
  }
  return s;
}

}  // namespace cx::marketdata
