#include "chain/rpc_parse.h"

#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

#include "chain/hex.h"

namespace cx::chain {
namespace {

namespace json = boost::json;

RpcErrc Kind(const Error& e) { return RpcErrcOf(e); }

TEST(RpcParse, SingleResult) {
  auto r = ParseRpcResponse(R"({"jsonrpc":"2.0","id":7,"result":"0x10"})", {7}, false);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 1u);
  ASSERT_TRUE(r.value()[0].ok());
  EXPECT_EQ(DecodeU64(r.value()[0].value(), "x").value(), 16u);
}

TEST(RpcParse, SingleWrongIdIsRefused) {
  auto r = ParseRpcResponse(R"({"jsonrpc":"2.0","id":8,"result":"0x10"})", {7}, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Kind(r.error()), RpcErrc::kBadResponse);
  EXPECT_EQ(r.error().code, Code::kChainBadResponse);
}

TEST(RpcParse, StringIdsAreAccepted) {
  auto r = ParseRpcResponse(R"({"jsonrpc":"2.0","id":"7","result":true})", {7}, false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value()[0].value().as_bool());
}

TEST(RpcParse, BatchOutOfOrderIsMatchedById) {
  auto r = ParseRpcResponse(
      R"([{"jsonrpc":"2.0","id":3,"result":"c"},{"jsonrpc":"2.0","id":1,"result":"a"},
          {"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"nonce too low"}}])",
      {1, 2, 3}, true);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[0].value().as_string(), "a");
  ASSERT_FALSE(r.value()[1].ok());
  EXPECT_EQ(Kind(r.value()[1].error()), RpcErrc::kNonceTooLow);
  EXPECT_EQ(r.value()[1].error().code, Code::kChainNonceTooLow);
  EXPECT_EQ(RpcFailureOf(r.value()[1].error()).node_code, -32000);
  EXPECT_EQ(r.value()[2].value().as_string(), "c");
}

TEST(RpcParse, BatchMissingElementIsAPerElementError) {
  auto r = ParseRpcResponse(R"([{"jsonrpc":"2.0","id":1,"result":"a"}])", {1, 2}, true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value()[0].ok());
  ASSERT_FALSE(r.value()[1].ok());
  EXPECT_EQ(Kind(r.value()[1].error()), RpcErrc::kBadResponse);
}

TEST(RpcParse, BatchUnknownIdIsRefused) {
  auto r = ParseRpcResponse(R"([{"jsonrpc":"2.0","id":9,"result":"a"}])", {1, 2}, true);
  EXPECT_FALSE(r.ok());
}

TEST(RpcParse, BatchRefusedAsAWholeAppliesToEveryElement) {
  auto r = ParseRpcResponse(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch too large"}})", {1, 2},
      true);
  ASSERT_TRUE(r.ok());
  for (const auto& e : r.value()) {
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(RpcFailureOf(e.error()).node_code, -32600);
    EXPECT_EQ(RpcFailureOf(e.error()).message, "batch too large");
  }
}

TEST(RpcParse, GarbageIsABadResponse) {
  for (std::string_view body : {"", "nope", "[1,2]", "42", "{\"id\":1}", "[{\"id\":1}]",
                                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1", "null"}) {
    auto r = ParseRpcResponse(body, {1}, false);
    if (r.ok()) {
      // Only an element-level failure is allowed, never a result.
      ASSERT_EQ(r.value().size(), 1u) << body;
      EXPECT_FALSE(r.value()[0].ok()) << body;
    } else {
      EXPECT_EQ(Kind(r.error()), RpcErrc::kBadResponse) << body;
    }
  }
}

TEST(RpcParse, DeepNestingIsRefused) {
  std::string deep = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + std::string(200, '[') +
                     std::string(200, ']') + "}";
  EXPECT_FALSE(ParseRpcResponse(deep, {1}, false).ok());
}

TEST(RpcParse, RevertDataIsKept) {
  auto r = ParseRpcResponse(
      R"({"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted: no","data":"0x08c379a0"}})",
      {1}, false);
  ASSERT_TRUE(r.ok());
  const auto& e = r.value()[0].error();
  EXPECT_EQ(Kind(e), RpcErrc::kReverted);
  EXPECT_EQ(e.code, Code::kChainReverted);
  EXPECT_EQ(CodeName(e.code), "CHAIN_REVERTED");
  EXPECT_EQ(e.field, "rpc");  // the parser does not know the method; RpcClient::Call names it
  EXPECT_EQ(WithRpcMethod(e, "eth_call").field, "eth_call");
  RpcFailure f = RpcFailureOf(e);
  EXPECT_EQ(f.data, "0x08c379a0");
  EXPECT_EQ(f.node_code, 3);
  EXPECT_EQ(f.message, "execution reverted: no");
}

TEST(RpcParse, ClassifiesNodeWordings) {
  EXPECT_EQ(ClassifyNodeError(-32000, "nonce too low: next nonce 5, tx nonce 4"), RpcErrc::kNonceTooLow);
  EXPECT_EQ(ClassifyNodeError(-32003, "Nonce too low"), RpcErrc::kNonceTooLow);
  EXPECT_EQ(ClassifyNodeError(-32000, "already known"), RpcErrc::kAlreadyKnown);
  EXPECT_EQ(ClassifyNodeError(-32010, "Transaction with the same hash was already imported."), RpcErrc::kAlreadyKnown);
  EXPECT_EQ(ClassifyNodeError(-32000, "replacement transaction underpriced"), RpcErrc::kUnderpriced);
  EXPECT_EQ(ClassifyNodeError(-32000, "insufficient funds for gas * price + value"), RpcErrc::kInsufficientFunds);
  EXPECT_EQ(ClassifyNodeError(-32601, "the method x does not exist/is not available"), RpcErrc::kMethodNotFound);
  EXPECT_EQ(ClassifyNodeError(-32005, "query returned more than 10000 results"), RpcErrc::kLimitExceeded);
  EXPECT_EQ(ClassifyNodeError(-32000, "header not found"), RpcErrc::kNodeError);
}

TEST(RpcParse, ErrorRoundTrip) {
  RpcFailure f{RpcErrc::kHttpStatus, 0, "HTTP 502 [rpc=oops]", "", 502};
  Error e = ToError(f);
  EXPECT_EQ(e.code, Code::kChainUnavailable);
  EXPECT_EQ(HttpStatus(e.code), 503);
  RpcFailure back = RpcFailureOf(e);
  EXPECT_EQ(back.kind, RpcErrc::kHttpStatus);
  EXPECT_EQ(back.http_status, 502);
  EXPECT_EQ(back.message, "HTTP 502 [rpc=oops]");
  EXPECT_EQ(RpcErrcOf(Error::Make(Code::kBadRequest, "x", "amount")), RpcErrc::kNone);
  // Each kind keeps its own 7xxx code; a plain chain-coded error without the tag is no RPC error.
  EXPECT_EQ(ToError(RpcFailure{RpcErrc::kNonceTooLow, -32000, "nonce too low", "", 0}).code, Code::kChainNonceTooLow);
  EXPECT_EQ(HttpStatus(Code::kChainNonceTooLow), 502);
  EXPECT_EQ(ToError(RpcFailure{RpcErrc::kUnderpriced, -32000, "underpriced", "", 0}).code, Code::kChainUnderpriced);
  EXPECT_EQ(ToError(RpcFailure{RpcErrc::kTimeout, 0, "timeout", "", 0}).code, Code::kChainUnavailable);
  EXPECT_EQ(RpcErrcOf(ToError(RpcFailure{RpcErrc::kTimeout, 0, "timeout", "", 0})), RpcErrc::kTimeout);
  EXPECT_EQ(RpcErrcOf(Error::Make(Code::kChainReverted, "no tag", "x")), RpcErrc::kNone);
}

TEST(RpcParse, DecodesBlockHeader) {
  auto v = json::parse(R"({"number":"0x1b4","hash":"0x)" + std::string(64, 'a') +
                       R"(","parentHash":"0x)" + std::string(64, 'b') +
                       R"(","timestamp":"0x55ba467c","gasLimit":"0x1c9c380","gasUsed":"0x0","baseFeePerGas":"0x7"})");
  auto b = DecodeBlockHeader(v);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b.value().has_value());
  EXPECT_EQ(b.value()->number, 436u);
  EXPECT_EQ(b.value()->hash.bytes[0], 0xaa);
  EXPECT_EQ(*b.value()->base_fee_per_gas, U256(7));
  EXPECT_FALSE(DecodeBlockHeader(json::value(nullptr)).value().has_value());
  EXPECT_FALSE(DecodeBlockHeader(json::parse(R"({"number":"0x1"})")).ok());
}

