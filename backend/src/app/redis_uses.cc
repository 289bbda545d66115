// The uses of RedisBus declared in app/redis_bus.h: market-data fan-out, shared rate
// limits, revoked tokens, the shared API-key replay cache, cached read models.
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <iostream>
#include <list>
#include <set>
#include <unordered_map>

#include "api/metrics.h"
#include "app/redis_bus.h"
#include "auth/rate_limit.h"

namespace cx::app {
namespace json = boost::json;

namespace {
std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> b(bytes);
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}
api::Counter& Fallbacks(const char* use) {
  return api::Metrics().GetCounter("cx_redis_fallback_total", "Checks answered locally because Redis could not",
                                   {{"use", use}});
}
constexpr const char* kMdChannel = "cx:md";
constexpr const char* kRevokeChannel = "cx:revoke";
}  // namespace

// ---------------------------------------------------------------- MarketFanout

struct MarketFanout::Impl {
  RedisBus* bus = nullptr;
  Hub hub;
  std::string origin;  // node id + a per-process nonce: a restarted node is a new origin
  std::mutex mu;
  uint64_t n = 0;                             // our envelopes
  std::map<std::string, uint64_t> last_seen;  // origin -> last n delivered
  std::atomic<uint64_t> last_seq{0}, dups{0}, resyncs{0};
  uint64_t sub = 0;
  api::Counter* delivered = nullptr;
  std::function<bool()> is_leader;

  void Resync(const std::string& reason) {
    if (!hub.channels) return;
    for (const auto& ch : hub.channels()) {
      json::object o;
      o["channel"] = ch;
      o["type"] = "resync";
      o["reason"] = reason;
      hub.publish(ch, json::serialize(o));
    }
    ++resyncs;
  }

  void OnEnvelope(const std::string& payload) {
    boost::system::error_code ec;
    json::value v = json::parse(payload, ec);
    if (ec || !v.is_object()) return;
    const auto& o = v.as_object();
    const auto* node = o.if_contains("node");
    const auto* nn = o.if_contains("n");
    const auto* msgs = o.if_contains("msgs");
    if (!node || !node->is_string() || !nn || !nn->is_int64() || !msgs || !msgs->is_array()) return;
    std::string from(node->as_string());
    auto k = static_cast<uint64_t>(nn->as_int64());
    std::lock_guard l(mu);
    auto& last = last_seen[from];
    if (k <= last) {
      ++dups;
      return;
    }
    if (last != 0 && k != last + 1) Resync("gap in market data from " + from);
    last = k;
    if (const auto* s = o.if_contains("seq"); s && s->is_int64())
      last_seq = std::max<uint64_t>(last_seq, static_cast<uint64_t>(s->as_int64()));
    for (const auto& m : msgs->as_array()) {
      if (!m.is_array() || m.as_array().size() != 2 || !m.as_array()[0].is_string() || !m.as_array()[1].is_string()) continue;
      hub.publish(std::string(m.as_array()[0].as_string()), std::string(m.as_array()[1].as_string()));
      delivered->Inc();
    }
  }
};

MarketFanout::MarketFanout(RedisBus* bus, Hub hub) : impl_(std::make_unique<Impl>()) {
  impl_->bus = bus;
  impl_->hub = std::move(hub);
  impl_->origin = (bus ? bus->node_id() : std::string("local")) + "/" + RandomHex(6);
  impl_->delivered = &api::Metrics().GetCounter("cx_redis_fanout_messages_total",
                                                "Market-data messages received from Redis and delivered locally");
  if (bus) {
    Impl* raw = impl_.get();
    impl_->sub = bus->Subscribe(
        kMdChannel, [raw](const std::string&, const std::string& p) { raw->OnEnvelope(p); },
        [raw] {
          std::lock_guard l(raw->mu);
          raw->Resync("redis reconnected");
        });
  }
}

MarketFanout::~MarketFanout() {
  if (impl_->bus && impl_->sub) impl_->bus->Unsubscribe(impl_->sub);
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): a sink; the local path moves the texts out
void MarketFanout::Emit(uint64_t journal_seq, std::vector<std::pair<std::string, std::string>> messages) {
  if (messages.empty()) return;
  if (!impl_->bus) {
    if (journal_seq) impl_->last_seq = std::max<uint64_t>(impl_->last_seq, journal_seq);
    for (auto& [ch, text] : messages) impl_->hub.publish(ch, std::move(text));
    return;
  }
  if (impl_->is_leader && !impl_->is_leader()) return;
  json::array msgs;
  msgs.reserve(messages.size());
  for (auto& [ch, text] : messages) msgs.push_back(json::array{json::string(ch), json::string(text)});
  json::object env;
  env["node"] = impl_->origin;
  {
    std::lock_guard l(impl_->mu);
    env["n"] = static_cast<int64_t>(++impl_->n);
  }
  env["seq"] = static_cast<int64_t>(journal_seq);
  env["msgs"] = std::move(msgs);
  impl_->bus->Publish(kMdChannel, json::serialize(env));
}

