// cx_fix_client: the counterparty a client would run against CarbonXchange's FIX gateway,
// written against Debian's QuickFIX (initiator). It drives scripted checks and prints one
// line per check ("PASS name" / "FAIL name: why") and "CLIENT_RESULT <passed> <failed>";
// the exit status is non-zero when a check failed. Used by backend/tests/api/fix.test.mjs
// (tools/suites/55-fix.sh) and tools/bench/fix.sh.
//
//   cx_fix_client --port P --dir WORK --phase main|restart|revoke|bench --symbol SYM [--contract ID]
//                 --seller KEYID:SECRET --buyer KEYID:SECRET [--orders N --window W]
//
// Sessions (the server's settings must define them, TargetCompID CARBONX):
//   SELLER (CancelOnDisconnect=Y), BUYER, DROPCOPY (DropCopy=Y, logged on with the buyer's
//   key: it sees the buyer's reports), BENCH.
// Each session keeps its message store under WORK/store, so a later run resumes its
// sequence numbers (the "restart" phase checks the server kept its own).
#include <openssl/hmac.h>
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketInitiator.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fix/gateway.h"

namespace {

using Clock = std::chrono::steady_clock;

// Decimal integer / number of a field value; 0 when it is not one.
int64_t ToInt(const std::string& s) {
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  return (end != s.c_str() && *end == 0) ? static_cast<int64_t>(v) : 0;
}
double ToDouble(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  return (end != s.c_str() && *end == 0) ? v : 0;
}

std::string Hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::string HmacHex(const std::string& key, const std::string& msg) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out, &len);
  return Hex(out, len);
}

std::string F(const FIX::FieldMap& m, int tag) { return m.isSetField(tag) ? m.getField(tag) : std::string(); }
// A numeric field equals `v` (prices and quantities are decimals: "24.00" == 24).
bool Eq(const FIX::FieldMap& m, int tag, double v) {
  if (!m.isSetField(tag)) return false;
  double x = ToDouble(m.getField(tag));
  return x > v - 1e-9 && x < v + 1e-9;
}

struct Received {
  std::string type;
  FIX::Message msg;
  bool poss_dup = false;
  Clock::time_point at;
};

// One initiator session and everything it received.
class Client : public FIX::Application {
 public:
  Client(std::string comp, std::string key_id, std::string secret)
      : comp_(std::move(comp)), key_id_(std::move(key_id)), secret_(std::move(secret)) {}

  bool Start(const std::string& dir, int port, std::string* err) {
    std::stringstream cfg;
    cfg << "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\nSocketConnectPort=" << port
        << "\nHeartBtInt=30\nReconnectInterval=1\nFileStorePath=" << dir << "/store\nFileLogPath=" << dir
        << "/log\nStartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=Y\nDataDictionary=" << dir
        << "/CX-FIX44.xml\nTimestampPrecision=3\nAllowUnknownMsgFields=Y\nValidateUserDefinedFields=N\n"
        << "LogoutTimeout=2\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" << comp_ << "\nTargetCompID=CARBONX\n";
    try {
      settings_.reset(new FIX::SessionSettings(cfg));
      store_.reset(new FIX::FileStoreFactory(*settings_));
      log_.reset(new FIX::FileLogFactory(*settings_));
      init_.reset(new FIX::ThreadedSocketInitiator(*this, *store_, *settings_, *log_));
      id_ = *settings_->getSessions().begin();
      init_->start();
    } catch (const std::exception& e) {
      *err = e.what();
      return false;
    }
    return true;
  }
  // force: drop the connection without a Logout (a crash or a cut cable).
  void Stop(bool force) {
    if (init_) init_->stop(force);
    init_.reset();
    logged_on_ = false;
  }

  bool WaitLogon(int ms) {
    return WaitFor(ms, [&] { return logged_on_.load(); });
  }

  bool Send(FIX::Message& m) {
    try {
      return FIX::Session::sendToTarget(m, id_);
    } catch (const std::exception&) {
      return false;
    }
  }

