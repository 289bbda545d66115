// FixBridge: the exchange behind the FIX gateway (issue 11). Implements fix::Handler: a
// FIX request becomes a registry command (PlaceOrder, CancelOrder, ReplaceOrder,
// MassCancel) or an engine query (order status, security list, market-data snapshot);
// what the engine decided comes back as FIX messages.
//
// Acknowledged means durable: execution reports are made from the events of each command
// on the engine thread (Observe, the same hook as the market feed) and sent only once the
// journal group holding them is committed (Publish). Refusals that change nothing (bad
// price, unknown instrument, insufficient funds...) are answered after the engine refused,
// with the stable error code in Text (58): "ORDER_OFF_TICK: ...".
//
// Routing: an order's reports go to the session that entered it (orders entered over
// HTTP get none there) and to every drop-copy session bound to the same account. A session
// is bound to the account of the first API key that logs it on (file DIR/fix/bindings);
// a logon with another account's key is refused, so no account can take over another's
// sequence numbers or resend history. Which session entered which order is kept in
// DIR/fix/orders (appended after commit) so reports keep their route across a restart.
//
// Market data: a MarketDataRequest with SubscriptionRequestType 1 gets a snapshot (W) of
// the book (and recent trades) taken on the engine thread, and from the next command on,
// incremental refreshes (X) of the changed levels (displayed quantity) and trades.
//
// Thread-safety: Handler methods on QuickFIX threads; Observe on the engine thread (state
// it owns: order routes, subscriptions, the depth shadow); Publish on the journal writer
// thread; every FIX send happens on the bridge's own sender thread, in commit order.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "fix/gateway.h"

namespace cx::app {

class ApiKeyGate;
class ApiKeyDirectory;

// The terms of a NewOrderSingle as a registry order (request fields only; the instrument is
// resolved separately). Prices parse exactly to minor units (2 decimals), quantities to
// kilograms (3 decimals); TimeInForce absent = IOC for market/stop, GTC otherwise.
// kMissingField for a conditionally required field (Price, StopPx, ExpireTime), which the
// bridge answers with BusinessMessageReject 5; kInvalidField otherwise.
Result<registry::Order> OrderFromFix(const fix::OrderRequest& r);

class FixBridge final : public fix::Handler {
 public:
  // `state_dir` holds the bindings and order routes; `now_ms` is the clock for the logon
  // timestamp window.
  FixBridge(std::string state_dir, std::function<int64_t()> now_ms);
  ~FixBridge() override;  // drains the sender queue
  FixBridge(const FixBridge&) = delete;
  FixBridge& operator=(const FixBridge&) = delete;

  // Wiring, before the gateway starts. The engine and the gate must outlive the gateway;
  // set_gateway(nullptr) before the gateway is destroyed. Without a gate every logon is
  // refused.
  void set_engine(engine::Engine* e) { engine_ = e; }
  void set_gate(ApiKeyGate* g) { gate_.store(g); }
  // Keys are re-checked on every order-entry message: a session whose key was revoked,
  // expired or lost the scope is refused (BusinessMessageReject 6) and logged out.
  void set_keys(const ApiKeyDirectory* d) { keys_.store(d); }
  void set_gateway(fix::Gateway* g);
  // Before the engine starts: depth shadow, bindings and order routes from disk.
  void Bootstrap(const registry::RegistryState& s);
  // Engine hooks (see engine::Options).
  std::shared_ptr<const void> Observe(const registry::RegistryState& s, const engine::Outcome& o);
  void Publish(const std::vector<std::shared_ptr<const void>>& items);

  // fix::Handler
  fix::LogonDecision Logon(const fix::LogonRequest& r) override;
  void LoggedOn(const fix::SessionInfo& s, int64_t user) override;
  void LoggedOut(const fix::SessionInfo& s) override;
  void NewOrder(const fix::SessionInfo& s, int seq, const fix::OrderRequest& r) override;
  void CancelOrder(const fix::SessionInfo& s, int seq, const fix::OrderRef& r) override;
  void ReplaceOrder(const fix::SessionInfo& s, int seq, const fix::OrderRequest& r) override;
  void OrderStatus(const fix::SessionInfo& s, int seq, const fix::OrderRef& r) override;
  void MassCancel(const fix::SessionInfo& s, int seq, const fix::MassCancelRequest& r) override;
  void SecurityListRequest(const fix::SessionInfo& s, int seq, const std::string& req_id) override;
  void MarketDataRequest(const fix::SessionInfo& s, int seq, const fix::MarketDataRequest& r) override;

