// Analytics API (issue 8): price forecasts beside naive, volatility, trend and liquidity,
// project and portfolio risk, market-abuse alerts -- computed by the ml/ library inside
// the server.
//
// Threading: a route copies what it needs out of the registry state on the engine thread
// (a query whose render only copies plain values), then computes on a Workers thread and
// answers from there: the engine never waits for a model. The forecast ensembles own
// XGBoost handles, so one mutex serialises their use.
//
// Start-up: the trained ensemble in MlConfig::model_dir is loaded when it was trained on
// the reference series in use (same column, same last date, same length); otherwise it is
// trained once from the reference series on a background thread at the lowest CPU
// priority and saved there. /api/v1/ml/status says which, and the reference forecast
// answers 503 UNAVAILABLE until a model is ready. Shutting down cancels training.
//
// The data copied per route and the replies computed from it are in ml_views.{h,cc}.
//
// Series: `reference` is the external price series (a data provider's file) shown as a
// reference index; `instrument:<id>` is that instrument's daily closes (the last fill of
// each UTC day).
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "app/ml_views.h"
#include "app/route_util.h"
#include "app/views.h"
#include "engine/engine.h"
#include "io/files.h"
#include "io/model_store.h"
#include "prediction/forecast.h"
#include "training/backtest.h"
#include "utils/csv.h"

namespace cx::app {
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using auth::Role;
using registry::RegistryState;
using namespace routes;
using namespace analytics;

namespace {

// ?series=reference (the default) or instrument:<id>.
struct SeriesRef {
  bool reference = true;
  int64_t instrument = 0;
};
Result<SeriesRef> ParseSeries(const HttpRequest& req) {
  auto v = req.Query("series");
  if (!v || *v == "reference") return SeriesRef{};
  constexpr std::string_view kInst = "instrument:";
  if (v->substr(0, kInst.size()) != kInst)
    return Err(Code::kInvalidField, "reference or instrument:<id>", "series");
  CX_ASSIGN_OR_RETURN(int64_t id, api::ParseId(v->substr(kInst.size()), "series"));
  return SeriesRef{false, id};
}


// ---------------------------------------------------------------- state

struct Model {
  std::vector<std::unique_ptr<ml::Forecaster>> models;
  ml::EnsembleSpec spec;
  std::map<std::string, std::string> meta;
  std::vector<const ml::Forecaster*> pointers() const {
    std::vector<const ml::Forecaster*> p;
    for (const auto& m : models) p.push_back(m.get());
    return p;
  }
};

// Horizons 1, 5, 20 and all five models, as `carbonx ml train`.
ml::BacktestOptions TrainOptions(size_t n) { return ml::DefaultBacktestOptions(n); }

class MlState : public std::enable_shared_from_this<MlState> {
 public:
  explicit MlState(ServiceContext* c) : ctx(c) {}
  ~MlState() {
    cancel_ = true;
    if (trainer_.joinable()) trainer_.join();
  }

  // Reads the reference series, then loads or (in the background) trains the model.
  void Start(const MlConfig& cfg) {
    model_dir_ = cfg.model_dir;
    for (const auto& r : cfg.references) {
      if (r.path.empty()) continue;
      auto text = ml::ReadFile(r.path);
      if (!text.ok()) continue;
      auto ps = ml::ParsePriceCsv(*text, r.date_column, r.price_column);
      if (!ps.ok() || ps->prices.size() < kMinTrendDays) {
        ref_error_ += r.path + ": " + (ps.ok() ? "too short" : ps.error().message) + "; ";
        continue;
      }
      ref_.kind = "reference";
      ref_.name = r.name;
      ref_.currency = r.currency;
      ref_.dates = std::move(ps->dates);
      ref_.prices = std::move(ps->prices);
      ref_file_ = std::filesystem::path(r.path).filename().string();
      ref_column_ = r.price_column;
      break;
    }
    if (ref_.prices.empty()) {
      SetStatus("unavailable", "no reference price series could be read. " + ref_error_);
      return;
    }
    if (!model_dir_.empty()) {
      auto le = ml::LoadEnsemble(model_dir_);
      if (le.ok() && Matches(le->meta)) {
        auto m = std::make_unique<Model>();
        m->models = std::move(le->models);
        m->spec = std::move(le->spec);
        m->meta = std::move(le->meta);
        std::lock_guard<std::mutex> l(mu_);
        model_ = std::move(m);
        status_ = "ready";
        detail_ = "loaded from " + model_dir_;
        return;
      }
      detail_ = le.ok() ? "the model in " + model_dir_ + " was trained on other data; " : "";
    }
    if (ref_.prices.size() < kMinForecastDays) {
      SetStatus("unavailable", "the reference series is too short to train a forecast model");
      return;
    }
    SetStatus("training", detail_ + "training once on the reference series in the background");
    trainer_ = std::thread([this] { Train(); });
  }

