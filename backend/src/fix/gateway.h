// FIX 4.4 gateway (issue 11): a QuickFIX acceptor that turns FIX messages into plain
// requests for the application (Handler) and the application's answers back into FIX.
//
// This header is the whole contract between the gateway library, compiled as C++14
// (Debian 12's QuickFIX 1.15.1 headers carry dynamic exception specifications, which C++17
// rejects), and the C++20 server that includes it: standard headers only, valid in both
// standards, and no QuickFIX type. The gateway knows nothing of the registry.
//
// Units on the wire (documented in README "FIX gateway"): prices (Price 44, StopPx 99,
// LastPx 31, AvgPx 6, MDEntryPx 270) are decimals in the instrument's currency per tonne;
// quantities (OrderQty 38, CumQty 14, LeavesQty 151, LastQty 32, MinQty 110, MaxFloor 111,
// MDEntrySize 271) are tonnes with up to three decimals (kilogram precision). The gateway
// passes request values through as the strings received; the application parses them
// exactly (no floating point) and answers with strings it formatted.
//
// Sessions are the [SESSION] sections of the QuickFIX settings file (one per client
// SenderCompID). Per-session keys the gateway reads besides QuickFIX's own:
//   DropCopy=Y            read-only session receiving every execution report of the
//                         account that logged it on; order entry is refused.
//   CancelOnDisconnect=Y  the session's open orders are cancelled when it logs out or
//                         its connection drops.
// Message store: files under FileStorePath, so sequence numbers and sent messages survive a
// restart; a message sent to a session that is not logged on is stored with its sequence
// number and reaches the client by resend when it logs on again.
//
// Threading: Handler methods run on QuickFIX's connection threads (one per connection),
// possibly concurrently; they must not block (submit and return). The Send* methods may be
// called from any thread. Errors: Create/Start return false with a message.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cx {
namespace fix {

// "FIX.4.4:CARBONX->CLIENT1": our SessionID as QuickFIX prints it.
typedef std::string SessionKey;

struct SessionInfo {
  SessionKey key;
  std::string client_comp_id;  // the client's SenderCompID (our TargetCompID)
  bool drop_copy = false;
  bool cancel_on_disconnect = false;
};

// Logon (A): Username (553) = API key id, Password (554) = lowercase hex
// HMAC-SHA256(key secret, canonical), canonical = LogonCanonical(...) below.
struct LogonRequest {
  SessionInfo session;
  std::string key_id;
  std::string signature;
  int64_t timestamp_ms = 0;  // SendingTime (52) of the Logon, as unix milliseconds
  std::string canonical;     // what the client had to sign
};
struct LogonDecision {
  bool ok = false;
  std::string text;   // refusal reason sent in the Logout's Text (58)
  int64_t user = 0;   // the key's owner
};

// The string a client signs to log on: fields joined by '\n':
//   "CXFIX1", <timestamp_ms>, <MsgSeqNum of the Logon>, <client SenderCompID>, <our CompID>
std::string LogonCanonical(int64_t timestamp_ms, int64_t msg_seq_num, const std::string& sender_comp_id,
                           const std::string& target_comp_id);

// Instrument reference in a request: Symbol (55), or SecurityID (48) with
// SecurityIDSource (22) = 8 (exchange symbol: our instrument id), which wins when present.
struct InstrumentRef {
  std::string symbol;
  std::string security_id;
};

// NewOrderSingle (D); also the new terms of a cancel/replace (G).
struct OrderRequest {
  std::string cl_ord_id;       // 11
  std::string orig_cl_ord_id;  // 41 (G)
  std::string order_id;        // 37 (G, optional)
  InstrumentRef instrument;
  char side = 0;               // 54: '1' buy, '2' sell
  char ord_type = 0;           // 40: '1' market, '2' limit, '3' stop, '4' stop limit
  char time_in_force = 0;      // 59: '1' GTC, '3' IOC, '4' FOK, '6' GTD; 0 = absent
  std::string quantity;        // 38 (tonnes)
  std::string price;           // 44
  std::string stop_price;      // 99
  std::string max_floor;       // 111: iceberg display quantity
  std::string min_qty;         // 110: minimum fill
  int64_t expire_unix_s = 0;   // 126 ExpireTime (GTD)
  std::string exec_inst;       // 18: '6' = post-only (participate, don't initiate)
  std::string batch;           // 20001 CxBatch: the batch a standard-contract sell delivers
  std::string account;         // 1 (echoed; the account is the logged-on key's owner's)
};

// OrderCancelRequest (F) and OrderStatusRequest (H).
struct OrderRef {
  std::string cl_ord_id;       // 11
  std::string orig_cl_ord_id;  // 41 (F)
  std::string order_id;        // 37 (optional: else found by OrigClOrdID / ClOrdID)
  InstrumentRef instrument;
  char side = 0;
};

// OrderMassCancelRequest (q): type '1' = one instrument, '7' = all orders.
struct MassCancelRequest {
  std::string cl_ord_id;
  char type = 0;
  InstrumentRef instrument;
};

// MarketDataRequest (V).
struct MarketDataRequest {
  std::string req_id;                 // 262
  char subscription = 0;              // 263: '0' snapshot, '1' snapshot + updates, '2' unsubscribe
  int depth = 0;                      // 264: 0 = full book, N = best N levels
  std::vector<char> entry_types;      // 269: '0' bid, '1' offer, '2' trade
  std::vector<InstrumentRef> instruments;
};

// ---------------------------------------------------------------- outgoing

// ExecutionReport (8).
struct ExecutionReport {
  std::string order_id, cl_ord_id, orig_cl_ord_id, exec_id;
  char exec_type = '0';   // 150: 0 new, 4 cancelled, 5 replaced, 8 rejected, C expired, F trade, I status
  char ord_status = '0';  // 39: 0 new, 1 partial, 2 filled, 4 cancelled, 8 rejected, C expired
  int ord_rej_reason = -1;  // 103 when >= 0
  std::string symbol, security_id, currency;
  char side = '1';
  char ord_type = 0;       // 40 (0 = omitted)
  char time_in_force = 0;  // 59 (0 = omitted)
  std::string order_qty, price, stop_price, leaves_qty, cum_qty, avg_px;
  std::string last_qty, last_px;  // trades
  std::string batch;              // 20001: delivered batch (trades)
  std::string serials;            // 20002: delivered kilogram ranges of that batch ("a-b,c-d")
  std::string account;            // 1
  std::string text;               // 58: "<STABLE_CODE>: message" on refusals
  int64_t transact_time_us = 0;   // 60
};

// OrderCancelReject (9).
struct CancelReject {
  std::string order_id, cl_ord_id, orig_cl_ord_id;
  char ord_status = '8';
  char response_to = '1';  // 434: '1' cancel, '2' cancel/replace
  int reason = 99;         // 102: 0 too late, 1 unknown order, 99 other
  std::string text;
};

// OrderMassCancelReport (r).
struct MassCancelReport {
  std::string cl_ord_id, order_id;
  char request_type = '7';
  char response = '7';  // 531: '0' rejected, else echoes the request type
  int total_affected = 0;
  std::string text;
};

// BusinessMessageReject (j): reason 0 other, 1 unknown id, 2 unknown security,
// 3 unsupported message type, 4 application not available, 5 conditionally required
// field missing, 6 not authorized.
struct BusinessReject {
  std::string ref_msg_type;
  int ref_seq_num = 0;
  std::string ref_id;
  int reason = 0;
  std::string text;
};

struct Security {
  std::string symbol, security_id, description, currency;
  std::string min_price_increment, round_lot;  // decimal price, tonnes
  std::string security_type;                   // "BATCH" or "CONTRACT"
};
struct SecurityList {
  std::string req_id;
  int result = 0;  // 560: 0 valid, 2 no instruments match
  std::vector<Security> securities;
};

struct MdEntry {
  char type = '0';    // 269: '0' bid, '1' offer, '2' trade
  char action = '0';  // 279 (incremental): '0' new, '1' change, '2' delete
  std::string price, size;
  std::string symbol, security_id;  // incremental: which instrument
};
// Snapshot (W) when `snapshot`, else incremental refresh (X).
struct MarketData {
  std::string req_id;
  bool snapshot = true;
  std::string symbol, security_id;  // W
  std::vector<MdEntry> entries;
};
struct MarketDataReject {
  std::string req_id;
  int reason = 0;  // 281: 0 unknown symbol, 1 duplicate MDReqID, 5 unsupported MDUpdateType, ...
  std::string text;
};

// Implemented by the application. Each request carries the session it came on and the
// MsgSeqNum it had (for BusinessReject).
class Handler {
 public:
  virtual ~Handler() {}
  virtual LogonDecision Logon(const LogonRequest& r) = 0;
  virtual void LoggedOn(const SessionInfo& s, int64_t user) = 0;
  // Logout or lost connection (after a successful logon).
  virtual void LoggedOut(const SessionInfo& s) = 0;
  virtual void NewOrder(const SessionInfo& s, int seq, const OrderRequest& r) = 0;
  virtual void CancelOrder(const SessionInfo& s, int seq, const OrderRef& r) = 0;
  virtual void ReplaceOrder(const SessionInfo& s, int seq, const OrderRequest& r) = 0;
  virtual void OrderStatus(const SessionInfo& s, int seq, const OrderRef& r) = 0;
  virtual void MassCancel(const SessionInfo& s, int seq, const MassCancelRequest& r) = 0;
  virtual void SecurityListRequest(const SessionInfo& s, int seq, const std::string& req_id) = 0;
  virtual void MarketDataRequest(const SessionInfo& s, int seq, const fix::MarketDataRequest& r) = 0;
};

struct GatewayOptions {
  std::string settings_file;     // QuickFIX settings ([DEFAULT] and [SESSION] sections)
  int port = 0;                  // > 0: overrides SocketAcceptPort
  std::string state_dir;         // FileStorePath / FileLogPath default under it; dictionary written here
};

class Gateway {
 public:
  virtual ~Gateway() {}
  // Reads the settings (false + *error on a bad file); does not listen yet.
  static std::unique_ptr<Gateway> Create(const GatewayOptions& o, Handler* h, std::string* error);
  virtual bool Start(std::string* error) = 0;
  virtual void Stop() = 0;
  virtual std::vector<SessionInfo> Sessions() const = 0;
  virtual bool LoggedOn(const SessionKey& s) const = 0;
  // Ends the session: Logout with `text`, then the connection closes.
  virtual void Logout(const SessionKey& s, const std::string& text) = 0;
  // False when the session is unknown.
  virtual bool Send(const SessionKey& s, const ExecutionReport& m) = 0;
  virtual bool Send(const SessionKey& s, const CancelReject& m) = 0;
  virtual bool Send(const SessionKey& s, const MassCancelReport& m) = 0;
  virtual bool Send(const SessionKey& s, const BusinessReject& m) = 0;
  virtual bool Send(const SessionKey& s, const SecurityList& m) = 0;
  virtual bool Send(const SessionKey& s, const MarketData& m) = 0;
  virtual bool Send(const SessionKey& s, const MarketDataReject& m) = 0;
};

// The data dictionary both the gateway and the test initiator validate against: the
// FIX 4.4 messages the venue supports, with their required fields and enumerations.
const char* DictionaryXml();
// Writes DictionaryXml() to `path` (false + *error on failure).
bool WriteDictionary(const std::string& path, std::string* error);

}  // namespace fix
}  // namespace cx
