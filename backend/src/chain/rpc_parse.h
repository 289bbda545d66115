// Decoding of JSON-RPC answers: the envelope (single and batch, ids matched whatever order
// the node answers in, per-element errors) and the typed Ethereum values inside
// (quantities, hashes, addresses, data, block headers, logs, receipts, fee history).
// Contract: never crashes, throws or allocates without bound on hostile input (JSON depth
// is limited, sizes are checked, no Boost.JSON accessor that throws is used); every refusal
// is a Result with RpcErrc kBadResponse naming the field at fault. Pure, thread-safe.
// The libFuzzer target fuzz_rpc.cc drives all of it.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "chain/rpc.h"
#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

// Parses the HTTP body answering a request with the given ids (batch = the request was a
// JSON array, even of one). Returns one result per id, in the order of `ids`: the `result`
// member, or the node's error (ClassifyNodeError), or kBadResponse when no element answered
// that id. The outer error is kBadResponse when the body is not a JSON-RPC answer at all;
// a single error object with a null id answering a batch applies to every element.
Result<std::vector<Result<boost::json::value>>> ParseRpcResponse(
    std::string_view body, const std::vector<uint64_t>& ids, bool batch);

// Failure from a JSON-RPC error object {code, message, data}.
RpcFailure FailureFromErrorObject(const boost::json::value& error);

// Typed decoders (field = name used in error messages).
Result<uint64_t> DecodeU64(const boost::json::value& v, std::string_view field);
Result<U256> DecodeU256(const boost::json::value& v, std::string_view field);
Result<Hash32> DecodeHash(const boost::json::value& v, std::string_view field);
Result<Address> DecodeAddress(const boost::json::value& v, std::string_view field);
Result<Bytes> DecodeData(const boost::json::value& v, std::string_view field);
// null -> nullopt.
Result<std::optional<BlockHeader>> DecodeBlockHeader(const boost::json::value& v);
Result<Log> DecodeLog(const boost::json::value& v);
Result<std::vector<Log>> DecodeLogs(const boost::json::value& v);
Result<std::optional<Receipt>> DecodeReceipt(const boost::json::value& v);
Result<FeeHistory> DecodeFeeHistory(const boost::json::value& v);
Result<std::optional<TxInfo>> DecodeTxInfo(const boost::json::value& v);

// kBadResponse error with `message` naming `field`.
Error BadResponse(std::string_view field, std::string_view message);

}  // namespace cx::chain
