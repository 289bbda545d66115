// QuickFIX side of the gateway (C++14; see gateway.h). Translates between FIX messages
// and the plain structs of gateway.h; validation of the message layout (required tags,
// enumerations, data formats) is QuickFIX's, against DictionaryXml(); everything about
// orders and accounts is the Handler's.
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketAcceptor.h>

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "fix/gateway.h"

namespace cx {
namespace fix {

std::string LogonCanonical(int64_t timestamp_ms, int64_t msg_seq_num, const std::string& sender_comp_id,
                           const std::string& target_comp_id) {
  return "CXFIX1\n" + std::to_string(timestamp_ms) + "\n" + std::to_string(msg_seq_num) + "\n" + sender_comp_id +
         "\n" + target_comp_id;
}

namespace {

// Decimal integer of a field value; 0 when it is not one.
int64_t ToInt(const std::string& s) {
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  return (end != s.c_str() && *end == 0) ? static_cast<int64_t>(v) : 0;
}

const std::string& Get(const FIX::FieldMap& m, int tag) {
  static const std::string kEmpty;
  return m.isSetField(tag) ? m.getField(tag) : kEmpty;
}
char GetChar(const FIX::FieldMap& m, int tag) {
  const std::string& v = Get(m, tag);
  return v.size() == 1 ? v[0] : 0;
}
void Put(FIX::FieldMap& m, int tag, const std::string& v) {
  if (!v.empty()) m.setField(tag, v);
}
void PutChar(FIX::FieldMap& m, int tag, char c) {
  if (c != 0) m.setField(tag, std::string(1, c));
}
void PutInt(FIX::FieldMap& m, int tag, int64_t v) { m.setField(tag, std::to_string(v)); }

std::string UtcTimestamp(int64_t unix_us) {
  if (unix_us <= 0) unix_us = static_cast<int64_t>(std::time(nullptr)) * 1000000;
  std::time_t t = static_cast<std::time_t>(unix_us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>((unix_us / 1000) % 1000));
  return std::string(buf) + ms;
}

// Unix milliseconds of a UTCTimestamp field value; -1 when malformed.
int64_t UnixMs(const std::string& v) {
  try {
    FIX::UtcTimeStamp ts = FIX::UtcTimeStampConvertor::convert(v);
    return static_cast<int64_t>(ts.getTimeT()) * 1000 + ts.getMillisecond();
  } catch (const FIX::FieldConvertError&) {
    return -1;
  }
}

InstrumentRef Instrument(const FIX::FieldMap& m) {
  InstrumentRef r;
  r.symbol = Get(m, 55);
  if (m.isSetField(48)) r.security_id = Get(m, 48);
  return r;
}

void PutInstrument(FIX::FieldMap& m, const std::string& symbol, const std::string& security_id) {
  m.setField(55, symbol.empty() ? std::string("[N/A]") : symbol);
  if (!security_id.empty()) {
    m.setField(48, security_id);
    m.setField(22, "8");
  }
}

FIX::Message NewMessage(const char* type) {
  FIX::Message m;
  m.getHeader().setField(FIX::MsgType(type));
  return m;
}

bool MakeDir(const std::string& p) { return ::mkdir(p.c_str(), 0700) == 0 || errno == EEXIST; }

class GatewayImpl final : public Gateway, public FIX::Application {
 public:
  GatewayImpl(Handler* h, FIX::SessionSettings s) : handler_(h), settings_(std::move(s)) {
    for (const FIX::SessionID& id : settings_.getSessions()) {
      const FIX::Dictionary& d = settings_.get(id);
      SessionInfo info;
      info.key = id.toString();
      info.client_comp_id = id.getTargetCompID().getValue();
      info.drop_copy = d.has("DropCopy") && d.getBool("DropCopy");
      info.cancel_on_disconnect = d.has("CancelOnDisconnect") && d.getBool("CancelOnDisconnect");
      sessions_[info.key] = info;
      ids_.insert(std::make_pair(info.key, id));
    }
  }
  ~GatewayImpl() override { Stop(); }