  void SetStatus(std::string status, std::string detail) {
    std::lock_guard<std::mutex> l(mu_);
    status_ = std::move(status);
    detail_ = std::move(detail);
  }

  json::object StatusView() {
    json::object o, m, r;
    {
      std::lock_guard<std::mutex> l(mu_);
      m["status"] = status_;
      m["detail"] = detail_;
      if (!model_dir_.empty()) m["dir"] = model_dir_;
      if (model_) {
        json::object meta;
        for (const auto& [k, v] : model_->meta) meta[k] = v;
        m["meta"] = std::move(meta);
        json::array models;
        for (const auto& x : model_->models) models.push_back(json::string(x->name()));
        m["models"] = std::move(models);
        json::object mase;
        for (const auto& [h, by] : model_->spec.backtest_mase) {
          json::object hm;
          for (const auto& [name, v] : by) hm[name] = Num(v, 4);
          mase[std::to_string(h)] = std::move(hm);
        }
        m["backtest_mase"] = std::move(mase);
      }
    }
    o["model"] = std::move(m);
    if (!ref_.prices.empty()) {
      r = SeriesInfo(ref_);
      r["file"] = ref_file_;
      r["column"] = ref_column_;
    }
    o["reference"] = std::move(r);
    return o;
  }

  // The reference series (immutable after Start) or kUnavailable.
  Result<const Series*> Reference() const {
    if (ref_.prices.empty()) return Err(Code::kUnavailable, "no reference price series is configured", "series");
    return &ref_;
  }

  // Forecast of the reference series with the start-up model.
  Result<ml::ForecastOutput> ForecastReference() {
    std::lock_guard<std::mutex> l(mu_);
    if (!model_)
      return Err(Code::kUnavailable, "the forecast model is " + status_ + ": " + detail_ + " (see /api/v1/ml/status)");
    return ml::Forecast(ref_.prices, model_->pointers(), model_->spec);
  }

  // Forecast of an instrument's own closes with an ensemble trained on them (walk-forward,
  // as for the reference); kept until the instrument has a new close.
  Result<ml::ForecastOutput> ForecastInstrument(const Series& s) {
    const std::pair<size_t, double> key{s.prices.size(), s.prices.back()};
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = inst_.find(s.instrument);
      if (it != inst_.end() && it->second.first == key)
        return ml::Forecast(s.prices, it->second.second->pointers(), it->second.second->spec);
    }
    auto te = ml::TrainEnsemble(s.prices, TrainOptions(s.prices.size()));
    if (!te.ok()) return Err(Code::kMlTrainingFailed, te.error().message, "series");
    auto m = std::make_shared<Model>();
    m->models = std::move(te->models);
    m->spec = std::move(te->spec);
    std::lock_guard<std::mutex> l(mu_);
    inst_[s.instrument] = {key, m};
    return ml::Forecast(s.prices, m->pointers(), m->spec);
  }

  const Series* ReferenceOrNull() const { return ref_.prices.empty() ? nullptr : &ref_; }

  // Reference volatility and trend never change: computed once.
  std::mutex cache_mu;
  std::map<std::string, std::string> cache;
  ServiceContext* ctx;

 private:
  bool Matches(const std::map<std::string, std::string>& meta) const {
    auto get = [&](const char* k) { auto it = meta.find(k); return it == meta.end() ? std::string() : it->second; };
    return get("data_column") == ref_column_ && get("data_to") == ref_.dates.back() &&
           get("n_prices") == std::to_string(ref_.prices.size());
  }

