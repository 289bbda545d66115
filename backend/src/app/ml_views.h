// Analytics views (issue 8): the plain data a route copies out of the registry on the
// engine thread (Copy* functions: cheap, run there) and the JSON replies computed from it
// with the ml/ library (*View functions: run on a worker thread, never on the engine's).
// Model outputs are statistical estimates, so they are JSON numbers; portfolio values and
// VaR are money, so they are decimal strings plus *_minor integers. Pure functions of
// their inputs; thread-safe. Used by ml_routes.cc only.
#pragma once
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "models/fraud.h"
#include "models/issuance.h"
#include "models/trend.h"
#include "prediction/forecast.h"
#include "registry/registry.h"
#include "training/backtest.h"
#include "utils/series.h"

namespace cx::app::analytics {
namespace json = boost::json;

inline constexpr size_t kMinForecastDays = ml::kMinTrainingPrices;  // 110
inline constexpr size_t kMinVolatilityDays = 51;   // GARCH(1,1) needs 50 returns
inline constexpr size_t kMinTrendDays = 2;
inline constexpr size_t kMinOwnHistoryDays = 61;   // portfolio: own returns, else the reference proxy
inline constexpr size_t kHistoryPoints = 60;       // recent points returned for charts
inline constexpr double kTradingDays = 252;

struct Series {
  std::string kind;  // "reference" | "instrument"
  int64_t instrument = 0;
  std::string name, currency;
  std::vector<std::string> dates;
  std::vector<double> prices;
};

// A daily series as the replies describe it: kind, name, currency, days, from, to, last.
json::object SeriesInfo(const Series& s);
// `v` rounded to `digits` decimals; null when not finite.
json::value Num(double v, int digits = 6);
// ML_INSUFFICIENT_DATA (field "series") saying how many closes there are and how many
// `what` needs, unless the series has at least `need`.
Result<void> NeedDays(const Series& s, size_t need, const char* what);

struct InstrumentData {
  int64_t id = 0;
  std::string symbol, currency;
  std::vector<ml::TimedPrice> prices;
  std::vector<ml::TradePrint> trades;  // fills at or after `since_us` (liquidity window)
  ml::QuoteSnapshot quote;
};

// An instrument's fill prices, the fills since `since_us` and its top of book with the
// depth within `band` (a fraction) of each best price. MATCHING_UNKNOWN_INSTRUMENT.
Result<InstrumentData> CopyInstrument(const registry::RegistryState& s, int64_t id, int64_t since_us, double band);
// Its daily closes (the last fill of each UTC day).
Series InstrumentSeries(const InstrumentData& d);

Result<std::string> ForecastView(const Series& s, const ml::ForecastOutput& f, std::optional<int> horizon,
                                 const std::string& model);
Result<std::string> VolatilityView(const Series& s);
// With `d` (an instrument), liquidity too; its trend part is null below two closes.
Result<std::string> TrendView(const Series& s, const InstrumentData* d);
// Engine thread (reads the registry directly: a few loops over the project's batches,
// issuances, cancellations and the users' holdings of those batches).
Result<std::string> ProjectRiskView(const registry::RegistryState& s, int64_t id, int64_t now_us);

struct Position {
  int64_t batch = 0, kg = 0, instrument = 0, price = 0;  // price: minor units per tonne
  std::string symbol, currency;
  std::vector<ml::TimedPrice> prices;
};

struct PortfolioData {
  int64_t account = 0;
  std::vector<Position> positions;
  std::vector<int64_t> unpriced;  // batches held with no instrument price
};

// Holdings of `account` priced by the batch's own instrument or an eligible contract
// (with a last price), with those instruments' fill prices. REGISTRY_UNKNOWN_ACCOUNT.
Result<PortfolioData> CopyPortfolio(const registry::RegistryState& s, int64_t account);
// VaR/ES of the positions in the currency of largest value; `reference` (may be null)
// stands in for instruments with too little own history. ML_INSUFFICIENT_DATA when
// nothing is priced.
Result<std::string> PortfolioView(PortfolioData& d, const Series* reference, double level, int horizon);

struct MarketData {
  std::vector<ml::OrderEvent> orders;
  std::vector<ml::Trade> trades;
  std::vector<ml::IssuanceRecord> issuances;  // one per batch (record_id = batch id)
  std::map<int64_t, std::pair<int64_t, std::string>> users;  // account -> (user id, email)
};

// The exchange's orders (placement, and the cancel of a remainder) and fills, of one
// instrument or all; with `issuances`, every batch as an issuance record.
// `email_of` resolves a user's email (personal data is sealed: ServiceContext::PersonOf);
// without it the users' emails are left empty.
Result<MarketData> CopyMarket(const registry::RegistryState& s, std::optional<int64_t> inst, bool issuances,
                              const std::function<std::string(const registry::User&)>& email_of = {});
// Market-abuse alerts and issuance findings, filtered by `kind`, at most `limit` items.
Result<std::string> AlertsView(MarketData& d, std::optional<std::string> kind, size_t limit);

}  // namespace cx::app::analytics