  // The first received message (index >= from) matching `pred`, waiting up to `ms`.
  bool Find(int ms, const std::function<bool(const Received&)>& pred, Received* out = nullptr, size_t from = 0) {
    std::unique_lock<std::mutex> l(mu_);
    auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
      for (size_t i = from; i < got_.size(); ++i)
        if (pred(got_[i])) {
          if (out) *out = got_[i];
          return true;
        }
      if (cv_.wait_until(l, deadline) == std::cv_status::timeout) {
        for (size_t i = from; i < got_.size(); ++i)
          if (pred(got_[i])) {
            if (out) *out = got_[i];
            return true;
          }
        return false;
      }
    }
  }
  size_t Count() {
    std::lock_guard<std::mutex> l(mu_);
    return got_.size();
  }
  std::vector<Received> Snapshot() {
    std::lock_guard<std::mutex> l(mu_);
    return got_;
  }
  FIX::Session* session() { return FIX::Session::lookupSession(id_); }
  void set_secret(const std::string& s) { secret_ = s; }
  int last_logon_seq() const { return last_logon_seq_.load(); }
  void set_on_message(std::function<void(const Received&)> f) { on_message_ = std::move(f); }

  // FIX::Application
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {
    logged_on_ = true;
    Notify();
  }
  void onLogout(const FIX::SessionID&) override {
    logged_on_ = false;
    Notify();
  }
  void toAdmin(FIX::Message& m, const FIX::SessionID&) override {
    if (F(m.getHeader(), 35) != "A") return;
    const FIX::Header& h = m.getHeader();
    FIX::UtcTimeStamp ts = FIX::UtcTimeStampConvertor::convert(h.getField(52));
    int64_t ms = static_cast<int64_t>(ts.getTimeT()) * 1000 + ts.getMillisecond();
    std::string canonical = cx::fix::LogonCanonical(ms, ToInt(h.getField(34)), h.getField(49), h.getField(56));
    m.setField(553, key_id_);
    m.setField(554, HmacHex(secret_, canonical));
  }
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {
    if (F(m.getHeader(), 35) == "A") last_logon_seq_ = static_cast<int>(ToInt(F(m.getHeader(), 34)));
    Record(m);
  }
  void fromApp(const FIX::Message& m, const FIX::SessionID&)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    Record(m);
  }

 private:
  void Record(const FIX::Message& m) {
    Received r;
    r.type = F(m.getHeader(), 35);
    r.msg = m;
    r.poss_dup = F(m.getHeader(), 43) == "Y";
    r.at = Clock::now();
    if (on_message_) on_message_(r);
    {
      std::lock_guard<std::mutex> l(mu_);
      got_.push_back(r);
    }
    cv_.notify_all();
  }
  void Notify() {
    std::lock_guard<std::mutex> l(mu_);
    cv_.notify_all();
  }
  bool WaitFor(int ms, const std::function<bool()>& ok) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::milliseconds(ms), ok);
  }

  std::string comp_, key_id_, secret_;
  std::unique_ptr<FIX::SessionSettings> settings_;
  std::unique_ptr<FIX::FileStoreFactory> store_;
  std::unique_ptr<FIX::FileLogFactory> log_;
  std::unique_ptr<FIX::ThreadedSocketInitiator> init_;
  FIX::SessionID id_;
  std::atomic<bool> logged_on_{false};
  std::atomic<int> last_logon_seq_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> got_;
  std::function<void(const Received&)> on_message_;
};

// ---------------------------------------------------------------- checks

int g_pass = 0, g_fail = 0;
void Check(bool ok, const std::string& name, const std::string& why = "") {
  if (ok) {
    ++g_pass;
    std::cout << "PASS " << name << std::endl;
  } else {
    ++g_fail;
    std::cout << "FAIL " << name << (why.empty() ? "" : ": " + why) << std::endl;
  }
}

std::string Now() { return FIX::UtcTimeStampConvertor::convert(FIX::UtcTimeStamp(), 3); }

FIX::Message Msg(const char* type) {
  FIX::Message m;
  m.getHeader().setField(35, type);
  return m;
}

FIX::Message NewOrder(const std::string& cl, const std::string& symbol, char side, const std::string& qty,
                      const std::string& price, char type = '2') {
  FIX::Message m = Msg("D");
  m.setField(11, cl);
  m.setField(55, symbol);
  m.setField(54, std::string(1, side));
  m.setField(60, Now());
  if (!qty.empty()) m.setField(38, qty);
  m.setField(40, std::string(1, type));
  if (!price.empty()) m.setField(44, price);
  return m;
}

FIX::Message Cancel(const std::string& cl, const std::string& orig, const std::string& symbol, char side) {
  FIX::Message m = Msg("F");
  m.setField(11, cl);
  m.setField(41, orig);
  m.setField(55, symbol);
  m.setField(54, std::string(1, side));
  m.setField(60, Now());
  return m;
}