  void Train() {
    // Lowest CPU priority for this thread only (Linux: nice is per thread).
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 19);
    ml::BacktestOptions opt = TrainOptions(ref_.prices.size());
    opt.cancel = &cancel_;
    Result<ml::TrainedEnsemble> te = Err(Code::kInternal, "not run");
    try {
      te = ml::TrainEnsemble(ref_.prices, opt);
    } catch (const std::exception& e) {
      te = Err(Code::kMlTrainingFailed, e.what());
    }
    if (cancel_) return;
    if (!te.ok()) {
      SetStatus("failed", "training failed: " + te.error().message);
      return;
    }
    std::map<std::string, std::string> meta = {
        {"data_source", ref_.name + " (" + ref_file_ + ")"},
        {"data_column", ref_column_},
        {"data_from", ref_.dates.front()},
        {"data_to", ref_.dates.back()},
        {"n_prices", std::to_string(ref_.prices.size())},
        {"target", "price h trading days ahead (models work on log prices / log returns)"},
        {"validation", "walk-forward, first origin " + std::to_string(opt.min_train)},
    };
    std::string saved = " (not saved: no model directory)";
    if (!model_dir_.empty()) {
      auto sr = ml::SaveEnsemble(model_dir_, *te, meta);
      saved = sr.ok() ? "; saved to " + model_dir_ : " (not saved: " + sr.error().message + ")";
    }
    auto m = std::make_unique<Model>();
    m->models = std::move(te->models);
    m->spec = std::move(te->spec);
    m->meta = std::move(meta);
    std::lock_guard<std::mutex> l(mu_);
    model_ = std::move(m);
    status_ = "ready";
    detail_ = "trained at start-up on the reference series" + saved;
  }

  std::mutex mu_;  // guards everything below it and the models' use
  std::unique_ptr<Model> model_;
  std::string status_ = "unavailable", detail_;
  std::map<int64_t, std::pair<std::pair<size_t, double>, std::shared_ptr<Model>>> inst_;
  // Set in Start(), read-only afterwards.
  Series ref_;
  std::string ref_file_, ref_column_, ref_error_, model_dir_;
  std::atomic<bool> cancel_{false};
  std::thread trainer_;
};

// Runs `compute` on a worker and answers with its result (exceptions become INTERNAL).
// The task keeps the state alive: it may run after the router is gone (shutdown).
void OnWorker(MlState& st, std::function<Result<std::string>()> compute, Responder respond) {
  st.ctx->workers->Post([keep = st.shared_from_this(), compute = std::move(compute), respond = std::move(respond)] {
    Result<std::string> r = Err(Code::kInternal, "not run");
    try {
      r = compute();
    } catch (const std::exception& e) {
      r = Err(Code::kInternal, std::string("analytics failed: ") + e.what());
    }
    Answer(respond, std::move(r), 200);
  });
}

// Copies data out on the engine thread (`copy` must be cheap), then runs `compute` on a
// worker with it.
template <class T>
void Gather(MlState& st, std::function<Result<T>(const RegistryState&)> copy,
            std::function<Result<std::string>(T&)> compute, Responder respond) {
  auto box = std::make_shared<std::optional<T>>();
  std::shared_ptr<MlState> sp = st.shared_from_this();
  st.ctx->engine->Submit(engine::Request{
      std::nullopt,
      [box, copy = std::move(copy)](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        CX_ASSIGN_OR_RETURN(T v, copy(s));
        box->emplace(std::move(v));
        return std::string();
      },
      [sp, box, compute = std::move(compute), respond](const Result<std::string>& r) {
        if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
        OnWorker(*sp, [box, compute] { return compute(**box); }, respond);
      }});
}

// Resolves the series of a request (reference or an instrument's closes) and calls `fn`
// with it on a worker.
void WithSeries(MlState& st, const SeriesRef& ref, std::function<Result<std::string>(const Series&, InstrumentData*)> fn,
                Responder respond) {
  if (ref.reference) {
    MlState* sp = &st;  // OnWorker keeps it alive
    return OnWorker(st, [sp, fn = std::move(fn)]() -> Result<std::string> {
      CX_ASSIGN_OR_RETURN(const Series* s, sp->Reference());
      return fn(*s, nullptr);
    }, std::move(respond));
  }
  const int64_t since = engine::SystemClockMicros() - 86'400'000'000;
  const int64_t id = ref.instrument;
  Gather<InstrumentData>(
      st, [id, since](const RegistryState& s) { return CopyInstrument(s, id, since, 0.05); },
      [fn = std::move(fn)](InstrumentData& d) -> Result<std::string> {
        Series s = InstrumentSeries(d);
        return fn(s, &d);
      },
      std::move(respond));
}

bool Oversight(const Principal& p) { return p.Has(Role::kAdmin) || p.Has(Role::kAuditor); }

