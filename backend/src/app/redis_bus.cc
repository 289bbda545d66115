#include "app/redis_bus.h"

#include <openssl/sha.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "api/metrics.h"
#include "app/redis_client.h"

namespace cx::app {
namespace {

using Clock = std::chrono::steady_clock;

std::string PctDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool Readable(const std::string& path) {
  std::ifstream f(path);
  return f.good();
}

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace

Result<RedisUrl> ParseRedisUrl(std::string_view url) {
  RedisUrl u;
  auto bad = [&](const std::string& why) { return Err(Code::kInvalidField, "--redis: " + why, "redis"); };
  std::string_view rest;
  if (url.rfind("redis://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("rediss://", 0) == 0) {
    u.tls = true;
    rest = url.substr(9);
  } else {
    return bad("must start with redis:// or rediss://");
  }
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (auto sl = rest.find('/'); sl != std::string_view::npos) {
    path = rest.substr(sl + 1);
    rest = rest.substr(0, sl);
  }
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto c = cred.find(':'); c != std::string_view::npos) {
      u.user = PctDecode(cred.substr(0, c));
      u.password = PctDecode(cred.substr(c + 1));
    } else {
      u.password = PctDecode(cred);
    }
  }
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return bad("unbalanced [ in host");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return bad("bad host");
      port = rest.substr(close + 2);
    }
  } else if (auto c = rest.rfind(':'); c != std::string_view::npos) {
    host = rest.substr(0, c);
    port = rest.substr(c + 1);
  }
  if (host.empty()) return bad("missing host");
  u.host = std::string(host);
  if (!port.empty()) {
    int p = 0;
    for (char ch : port) {
      if (ch < '0' || ch > '9' || p > 65535) return bad("bad port");
      p = p * 10 + (ch - '0');
    }
    if (p <= 0 || p > 65535) return bad("bad port");
    u.port = static_cast<uint16_t>(p);
  }
  if (!path.empty()) {
    int db = 0;
    for (char ch : path) {
      if (ch < '0' || ch > '9' || db > 10000) return bad("bad database number");
      db = db * 10 + (ch - '0');
    }
    u.db = db;
  }
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) return bad("bad query parameter");
    std::string k(kv.substr(0, eq));
    std::string v = PctDecode(kv.substr(eq + 1));
    if (k == "ca") u.ca_file = v;
    else if (k == "cert") u.cert_file = v;
    else if (k == "key") u.key_file = v;
    else if (k == "sni") u.sni = v;
    else return bad("unknown parameter " + k);
  }
  if (!u.tls && (!u.ca_file.empty() || !u.cert_file.empty())) return bad("ca/cert need rediss://");
  if (u.cert_file.empty() != u.key_file.empty()) return bad("cert and key go together");
  return u;
}

struct RedisBus::Impl {
  RedisBusOptions opt;
  std::atomic<bool> stop{false};
  std::atomic<bool> up{false};

  // Subscriptions.
  struct Sub {
    std::string channel;
    MessageHandler handler;
    std::function<void()> on_resubscribed;
  };
  std::mutex sub_mu;
  std::condition_variable sub_cv;  // wakes WaitUp and the backoff sleep
  std::map<uint64_t, Sub> subs;
  uint64_t next_sub = 1;
  std::vector<std::string> pending_sub, pending_unsub;  // channels changed while connected
  std::thread sub_thread;

  // Publishing.
  std::mutex pub_mu;
  std::condition_variable pub_cv;
  std::deque<std::pair<std::string, std::string>> pub_q;
  std::thread pub_thread;

  // Commands.
  std::mutex cmd_mu;
  std::vector<std::unique_ptr<RedisConnection>> idle;
  Clock::time_point dial_failed_at{};
  std::mutex sha_mu;
  std::map<std::string, std::string> shas;

  api::Counter* reconnects = nullptr;
  api::Counter* dropped = nullptr;
  api::Histogram* cmd_seconds = nullptr;

  void SleepBackoff(std::chrono::milliseconds d) {
    std::unique_lock l(sub_mu);
    sub_cv.wait_for(l, d, [&] { return stop.load(); });
  }

  std::vector<std::string> ChannelsLocked() const {
    std::vector<std::string> chs;
    for (const auto& [id, s] : subs) chs.push_back(s.channel);
    return chs;
  }