  // Wraps engine::Options::observe/publish so both the previous hook and the bridge see
  // every command (the bridge's item travels beside the previous one).
  using ObserveFn = std::function<std::shared_ptr<const void>(const registry::RegistryState&, const engine::Outcome&)>;
  using PublishFn = std::function<void(const std::vector<std::shared_ptr<const void>>&)>;
  ObserveFn WrapObserve(ObserveFn next);
  PublishFn WrapPublish(PublishFn next);

 private:
  struct Route {  // engine thread: which session entered an order, under which ClOrdID
    std::string session;
    std::string cl_ord_id;
    std::string pending;  // ClOrdID of a cancel/replace being applied, until reported
  };
  struct Sub {  // engine thread: a market-data subscription
    std::string session, req_id;
    int64_t instrument = 0;
    bool book = false, trades = false;
  };

  void Post(std::function<void()> f);  // runs on the sender thread
  void Run();
  int64_t UserOf(const std::string& session);
  // False (and the session refused and logged out) when its logon key no longer holds.
  bool KeyHolds(const fix::SessionInfo& s, int seq, const char* type, const std::string& ref);
  std::optional<int64_t> InstrumentOf(const fix::InstrumentRef& r);
  void BusinessRejectOf(const fix::SessionInfo& s, int seq, const char* type, const std::string& ref, int reason,
                        const Error& e);
  std::vector<std::string> DropCopiesOf(int64_t user);
  void SaveBindingsLocked();
  // Submits a command; on refusal `refused` runs (sender thread) with the error.
  void SubmitCmd(registry::Command cmd, engine::Render render, const std::function<void(const Error&)>& refused);
  void SendRejectedOrder(const fix::SessionInfo& s, const fix::OrderRequest& r, const Error& e);
  void SendCancelReject(const std::string& session, const std::string& order_id, const std::string& cl_ord_id,
                        const std::string& orig, char response_to, const Error& e);
  // Resolves OrderID / OrigClOrdID of `session` to an order id on the engine thread.
  int64_t ResolveOrder(const registry::RegistryState& s, const std::string& session, const std::string& order_id,
                       const std::string& orig_cl_ord_id, int64_t user) const;
  fix::ExecutionReport Report(const registry::RegistryState& s, const registry::Order& o, char exec_type,
                              char ord_status, int64_t cum, int64_t notional) const;

  engine::Engine* engine_ = nullptr;
  std::atomic<ApiKeyGate*> gate_{nullptr};
  std::atomic<const ApiKeyDirectory*> keys_{nullptr};
  std::string dir_;
  std::function<int64_t()> now_ms_;
  std::atomic<fix::Gateway*> gateway_{nullptr};
  std::atomic<int64_t> reject_ids_{0};

  // Sessions (any thread).
  std::mutex mu_;
  std::map<std::string, int64_t> bound_;      // session -> user (persisted)
  std::map<std::string, bool> drop_copy_;     // session -> is a drop copy (settings)
  std::map<std::string, std::string> key_of_; // session -> API key id of its logon
  std::map<std::string, int64_t> symbols_;    // instrument symbol -> id
  std::set<std::pair<std::string, std::string>> seen_cl_;  // (session, ClOrdID) of every D

  // Engine thread only.
  std::unordered_map<int64_t, Route> routes_;                            // order -> route
  std::map<std::pair<std::string, std::string>, int64_t> by_cl_ord_id_;  // (session, ClOrdID) -> order
  std::vector<Sub> subs_;
  std::map<std::tuple<int64_t, int, int64_t>, int64_t> shadow_;  // displayed depth last reported

  // Sender thread queue.
  std::mutex q_mu_;
  std::condition_variable q_cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::thread sender_;
};

// `carbonx serve --fix-config FILE [--fix-listen HOST:PORT]`: the bridge and the gateway in
// the order serve needs them. Prepare before the engine opens (wraps its hooks), Attach
// after it recovered and before it starts, Start once the API-key gate exists, Stop before
// the engine stops. State under DATA/fix (message store, logs, bindings, routes).
class FixService {
 public:
  static std::unique_ptr<FixService> Prepare(const std::string& data_dir, engine::Options& eopts);
  void Attach(engine::Engine& e);
  // Listens; HOST must be a local address QuickFIX binds on every interface (1.15 has no
  // bind address): a non-wildcard, non-loopback HOST is refused. Returns the port.
  Result<int> Start(ApiKeyGate* gate, const ApiKeyDirectory* keys, const std::string& config_file,
                    const std::string& listen);
  void Stop();
  ~FixService();

 private:
  std::string dir_;
  std::unique_ptr<FixBridge> bridge_;
  std::unique_ptr<fix::Gateway> gateway_;
};

}  // namespace cx::app