  bool Start(std::string* error) override {
    try {
      store_.reset(new FIX::FileStoreFactory(settings_));
      log_.reset(new FIX::FileLogFactory(settings_));
      acceptor_.reset(new FIX::ThreadedSocketAcceptor(*this, *store_, settings_, *log_));
      acceptor_->start();
    } catch (const std::exception& e) {
      *error = std::string("FIX gateway: ") + e.what();
      acceptor_.reset();
      return false;
    }
    return true;
  }

  void Stop() override {
    if (acceptor_) {
      acceptor_->stop();
      acceptor_.reset();
    }
  }

  std::vector<SessionInfo> Sessions() const override {
    std::vector<SessionInfo> v;
    for (const auto& kv : sessions_) v.push_back(kv.second);
    return v;
  }

  bool LoggedOn(const SessionKey& k) const override {
    auto it = ids_.find(k);
    if (it == ids_.end()) return false;
    FIX::Session* s = FIX::Session::lookupSession(it->second);
    return s != nullptr && s->isLoggedOn();
  }

  void Logout(const SessionKey& k, const std::string& text) override {
    auto it = ids_.find(k);
    if (it == ids_.end()) return;
    {
      std::lock_guard<std::mutex> l(mu_);
      kicked_.insert(k);
    }
    // logout() also disables the session; onLogout enables it again for the next logon.
    if (FIX::Session* s = FIX::Session::lookupSession(it->second)) s->logout(text);
  }

  bool Send(const SessionKey& k, const ExecutionReport& r) override {
    FIX::Message m = NewMessage("8");
    m.setField(37, r.order_id.empty() ? std::string("NONE") : r.order_id);
    Put(m, 11, r.cl_ord_id);
    Put(m, 41, r.orig_cl_ord_id);
    m.setField(17, r.exec_id);
    PutChar(m, 150, r.exec_type);
    PutChar(m, 39, r.ord_status);
    if (r.ord_rej_reason >= 0) PutInt(m, 103, r.ord_rej_reason);
    Put(m, 1, r.account);
    PutInstrument(m, r.symbol, r.security_id);
    PutChar(m, 54, r.side);
    Put(m, 38, r.order_qty);
    PutChar(m, 40, r.ord_type);
    Put(m, 44, r.price);
    Put(m, 99, r.stop_price);
    Put(m, 15, r.currency);
    PutChar(m, 59, r.time_in_force);
    Put(m, 32, r.last_qty);
    Put(m, 31, r.last_px);
    m.setField(151, r.leaves_qty.empty() ? std::string("0") : r.leaves_qty);
    m.setField(14, r.cum_qty.empty() ? std::string("0") : r.cum_qty);
    m.setField(6, r.avg_px.empty() ? std::string("0") : r.avg_px);
    m.setField(60, UtcTimestamp(r.transact_time_us));
    Put(m, 58, r.text);
    Put(m, 20001, r.batch);
    Put(m, 20002, r.serials);
    return Deliver(k, m);
  }

  bool Send(const SessionKey& k, const CancelReject& r) override {
    FIX::Message m = NewMessage("9");
    m.setField(37, r.order_id.empty() ? std::string("NONE") : r.order_id);
    m.setField(11, r.cl_ord_id.empty() ? std::string("NONE") : r.cl_ord_id);
    m.setField(41, r.orig_cl_ord_id.empty() ? std::string("NONE") : r.orig_cl_ord_id);
    PutChar(m, 39, r.ord_status);
    PutChar(m, 434, r.response_to);
    PutInt(m, 102, r.reason);
    Put(m, 58, r.text);
    return Deliver(k, m);
  }

  bool Send(const SessionKey& k, const MassCancelReport& r) override {
    FIX::Message m = NewMessage("r");
    Put(m, 11, r.cl_ord_id);
    m.setField(37, r.order_id.empty() ? std::string("NONE") : r.order_id);
    PutChar(m, 530, r.request_type);
    PutChar(m, 531, r.response);
    PutInt(m, 533, r.total_affected);
    Put(m, 58, r.text);
    return Deliver(k, m);
  }

