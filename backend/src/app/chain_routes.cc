// REST for the chain flows (the contract is in chain_worker.h / docs/chain.md): status, the
// batches mirrored on chain, withdrawals to a wallet, the deposit address and deposits back,
// and the verifiers' EIP-712 approvals. Handlers are thin: parse, verify a signature (on a
// worker thread), submit a command, render from the state after it.
#include <boost/json.hpp>
#include <ctime>
#include <utility>

#include "app/chain_worker.h"
#include "app/route_util.h"
#include "app/views.h"
#include "chain/eip712.h"
#include "chain/hex.h"
#include "chain/sign.h"
#include "core/units.h"

namespace cx::app {
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using auth::Role;
using registry::ChainBatch;
using registry::ChainWithdrawal;
using registry::RegistryState;
using namespace routes;

namespace {

int64_t NowS(const ServiceContext& c) { return c.now_seconds ? c.now_seconds() : std::time(nullptr); }

constexpr int64_t kAuthorisationSeconds = 3600;  // a withdrawal's operator authorisation lives 1 h

std::string BatchStatus(const ChainBatch& b) {
  if (b.failed) return "failed";
  if (b.step == registry::ChainStep::kProposed && static_cast<int64_t>(b.approvals.size()) < b.threshold)
    return "awaiting_signatures";
  return registry::ChainStepName(b.step);
}

json::object WithdrawalJson(const RegistryState& s, const ChainWithdrawal& w) {
  json::object o;
  o["id"] = w.id;
  o["batch"] = w.batch;
  const ChainBatch* b = s.chain_batch(w.batch);
  o["token_id"] = b ? b->token_id : "";
  o["quantity"] = FormatKgAsTonnes(w.quantity_kg);
  o["quantity_kg"] = w.quantity_kg;
  o["to"] = w.to;
  o["status"] = registry::ChainWithdrawalStatusName(w.status);
  auto t = w.tx ? s.chain().txs.find(w.tx) : s.chain().txs.end();
  o["tx_hash"] = t != s.chain().txs.end() ? json::value(t->second.hash) : json::value(nullptr);
  o["tx_nonce"] = t != s.chain().txs.end() ? json::value(t->second.nonce) : json::value(nullptr);
  o["nonce"] = w.id;  // the CarbonMarket Withdrawal nonce
  o["expiry"] = w.expiry;
  o["reason"] = w.reason;
  o["created_ts"] = w.created_ts;
  return o;
}

json::array SignaturesJson(const ChainBatch& b) {
  json::array a;
  for (const auto& x : b.approvals) a.push_back(json::object{{"verifier", x.verifier}, {"address", x.address}});
  return a;
}

// 503 CHAIN_UNAVAILABLE: no chain behind this server.
Error NotEnabled() { return Err(Code::kChainUnavailable, "the server runs without --chain", "chain"); }

// JSON Schemas of the chain routes' bodies (components/schemas of the OpenAPI document).
#define CX_TONNES R"({"type":"string","pattern":"^-?[0-9]+(\\.[0-9]{1,3})?$","description":"tonnes of CO2e, up to 3 decimals"})"
#define CX_ADDR R"({"type":"string","pattern":"^0x[0-9a-fA-F]{40}$"})"
#define CX_HASH R"({"type":["string","null"],"pattern":"^0x[0-9a-f]{64}$"})"
constexpr std::pair<const char*, const char*> kChainSchemas[] = {
    {"ChainStatus", R"({"type":"object","required":["enabled"],"properties":{"enabled":{"type":"boolean"},
      "network":{"type":"string","enum":["localhost","amoy","polygon","sepolia","mainnet"]},"chain_id":{"type":"integer"},
      "rpc_url":{"type":"string"},"head":{"type":"integer"},"lag_blocks":{"type":"integer"},"confirmations":{"type":"integer"},
      "operator":)" CX_ADDR R"(,"explorer":{"type":"string"},
      "contracts":{"type":"object","additionalProperties":{"type":"string"},"description":"name -> lower-case address, empty when not deployed"}}})"},
    {"ChainBatchList", R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","properties":{
      "batch":{"type":"integer"},"issuance":{"type":"integer"},"token_id":{"type":"string"},"minted_kg":{"type":"integer"},
      "custody_kg":{"type":"integer","description":"in CarbonMarket custody"},"on_chain_kg":{"type":"integer","description":"in wallets"},
      "amount_kg":{"type":"integer"},"signatures":{"type":"integer"},"threshold":{"type":"integer"},"metadata_uri":{"type":"string"},
      "status":{"type":"string","enum":["pending","project_registered","proposed","awaiting_signatures","verified","created","minted","failed"]}}}}}})"},
    {"ChainWithdrawalRequest", R"({"type":"object","required":["batch","quantity"],"properties":{"batch":{"type":"integer"},
      "quantity":)" CX_TONNES R"(,"to":)" CX_ADDR R"(}})"},
    {"ChainWithdrawal", R"({"type":"object","properties":{"id":{"type":"integer"},"batch":{"type":"integer"},"token_id":{"type":"string"},
      "quantity":)" CX_TONNES R"(,"quantity_kg":{"type":"integer"},"to":)" CX_ADDR R"(,
      "status":{"type":"string","enum":["requested","sent","confirmed","failed","released"]},"tx_hash":)" CX_HASH R"(,
      "tx_nonce":{"type":["integer","null"]},"nonce":{"type":"integer","description":"the CarbonMarket Withdrawal nonce"},
      "expiry":{"type":"integer"},"reason":{"type":"string"},"created_ts":{"type":"integer"}}})"},
    {"ChainWithdrawalCreated", R"({"type":"object","required":["withdrawal"],"properties":{"withdrawal":{"$ref":"#/components/schemas/ChainWithdrawal"}}})"},
    {"ChainWithdrawalList", R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/ChainWithdrawal"}}}})"},
    {"ChainDepositAddress", R"({"type":"object","required":["market","account_ref"],"properties":{"market":)" CX_ADDR R"(,
      "account_ref":{"type":"string","pattern":"^0x[0-9a-f]{64}$","description":"bytes32 of the account number"}}})"},
    {"ChainDepositList", R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","properties":{
      "tx_hash":)" CX_HASH R"(,"log_index":{"type":"integer"},"block_number":{"type":"integer"},"batch":{"type":"integer"},
      "token_id":{"type":"string"},"quantity":)" CX_TONNES R"(,"quantity_kg":{"type":"integer"},"from":)" CX_ADDR R"(,
      "status":{"type":"string","enum":["seen","credited","reorged","unclaimed"]},"confirmations":{"type":"integer"}}}}}})"},
    {"ChainApproval", R"({"type":"object","properties":{"issuance":{"type":"integer"},"batch":{"type":"integer"},
      "typed_data":{"type":"object","description":"EIP-712 typed data for eth_signTypedData_v4","required":["types","primaryType","domain","message"]},
      "threshold":{"type":"integer"},"signatures":{"type":"array","items":{"type":"object","properties":{"verifier":{"type":"integer"},"address":)" CX_ADDR R"(}}},
      "status":{"type":"string"}}})"},
    {"ChainApprovalRequest", R"({"type":"object","required":["signature"],"properties":{
      "signature":{"type":"string","pattern":"^0x[0-9a-fA-F]{130}$","description":"65-byte EIP-712 signature: r, s, v"}}})"},
    {"ChainApprovalResult", R"({"type":"object","properties":{"signatures":{"type":"array","items":{"type":"object","properties":{
      "verifier":{"type":"integer"},"address":)" CX_ADDR R"(}}},"status":{"type":"string"}}})"},
};
#undef CX_TONNES
#undef CX_ADDR
#undef CX_HASH

}  // namespace