FIX::Message Status(const std::string& cl, const std::string& symbol, char side) {
  FIX::Message m = Msg("H");
  m.setField(11, cl);
  m.setField(55, symbol);
  m.setField(54, std::string(1, side));
  return m;
}

// Predicates on received messages.
std::function<bool(const Received&)> Er(const std::string& cl, char exec_type) {
  return [cl, exec_type](const Received& r) {
    return r.type == "8" && F(r.msg, 11) == cl && F(r.msg, 150) == std::string(1, exec_type);
  };
}
std::function<bool(const Received&)> Type(const std::string& t) {
  return [t](const Received& r) { return r.type == t; };
}

std::string Describe(const Received& r) {
  std::string s = r.msg.toString();
  std::replace(s.begin(), s.end(), '\x01', '|');
  return s;
}

struct Args {
  int port = 0;
  std::string dir, phase = "main", symbol, contract_id = "3";
  std::string seller_id, seller_secret, buyer_id, buyer_secret;
  int orders = 2000, window = 50;
};

bool SplitKey(const std::string& v, std::string* id, std::string* secret) {
  auto c = v.find(':');
  if (c == std::string::npos) return false;
  *id = v.substr(0, c);
  *secret = v.substr(c + 1);
  return true;
}

const int kWait = 5000;