TEST(RpcParse, DecodesLogsAndRefusesBadOnes) {
  const std::string h(64, '1');
  auto v = json::parse(R"([{"address":"0x5FbDB2315678afecb367f032d93F642f64180aa3","topics":["0x)" + h +
                       R"("],"data":"0x00ff","blockNumber":"0x2","blockHash":"0x)" + h +
                       R"(","transactionHash":"0x)" + h +
                       R"(","transactionIndex":"0x0","logIndex":"0x3","removed":false}])");
  auto logs = DecodeLogs(v);
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs.value().size(), 1u);
  EXPECT_EQ(logs.value()[0].log_index, 3u);
  EXPECT_EQ(logs.value()[0].data, std::string("\x00\xff", 2));
  EXPECT_FALSE(DecodeLogs(json::parse(R"([{"address":"0x12"}])")).ok());
  EXPECT_FALSE(DecodeLogs(json::parse(R"({"a":1})")).ok());
}

TEST(RpcParse, QuantityLimits) {
  EXPECT_EQ(DecodeU64(json::value("0xffffffffffffffff"), "q").value(), UINT64_MAX);
  EXPECT_FALSE(DecodeU64(json::value("0x10000000000000000"), "q").ok());
  EXPECT_FALSE(DecodeU64(json::value("12"), "q").ok());
  EXPECT_FALSE(DecodeU64(json::value(-1), "q").ok());
  EXPECT_FALSE(DecodeU256(json::value("0x" + std::string(65, 'f')), "q").ok());
  EXPECT_EQ(DecodeU256(json::value("0x" + std::string(64, 'f')), "q").value(), ~U256(0));
}

TEST(RpcParse, ReceiptWithoutBlockIsNotMined) {
  const std::string h(64, '2');
  auto v = json::parse(R"({"transactionHash":"0x)" + h + R"(","transactionIndex":"0x0","blockNumber":null,"blockHash":null})");
  auto r = DecodeReceipt(v);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().has_value());
}

TEST(RpcParse, FeeHistory) {
  auto v = json::parse(R"({"oldestBlock":"0x10","baseFeePerGas":["0x1","0x2","0x3"],"gasUsedRatio":[0.5,1],"reward":[["0x5"],["0x6"]]})");
  auto h = DecodeFeeHistory(v);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.value().oldest_block, 16u);
  EXPECT_EQ(h.value().base_fee_per_gas.back(), U256(3));
  EXPECT_EQ(h.value().reward[1][0], U256(6));
}

}  // namespace
}  // namespace cx::chain