const char* const kMlSchemas[][2] = {
    {"MlSeries", R"j({"type":"object","properties":{"kind":{"type":"string","enum":["reference","instrument"]},
      "instrument":{"type":"integer"},"name":{"type":"string"},"currency":{"type":"string"},"days":{"type":"integer"},
      "from":{"type":"string"},"to":{"type":"string"},"last":{"type":"number"}}})j"},
    {"MlStatus", R"j({"type":"object","properties":{"model":{"type":"object","properties":{
      "status":{"type":"string","enum":["ready","training","failed","unavailable"]},"detail":{"type":"string"},
      "dir":{"type":"string"},"meta":{"type":"object"},"models":{"type":"array","items":{"type":"string"}},
      "backtest_mase":{"type":"object","description":"per horizon, per model and ensemble: walk-forward MAE / naive MAE"}}},
      "reference":{"$ref":"#/components/schemas/MlSeries"}}})j"},
    {"MlForecast", R"j({"type":"object","properties":{"series":{"$ref":"#/components/schemas/MlSeries"},
      "model":{"type":"string"},"sigma_daily":{"type":"number"},"verdict":{"type":"string"},
      "horizons":{"type":"array","items":{"type":"object","properties":{"horizon":{"type":"integer","enum":[1,5,20]},
      "naive":{"type":"number"},"forecast":{"type":"number","description":"ensemble (equals naive when nothing beat it)"},
      "interval":{"type":"object","properties":{"level":{"type":"number"},"lo":{"type":"number"},"hi":{"type":"number"}}},
      "by_model":{"type":"object","additionalProperties":{"type":"number"}},
      "backtest_mase":{"type":"number"},"beats_naive":{"type":"boolean"}}}}}})j"},
    {"MlVolatility", R"j({"type":"object","properties":{"series":{"$ref":"#/components/schemas/MlSeries"},
      "per_day":{"type":"object","properties":{"ewma":{"type":"number"},"garch_next":{"type":"number"},
      "garch_5":{"type":"number"},"garch_20":{"type":"number"},"realized_20":{"type":"number"}}},
      "annualised":{"type":"object"},"garch":{"type":"object","properties":{"omega":{"type":"number"},
      "alpha":{"type":"number"},"beta":{"type":"number"},"persistence":{"type":"number"},"nu":{"type":["number","null"]},
      "innovations":{"type":"string"},"unconditional_vol":{"type":"number"},"log_likelihood":{"type":"number"}}},
      "history":{"type":"array","items":{"type":"object"}}}})j"},
    {"MlTrend", R"j({"type":"object","properties":{"series":{"$ref":"#/components/schemas/MlSeries"},
      "trend":{"type":["object","null"],"properties":{"regime":{"type":"string","enum":["up","down","sideways","unknown"]},
      "momentum_20":{"type":"number"},"momentum_60":{"type":"number"},"drawdown":{"type":"number"},
      "max_drawdown":{"type":"number"},"realized_vol_20":{"type":"number"}}},
      "liquidity":{"type":"object","description":"instruments only: best bid/ask, spread (bps), depth within 5 %, 24 h turnover and volume"},
      "history":{"type":"array","items":{"type":"object"}}}})j"},
    {"MlProjectRisk", R"j({"type":"object","properties":{"project":{"type":"object"},"score":{"type":"number","minimum":0,"maximum":100},
      "band":{"type":"string","enum":["low","medium","high","severe"]},
      "factors":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"points":{"type":"number"},
      "max_points":{"type":"number"},"detail":{"type":"string"}}}},"inputs":{"type":"object"},
      "notes":{"type":"array","items":{"type":"string"}}}})j"},
    {"MlPortfolioRisk", R"j({"type":"object","properties":{"account":{"type":"integer"},"currency":{"type":"string"},
      "value":{"type":"string"},"value_minor":{"type":"integer"},"level":{"type":"number"},"horizon_days":{"type":"integer"},
      "var_historical":{"type":"string"},"es_historical":{"type":"string"},"var_parametric":{"type":"string"},
      "es_parametric":{"type":"string"},"volatility_daily":{"type":"number"},"returns_source":{"type":"string"},
      "positions":{"type":"array","items":{"type":"object"}}}})j"},
    {"MlAlerts", R"j({"type":"object","properties":{"summary":{"type":"object"},"total":{"type":"integer"},
      "items":{"type":"array","items":{"type":"object","properties":{
      "kind":{"type":"string","enum":["selftrade","wash","spoof","marking_close","round_size","first_digit","anomaly",
      "duplicate_issuance","serial_overlap"]},
      "trade":{"type":"integer"},"order":{"type":"integer"},"batches":{"type":"array","items":{"type":"integer"}},"accounts":{"type":"array","items":{"type":"integer"}},
      "users":{"type":"array","items":{"type":"object"}},"score":{"type":"number"},"evidence":{"type":"string"}}}}}})j"},
};

}  // namespace