  bool Send(const SessionKey& k, const BusinessReject& r) override {
    FIX::Message m = NewMessage("j");
    if (r.ref_seq_num > 0) PutInt(m, 45, r.ref_seq_num);
    m.setField(372, r.ref_msg_type.empty() ? std::string("?") : r.ref_msg_type);
    Put(m, 379, r.ref_id);
    PutInt(m, 380, r.reason);
    Put(m, 58, r.text);
    return Deliver(k, m);
  }

  bool Send(const SessionKey& k, const SecurityList& r) override {
    FIX::Message m = NewMessage("y");
    m.setField(320, r.req_id);
    m.setField(322, r.req_id + "-" + std::to_string(++response_ids_));
    PutInt(m, 560, r.result);
    PutInt(m, 393, static_cast<int64_t>(r.securities.size()));
    m.setField(893, "Y");
    for (const Security& s : r.securities) {
      FIX::Group g(146, 55);
      PutInstrument(g, s.symbol, s.security_id);
      Put(g, 167, s.security_type);
      Put(g, 107, s.description);
      Put(g, 15, s.currency);
      Put(g, 969, s.min_price_increment);
      Put(g, 561, s.round_lot);
      m.addGroup(g);
    }
    return Deliver(k, m);
  }

  bool Send(const SessionKey& k, const MarketData& r) override {
    FIX::Message m = NewMessage(r.snapshot ? "W" : "X");
    Put(m, 262, r.req_id);
    if (r.snapshot) PutInstrument(m, r.symbol, r.security_id);
    if (r.snapshot) PutInt(m, 268, 0);  // an empty book is a group of none
    for (const MdEntry& e : r.entries) {
      FIX::Group g(268, r.snapshot ? 269 : 279);
      if (!r.snapshot) PutChar(g, 279, e.action);
      PutChar(g, 269, e.type);
      if (!r.snapshot) {
        Put(g, 55, e.symbol);
        if (!e.security_id.empty()) {
          g.setField(48, e.security_id);
          g.setField(22, "8");
        }
      }
      Put(g, 270, e.price);
      Put(g, 271, e.size);
      m.addGroup(g);
    }
    return Deliver(k, m);
  }

  bool Send(const SessionKey& k, const MarketDataReject& r) override {
    FIX::Message m = NewMessage("Y");
    m.setField(262, r.req_id);
    m.setField(281, std::to_string(r.reason));
    Put(m, 58, r.text);
    return Deliver(k, m);
  }

  // ------------------------------------------------------------ FIX::Application
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    int64_t user = 0;
    {
      std::lock_guard<std::mutex> l(mu_);
      user = pending_user_[id.toString()];
    }
    handler_->LoggedOn(Info(id), user);
  }
  void onLogout(const FIX::SessionID& id) override {
    bool was = false, kicked = false;
    {
      std::lock_guard<std::mutex> l(mu_);
      was = pending_user_.erase(id.toString()) > 0;
      kicked = kicked_.erase(id.toString()) > 0;
    }
    if (kicked)
      if (FIX::Session* s = FIX::Session::lookupSession(id)) s->logon();
    if (was) handler_->LoggedOut(Info(id));
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}

  void fromAdmin(const FIX::Message& m, const FIX::SessionID& id)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {
    if (m.getHeader().getField(35) != "A") return;
    LogonRequest r;
    r.session = Info(id);
    r.key_id = Get(m, 553);
    r.signature = Get(m, 554);
    if (r.key_id.empty() || r.signature.empty())
      throw FIX::RejectLogon("AUTH_BAD_TOKEN: Username (553) = API key id and Password (554) = signature required");
    const FIX::Header& h = m.getHeader();
    r.timestamp_ms = UnixMs(h.getField(52));
    int64_t seq = ToInt(h.getField(34));
    r.canonical = LogonCanonical(r.timestamp_ms, seq, h.getField(49), h.getField(56));
    LogonDecision d = handler_->Logon(r);
    if (!d.ok) throw FIX::RejectLogon(d.text);
    std::lock_guard<std::mutex> l(mu_);
    pending_user_[r.session.key] = d.user;
  }

