// JSON form of TxFields (what cx_chain_tool reads and what a journal intent may store):
// {"type": "legacy"|"eip1559", "chain_id", "nonce", "gas_limit", "to": "0x.."|null,
//  "value", "data": "0x..", "gas_price" (legacy) | "max_fee_per_gas" +
//  "max_priority_fee_per_gas" (eip1559)}. Integers are decimal strings (numbers and 0x hex
// accepted on input). Missing optional members default to 0 / empty / contract creation;
// "type" defaults to "eip1559". Errors: kInvalidField / kMissingField naming the member.
#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "chain/tx.h"
#include "core/result.h"

namespace cx::chain {

Result<TxFields> TxFieldsFromJson(const boost::json::value& v);
boost::json::object TxFieldsToJson(const TxFields& tx);

}  // namespace cx::chain