void MarketFanout::set_is_leader(std::function<bool()> is_leader) { impl_->is_leader = std::move(is_leader); }

uint64_t MarketFanout::last_seq_seen() const { return impl_->last_seq; }
uint64_t MarketFanout::duplicates_dropped() const { return impl_->dups; }
uint64_t MarketFanout::resyncs_sent() const { return impl_->resyncs; }

// ---------------------------------------------------------------- SharedRateLimiter

namespace {
// KEYS[1] bucket; ARGV: burst, per_s, now_ms. Tokens are kept in milli-tokens (integers).
// Returns {allowed, retry_after_ms}.
const char* kBucketLua = R"LUA(
local burst = tonumber(ARGV[1]) * 1000
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil then tokens = burst; ts = now end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
local wait = 0
if tokens >= 1000 then
  tokens = tokens - 1000
  allowed = 1
else
  wait = math.ceil((1000 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, wait}
)LUA";
}  // namespace

struct SharedRateLimiter::Impl {
  RedisBus* bus = nullptr;
  std::string prefix;
  int64_t burst = 0, per_s = 0;
  std::unique_ptr<auth::RateLimiter> local;
  api::Counter* fallback = nullptr;
};

SharedRateLimiter::SharedRateLimiter() : impl_(std::make_unique<Impl>()) {}
SharedRateLimiter::~SharedRateLimiter() = default;

Result<std::unique_ptr<SharedRateLimiter>> SharedRateLimiter::Create(RedisBus* bus, std::string prefix, int64_t burst,
                                                                     int64_t per_s) {
  if (burst <= 0 || per_s <= 0) return Err(Code::kInvalidField, "rate limit must be positive", "rate_limit");
  std::unique_ptr<SharedRateLimiter> r(new SharedRateLimiter());
  r->impl_->bus = bus;
  r->impl_->prefix = std::move(prefix);
  r->impl_->burst = burst;
  r->impl_->per_s = per_s;
  auth::RateLimitConfig c;
  c.burst = burst;
  c.refill_tokens = per_s;
  c.refill_period_ms = 1000;
  CX_ASSIGN_OR_RETURN(r->impl_->local, auth::RateLimiter::Create(c));
  r->impl_->fallback = &Fallbacks("rate_limit");
  return r;
}

RateCheck SharedRateLimiter::Acquire(const std::string& key, int64_t now_ms) {
  if (impl_->bus && impl_->bus->up()) {
    // per_s tokens per second = per_s milli-tokens per ms.
    auto r = impl_->bus->Eval(kBucketLua, {"cx:rl:" + impl_->prefix + ":" + key},
                              {std::to_string(impl_->burst), std::to_string(impl_->per_s), std::to_string(now_ms)});
    if (r.ok() && r->type == RedisReply::Type::kArray && r->elements.size() == 2) {
      RateCheck c;
      c.shared = true;
      c.allowed = r->elements[0].integer == 1;
      c.retry_after_s = c.allowed ? 0 : std::max<int64_t>(1, (r->elements[1].integer + 999) / 1000);
      return c;
    }
  }
  if (impl_->bus) impl_->fallback->Inc();
  auto d = impl_->local->Acquire(impl_->prefix + ":" + key, now_ms);
  return RateCheck{d.allowed, d.retry_after_s, false};
}

// ---------------------------------------------------------------- RevocationList

struct RevocationList::Impl {
  RedisBus* bus = nullptr;
  mutable std::mutex mu;
  std::unordered_map<std::string, int64_t> revoked;  // jti -> expires_at (s)
  uint64_t sub = 0;

  void Add(const std::string& jti, int64_t exp) {
    std::lock_guard l(mu);
    if (revoked.size() > 200'000) {  // bounded: drop the expired first
      int64_t now = std::time(nullptr);
      for (auto it = revoked.begin(); it != revoked.end();) it = it->second <= now ? revoked.erase(it) : std::next(it);
    }
    revoked[jti] = exp;
  }
  void Load() {
    std::string cursor = "0";
    int64_t now = std::time(nullptr);
    do {
      auto r = bus->Command({"SCAN", cursor, "MATCH", "cx:revoked:*", "COUNT", "1000"});
      if (!r.ok() || r->elements.size() != 2) return;
      cursor = r->elements[0].str;
      for (const auto& k : r->elements[1].elements) {
        auto ttl = bus->Command({"TTL", k.str});
        int64_t left = ttl.ok() ? ttl->integer : 0;
        if (left > 0) Add(k.str.substr(std::strlen("cx:revoked:")), now + left);
      }
    } while (cursor != "0");
  }
};

RevocationList::RevocationList(RedisBus* bus) : impl_(std::make_unique<Impl>()) {
  impl_->bus = bus;
  if (!bus) return;
  Impl* raw = impl_.get();
  impl_->sub = bus->Subscribe(
      kRevokeChannel,
      [raw](const std::string&, const std::string& p) {
        auto sp = p.find(' ');
        if (sp == std::string::npos) return;
        raw->Add(p.substr(sp + 1), std::strtoll(p.c_str(), nullptr, 10));
      },
      [raw] { raw->Load(); });
  if (bus->WaitUp(std::chrono::milliseconds(500))) raw->Load();
}