  void fromApp(const FIX::Message& m, const FIX::SessionID& id)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    const std::string& type = m.getHeader().getField(35);
    const SessionInfo info = Info(id);
    int seq = static_cast<int>(ToInt(m.getHeader().getField(34)));
    const bool entry = type == "D" || type == "F" || type == "G" || type == "q";
    if (entry && info.drop_copy) {
      BusinessReject br;
      br.ref_msg_type = type;
      br.ref_seq_num = seq;
      br.ref_id = Get(m, 11);
      br.reason = 6;
      br.text = "AUTH_FORBIDDEN: a drop-copy session is read-only";
      FIX::Message reject = Build(br);
      Deliver(info.key, reject);
      return;
    }
    if (type == "D" || type == "G") {
      OrderRequest r;
      r.cl_ord_id = Get(m, 11);
      r.orig_cl_ord_id = Get(m, 41);
      r.order_id = Get(m, 37);
      r.instrument = Instrument(m);
      r.side = GetChar(m, 54);
      r.ord_type = GetChar(m, 40);
      r.time_in_force = GetChar(m, 59);
      r.quantity = Get(m, 38);
      r.price = Get(m, 44);
      r.stop_price = Get(m, 99);
      r.max_floor = Get(m, 111);
      r.min_qty = Get(m, 110);
      r.exec_inst = Get(m, 18);
      r.batch = Get(m, 20001);
      r.account = Get(m, 1);
      if (m.isSetField(126)) {
        int64_t ms = UnixMs(Get(m, 126));
        if (ms < 0) throw FIX::IncorrectDataFormat(126);
        r.expire_unix_s = ms / 1000;
      }
      if (type == "D")
        handler_->NewOrder(info, seq, r);
      else
        handler_->ReplaceOrder(info, seq, r);
    } else if (type == "F" || type == "H") {
      OrderRef r;
      r.cl_ord_id = Get(m, 11);
      r.orig_cl_ord_id = Get(m, 41);
      r.order_id = Get(m, 37);
      r.instrument = Instrument(m);
      r.side = GetChar(m, 54);
      if (type == "F")
        handler_->CancelOrder(info, seq, r);
      else
        handler_->OrderStatus(info, seq, r);
    } else if (type == "q") {
      MassCancelRequest r;
      r.cl_ord_id = Get(m, 11);
      r.type = GetChar(m, 530);
      r.instrument = Instrument(m);
      handler_->MassCancel(info, seq, r);
    } else if (type == "x") {
      handler_->SecurityListRequest(info, seq, Get(m, 320));
    } else if (type == "V") {
      fix::MarketDataRequest r;
      r.req_id = Get(m, 262);
      r.subscription = GetChar(m, 263);
      r.depth = static_cast<int>(ToInt(Get(m, 264)));
      FIX::Group types(267, 269);
      for (int i = 1; m.hasGroup(i, types); ++i) {
        m.getGroup(i, types);
        r.entry_types.push_back(GetChar(types, 269));
      }
      FIX::Group syms(146, 55);
      for (int i = 1; m.hasGroup(i, syms); ++i) {
        m.getGroup(i, syms);
        r.instruments.push_back(Instrument(syms));
      }
      handler_->MarketDataRequest(info, seq, r);
    } else {
      throw FIX::UnsupportedMessageType();
    }
  }

 private:
  SessionInfo Info(const FIX::SessionID& id) const {
    auto it = sessions_.find(id.toString());
    if (it != sessions_.end()) return it->second;
    SessionInfo i;
    i.key = id.toString();
    i.client_comp_id = id.getTargetCompID().getValue();
    return i;
  }