// ---------------------------------------------------------------- phase: main
void PhaseMain(const Args& a) {
  std::string err;
  // Wrong credentials: the logon is refused with a Logout naming the code; nothing else.
  {
    Client bad("SELLER", a.seller_id, a.seller_secret + "x");
    if (!bad.Start(a.dir, a.port, &err)) return Check(false, "start", err);
    Received lo;
    bool got = bad.Find(kWait, Type("5"), &lo);
    bad.Stop(true);
    Check(got && F(lo.msg, 58).find("AUTH_BAD_TOKEN") != std::string::npos, "logon with a wrong signature is refused",
          got ? F(lo.msg, 58) : "no Logout");
  }
  Client seller("SELLER", a.seller_id, a.seller_secret);
  Client buyer("BUYER", a.buyer_id, a.buyer_secret);
  Client drop("DROPCOPY", a.buyer_id, a.buyer_secret);
  if (!seller.Start(a.dir, a.port, &err) || !buyer.Start(a.dir, a.port, &err) || !drop.Start(a.dir, a.port, &err))
    return Check(false, "start", err);
  Check(seller.WaitLogon(kWait) && buyer.WaitLogon(kWait) && drop.WaitLogon(kWait), "three sessions log on with API keys");

  // Security list.
  {
    FIX::Message m = Msg("x");
    m.setField(320, "SL1");
    m.setField(559, "4");
    seller.Send(m);
    Received r;
    bool ok = seller.Find(kWait, Type("y"), &r);
    bool listed = ok && r.msg.toString().find(std::string("\x01") + "55=" + a.symbol + "\x01") != std::string::npos;
    Check(ok && listed && F(r.msg, 560) == "0", "security list names the instrument", ok ? Describe(r) : "no SecurityList");
  }
  // Test request: answered by a Heartbeat echoing TestReqID.
  {
    FIX::Message t = Msg("1");
    t.setField(112, "TR1");
    seller.Send(t);
    Check(seller.Find(2 * kWait, [](const Received& x) { return x.type == "0" && F(x.msg, 112) == "TR1"; }),
          "TestRequest answered by a Heartbeat with its TestReqID");
  }
  // Market data: snapshot, then incremental refresh as the book changes.
  {
    FIX::Message m = Msg("V");
    m.setField(262, "MD1");
    m.setField(263, "1");
    m.setField(264, "0");
    m.setField(265, "1");
    for (const char* t : {"0", "1", "2"}) {
      FIX::Group g(267, 269);
      g.setField(269, t);
      m.addGroup(g);
    }
    FIX::Group s(146, 55);
    s.setField(55, a.symbol);
    m.addGroup(s);
    buyer.Send(m);
    Received r;
    bool ok = buyer.Find(kWait, Type("W"), &r);
    Check(ok && F(r.msg, 262) == "MD1" && ToInt(F(r.msg, 268)) > 0, "market data snapshot (W) of the book",
          ok ? Describe(r) : "no W");
  }
  const size_t buyer_mark = buyer.Count();
  // Trade between the two sessions: the seller rests 2 t at 24.00, the buyer takes 1 t.
  FIX::Message s1 = NewOrder("S1", a.symbol, '2', "2", "24.00");
  seller.Send(s1);
  Received r;
  Check(seller.Find(kWait, Er("S1", '0'), &r) && F(r.msg, 39) == "0" && Eq(r.msg, 151, 2),
        "seller gets ExecutionReport New", Describe(r));
  const std::string s1_id = F(r.msg, 37);
  FIX::Message b1 = NewOrder("B1", a.symbol, '1', "1", "24.00");
  buyer.Send(b1);
  Check(buyer.Find(kWait, Er("B1", '0')), "buyer gets ExecutionReport New");
  Check(buyer.Find(kWait, Er("B1", 'F'), &r) && F(r.msg, 39) == "2" && Eq(r.msg, 32, 1) && Eq(r.msg, 31, 24) &&
            Eq(r.msg, 14, 1) && Eq(r.msg, 151, 0) && !F(r.msg, 20001).empty(),
        "buyer's fill: filled 1 t at 24.00 with the delivered batch", Describe(r));
  Check(seller.Find(kWait, Er("S1", 'F'), &r) && F(r.msg, 39) == "1" && Eq(r.msg, 14, 1) && Eq(r.msg, 151, 1),
        "seller's fill: partially filled, 1 t left", Describe(r));
  Check(drop.Find(kWait, Er("B1", 'F')) && drop.Find(kWait, Er("B1", '0')), "drop copy receives the buyer's reports");
  Check(!drop.Find(500, Er("S1", 'F')), "drop copy does not see the other account's reports");
  Check(buyer.Find(kWait, [](const Received& x) { return x.type == "X" && x.msg.toString().find("\x01" "269=2\x01") != std::string::npos; },
                   nullptr, buyer_mark),
        "market data incremental refresh (X) carries the trade");
  {
    FIX::Message d = NewOrder("DC1", a.symbol, '1', "1", "1.00");
    drop.Send(d);
    Check(drop.Find(kWait, [](const Received& x) { return x.type == "j" && F(x.msg, 380) == "6"; }),
          "order entry on the drop copy is refused (BusinessMessageReject 6)");
  }

  // Standard contract by SecurityID (instrument 3 of the demo): the fill names the batch
  // delivered and its kilogram ranges.
  {
    FIX::Message b4 = NewOrder("B4", "[N/A]", '1', "1", "27.00");
    b4.setField(48, a.contract_id);
    b4.setField(22, "8");
    buyer.Send(b4);
    Check(buyer.Find(kWait, Er("B4", 'F'), &r) && F(r.msg, 48) == a.contract_id && !F(r.msg, 20001).empty() &&
              !F(r.msg, 20002).empty() && F(r.msg, 39) == "2",
          "standard contract by SecurityID: fill with the delivered batch and serial ranges", Describe(r));
  }

  // Cancel/replace and cancel of the seller's rest.
  {
    FIX::Message g = Msg("G");
    g.setField(11, "S1R");
    g.setField(41, "S1");
    g.setField(55, a.symbol);
    g.setField(54, "2");
    g.setField(60, Now());
    g.setField(38, "3");
    g.setField(40, "2");
    g.setField(44, "24.10");
    seller.Send(g);
    Check(seller.Find(kWait, Er("S1R", '5'), &r) && F(r.msg, 41) == "S1" && Eq(r.msg, 44, 24.1) &&
              Eq(r.msg, 151, 2) && F(r.msg, 37) == s1_id,
          "cancel/replace: Replaced, OrigClOrdID, new price and leaves", Describe(r));
    FIX::Message c = Cancel("S1C", "S1R", a.symbol, '2');
    seller.Send(c);
    Check(seller.Find(kWait, Er("S1C", '4'), &r) && F(r.msg, 39) == "4" && F(r.msg, 41) == "S1R" && Eq(r.msg, 151, 0),
          "cancel: Cancelled with OrigClOrdID", Describe(r));
    FIX::Message c2 = Cancel("S1C2", "NOPE", a.symbol, '2');
    seller.Send(c2);
    Check(seller.Find(kWait, [](const Received& x) { return x.type == "9" && F(x.msg, 11) == "S1C2" && F(x.msg, 102) == "1"; }),
          "cancel of an unknown order: OrderCancelReject (unknown order)");
  }

  // A FOK the book cannot fill in full (it is refused, reported once), then a market order.
  {
    FIX::Message b5 = NewOrder("B5", a.symbol, '1', "500", "24.80");
    b5.setField(59, "4");
    buyer.Send(b5);
    Check(buyer.Find(kWait, Er("B5", '8'), &r) && F(r.msg, 39) == "8" && F(r.msg, 58).find("FOK") != std::string::npos &&
              !buyer.Find(200, Er("B5", '0')),
          "FOK the book cannot fill: one ExecutionReport Rejected", Describe(r));
    FIX::Message b6 = NewOrder("B6", a.symbol, '1', "1", "", '1');
    buyer.Send(b6);
    Check(buyer.Find(kWait, Er("B6", 'F'), &r) && F(r.msg, 39) == "2" && F(r.msg, 40) == "1",
          "market order fills against the best offer", Describe(r));
  }

  // Bad messages: the standard reject, and nothing changes.
  {
    FIX::Message m = NewOrder("BAD1", a.symbol, '2', "", "24.00");  // no OrderQty
    seller.Send(m);
    Check(seller.Find(kWait, [](const Received& x) { return x.type == "3" && F(x.msg, 373) == "1" && F(x.msg, 371) == "38"; }),
          "missing required tag: Reject (3) reason 1, RefTagID 38");
    FIX::Message p = NewOrder("BAD2", a.symbol, '2', "1", "abc");
    seller.Send(p);
    Check(seller.Find(kWait, [](const Received& x) { return x.type == "3" && F(x.msg, 373) == "6" && F(x.msg, 371) == "44"; }),
          "malformed price: Reject (3) reason 6 (incorrect data format)");
    FIX::Message t = NewOrder("BAD3", a.symbol, '2', "1", "24.00", '9');
    seller.Send(t);
    Check(seller.Find(kWait, [](const Received& x) { return x.type == "3" && F(x.msg, 373) == "5" && F(x.msg, 371) == "40"; }),
          "unknown OrdType: Reject (3) reason 5 (value out of range)");
    FIX::Message u = NewOrder("BAD4", "NO-SUCH-SYMBOL", '2', "1", "24.00");
    seller.Send(u);
    Check(seller.Find(kWait, Er("BAD4", '8'), &r) && F(r.msg, 103) == "1" && F(r.msg, 58).find("UNKNOWN_INSTRUMENT") != std::string::npos,
          "unknown symbol: ExecutionReport Rejected, OrdRejReason 1", Describe(r));
    FIX::Message k = NewOrder("BAD5", a.symbol, '2', "1", "24.001");
    seller.Send(k);
    Check(seller.Find(kWait, Er("BAD5", '8'), &r) && F(r.msg, 58).find("INVALID_FIELD") != std::string::npos,
          "price finer than the tick: ExecutionReport Rejected with the stable code", Describe(r));
    FIX::Message z = NewOrder("BAD6", a.symbol, '2', "1", "-5");
    seller.Send(z);
    Check(seller.Find(kWait, Er("BAD6", '8'), &r), "negative price: ExecutionReport Rejected", Describe(r));
    FIX::Message d = NewOrder("S1", a.symbol, '2', "1", "30.00");  // S1 again
    seller.Send(d);
    Check(seller.Find(kWait, [](const Received& x) { return x.type == "8" && F(x.msg, 11) == "S1" && F(x.msg, 150) == "8"; }, &r) &&
              F(r.msg, 103) == "6",
          "duplicate ClOrdID: ExecutionReport Rejected, OrdRejReason 6", Describe(r));
    FIX::Message l = NewOrder("BAD7", a.symbol, '2', "1", "");  // limit without a price
    seller.Send(l);
    Check(seller.Find(kWait, [](const Received& x) { return x.type == "j" && F(x.msg, 380) == "5"; }),
          "limit order without Price: BusinessMessageReject 5");
    FIX::Message q = Msg("AE");
    q.setField(571, "X");
    seller.Send(q);
    Check(seller.Find(kWait, [](const Received& x) { return x.type == "3" && F(x.msg, 373) == "11"; }),
          "unsupported message type: Reject (3) reason 11");
    // Nothing changed: the status of every bad ClOrdID is "unknown order".
    for (const char* cl : {"BAD1", "BAD2", "BAD3", "BAD5"}) {
      FIX::Message h = Status(cl, a.symbol, '2');
      seller.Send(h);
      Check(seller.Find(kWait, [cl](const Received& x) { return x.type == "8" && F(x.msg, 11) == cl && F(x.msg, 150) == "I"; }, &r) &&
                F(r.msg, 39) == "8",
            std::string("no order exists for ") + cl, Describe(r));
    }
  }

  // Disconnected mid-stream: the buyer rests an order, drops its connection, the seller
  // fills it; on reconnect the buyer gets the missed reports by resend (PossDupFlag).
  {
    FIX::Message b2 = NewOrder("B2", a.symbol, '1', "1", "23.95");
    buyer.Send(b2);
    Check(buyer.Find(kWait, Er("B2", '0')), "buyer rests B2");
    buyer.Stop(true);
    FIX::Message s2 = NewOrder("S2", a.symbol, '2', "1", "23.95");
    seller.Send(s2);
    Check(seller.Find(kWait, Er("S2", 'F'), &r) && F(r.msg, 39) == "2", "seller fills the offline buyer", Describe(r));
    Client again("BUYER", a.buyer_id, a.buyer_secret);
    if (!again.Start(a.dir, a.port, &err)) return Check(false, "restart buyer", err);
    Check(again.WaitLogon(kWait), "buyer logs on again");
    Check(again.Find(kWait, [](const Received& x) { return x.type == "8" && F(x.msg, 11) == "B2" && F(x.msg, 150) == "F" && x.poss_dup; }, &r) &&
              F(r.msg, 39) == "2",
          "missed fill recovered by resend (PossDupFlag=Y)", Describe(r));
    // Sequence number too low: the server logs the session out.
    FIX::Session* s = again.session();
    int next = s ? s->getExpectedSenderNum() : 0;
    if (s) s->setNextSenderMsgSeqNum(next - 2);
    FIX::Message h = Status("B2", a.symbol, '1');
    again.Send(h);
    Received lo;
    Check(again.Find(kWait, [](const Received& x) { return x.type == "5" && F(x.msg, 58).find("too low") != std::string::npos; }, &lo),
          "MsgSeqNum too low: Logout", Describe(lo));
    if (s) s->setNextSenderMsgSeqNum(next);
    again.Stop(true);
  }

  // Cancel on disconnect (SELLER has it): rest an order, drop the connection, log on
  // again and ask for its status.
  {
    FIX::Message s3 = NewOrder("S3", a.symbol, '2', "1", "99.00");
    seller.Send(s3);
    Check(seller.Find(kWait, Er("S3", '0')), "seller rests S3");
    seller.Stop(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Client back("SELLER", a.seller_id, a.seller_secret);
    if (!back.Start(a.dir, a.port, &err)) return Check(false, "restart seller", err);
    Check(back.WaitLogon(kWait), "seller logs on again");
    Check(back.Find(kWait, [](const Received& x) { return x.type == "8" && F(x.msg, 11) == "S3" && F(x.msg, 150) == "4"; }),
          "cancel on disconnect: S3 cancelled, reported on reconnect");
    back.Stop(false);
  }
  // The buyer (no cancel on disconnect) leaves one resting order for the restart phase.
  {
    Client b("BUYER", a.buyer_id, a.buyer_secret);
    if (!b.Start(a.dir, a.port, &err)) return Check(false, "restart buyer", err);
    Check(b.WaitLogon(kWait), "buyer logs on a third time");
    // Good-till-date: expires on the server's market timer (once a second).
    FIX::Message b7 = NewOrder("B7", a.symbol, '1', "1", "1.00");
    b7.setField(59, "6");
    b7.setField(126, FIX::UtcTimeStampConvertor::convert(FIX::UtcTimeStamp(std::time(nullptr) + 2, 0), 3));
    b.Send(b7);
    Received r;
    Check(b.Find(kWait, Er("B7", '0')) && b.Find(8000, Er("B7", 'C'), &r) && F(r.msg, 39) == "C",
          "GTD order expires: ExecutionReport Expired", Describe(r));
    // Mass cancel of one instrument: every open order of the account there.
    for (const char* cl : {"M1", "M2"}) {
      FIX::Message m = NewOrder(cl, a.symbol, '1', "1", "2.00");
      b.Send(m);
    }
    Check(b.Find(kWait, Er("M1", '0')) && b.Find(kWait, Er("M2", '0')), "two orders to mass cancel");
    FIX::Message q = Msg("q");
    q.setField(11, "MC0");
    q.setField(530, "1");
    q.setField(55, a.symbol);
    q.setField(60, Now());
    b.Send(q);
    Check(b.Find(kWait, Type("r"), &r) && F(r.msg, 531) == "1" && ToInt(F(r.msg, 533)) >= 2 &&
              b.Find(kWait, Er("M1", '4')) && b.Find(kWait, Er("M2", '4')),
          "mass cancel (q) of one instrument: report and each order Cancelled", Describe(r));
    FIX::Message b3 = NewOrder("B3", a.symbol, '1', "1", "1.00");
    b.Send(b3);
    Check(b.Find(kWait, Er("B3", '0')), "buyer rests B3 (for the restart check)");
    b.Stop(false);
  }
  drop.Stop(false);
}

// ---------------------------------------------------------------- phase: restart
// After `carbonx` restarted: the seller's session resumes where it was (the server's
// Logon carries the next number of its stored sequence, not 1); the buyer's B3 is still
// open and can be cancelled by its ClOrdID (the order routes survived too).
void PhaseRestart(const Args& a) {
  std::string err;
  Client seller("SELLER", a.seller_id, a.seller_secret);
  if (!seller.Start(a.dir, a.port, &err)) return Check(false, "start", err);
  Check(seller.WaitLogon(kWait), "seller logs on after the restart");
  Check(seller.last_logon_seq() > 5, "server kept its sequence numbers (Logon MsgSeqNum " +
                                         std::to_string(seller.last_logon_seq()) + ")");
  Check(!seller.Find(1000, Type("3")) && !seller.Find(10, [](const Received& x) { return x.type == "4" && F(x.msg, 123) != "Y"; }),
        "no reject and no sequence reset after the restart");
  seller.Stop(false);
  Client buyer("BUYER", a.buyer_id, a.buyer_secret);
  if (!buyer.Start(a.dir, a.port, &err)) return Check(false, "start", err);
  Check(buyer.WaitLogon(kWait), "buyer logs on after the restart");
  FIX::Message h = Status("B3", a.symbol, '1');
  buyer.Send(h);
  Received r;
  Check(buyer.Find(kWait, [](const Received& x) { return x.type == "8" && F(x.msg, 11) == "B3" && F(x.msg, 150) == "I"; }, &r) &&
            F(r.msg, 39) == "0",
        "B3 is still open after the restart", Describe(r));
  FIX::Message c = Cancel("B3C", "B3", a.symbol, '1');
  buyer.Send(c);
  Check(buyer.Find(kWait, Er("B3C", '4'), &r) && F(r.msg, 41) == "B3",
        "B3 cancelled by its ClOrdID after the restart (routes kept)", Describe(r));
  buyer.Stop(false);
}

// ---------------------------------------------------------------- phase: revoke
// The buyer logs on and prints READY; the test revokes its key over HTTP and writes a
// line; the next order is refused (BusinessMessageReject 6) and the session logged out,
// and the key cannot log on again.
void PhaseRevoke(const Args& a) {
  std::string err;
  Received r;
  {
    Client b("BUYER", a.buyer_id, a.buyer_secret);
    if (!b.Start(a.dir, a.port, &err)) return Check(false, "start", err);
    Check(b.WaitLogon(kWait), "buyer logs on before its key is revoked");
    std::cout << "READY" << std::endl;
    std::string line;
    std::getline(std::cin, line);
    FIX::Message d = NewOrder("RV1", a.symbol, '1', "1", "1.00");
    b.Send(d);
    Check(b.Find(kWait, [](const Received& x) { return x.type == "j" && F(x.msg, 380) == "6" && F(x.msg, 379) == "RV1"; }, &r),
          "order after the key was revoked: BusinessMessageReject 6", Describe(r));
    Check(b.Find(kWait, [](const Received& x) { return x.type == "5" && F(x.msg, 58).find("revoked") != std::string::npos; }, &r),
          "the session is logged out", Describe(r));
    Check(!b.Find(300, Er("RV1", '0')), "the order was not accepted");
    b.Stop(true);
  }
  Client c("BUYER", a.buyer_id, a.buyer_secret);
  if (!c.Start(a.dir, a.port, &err)) return Check(false, "start", err);
  Check(c.Find(kWait, [](const Received& x) { return x.type == "5" && F(x.msg, 58).find("AUTH_BAD_TOKEN") != std::string::npos; }, &r),
        "a revoked key cannot log on", Describe(r));
  c.Stop(true);
}

// ---------------------------------------------------------------- phase: bench
// Orders acknowledged per second over one session with `window` in flight: resting buys
// at 1.00-20.00, below the best offer (each acknowledged by ExecutionReport New, which
// leaves only after the journal commit).
void PhaseBench(const Args& a) {
  std::string err;
  Client c("BENCH", a.buyer_id, a.buyer_secret);
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Clock::time_point> sent;
  std::vector<double> lat_ms;
  int acked = 0, rejected = 0;
  std::string first_reject;
  c.set_on_message([&](const Received& r) {
    if (r.type != "8") return;
    std::lock_guard<std::mutex> l(mu);
    auto it = sent.find(F(r.msg, 11));
    if (it == sent.end()) return;
    lat_ms.push_back(std::chrono::duration<double, std::milli>(r.at - it->second).count());
    if (F(r.msg, 150) != "0" && rejected++ == 0) first_reject = F(r.msg, 58);
    sent.erase(it);
    ++acked;
    cv.notify_all();
  });
  if (!c.Start(a.dir, a.port, &err)) return Check(false, "start", err);
  if (!c.WaitLogon(kWait)) return Check(false, "bench session logs on");
  auto t0 = Clock::now();
  for (int i = 0; i < a.orders; ++i) {
    {
      std::unique_lock<std::mutex> l(mu);
      if (!cv.wait_for(l, std::chrono::seconds(10), [&] { return static_cast<int>(sent.size()) < a.window; }))
        return Check(false, "bench", "no acknowledgement within 10 s");
    }
    std::string cl = "P" + std::to_string(i);
    FIX::Message m = NewOrder(cl, a.symbol, '1', "1", std::to_string(1 + i % 20) + ".00");
    {
      std::lock_guard<std::mutex> l(mu);
      sent[cl] = Clock::now();
    }
    c.Send(m);
  }
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait_for(l, std::chrono::seconds(20), [&] { return sent.empty(); });
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  FIX::Message q = Msg("q");
  q.setField(11, "MC1");
  q.setField(530, "7");
  q.setField(60, Now());
  c.Send(q);
  Received r;
  bool mc = c.Find(20000, Type("r"), &r);
  c.Stop(false);
  std::sort(lat_ms.begin(), lat_ms.end());
  double p99 = lat_ms.empty() ? 0 : lat_ms[std::min(lat_ms.size() - 1, lat_ms.size() * 99 / 100)];
  Check(acked == a.orders && rejected == 0, "every bench order acknowledged",
        std::to_string(acked) + " acked, " + std::to_string(rejected) + " not New (" + first_reject + ")");
  Check(mc && ToInt(F(r.msg, 533)) >= a.orders, "mass cancel (q) reports every bench order cancelled",
        mc ? Describe(r) : "no OrderMassCancelReport");
  char line[160];
  std::snprintf(line, sizeof line, "BENCH fix_orders_per_s %.0f orders/s\nBENCH fix_order_p99_ms %.2f ms", acked / secs, p99);
  std::cout << line << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") a.port = static_cast<int>(ToInt(v));
    else if (k == "--dir") a.dir = v;
    else if (k == "--phase") a.phase = v;
    else if (k == "--symbol") a.symbol = v;
    else if (k == "--contract") a.contract_id = v;
    else if (k == "--orders") a.orders = static_cast<int>(ToInt(v));
    else if (k == "--window") a.window = static_cast<int>(ToInt(v));
    else if (k == "--seller") SplitKey(v, &a.seller_id, &a.seller_secret);
    else if (k == "--buyer") SplitKey(v, &a.buyer_id, &a.buyer_secret);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (!a.port || a.dir.empty() || a.symbol.empty() || a.buyer_id.empty()) {
    std::cerr << "usage: cx_fix_client --port P --dir WORK --phase main|restart|revoke|bench --symbol SYM "
                 "--seller ID:SECRET --buyer ID:SECRET [--orders N --window W]\n";
    return 2;
  }
  std::string err;
  if (!cx::fix::WriteDictionary(a.dir + "/CX-FIX44.xml", &err)) {
    std::cerr << err << "\n";
    return 2;
  }
  if (a.phase == "main") PhaseMain(a);
  else if (a.phase == "restart") PhaseRestart(a);
  else if (a.phase == "bench") PhaseBench(a);
  else if (a.phase == "revoke") PhaseRevoke(a);
  else {
    std::cerr << "unknown phase " << a.phase << "\n";
    return 2;
  }
  std::cout << "CLIENT_RESULT " << g_pass << " " << g_fail << std::endl;
  return g_fail == 0 ? 0 : 1;
}