Result<void> RegisterChainRoutes(api::Router& router, ServiceContext& ctx, ChainWorker* worker) {
  ServiceContext* c = &ctx;
  for (const auto& [name, text] : kChainSchemas) CX_TRY(router.AddSchema(name, text));
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary, int status = 200,
                 std::string request = {}, std::string response = {}) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h))
                          .Doc(std::move(summary), std::move(request), std::move(response), status));
  };
  const Access kUser = Access::AnyUser();

  CX_TRY(add(Method::kGet, "/api/v1/chain/status", Access::Public(), [worker](HttpRequest&&, const Principal&, Responder respond) {
    if (!worker) return respond(HttpResponse::Json(200, "{\"enabled\":false}"));
    const ChainStatus st = worker->Status();
    json::object o;
    o["enabled"] = true;
    o["network"] = st.network;
    o["chain_id"] = st.chain_id;
    o["rpc_url"] = st.rpc_url;
    o["head"] = st.head;
    o["lag_blocks"] = st.lag_blocks;
    o["confirmations"] = st.confirmations;
    o["operator"] = st.operator_address;
    o["explorer"] = st.explorer;
    json::object cs;
    for (const auto& [k, v] : st.contracts) cs[k] = v;
    o["contracts"] = std::move(cs);
    respond(HttpResponse::Json(200, Serialize(o)));
  }, "Chain connection: network, chain id, RPC URL for browsers, head, lag, confirmations, operator, contracts",
     200, {}, "ChainStatus"));

  CX_TRY(add(Method::kGet, "/api/v1/chain/batches", kUser, [c](HttpRequest&&, const Principal&, Responder respond) {
    Query(*c, [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      for (const auto& [id, b] : s.chain().batches) {
        json::object o;
        o["batch"] = id;
        o["issuance"] = b.issuance;
        o["token_id"] = b.token_id;
        o["minted_kg"] = b.minted_kg;
        o["custody_kg"] = b.minted_kg - s.OnChainHeld(id);
        o["on_chain_kg"] = s.OnChainHeld(id);
        o["amount_kg"] = b.amount_kg;
        o["signatures"] = static_cast<int64_t>(b.approvals.size());
        o["threshold"] = b.threshold;
        o["metadata_uri"] = b.metadata_uri;
        o["status"] = BatchStatus(b);
        items.push_back(std::move(o));
      }
      return Serialize(json::object{{"items", std::move(items)}});
    }, respond);
  }, "Batches mirrored on chain: token id, minted, in CarbonMarket custody, in wallets, mirror status", 200, {},
     "ChainBatchList"));

  CX_TRY(add(Method::kPost, "/api/v1/chain/withdrawals", kUser, [c, worker](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(batch, api::GetInt64(b, "batch"));
    CX_GET(kg, api::GetTonnesKg(b, "quantity"));
    CX_GET(to, api::GetOptString(b, "to", 64));
    if (!worker) return respond(HttpResponse::Problem(NotEnabled()));  // a valid request, no chain
    registry::RequestChainWithdrawal cmd{p.user_id, 0, batch, kg, to.value_or(""), NowS(*c) + kAuthorisationSeconds};
    Submit(*c, cmd, [worker](const RegistryState& s, const engine::Outcome& out) -> Result<std::string> {
      worker->Wake();
      for (const auto& e : *out.events)
        if (const auto* w = std::get_if<registry::ChainWithdrawalRequested>(&e))
          return Serialize(json::object{{"withdrawal", WithdrawalJson(s, s.chain().withdrawals.at(w->withdrawal.id))}});
      return Err(Code::kInternal, "no withdrawal");
    }, respond, 202);
  }, "Withdraw credits to a wallet as ERC-1155 tokens (to: default your linked wallet); escrowed until confirmed", 202,
     "ChainWithdrawalRequest", "ChainWithdrawalCreated"));

  CX_TRY(add(Method::kGet, "/api/v1/chain/withdrawals", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    const bool all = req.Query("all").value_or("") == "1" && p.Has(Role::kAdmin);
    const int64_t uid = p.user_id;
    Query(*c, [all, uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const int64_t acct = AccountOf(s, uid);
      json::array items;
      for (auto it = s.chain().withdrawals.rbegin(); it != s.chain().withdrawals.rend(); ++it)
        if (all || it->second.account == acct) items.push_back(WithdrawalJson(s, it->second));
      return Serialize(json::object{{"items", std::move(items)}});
    }, respond);
  }, "Your withdrawals to wallets, newest first (admins: ?all=1)", 200, {}, "ChainWithdrawalList"));

  CX_TRY(add(Method::kGet, "/api/v1/chain/deposit-address", kUser, [c](HttpRequest&&, const Principal& p, Responder respond) {
    const int64_t uid = p.user_id;
    Query(*c, [uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      if (!s.chain().configured) return NotEnabled();
      return Serialize(json::object{{"market", s.chain().config.market},
                                    {"account_ref", registry::ChainAccountRef(AccountOf(s, uid))}});
    }, respond);
  }, "Where to deposit tokens back: CarbonMarket.deposit(tokenId, amount, account_ref)", 200, {},
     "ChainDepositAddress"));

  CX_TRY(add(Method::kGet, "/api/v1/chain/deposits", kUser, [c, worker](HttpRequest&& req, const Principal& p, Responder respond) {
    const bool all = req.Query("all").value_or("") == "1" && p.Has(Role::kAdmin);
    const int64_t uid = p.user_id;
    const int64_t head = worker ? worker->Status().head : 0;
    Query(*c, [all, uid, head](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const int64_t acct = AccountOf(s, uid);
      json::array items;
      for (const auto& [k, d] : s.chain().deposits) {
        if (!all && registry::ChainAccountOfRef(d.account_ref) != acct) continue;
        json::object o;
        o["tx_hash"] = d.tx_hash;
        o["log_index"] = d.log_index;
        o["block_number"] = d.block_number;
        o["batch"] = d.batch;
        o["token_id"] = d.token_id;
        o["quantity"] = FormatKgAsTonnes(d.quantity_kg);
        o["quantity_kg"] = d.quantity_kg;
        o["from"] = d.from;
        o["status"] = registry::ChainDepositStatusName(d.status);
        o["confirmations"] = head >= d.block_number && d.status != registry::ChainDepositStatus::kReorged
                                 ? head - d.block_number + 1 : 0;
        items.push_back(std::move(o));
      }
      return Serialize(json::object{{"items", std::move(items)}});
    }, respond);
  }, "Your deposits from the chain (seen, credited at the confirmation depth, or re-orged away)", 200, {},
     "ChainDepositList"));

  CX_TRY(add(Method::kGet, "/api/v1/chain/approvals/{issuance}", kUser, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req, "issuance"));
    Query(*c, [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::Issuance* is = s.issuance(id);
      if (!is) return Err(Code::kUnknownIssuance, "no such issuance", "issuance");
      const ChainBatch* b = is->batch ? s.chain_batch(is->batch) : nullptr;
      if (!b) return Err(Code::kBadState, "the issuance's batch is not mirrored on chain yet", "issuance");
      json::object o;
      o["issuance"] = id;
      o["batch"] = b->batch;
      o["typed_data"] = ApprovalTypedData(s.chain().config, *b);
      o["threshold"] = b->threshold;
      o["signatures"] = SignaturesJson(*b);
      o["status"] = BatchStatus(*b);
      return Serialize(o);
    }, respond);
  }, "The EIP-712 Approval a verifier signs for an issuance (eth_signTypedData_v4), and the signatures so far",
     200, {}, "ChainApproval"));

  CX_TRY(add(Method::kPost, "/api/v1/chain/approvals/{issuance}", Access::Roles({Role::kVerifier}),
             [c, worker](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req, "issuance"));
    CX_BODY(b);
    CX_GET(signature, api::GetString(b, "signature", 200));
    CX_GET(sig, chain::ParseSignatureHex(signature, "signature"));
    const int64_t uid = p.user_id;
    c->workers->Post([c, worker, id, uid, sig, respond] {
      json::value typed;
      auto q = c->engine->Query([&](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        const registry::Issuance* is = s.issuance(id);
        if (!is) return Err(Code::kUnknownIssuance, "no such issuance", "issuance");
        const ChainBatch* cb = is->batch ? s.chain_batch(is->batch) : nullptr;
        if (!cb) return Err(Code::kBadState, "the issuance's batch is not mirrored on chain yet", "issuance");
        typed = ApprovalTypedData(s.chain().config, *cb);
        return std::string();
      });
      if (!q.ok()) return respond(HttpResponse::Problem(q.error()));
      auto signer = chain::RecoverTypedData(typed, sig);
      if (!signer.ok()) return respond(HttpResponse::Problem(Err(Code::kInvalidField, "bad signature", "signature")));
      registry::AddChainApproval cmd{uid, id, chain::AddressToHex(*signer), chain::ToHex(chain::SignatureTo65(sig))};
      Submit(*c, cmd, [id, worker](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        if (worker) worker->Wake();
        const ChainBatch* cb = s.chain_batch(s.issuance(id)->batch);
        return Serialize(json::object{{"signatures", SignaturesJson(*cb)}, {"status", BatchStatus(*cb)}});
      }, respond);
    });
  }, "Submit your EIP-712 Approval signature for an issuance (verifiers; signed by your linked wallet)", 200,
     "ChainApprovalRequest", "ChainApprovalResult"));
  return Ok();
}

}  // namespace cx::app
