// The alert scan: runs the market-abuse detectors over the exchange's own orders and fills
// and the registry-integrity checks over every batch, and journals each new finding once
// (RaiseAlert, keyed by kind and subject), so admins see it in GET /api/v1/alerts and on
// the "alerts" WebSocket channel. Called on a worker by the server's timer.
#include "app/ml_views.h"
#include "app/service.h"

namespace cx::app {

Result<int64_t> ScanForAlerts(ServiceContext& c) {
  analytics::MarketData d;
  std::vector<std::string> known;
  auto q = c.engine->Query([&](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    CX_ASSIGN_OR_RETURN(d, analytics::CopyMarket(s, std::nullopt, true));
    return std::string();
  });
  if (!q.ok()) return q.take_error();
  std::vector<registry::RaiseAlert> found;
  CX_ASSIGN_OR_RETURN(ml::FraudReport rep, ml::DetectMarketAbuse(d.orders, d.trades));
  for (const auto& a : rep.alerts) {
    registry::RaiseAlert r;
    r.kind = std::string(ml::AlertKindName(a.kind));
    r.key = r.kind + ":" + a.account + ":" + std::to_string(a.id);
    for (size_t p = 0; p <= a.account.size();) {
      size_t e = a.account.find('+', p);
      if (e == std::string::npos) e = a.account.size();
      if (e > p) r.accounts.push_back(std::strtoll(a.account.substr(p, e - p).c_str(), nullptr, 10));
      p = e + 1;
    }
    r.score_ppm = static_cast<int64_t>(a.score * 1e6);
    r.evidence = a.evidence.substr(0, 4000);
    found.push_back(std::move(r));
  }
  for (const auto& f : ml::FindIssuanceConflicts(d.issuances)) {
    registry::RaiseAlert r;
    r.kind = f.kind == ml::IssuanceFindingKind::kDuplicateIssuance ? "duplicate_issuance" : "serial_overlap";
    r.key = r.kind + ":" + f.a + ":" + f.b;
    r.evidence = ("batches " + f.a + " and " + f.b + ": " + f.evidence).substr(0, 4000);
    found.push_back(std::move(r));
  }
  int64_t raised = 0;
  for (auto& r : found) {
    // Already raised keys are refused by the registry (REQUEST_CONFLICT) and write nothing.
    auto res = c.engine->Execute(registry::Command(std::move(r)));
    if (res.ok()) ++raised;
  }
  return raised;
}

}  // namespace cx::app
