// Checks every vector of testdata/ethers_vectors.json (written by gen_vectors.mjs with
// ethers): signed legacy / EIP-1559 transactions byte for byte, EIP-712 digests and
// signatures (incl. the real Approval / Withdrawal / BatchData types), personal_sign,
// ABI calls / results / events / errors of the deployed contracts' ABIs, and keystores
// written by ethers.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include <boost/json.hpp>

#include "chain/abi.h"
#include "chain/eip712.h"
#include "chain/hex.h"
#include "chain/keystore.h"
#include "chain/sign.h"
#include "chain/tx.h"
#include "chain/tx_json.h"

namespace cx::chain {
namespace {
namespace json = boost::json;

std::string ReadFile(const std::string& path) {
  std::string text;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return text;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

std::string Root() {
  const char* env = std::getenv("CX_ROOT");
  return env != nullptr ? env : CX_CHAIN_ROOT;
}

const json::object& Vectors() {
  static const json::value v = json::parse(ReadFile(CX_CHAIN_TESTDATA "/ethers_vectors.json"));
  return v.as_object();
}

std::string S(const json::value& v) { return std::string(v.as_string()); }

Bytes H(const json::value& v) {
  auto r = FromHex(v.as_string());
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : Bytes();
}

std::string KeyHex(const PrivateKey& k) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(k.bytes.data()), 32));  // NOLINT
}

void CheckTxVectors(const char* kind) {
  const auto& cases = Vectors().at(kind).as_array();
  ASSERT_GE(cases.size(), 10u);
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i].as_object();
    SCOPED_TRACE(std::string(kind) + " case " + std::to_string(i));
    auto key = ParsePrivateKey(c.at("private_key").as_string());
    ASSERT_TRUE(key.ok());
    auto tx = TxFieldsFromJson(c.at("tx"));
    ASSERT_TRUE(tx.ok()) << tx.error().message;
    auto s = SignTx(*tx, *key);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(ToHex(s->raw), S(c.at("raw")));
    EXPECT_EQ(ToHex(s->hash), S(c.at("hash")));
    auto d = DecodeSignedTx(H(c.at("raw")));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->fields, *tx);
    EXPECT_EQ(AddressToHex(d->from), S(c.at("from")));
  }
}

TEST(ChainEthersVectors, LegacyTransactions) { CheckTxVectors("legacy"); }
TEST(ChainEthersVectors, Eip1559Transactions) { CheckTxVectors("eip1559"); }

TEST(ChainEthersVectors, TypedData) {
  const auto& cases = Vectors().at("typed_data").as_array();
  std::map<std::string, int> primaries;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i].as_object();
    SCOPED_TRACE("typed_data case " + std::to_string(i));
    const json::value& td = c.at("typed_data");
    primaries[S(td.at("primaryType"))]++;
    auto h = Eip712Hash(td);
    ASSERT_TRUE(h.ok()) << h.error().message;
    EXPECT_EQ(ToHex(*h), S(c.at("hash")));
    auto key = *ParsePrivateKey(c.at("private_key").as_string());
    auto sig = SignTypedData(td, key);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(ToHex(SignatureTo65(*sig)), S(c.at("signature")));
    auto who = RecoverTypedData(td, *ParseSignatureHex(c.at("signature").as_string()));
    ASSERT_TRUE(who.ok());
    EXPECT_EQ(AddressToHex(*who), S(c.at("signer")));
  }
  EXPECT_GE(primaries["Approval"], 1);
  EXPECT_GE(primaries["Withdrawal"], 1);
  EXPECT_GE(primaries["BatchData"], 1);
  EXPECT_GE(primaries["Order"], 1);
}