  static FIX::Message Build(const BusinessReject& r) {
    FIX::Message m = NewMessage("j");
    if (r.ref_seq_num > 0) PutInt(m, 45, r.ref_seq_num);
    m.setField(372, r.ref_msg_type);
    Put(m, 379, r.ref_id);
    PutInt(m, 380, r.reason);
    Put(m, 58, r.text);
    return m;
  }

  bool Deliver(const SessionKey& k, FIX::Message& m) {
    auto it = ids_.find(k);
    if (it == ids_.end()) return false;
    try {
      return FIX::Session::sendToTarget(m, it->second);
    } catch (const FIX::SessionNotFound&) {
      return false;
    }
  }

  Handler* handler_;
  FIX::SessionSettings settings_;
  std::map<std::string, SessionInfo> sessions_;  // fixed after construction
  std::map<std::string, FIX::SessionID> ids_;
  std::unique_ptr<FIX::FileStoreFactory> store_;
  std::unique_ptr<FIX::FileLogFactory> log_;
  std::unique_ptr<FIX::ThreadedSocketAcceptor> acceptor_;
  std::mutex mu_;
  std::map<std::string, int64_t> pending_user_;  // session -> user of its accepted logon
  std::set<std::string> kicked_;                 // sessions logged out by Logout()
  std::atomic<int64_t> response_ids_{0};
};

}  // namespace

std::unique_ptr<Gateway> Gateway::Create(const GatewayOptions& o, Handler* h, std::string* error) {
  try {
    if (!MakeDir(o.state_dir) || !MakeDir(o.state_dir + "/store") || !MakeDir(o.state_dir + "/log")) {
      *error = "FIX gateway: cannot create " + o.state_dir;
      return nullptr;
    }
    const std::string dict = o.state_dir + "/CX-FIX44.xml";
    if (!WriteDictionary(dict, error)) return nullptr;
    // Defaults the venue needs unless the file says otherwise (they go first in [DEFAULT],
    // so the file's own lines win); the port from the command line wins over the file.
    std::ifstream in(o.settings_file);
    if (!in) {
      *error = "FIX gateway: cannot read " + o.settings_file;
      return nullptr;
    }
    std::string def, rest, line;
    bool in_default = false;
    while (std::getline(in, line)) {
      std::string t = line;
      t.erase(0, t.find_first_not_of(" \t"));
      if (!t.empty() && t[0] == '[') in_default = t.compare(0, 9, "[DEFAULT]") == 0;
      if (o.port > 0 && t.compare(0, 16, "SocketAcceptPort") == 0) continue;
      if (in_default && !(t.compare(0, 9, "[DEFAULT]") == 0))
        def += line + "\n";
      else if (!in_default)
        rest += line + "\n";
    }
    std::string text = "[DEFAULT]\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\n"
                       "FileStorePath=" + o.state_dir + "/store\nFileLogPath=" + o.state_dir + "/log\n"
                       "UseDataDictionary=Y\nDataDictionary=" + dict + "\nAllowUnknownMsgFields=Y\n"
                       "ValidateUserDefinedFields=N\nTimestampPrecision=3\nPersistMessages=Y\n" + def;
    if (o.port > 0) text += "SocketAcceptPort=" + std::to_string(o.port) + "\n";
    text += rest;
    std::istringstream settings_text(text);
    FIX::SessionSettings s(settings_text);
    for (const FIX::SessionID& id : s.getSessions())
      if (id.getBeginString().getValue() != "FIX.4.4") {
        *error = "FIX gateway: session " + id.toString() + ": only FIX.4.4 is supported";
        return nullptr;
      }
    if (s.getSessions().empty()) {
      *error = "FIX gateway: " + o.settings_file + " defines no [SESSION]";
      return nullptr;
    }
    return std::unique_ptr<Gateway>(new GatewayImpl(h, s));
  } catch (const std::exception& e) {
    *error = std::string("FIX gateway: ") + o.settings_file + ": " + e.what();
    return nullptr;
  }
}

}  // namespace fix
}  // namespace cx
