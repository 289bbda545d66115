#include "app/cluster.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "api/metrics.h"
#include "auth/mac.h"
#include "store/pg_lease.h"
#include "store/pg_store.h"

namespace cx::app {

namespace {
int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
constexpr char kClusterHeader[] = "X-CX-Cluster";
constexpr char kNodeHeader[] = "X-CX-Node";

bool IsRead(api::Method m) { return m == api::Method::kGet || m == api::Method::kHead || m == api::Method::kOptions; }

api::HttpResponse Unavailable(std::string msg, Code code = Code::kUnavailable) {
  auto r = api::HttpResponse::Problem(Err(code, std::move(msg)));
  r.headers.Set("Retry-After", "1");
  return r;
}

void Log(const ClusterOptions& o, const std::string& msg) {
  std::cerr << "carbonx: cluster[" << o.node_id << "]: " << msg << std::endl;
}
}  // namespace

Result<ClusterRole> ParseClusterRole(std::string_view s) {
  if (s == "leader") return ClusterRole::kLeader;
  if (s == "standby") return ClusterRole::kStandby;
  if (s == "api") return ClusterRole::kApi;
  return Err(Code::kInvalidField, "role must be leader, standby or api", "role");
}

Result<std::unique_ptr<Cluster>> Cluster::Open(ClusterOptions opts, engine::Options eopts,
                                               std::unique_ptr<engine::Engine>& engine_out) {
  if (!store::IsPostgresUrl(opts.store_url))
    return Err(Code::kInvalidField, "a cluster needs a postgres:// store", "store");
  if (opts.node_id.empty()) return Err(Code::kMissingField, "--node-id is required in a cluster", "node_id");
  if (opts.advertise.find(':') == std::string::npos)
    return Err(Code::kInvalidField, "--advertise must be HOST:PORT", "advertise");
  if (opts.secret.size() < 16)
    return Err(Code::kInvalidField, "the cluster secret must have at least 16 bytes", "cluster_secret");
  if (opts.lease_ms < 300 || opts.lease_ms > 600'000)
    return Err(Code::kInvalidField, "--lease-ms must be within 300..600000", "lease_ms");
  std::unique_ptr<Cluster> c(new Cluster());
  c->opts_ = std::move(opts);
  c->client_ = std::make_unique<api::HttpClient>(c->opts_.forward_timeout_ms);
  CX_ASSIGN_OR_RETURN(c->lease_, store::PgLease::Open(c->opts_.store_url, store::kEngineLease,
                                                      std::max<int64_t>(100, c->opts_.lease_ms / 4)));
  c->eopts_ = std::move(eopts);
  c->eopts_.replica = true;
  c->eopts_.is_fenced = [](const Error& e) { return store::IsFenced(e); };
  CX_ASSIGN_OR_RETURN(auto reader, store::OpenPostgres(c->opts_.store_url, store::PgOpenOptions{}));
  auto e = std::make_unique<engine::Engine>(std::move(reader), c->eopts_);
  CX_TRY(e->Recover());
  c->engine_ = e.get();
  engine_out = std::move(e);
  if (c->opts_.role != ClusterRole::kApi) c->TryLead();
  if (auto cur = c->lease_->Current(); cur.ok() && *cur) {
    std::lock_guard<std::mutex> l(c->mu_);
    c->leader_addr_ = (*cur)->advertise;
  }
  c->client_->SetTarget(c->leader_address());
  return c;
}

Cluster::~Cluster() {
  Stop();
  api::SetReadyPredicate(nullptr);
}

std::string Cluster::leader_address() const {
  std::lock_guard<std::mutex> l(mu_);
  return leader_addr_;
}

std::string Cluster::Proof() const { return auth::HexOf(auth::HmacSha256(opts_.secret, opts_.node_id)); }

Result<std::unique_ptr<Cluster>> OpenClusterNode(const std::string& store_url, const std::string& node_id,
                                                 const std::string& role, const std::string& advertise,
                                                 int64_t lease_ms, int64_t ready_lag_ms, const std::string& secret_file,
                                                 engine::Options eopts,
                                                 std::unique_ptr<engine::Engine>& engine_out) {
  ClusterOptions o;
  o.store_url = store_url;
  o.node_id = node_id;
  CX_ASSIGN_OR_RETURN(o.role, ParseClusterRole(role));
  o.advertise = advertise;
  if (advertise.size() > 2 && advertise.compare(advertise.size() - 2, 2, ":0") == 0)
    return Err(Code::kInvalidField, "--advertise HOST:PORT is required when --listen picks a free port", "advertise");
  o.lease_ms = lease_ms;
  o.ready_lag_ms = ready_lag_ms;
  if (!secret_file.empty()) {
    std::ifstream f(secret_file);
    if (!f) return Err(Code::kInvalidField, "cannot read --cluster-secret-file " + secret_file, "cluster_secret_file");
    std::getline(f, o.secret);
  } else if (const char* env = std::getenv("CX_CLUSTER_SECRET")) {
    o.secret = env;
  } else {
    return Err(Code::kMissingField, "a cluster needs --cluster-secret-file (or $CX_CLUSTER_SECRET)", "cluster_secret_file");
  }
  CX_ASSIGN_OR_RETURN(auto c, Cluster::Open(std::move(o), std::move(eopts), engine_out));
  Cluster* raw = c.get();
  api::SetReadyPredicate([raw] {
    api::ReadyStatus st;
    st.ready = raw->Ready(raw->options().ready_lag_ms);
    st.reason = raw->is_leader() ? "leader (epoch " + std::to_string(raw->epoch()) + ")"
                                 : "follower of " + raw->leader_address();
    if (!st.ready) st.reason = "not ready: " + st.reason;
    return st;
  });
  return c;
}

void Cluster::Run() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Cluster::Stop() {
  if (thread_.joinable()) {
    stop_ = true;
    thread_.join();
  }
  {
    std::lock_guard<std::mutex> l(fmu_);
    fstop_ = true;
  }
  fcv_.notify_all();
  for (auto& t : fthreads_) t.join();
  fthreads_.clear();
  for (auto& j : fq_) j.respond(Unavailable("the node is stopping; retry", Code::kNotLeader));
  fq_.clear();
  if (leader_ && lease_) {
    (void)lease_->Release(opts_.node_id, epoch_.load());
    leader_ = false;
  }
}

// Takes the lease if it is free or expired and promotes the engine on a fenced store.
void Cluster::TryLead() {
  auto cur = lease_->Current();
  if (!cur.ok()) return;
  if (*cur && (*cur)->expires_in_ms > 0 && (*cur)->holder != opts_.node_id) return;
  auto ep = lease_->TryAcquire(opts_.node_id, opts_.advertise, opts_.lease_ms);
  if (!ep.ok()) return;  // another node was faster
  last_renew_mono_ms_ = MonoMs();
  store::PgOpenOptions wo;
  wo.writer = true;
  wo.fence_holder = opts_.node_id;
  wo.fence_epoch = *ep;
  wo.idle_tx_timeout_ms = opts_.lease_ms;  // paused inside a transaction: the row lock goes
  auto writer = store::OpenPostgres(opts_.store_url, wo);
  Result<void> p = writer.ok() ? engine_->Promote(std::move(*writer)) : Result<void>(writer.take_error());
  if (!p.ok()) {
    Log(opts_, "could not take over: " + p.error().message);
    (void)lease_->Release(opts_.node_id, *ep);
    auto reader = store::OpenPostgres(opts_.store_url, store::PgOpenOptions{});
    if (reader.ok()) (void)engine_->Demote(std::move(*reader));
    return;
  }
  epoch_ = *ep;
  leader_ = true;
  {
    std::lock_guard<std::mutex> l(mu_);
    leader_addr_ = opts_.advertise;
  }
  Log(opts_, "leading with epoch " + std::to_string(*ep) + " at journal seq " +
                 std::to_string(engine_->stats().committed_seq));
}

void Cluster::StepDown(const std::string& why) {
  Log(opts_, "stepping down (epoch " + std::to_string(epoch_.load()) + "): " + why);
  leader_ = false;
  auto reader = store::OpenPostgres(opts_.store_url, store::PgOpenOptions{});
  if (!reader.ok()) {
    Log(opts_, "cannot reopen the journal: " + reader.error().message);
    return;
  }
  auto r = engine_->Demote(std::move(*reader));
  if (!r.ok()) Log(opts_, "follower recovery failed: " + r.error().message);
  else Log(opts_, "following at journal seq " + std::to_string(engine_->stats().committed_seq));
}

void Cluster::Loop() {
  const int64_t renew_every = std::max<int64_t>(50, opts_.lease_ms / 3);
  const int64_t watch_every = std::max<int64_t>(50, opts_.lease_ms / 6);
  while (!stop_) {
    const int64_t started = MonoMs();
    if (leader_) {
      auto r = lease_->Renew(opts_.node_id, epoch_.load(), opts_.lease_ms);
      if (r.ok()) last_renew_mono_ms_ = started;
      if (!r.ok() && store::IsFenced(r.error())) {
        StepDown("the lease was taken over");
      } else if (engine_->broken()) {
        // A fenced append (or a storage failure): give the lease up, rebuild, follow.
        (void)lease_->Release(opts_.node_id, epoch_.load());
        StepDown("the engine stopped: its appends were refused");
      } else if (!r.ok() && MonoMs() - last_renew_mono_ms_.load() >= opts_.lease_ms) {
        StepDown("could not renew the lease for " + std::to_string(opts_.lease_ms) + " ms: " + r.error().message);
      }
    } else {
      if (opts_.role != ClusterRole::kApi) TryLead();
      if (!leader_) {
        auto cur = lease_->Current();
        if (cur.ok() && *cur) {
          std::lock_guard<std::mutex> l(mu_);
          leader_addr_ = (*cur)->advertise;
        }
      }
    }
    client_->SetTarget(leader_ ? std::string() : leader_address());
    const int64_t every = leader_ ? renew_every : watch_every;
    while (!stop_ && MonoMs() - started < every) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool Cluster::Ready(int64_t max_lag_ms) const {
  if (engine_->broken()) return false;
  if (leader_) return !engine_->replica();
  return engine_->replica_tail_age_ms() <= max_lag_ms;
}

void Cluster::InstallForwarding(api::Router& router) {
  router_ = &router;
  {
    std::lock_guard<std::mutex> l(fmu_);
    fstop_ = false;
  }
  for (int i = 0; i < std::max(1, opts_.forward_threads); ++i) fthreads_.emplace_back([this] { ForwardLoop(); });
  router.AddAsyncFilter([this](api::HttpRequest& req, const api::RouteSpec&, auth::Principal&,
                               api::Responder& respond) -> bool {
    if (IsRead(req.method)) return false;
    auto proof = req.Header(kClusterHeader);
    if (proof) {
      // Forwarded by another node: it must carry that node's proof; never forward again.
      auto node = req.Header(kNodeHeader);
      std::string expect = auth::HexOf(auth::HmacSha256(opts_.secret, node ? std::string(*node) : std::string()));
      if (!node || !auth::ConstantTimeEquals(*proof, expect)) {
        respond(api::HttpResponse::Problem(Err(Code::kForbidden, "bad cluster proof")));
        return true;
      }
      if (!leader_) {
        respond(Unavailable("not the leader any more; retry", Code::kNotLeader));
        return true;
      }
      return false;
    }
    if (leader_) return false;
    ForwardJob job;
    job.out.method = req.method;
    job.out.method_name = req.method_name;
    job.out.target = req.target;
    job.out.headers = req.headers;
    job.out.headers.Set(kClusterHeader, Proof());
    job.out.headers.Set(kNodeHeader, opts_.node_id);
    // The client as this node resolved it (api/client_address.h: X-Forwarded-For only from
    // trusted proxies); the leader trusts the API nodes, so a client cannot forge it.
    job.out.headers.Set("X-Forwarded-For", api::HostOf(req.remote_address));
    job.out.body = req.body;
    job.req = std::move(req);
    job.respond = api::MakeOnceResponder(std::move(respond));
    {
      std::unique_lock<std::mutex> l(fmu_);
      if (fstop_ || fq_.size() >= opts_.forward_queue) {
        l.unlock();
        job.respond(Unavailable(fstop_ ? "the node is stopping; retry" : "too many writes waiting for the leader; retry",
                                Code::kNotLeader));
        return true;
      }
      fq_.push_back(std::move(job));
    }
    fcv_.notify_one();
    return true;
  });
}

void Cluster::ForwardLoop() {
  for (;;) {
    ForwardJob job;
    {
      std::unique_lock<std::mutex> l(fmu_);
      fcv_.wait(l, [this] { return fstop_ || !fq_.empty(); });
      if (fq_.empty()) return;  // stopping and drained
      job = std::move(fq_.front());
      fq_.pop_front();
    }
    auto r = Forward(job.out);
    if (r) {
      job.respond(std::move(*r));
    } else if (router_) {
      router_->Dispatch(std::move(job.req), job.respond);  // led meanwhile: serve it here
    } else {
      job.respond(Unavailable("leadership changed; retry", Code::kNotLeader));
    }
  }
}

std::optional<api::HttpResponse> Cluster::Forward(const api::ClientRequest& out) {
  // Until a leader answers: a connection that cannot be made never delivered the request,
  // so waiting for a (new) leader and retrying is safe; anything else is answered as is.
  const int64_t deadline = MonoMs() + 2 * opts_.lease_ms;
  for (;;) {
    if (leader_) return std::nullopt;  // this node took over meanwhile: serve it here
    auto r = client_->Send(out);
    // A node that is no longer (or not yet) the leader refused it before executing it, or
    // its fence refused the commit: nothing happened, so it may go to the new leader.
    if (r.ok() && r->status == 503 && MonoMs() < deadline &&
        (r->body.find("\"NOT_LEADER\"") != std::string::npos || r->body.find("\"STORE_FENCED\"") != std::string::npos)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      client_->SetTarget(leader_address());
      continue;
    }
    if (r.ok()) {
      // Read-your-writes: a query on the replica runs after a fresh tail of the journal,
      // which now holds everything the leader committed before answering.
      if (r->status < 500) (void)engine_->Query([](const registry::RegistryState&, const engine::Outcome&) {
        return Result<std::string>(std::string());
      });
      return std::move(*r);
    }
    if (r.error().field != "connect")
      return Unavailable("the leader did not answer (" + r.error().message +
                         "); the outcome is unknown: retry with the same client_order_id");
    if (MonoMs() >= deadline) return Unavailable("no leader reachable; retry", Code::kNotLeader);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    client_->SetTarget(leader_address());
  }
}

}  // namespace cx::app