Result<void> RegisterMlRoutes(api::Router& router, ServiceContext& ctx, const MlConfig& cfg) {
  auto st = std::make_shared<MlState>(&ctx);
  st->Start(cfg);
  auto add = [&](std::string pattern, Access a, api::Handler h, std::string summary, std::string resp) {
    return router.Add(RouteSpec(Method::kGet, std::move(pattern), a, std::move(h)).Doc(std::move(summary), {}, std::move(resp)));
  };
  for (const auto& s : kMlSchemas) CX_TRY(router.AddSchema(s[0], s[1]));

  CX_TRY(add("/api/v1/ml/status", Access::Public(), [st](HttpRequest&&, const Principal&, Responder respond) {
    respond(HttpResponse::Json(200, Serialize(st->StatusView())));
  }, "Analytics status: the forecast model (loaded, training at start-up, failed) and the reference price series", "MlStatus"));

  CX_TRY(add("/api/v1/ml/forecast", Access::Public(), [st](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(series, ParseSeries(req));
    std::optional<int> horizon;
    if (auto v = req.Query("horizon")) {
      if (*v != "1" && *v != "5" && *v != "20")
        return respond(HttpResponse::Problem(Err(Code::kInvalidField, "1, 5 or 20 (trading days)", "horizon")));
      horizon = *v == "1" ? 1 : *v == "5" ? 5 : 20;
    }
    MlState* sp = st.get();
    WithSeries(*st, series, [sp, horizon](const Series& s, InstrumentData* d) -> Result<std::string> {
      if (!d) {
        CX_ASSIGN_OR_RETURN(ml::ForecastOutput f, sp->ForecastReference());
        return ForecastView(s, f, horizon, "ensemble trained at start-up on the reference series (see /api/v1/ml/status)");
      }
      CX_TRY(NeedDays(s, kMinForecastDays, "a walk-forward trained forecast"));
      CX_ASSIGN_OR_RETURN(ml::ForecastOutput f, sp->ForecastInstrument(s));
      return ForecastView(s, f, horizon, "ensemble trained walk-forward on this instrument's daily closes");
    }, respond);
  }, "Price forecast h = 1, 5, 20 trading days ahead beside naive, with the 80 % interval and a verdict "
     "(?series=reference|instrument:<id>, ?horizon=1|5|20; ML_INSUFFICIENT_DATA under 110 daily closes)", "MlForecast"));

  CX_TRY(add("/api/v1/ml/volatility", Access::Public(), [st](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(series, ParseSeries(req));
    MlState* sp = st.get();
    const bool ref = series.reference;
    WithSeries(*st, series, [sp, ref](const Series& s, InstrumentData*) -> Result<std::string> {
      if (!ref) return VolatilityView(s);
      {
        std::lock_guard<std::mutex> l(sp->cache_mu);
        if (auto it = sp->cache.find("vol"); it != sp->cache.end()) return it->second;
      }
      CX_ASSIGN_OR_RETURN(std::string body, VolatilityView(s));
      std::lock_guard<std::mutex> l(sp->cache_mu);
      sp->cache["vol"] = body;
      return body;
    }, respond);
  }, "Volatility of daily log returns: EWMA (lambda 0.94), GARCH(1,1) by maximum likelihood with its 1/5/20-day "
     "forecasts, 20-day realized; per day and annualised (?series=reference|instrument:<id>; 51+ daily closes)", "MlVolatility"));

  CX_TRY(add("/api/v1/ml/trend", Access::Public(), [st](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(series, ParseSeries(req));
    WithSeries(*st, series, [](const Series& s, InstrumentData* d) { return TrendView(s, d); }, respond);
  }, "Trend: moving-average regime, momentum, drawdown and recent history (the reference series as an index); for an "
     "instrument also liquidity from the exchange's own book and trades: spread, depth, 24 h turnover "
     "(?series=reference|instrument:<id>)", "MlTrend"));

  CX_TRY(add("/api/v1/ml/risk/projects/{id}", Access::Public(), [st](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    const int64_t now = engine::SystemClockMicros();
    // Scoring is a handful of arithmetic: done where the facts are, on the engine thread.
    Query(*st->ctx, [id, now](const RegistryState& s, const engine::Outcome&) { return ProjectRiskView(s, id, now); }, respond);
  }, "Project risk score 0-100 with its factors and reasons, from the registry's facts: removal/reduction, "
     "nature/technical, methodology flags, vintage, country, buffer share, reversals, verifications, holder concentration",
     "MlProjectRisk"));

  CX_TRY(add("/api/v1/ml/risk/portfolio", Access::AnyUser(), [st](HttpRequest&& req, const Principal& p, Responder respond) {
    double level = 0.99;
    if (auto v = req.Query("level")) {
      if (*v != "0.95" && *v != "0.99" && *v != "0.975")
        return respond(HttpResponse::Problem(Err(Code::kInvalidField, "0.95, 0.975 or 0.99", "level")));
      level = *v == "0.95" ? 0.95 : *v == "0.975" ? 0.975 : 0.99;
    }
    int horizon = 1;
    if (auto v = req.Query("horizon_days")) {
      CX_GET(h, api::ParseId(*v, "horizon_days"));
      if (h > 20) return respond(HttpResponse::Problem(Err(Code::kInvalidField, "1 to 20", "horizon_days")));
      horizon = static_cast<int>(h);
    }
    std::optional<int64_t> account;
    if (auto v = req.Query("account")) {
      CX_GET(a, api::ParseId(*v, "account"));
      account = a;
    }
    const bool oversight = Oversight(p);
    const int64_t uid = p.user_id;
    MlState* sp = st.get();
    Gather<PortfolioData>(*st, [=](const RegistryState& s) -> Result<PortfolioData> {
      int64_t acct = AccountOf(s, uid);
      if (account && *account != acct) {
        if (!oversight) return Err(Code::kForbidden, "not your account", "account");
        acct = *account;
      }
      return CopyPortfolio(s, acct);
    }, [sp, level, horizon](PortfolioData& d) { return PortfolioView(d, sp->ReferenceOrNull(), level, horizon); }, respond);
  }, "Your portfolio's value at last prices and its value at risk and expected shortfall, historical and parametric "
     "(?level=0.95|0.975|0.99, ?horizon_days=1..20; admins/auditors ?account=)", "MlPortfolioRisk"));

  CX_TRY(add("/api/v1/ml/fraud/alerts", Access::Roles({Role::kAdmin, Role::kAuditor}),
             [st](HttpRequest&& req, const Principal&, Responder respond) {
    std::optional<int64_t> inst;
    if (auto v = req.Query("instrument")) {
      CX_GET(x, api::ParseId(*v, "instrument"));
      inst = x;
    }
    std::optional<std::string> kind;
    if (auto v = req.Query("kind")) {
      static const std::string_view kKinds[] = {"selftrade", "wash", "spoof", "marking_close", "round_size",
                                                "first_digit", "anomaly", "duplicate_issuance", "serial_overlap"};
      if (std::find(std::begin(kKinds), std::end(kKinds), *v) == std::end(kKinds))
        return respond(HttpResponse::Problem(Err(Code::kInvalidField,
            "selftrade, wash, spoof, marking_close, round_size, first_digit, anomaly, duplicate_issuance or "
            "serial_overlap", "kind")));
      kind = std::string(*v);
    }
    int64_t limit = 100;
    if (auto v = req.Query("limit")) {
      CX_GET(x, api::ParseId(*v, "limit"));
      limit = std::min<int64_t>(x, 1000);
    }
    // Issuance findings are registry-wide: not when one instrument's market is asked for.
    const bool issuances = !inst && (!kind || *kind == "duplicate_issuance" || *kind == "serial_overlap");
    ServiceContext* c = st->ctx;
    Gather<MarketData>(*st, [c, inst, issuances](const RegistryState& s) {
                         return CopyMarket(s, inst, issuances, [c](const registry::User& u) { return c->PersonOf(u).email; });
                       },
                       [kind, limit](MarketData& d) { return AlertsView(d, kind, static_cast<size_t>(limit)); }, respond);
  }, "Market-abuse alerts with evidence (admins, auditors): self-trades, wash trades among linked accounts, "
     "spoofing/layering, marking the close, round-size and first-digit tests, anomalies, from the exchange's own "
     "orders and fills; duplicate issuance across registries and serial overlaps over every batch "
     "(?instrument=, ?kind=, ?limit= up to 1000)", "MlAlerts"));
  return Ok();
}

}  // namespace cx::app
