#include "registry/messages.h"

#include <array>

#include "core/codec.h"

namespace cx::registry {
namespace {

constexpr std::array<const char*, std::variant_size_v<Event>> kNames = {
    "UserRegistered",     "UserRolesChanged",  "CreditClassCreated", "ProjectCreated",
    "ProjectStatusChanged", "IssuanceRequested", "IssuanceApproved",  "IssuanceRejected",
    "BatchIssued",        "CreditsTransferred", "CreditsRetired",    "CreditsCancelled",
    "ReversalRecorded",   "SessionOpened",     "SessionRotated",    "SessionRevoked",
    "CashMoved",          "ProjectDocumentAdded", "InstrumentCreated", "MarketPhaseSet",
    "OrderSubmitted",     "OrderCancelRequested", "OrderReplaceRequested",
    "MassCancelRequested", "MarketTicked",     "TradeExecuted",     "OrderUpdated",
    "MarketPhaseChanged", "SecurityEventRecorded", "WithdrawalRequested", "WithdrawalDecided",
    "MfaEnrollmentStarted", "MfaEnabled", "MfaUsed", "MfaDisabled", "AlertRaised", "WalletLinked",
    "ApiKeyCreated", "ApiKeyRevoked",
    "UserErased", "ConsentRecorded",
    "KycSubmitted", "KycDecided", "KycLevelSet", "KycLimitsSet", "PaymentRecorded", "PaymentSettled",
    "InstrumentFeesSet",
    "ChainConfigured", "ChainBatchMirrored", "ChainApprovalAdded", "ChainTxRecorded", "ChainTxSettled",
    "ChainWithdrawalRequested", "ChainWithdrawalReleased", "ChainDepositSeen", "ChainDepositReorged",
    "ChainDepositCredited",
    "AnchorRecorded", "AnchorSettled", "ChainLogObserved"};

template <size_t I = 0>
bool DecodeAt(size_t index, std::string_view payload, Event& out) {
  if constexpr (I < std::variant_size_v<Event>) {
    if (index == I) {
      std::variant_alternative_t<I, Event> v;
      if (!Decode(payload, v)) return false;
      out = std::move(v);
      return true;
    }
    return DecodeAt<I + 1>(index, payload, out);
  }
  return false;
}

}  // namespace

const char* EventTypeName(const Event& e) { return kNames[e.index()]; }

int EventTypeIndex(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (name == kNames[i]) return static_cast<int>(i);
  return -1;
}

std::string EncodeEvent(const Event& e) {
  return std::visit([](const auto& x) { return Encode(x); }, e);
}

bool DecodeEvent(std::string_view type, std::string_view payload, Event& out) {
  int i = EventTypeIndex(type);
  if (i < 0) return false;
  return DecodeAt(static_cast<size_t>(i), payload, out);
}

std::string EventToJson(const Event& e) {
  return std::visit([](const auto& x) { return ToJson(x); }, e);
}

}  // namespace cx::registry
