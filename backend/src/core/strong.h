// Strong typedefs: an AccountId cannot be passed where a BatchId is expected, and a price
// cannot be added to a quantity. Thread-safe as value types.
#pragma once
#include <compare>
#include <cstdint>
#include <functional>

namespace cx {

template <typename Tag, typename Rep = int64_t>
struct StrongId {
  Rep v{};
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep x) : v(x) {}
  constexpr Rep value() const { return v; }
  constexpr bool valid() const { return v != Rep{}; }
  friend constexpr auto operator<=>(const StrongId&, const StrongId&) = default;
};

struct AccountTag {};
struct UserTag {};
struct ProjectTag {};
struct IssuanceTag {};
struct BatchTag {};
struct RetirementTag {};
struct CreditClassTag {};
struct OrderTag {};
struct InstrumentTag {};
struct TradeTag {};

using AccountId = StrongId<AccountTag>;
using UserId = StrongId<UserTag>;
using ProjectId = StrongId<ProjectTag>;
using IssuanceId = StrongId<IssuanceTag>;
using BatchId = StrongId<BatchTag>;
using RetirementId = StrongId<RetirementTag>;
using CreditClassId = StrongId<CreditClassTag>;
using OrderId = StrongId<OrderTag>;
using InstrumentId = StrongId<InstrumentTag>;
using TradeId = StrongId<TradeTag>;

}  // namespace cx

template <typename Tag, typename Rep>
struct std::hash<cx::StrongId<Tag, Rep>> {
  size_t operator()(const cx::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>{}(id.v);
  }
};