  void SubLoop() {
    auto backoff = std::chrono::milliseconds(100);
    bool connected_before = false;
    while (!stop) {
      auto c = RedisConnection::Dial(opt.url, opt.connect_timeout);
      if (!c.ok()) {
        SleepBackoff(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      backoff = std::chrono::milliseconds(100);
      auto& conn = **c;
      std::vector<std::function<void()>> resubs;
      std::vector<std::string> chs;
      {
        std::lock_guard l(sub_mu);
        chs = ChannelsLocked();
        pending_sub.clear();
        pending_unsub.clear();
        if (connected_before)
          for (const auto& [id, s] : subs)
            if (s.on_resubscribed) resubs.push_back(s.on_resubscribed);
      }
      // A PING first: the bus is "up" only once the server answered.
      std::vector<std::vector<std::string>> first;
      if (!chs.empty()) {
        std::vector<std::string> cmd{"SUBSCRIBE"};
        cmd.insert(cmd.end(), chs.begin(), chs.end());
        first.push_back(std::move(cmd));
      } else {
        first.push_back({"PING"});
      }
      if (!conn.SendMany(first, Clock::now() + opt.command_timeout).ok()) continue;
      if (connected_before) reconnects->Inc();
      connected_before = true;
      {
        std::lock_guard l(sub_mu);
        up = true;
      }
      sub_cv.notify_all();
      for (auto& f : resubs) f();
      bool subscribed_mode = !chs.empty();
      while (!stop && !conn.broken()) {
        std::vector<std::string> add, del;
        {
          std::lock_guard l(sub_mu);
          add.swap(pending_sub);
          del.swap(pending_unsub);
        }
        if (!add.empty()) {
          add.insert(add.begin(), "SUBSCRIBE");
          if (!conn.Send(add, Clock::now() + opt.command_timeout).ok()) break;
          subscribed_mode = true;
        }
        if (!del.empty()) {
          del.insert(del.begin(), "UNSUBSCRIBE");
          if (!conn.Send(del, Clock::now() + opt.command_timeout).ok()) break;
        }
        auto r = conn.Poll(Clock::now() + std::chrono::milliseconds(50));
        if (!r.ok()) break;
        if (!*r) continue;
        const RedisReply& m = **r;
        if (m.type == RedisReply::Type::kArray && m.elements.size() == 3 && m.elements[0].str == "message") {
          const std::string& ch = m.elements[1].str;
          std::vector<MessageHandler> hs;
          {
            std::lock_guard l(sub_mu);
            for (const auto& [id, s] : subs)
              if (s.channel == ch) hs.push_back(s.handler);
          }
          for (auto& h : hs) h(ch, m.elements[2].str);
        }
        (void)subscribed_mode;
      }
      up = false;
    }
    up = false;
  }

  void PubLoop() {
    std::unique_ptr<RedisConnection> conn;
    auto backoff = std::chrono::milliseconds(100);
    while (true) {
      std::vector<std::pair<std::string, std::string>> batch;
      {
        std::unique_lock l(pub_mu);
        pub_cv.wait(l, [&] { return stop || !pub_q.empty(); });
        if (stop) return;
        for (size_t i = 0; i < pub_q.size() && i < 512; ++i) batch.push_back(pub_q[i]);
      }
      if (!conn || conn->broken()) {
        auto c = RedisConnection::Dial(opt.url, opt.connect_timeout);
        if (!c.ok()) {
          std::unique_lock l(pub_mu);
          pub_cv.wait_for(l, backoff, [&] { return stop.load(); });
          backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
          continue;
        }
        conn = std::move(*c);
        backoff = std::chrono::milliseconds(100);
      }
      std::vector<std::vector<std::string>> cmds;
      cmds.reserve(batch.size());
      for (auto& [ch, p] : batch) cmds.push_back({"PUBLISH", ch, p});
      auto deadline = Clock::now() + opt.command_timeout + std::chrono::milliseconds(batch.size());
      bool ok = conn->SendMany(cmds, deadline).ok();
      for (size_t i = 0; ok && i < batch.size(); ++i) {
        auto r = conn->Poll(deadline);
        ok = r.ok() && r->has_value();
      }
      if (!ok) {
        conn.reset();  // resend the batch (receivers drop duplicates)
        continue;
      }
      std::lock_guard l(pub_mu);
      for (size_t i = 0; i < batch.size() && !pub_q.empty(); ++i) pub_q.pop_front();
    }
  }

  // A pooled connection may have died while idle (Redis restarted): one retry on a fresh one.
  Result<RedisReply> Run(const std::vector<std::string>& args) {
    bool pooled = false;
    auto r = RunOnce(args, pooled);
    // Not after a timeout: the command may have run (a rate-limit take must not count twice).
    if (!r.ok() && pooled && r.error().message != "redis: timeout") r = RunOnce(args, pooled);
    return r;
  }

  Result<RedisReply> RunOnce(const std::vector<std::string>& args, bool& pooled) {
    pooled = false;
    std::unique_ptr<RedisConnection> c;
    {
      std::lock_guard l(cmd_mu);
      if (!idle.empty()) {
        c = std::move(idle.back());
        idle.pop_back();
        pooled = true;
      } else if (Clock::now() - dial_failed_at < std::chrono::milliseconds(250)) {
        return Err(Code::kUnavailable, "redis: unavailable");
      }
    }
    const auto t0 = Clock::now();
    if (!c) {
      auto d = RedisConnection::Dial(opt.url, std::min(opt.connect_timeout, opt.command_timeout));
      if (!d.ok()) {
        std::lock_guard l(cmd_mu);
        dial_failed_at = Clock::now();
        return d.take_error();
      }
      c = std::move(*d);
    }
    auto r = c->Call(args, opt.command_timeout);
    cmd_seconds->Observe(std::chrono::duration<double>(Clock::now() - t0).count());
    if (!c->broken()) {
      std::lock_guard l(cmd_mu);
      if (idle.size() < opt.command_connections) idle.push_back(std::move(c));
    }
    return r;
  }
};

RedisBus::RedisBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<RedisBus>> RedisBus::Start(RedisBusOptions options) {
  for (const std::string* f : {&options.url.ca_file, &options.url.cert_file, &options.url.key_file})
    if (!f->empty() && !Readable(*f)) return Err(Code::kInvalidField, "--redis: cannot read " + *f, "redis");
  if (options.node_id.empty()) {
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    options.node_id = std::string(host) + ":" + std::to_string(::getpid());
  }
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  auto& m = api::Metrics();
  impl->reconnects = &m.GetCounter("cx_redis_reconnects_total", "Reconnections of the Redis subscriber connection");
  impl->dropped = &m.GetCounter("cx_redis_publish_dropped_total", "Messages dropped because Redis was down too long");
  impl->cmd_seconds = &m.GetHistogram("cx_redis_command_seconds", "Latency of Redis commands", api::LatencyBuckets());
  Impl* raw = impl.get();
  m.AddGaugeCallback("cx_redis_up", "1 while this node's Redis connection is up", {}, [raw] { return raw->up ? 1.0 : 0.0; });
  std::unique_ptr<RedisBus> bus(new RedisBus(std::move(impl)));
  bus->impl_->sub_thread = std::thread([raw] { raw->SubLoop(); });
  bus->impl_->pub_thread = std::thread([raw] { raw->PubLoop(); });
  return bus;
}

RedisBus::~RedisBus() {
  impl_->stop = true;
  {
    std::lock_guard l(impl_->sub_mu);
  }
  impl_->sub_cv.notify_all();
  {
    std::lock_guard l(impl_->pub_mu);
  }
  impl_->pub_cv.notify_all();
  if (impl_->sub_thread.joinable()) impl_->sub_thread.join();
  if (impl_->pub_thread.joinable()) impl_->pub_thread.join();
  Impl* raw = impl_.get();
  (void)raw;
  // The gauge callback captured the Impl: point it at a constant before it goes.
  api::Metrics().AddGaugeCallback("cx_redis_up", "1 while this node's Redis connection is up", {}, [] { return 0.0; });
}

uint64_t RedisBus::Subscribe(const std::string& channel, MessageHandler handler, std::function<void()> on_resubscribed) {
  std::lock_guard l(impl_->sub_mu);
  uint64_t id = impl_->next_sub++;
  impl_->subs[id] = Impl::Sub{channel, std::move(handler), std::move(on_resubscribed)};
  impl_->pending_sub.push_back(channel);
  return id;
}

void RedisBus::Unsubscribe(uint64_t id) {
  std::lock_guard l(impl_->sub_mu);
  auto it = impl_->subs.find(id);
  if (it == impl_->subs.end()) return;
  std::string ch = it->second.channel;
  impl_->subs.erase(it);
  for (const auto& [i, s] : impl_->subs)
    if (s.channel == ch) return;
  impl_->pending_unsub.push_back(ch);
}

bool RedisBus::Publish(const std::string& channel, std::string payload) {
  if (impl_->stop) return false;
  {
    std::lock_guard l(impl_->pub_mu);
    impl_->pub_q.emplace_back(channel, std::move(payload));
    // Bounded: keep the newest. (The sender holds at most 512 of the oldest in flight; they
    // stay in the queue until sent, so trimming from the front may drop one being sent,
    // which is harmless: it is then sent once, or lost and counted.)
    while (impl_->pub_q.size() > kMaxQueuedPublishes) {
      impl_->pub_q.pop_front();
      impl_->dropped->Inc();
    }
  }
  impl_->pub_cv.notify_one();
  return true;
}

Result<RedisReply> RedisBus::Command(const std::vector<std::string>& args) {
  CX_ASSIGN_OR_RETURN(RedisReply r, impl_->Run(args));
  if (r.is_error()) return Err(Code::kInternal, "redis: " + r.str);
  return r;
}

Result<RedisReply> RedisBus::Eval(const std::string& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args) {
  std::string sha;
  {
    std::lock_guard l(impl_->sha_mu);
    auto it = impl_->shas.find(script);
    if (it == impl_->shas.end()) it = impl_->shas.emplace(script, Sha1Hex(script)).first;
    sha = it->second;
  }
  std::vector<std::string> cmd{"EVALSHA", sha, std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  CX_ASSIGN_OR_RETURN(RedisReply r, impl_->Run(cmd));
  if (r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0) {
    cmd[0] = "EVAL";
    cmd[1] = script;
    CX_ASSIGN_OR_RETURN(r, impl_->Run(cmd));
  }
  if (r.is_error()) return Err(Code::kInternal, "redis: " + r.str);
  return r;
}

bool RedisBus::up() const { return impl_->up; }

bool RedisBus::WaitUp(std::chrono::milliseconds timeout) const {
  std::unique_lock l(impl_->sub_mu);
  impl_->sub_cv.wait_for(l, timeout, [&] { return impl_->up.load() || impl_->stop.load(); });
  return impl_->up;
}

const std::string& RedisBus::node_id() const { return impl_->opt.node_id; }

}  // namespace cx::app