RevocationList::~RevocationList() {
  if (impl_->bus && impl_->sub) impl_->bus->Unsubscribe(impl_->sub);
}

void RevocationList::Revoke(const std::string& jti, int64_t expires_at_s, int64_t now_s) {
  if (jti.empty() || expires_at_s <= now_s) return;
  impl_->Add(jti, expires_at_s);
  if (!impl_->bus) return;
  auto r = impl_->bus->Command({"SET", "cx:revoked:" + jti, "1", "EX", std::to_string(expires_at_s - now_s)});
  if (!r.ok()) {
    Fallbacks("revocation").Inc();
    std::cerr << "carbonx: redis: revocation of a token not shared: " << r.error().message << "\n";
  }
  impl_->bus->Publish(kRevokeChannel, std::to_string(expires_at_s) + " " + jti);
}

bool RevocationList::IsRevoked(const std::string& jti, int64_t now_s) const {
  std::lock_guard l(impl_->mu);
  auto it = impl_->revoked.find(jti);
  return it != impl_->revoked.end() && it->second > now_s;
}

size_t RevocationList::size() const {
  std::lock_guard l(impl_->mu);
  return impl_->revoked.size();
}

// ---------------------------------------------------------------- SharedReplayCache

SharedReplayCache::SharedReplayCache(RedisBus* bus) : bus_(bus) {}

std::optional<bool> SharedReplayCache::CheckAndRemember(std::string_view id, int64_t ttl_ms) {
  if (!bus_ || !bus_->up()) {
    if (bus_) Fallbacks("replay").Inc();
    return std::nullopt;
  }
  auto r = bus_->Command({"SET", "cx:replay:" + std::string(id), "1", "NX", "PX", std::to_string(std::max<int64_t>(ttl_ms, 1))});
  if (!r.ok()) {
    Fallbacks("replay").Inc();
    return std::nullopt;
  }
  return r->type == RedisReply::Type::kStatus;  // "OK" = new; nil = seen
}

// ---------------------------------------------------------------- ReadModelCache

struct ReadModelCache::Impl {
  RedisBus* bus = nullptr;
  std::chrono::seconds ttl;
  size_t capacity = 0;
  std::mutex mu;
  std::list<std::string> lru;  // keys, most recent first
  std::unordered_map<std::string, std::pair<std::string, std::list<std::string>::iterator>> map;
  std::atomic<uint64_t> hits{0}, misses{0};
  api::Counter* hit_c = nullptr;
  api::Counter* miss_c = nullptr;

  static std::string Key(const std::string& path, uint64_t seq) { return "cx:rm:" + std::to_string(seq) + ":" + path; }
};

ReadModelCache::ReadModelCache(RedisBus* bus, std::chrono::seconds ttl, size_t local_capacity)
    : impl_(std::make_unique<Impl>()) {
  impl_->bus = bus;
  impl_->ttl = ttl;
  impl_->capacity = local_capacity;
  impl_->hit_c = &api::Metrics().GetCounter("cx_read_cache_total", "Read-model cache lookups", {{"result", "hit"}});
  impl_->miss_c = &api::Metrics().GetCounter("cx_read_cache_total", "Read-model cache lookups", {{"result", "miss"}});
}
ReadModelCache::~ReadModelCache() = default;

std::optional<std::string> ReadModelCache::Get(const std::string& path, uint64_t seq) {
  std::string key = Impl::Key(path, seq);
  {
    std::lock_guard l(impl_->mu);
    if (auto it = impl_->map.find(key); it != impl_->map.end()) {
      impl_->lru.splice(impl_->lru.begin(), impl_->lru, it->second.second);
      ++impl_->hits;
      impl_->hit_c->Inc();
      return it->second.first;
    }
  }
  if (impl_->bus && impl_->bus->up()) {
    auto r = impl_->bus->Command({"GET", key});
    if (r.ok() && r->type == RedisReply::Type::kString) {
      ++impl_->hits;
      impl_->hit_c->Inc();
      return r->str;
    }
  }
  ++impl_->misses;
  impl_->miss_c->Inc();
  return std::nullopt;
}

void ReadModelCache::Put(const std::string& path, uint64_t seq, const std::string& body) {
  std::string key = Impl::Key(path, seq);
  {
    std::lock_guard l(impl_->mu);
    if (impl_->map.count(key) == 0) {
      impl_->lru.push_front(key);
      impl_->map[key] = {body, impl_->lru.begin()};
      while (impl_->map.size() > impl_->capacity && !impl_->lru.empty()) {
        impl_->map.erase(impl_->lru.back());
        impl_->lru.pop_back();
      }
    }
  }
  if (impl_->bus && impl_->bus->up())
    (void)impl_->bus->Command({"SET", key, body, "EX", std::to_string(impl_->ttl.count())});
}

uint64_t ReadModelCache::hits() const { return impl_->hits; }
uint64_t ReadModelCache::misses() const { return impl_->misses; }

}  // namespace cx::app
