#include "chain/tx_json.h"

#include <boost/json.hpp>

#include "chain/hex.h"

namespace cx::chain {
namespace json = boost::json;
namespace {

Error Bad(std::string_view field, std::string_view what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::string(what), std::string(field));
}

Result<U256> Num(const json::object& o, const char* key, bool required = false) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return Err(Code::kMissingField, std::string(key) + " is missing", key);
    return U256(0);
  }
  if (v->is_uint64()) return U256(v->get_uint64());
  if (v->is_int64()) {
    if (v->get_int64() < 0) return Bad(key, "must not be negative");
    return U256(static_cast<uint64_t>(v->get_int64()));
  }
  if (v->is_string()) return ParseU256(v->get_string(), key);
  return Bad(key, "expected an integer (decimal string)");
}

Result<uint64_t> Num64(const json::object& o, const char* key, bool required = false) {
  CX_ASSIGN_OR_RETURN(U256 v, Num(o, key, required));
  if (v > std::numeric_limits<uint64_t>::max()) return Bad(key, "exceeds 64 bits");
  return static_cast<uint64_t>(v);
}

}  // namespace

Result<TxFields> TxFieldsFromJson(const json::value& v) {
  if (!v.is_object()) return Bad("tx", "expected an object");
  const auto& o = v.get_object();
  TxFields tx;
  if (const json::value* t = o.if_contains("type"); t != nullptr) {
    if (t->is_string() && t->get_string() == "legacy") tx.type = TxType::kLegacy;
    else if (t->is_string() && t->get_string() == "eip1559") tx.type = TxType::kEip1559;
    else return Bad("type", "must be \"legacy\" or \"eip1559\"");
  }
  CX_ASSIGN_OR_RETURN(tx.chain_id, Num64(o, "chain_id", true));
  CX_ASSIGN_OR_RETURN(tx.nonce, Num64(o, "nonce", true));
  CX_ASSIGN_OR_RETURN(tx.gas_limit, Num64(o, "gas_limit", true));
  if (const json::value* to = o.if_contains("to"); to != nullptr && !to->is_null()) {
    if (!to->is_string()) return Bad("to", "expected an address");
    CX_ASSIGN_OR_RETURN(Address a, ParseAddress(to->get_string(), "to"));
    tx.to = a;
  }
  CX_ASSIGN_OR_RETURN(tx.value, Num(o, "value"));
  if (const json::value* d = o.if_contains("data"); d != nullptr && !d->is_null()) {
    if (!d->is_string()) return Bad("data", "expected 0x hex");
    CX_ASSIGN_OR_RETURN(tx.data, FromHex(d->get_string(), "data"));
  }
  CX_ASSIGN_OR_RETURN(tx.gas_price, Num(o, "gas_price"));
  CX_ASSIGN_OR_RETURN(tx.max_fee_per_gas, Num(o, "max_fee_per_gas"));
  CX_ASSIGN_OR_RETURN(tx.max_priority_fee_per_gas, Num(o, "max_priority_fee_per_gas"));
  CX_TRY(ValidateTx(tx));
  return tx;
}

json::object TxFieldsToJson(const TxFields& tx) {
  json::object o;
  o["type"] = tx.type == TxType::kLegacy ? "legacy" : "eip1559";
  o["chain_id"] = std::to_string(tx.chain_id);
  o["nonce"] = std::to_string(tx.nonce);
  o["gas_limit"] = std::to_string(tx.gas_limit);
  o["to"] = tx.to ? json::value(AddressToHex(*tx.to)) : json::value(nullptr);
  o["value"] = U256ToDecimal(tx.value);
  o["data"] = ToHex(tx.data);
  if (tx.type == TxType::kLegacy) {
    o["gas_price"] = U256ToDecimal(tx.gas_price);
  } else {
    o["max_fee_per_gas"] = U256ToDecimal(tx.max_fee_per_gas);
    o["max_priority_fee_per_gas"] = U256ToDecimal(tx.max_priority_fee_per_gas);
  }
  return o;
}

}  // namespace cx::chain