TEST(ChainEthersVectors, PersonalSign) {
  const auto& cases = Vectors().at("personal_sign").as_array();
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i].as_object();
    SCOPED_TRACE("personal_sign case " + std::to_string(i));
    Bytes msg = c.contains("message_hex") ? H(c.at("message_hex")) : S(c.at("message"));
    EXPECT_EQ(ToHex(PersonalMessageHash(msg)), S(c.at("hash")));
    auto key = *ParsePrivateKey(c.at("private_key").as_string());
    auto sig = PersonalSign(msg, key);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(ToHex(SignatureTo65(*sig)), S(c.at("signature")));
    EXPECT_EQ(AddressToHex(*RecoverPersonal(msg, *sig)), S(c.at("signer")));
  }
}

TEST(ChainEthersVectors, AbiAgainstDeployedContracts) {
  std::string deployment = ReadFile(Root() + "/" + S(Vectors().at("deployment")));
  ASSERT_FALSE(deployment.empty());
  std::map<std::string, Abi> abis;
  auto synth = Abi::FromJson(Vectors().at("synthetic_abi"));
  ASSERT_TRUE(synth.ok()) << synth.error().message;
  abis["synthetic"] = *synth;
  std::map<std::string, int> kinds;
  const auto& cases = Vectors().at("abi").as_array();
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i].as_object();
    std::string contract = S(c.at("contract"));
    std::string kind = S(c.at("kind"));
    kinds[kind]++;
    SCOPED_TRACE("abi case " + std::to_string(i) + " " + contract + " " + kind);
    if (!abis.contains(contract)) {
      auto a = Abi::FromDeployment(deployment, contract);
      ASSERT_TRUE(a.ok()) << a.error().message;
      abis[contract] = *a;
    }
    const Abi& abi = abis[contract];
    if (kind == "call") {
      std::string fn = S(c.at("function"));
      SCOPED_TRACE(fn);
      auto data = abi.EncodeCall(fn, c.at("args").as_array());
      ASSERT_TRUE(data.ok()) << data.error().message << " (" << data.error().field << ")";
      EXPECT_EQ(ToHex(*data), S(c.at("data")));
      auto back = abi.DecodeCall(H(c.at("data")));
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(back->first, fn);
      EXPECT_EQ(json::serialize(back->second), json::serialize(c.at("decoded")));
      auto out = abi.DecodeOutput(fn, H(c.at("output_data")));
      ASSERT_TRUE(out.ok()) << out.error().message;
      EXPECT_EQ(json::serialize(*out), json::serialize(c.at("output_decoded")));
    } else if (kind == "event") {
      std::vector<Hash32> topics;
      for (const auto& t : c.at("topics").as_array()) topics.push_back(*ParseHash32(t.as_string()));
      auto log = abi.DecodeLog(topics, H(c.at("data")));
      ASSERT_TRUE(log.ok()) << log.error().message;
      EXPECT_EQ(log->event, S(c.at("event")));
      EXPECT_EQ(json::serialize(log->args), json::serialize(c.at("args")));
    } else if (kind == "error") {
      auto err = abi.DecodeRevert(H(c.at("data")));
      ASSERT_TRUE(err.ok()) << err.error().message;
      EXPECT_EQ(err->name, S(c.at("error")));
      EXPECT_EQ(err->signature, S(c.at("signature")));
      EXPECT_EQ(json::serialize(err->args), json::serialize(c.at("args")));
    } else {
      ADD_FAILURE() << "unknown kind " << kind;
    }
  }
  EXPECT_GE(kinds["call"], 200);
  EXPECT_GE(kinds["event"], 50);
  EXPECT_GE(kinds["error"], 50);
}

TEST(ChainEthersVectors, KeystoresWrittenByEthers) {
  const auto& cases = Vectors().at("keystores").as_array();
  ASSERT_FALSE(cases.empty());
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i].as_object();
    SCOPED_TRACE("keystore case " + std::to_string(i));
    auto key = DecryptKeystore(c.at("keystore").as_string(), c.at("password").as_string());
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(KeyHex(*key), S(c.at("private_key")));
    EXPECT_EQ(AddressToHex(*AddressOf(*key)), S(c.at("address")));
    EXPECT_EQ(DecryptKeystore(c.at("keystore").as_string(), "wrong").error().code, Code::kBadCredentials);
  }
}

}  // namespace
}  // namespace cx::chain
