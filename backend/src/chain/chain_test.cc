// Known-answer vectors from the specs (Keccak, EIP-55, RLP wiki, EIP-155, EIP-712 Mail,
// Web3 Secret Storage), round trips with random values (seed printed) and malformed input.
#include <gtest/gtest.h>

#include <random>

#include <boost/json.hpp>

#include "chain/abi.h"
#include "chain/eip712.h"
#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/keystore.h"
#include "chain/rlp.h"
#include "chain/sign.h"
#include "chain/tx.h"
#include "chain/tx_json.h"

namespace cx::chain {
namespace {
namespace json = boost::json;

Bytes H(std::string_view hex) {
  auto r = FromHex(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : Bytes();
}

uint64_t Seed() {
  static const uint64_t seed = std::random_device{}();
  return seed;
}

// ---- hex, keccak, EIP-55 -------------------------------------------------------------

TEST(ChainHex, RoundTripAndErrors) {
  EXPECT_EQ(ToHex(std::string("\x00\xab\xff", 3)), "0x00abff");
  EXPECT_EQ(*FromHex("0x00AbfF"), std::string("\x00\xab\xff", 3));
  EXPECT_EQ(*FromHex("0x"), "");
  EXPECT_EQ(FromHex("00ab").error().code, Code::kInvalidField);
  EXPECT_EQ(FromHex("0xabc").error().code, Code::kInvalidField);
  auto bad = FromHex("0xzz", "data");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "data");
  EXPECT_EQ(FromHexN("0x0102", 3).error().code, Code::kInvalidField);
}

TEST(ChainHex, Quantities) {
  EXPECT_EQ(ToQuantity(0), "0x0");
  EXPECT_EQ(ToQuantity(0x1f), "0x1f");
  EXPECT_EQ(ToQuantity(256), "0x100");
  EXPECT_EQ(*ParseQuantity("0x00ff"), U256(255));
  EXPECT_FALSE(ParseQuantity("0x").ok());
  EXPECT_FALSE(ParseQuantity("12").ok());
  EXPECT_FALSE(ParseQuantity("0x1" + std::string(64, '0')).ok());
  EXPECT_EQ(*ParseQuantity("0x" + std::string(64, 'f')), ~U256(0));
  EXPECT_EQ(*ParseU256("115792089237316195423570985008687907853269984665640564039457584007913129639935"), ~U256(0));
  EXPECT_FALSE(ParseU256("115792089237316195423570985008687907853269984665640564039457584007913129639936").ok());
  EXPECT_FALSE(ParseU256("-1").ok());
  EXPECT_FALSE(ParseU256("").ok());
  EXPECT_EQ(*ParseU256("0x10"), U256(16));
}

TEST(ChainKeccak, KnownDigests) {
  EXPECT_EQ(ToHex(Keccak256("")), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(ToHex(Keccak256("transfer(address,uint256)")).substr(0, 10), "0xa9059cbb");
  Keccak256Hasher h;
  h.Update("trans");
  h.Update("fer(address,uint256)");
  EXPECT_EQ(h.Final(), Keccak256("transfer(address,uint256)"));
}

TEST(ChainEip55, SpecExamples) {
  for (const char* a : {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
                        "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
                        "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"}) {
    auto parsed = ParseAddress(a);
    ASSERT_TRUE(parsed.ok()) << a;
    std::string lower(a);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(AddressToHex(*parsed), lower);
    // Mixed-case spec examples are their own checksum; the all-caps/all-lower ones map to one.
    EXPECT_TRUE(IsValidChecksum(AddressToChecksum(*parsed)));
  }
  EXPECT_EQ(AddressToChecksum(*ParseAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  auto bad = ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "to");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::kInvalidField);
  EXPECT_EQ(bad.error().field, "to");
  EXPECT_FALSE(ParseAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea").ok());
  EXPECT_FALSE(ParseAddress("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00").ok());
}

// ---- RLP -----------------------------------------------------------------------------

TEST(ChainRlp, WikiVectors) {
  EXPECT_EQ(ToHex(RlpEncodeString("dog")), "0x83646f67");
  EXPECT_EQ(ToHex(RlpEncode(RlpItem::List({RlpItem::String("cat"), RlpItem::String("dog")}))),
            "0xc88363617483646f67");
  EXPECT_EQ(ToHex(RlpEncodeString("")), "0x80");
  EXPECT_EQ(ToHex(RlpEncode(RlpItem::List({}))), "0xc0");
  EXPECT_EQ(ToHex(RlpEncodeUint(0)), "0x80");
  EXPECT_EQ(ToHex(RlpEncodeString(std::string(1, '\0'))), "0x00");
  EXPECT_EQ(ToHex(RlpEncodeUint(15)), "0x0f");
  EXPECT_EQ(ToHex(RlpEncodeUint(1024)), "0x820400");
  RlpItem e = RlpItem::List({});
  RlpItem set = RlpItem::List({e, RlpItem::List({e}), RlpItem::List({e, RlpItem::List({e})})});
  EXPECT_EQ(ToHex(RlpEncode(set)), "0xc7c0c1c0c3c0c1c0");
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  EXPECT_EQ(ToHex(RlpEncodeString(lorem)),
            "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974");
  EXPECT_EQ(*RlpDecode(H("0xc7c0c1c0c3c0c1c0")), set);
  EXPECT_EQ(RlpDecode(RlpEncodeString(lorem))->str, lorem);
  // 1024-byte string: long form with a two-byte length.
  EXPECT_EQ(ToHex(RlpEncodeString(std::string(1024, 'a'))).substr(0, 8), "0xb90400");
}

TEST(ChainRlp, RejectsNonCanonical) {
  for (const char* bad : {
           "0x",                // empty
           "0x8100",            // single byte < 0x80 wrapped
           "0x817f",            // same
           "0xb800",            // long form for a short length
           "0xb90001" ,         // leading zero in length
           "0xb837" ,           // long form for 55
           "0x83646f",          // truncated
           "0xc88363617483646f",  // truncated list
           "0x83646f6700",      // trailing byte
           "0xc3836461",        // child runs past the list
           "0xf800",            // long list form for 0
           "0xbf0000000000000001",  // huge length
       }) {
    auto r = RlpDecode(H(bad));
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, Code::kInvalidField);
      EXPECT_EQ(r.error().field, "rlp");
    }
  }
  EXPECT_FALSE(RlpToUint(RlpItem::String(std::string("\x00\x01", 2)), "nonce").ok());
  EXPECT_FALSE(RlpToUint(RlpItem::String(std::string(33, '\x01')), "nonce").ok());
  EXPECT_FALSE(RlpToUint64(RlpItem::String(std::string(9, '\x01')), "nonce").ok());
  // Deep nesting is refused, not a stack overflow.
  Bytes deep(100000, '\xc1');
  deep += '\xc0';
  EXPECT_FALSE(RlpDecode(deep).ok());
}

RlpItem RandomItem(std::mt19937_64& rng, int depth) {
  if (depth < 4 && rng() % 3 == 0) {
    std::vector<RlpItem> items(rng() % 5);
    for (auto& i : items) i = RandomItem(rng, depth + 1);
    return RlpItem::List(std::move(items));
  }
  size_t n = rng() % 4 == 0 ? rng() % 300 : rng() % 3;
  Bytes s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return RlpItem::String(std::move(s));
}

TEST(ChainRlp, RandomRoundTrip) {
  std::mt19937_64 rng(Seed());
  SCOPED_TRACE("seed " + std::to_string(Seed()));
  for (int i = 0; i < 500; ++i) {
    RlpItem item = RandomItem(rng, 0);
    Bytes enc = RlpEncode(item);
    auto dec = RlpDecode(enc);
    ASSERT_TRUE(dec.ok()) << dec.error().message;
    EXPECT_EQ(*dec, item);
    U256 v = U256(rng()) << (rng() % 200);
    EXPECT_EQ(*RlpToUint(*RlpDecode(RlpEncodeUint(v)), "v"), v);
  }
}

// ---- keys and signatures --------------------------------------------------------------

TEST(ChainSign, KeysAndPersonalSign) {
  auto key = ParsePrivateKey("0x4646464646464646464646464646464646464646464646464646464646464646");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(AddressToChecksum(*AddressOf(*key)), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
  EXPECT_FALSE(ParsePrivateKey("0x" + std::string(64, '0')).ok());
  EXPECT_FALSE(ParsePrivateKey("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").ok());
  EXPECT_EQ(ParsePrivateKey("0x12").error().field, "private_key");
  // Hardhat's first account signs "hello" as every client does.
  auto hh = *ParsePrivateKey("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  EXPECT_EQ(AddressToChecksum(*AddressOf(hh)), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  auto sig = PersonalSign("hello", hh);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(*RecoverPersonal("hello", *sig), *AddressOf(hh));
  EXPECT_NE(*RecoverPersonal("hellO", *sig), *AddressOf(hh));
  auto back = SignatureFrom65(SignatureTo65(*sig));
  EXPECT_EQ(*back, *sig);
  EXPECT_EQ(ToHex(PersonalMessageHash("hello")),
            "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750");
}

TEST(ChainSign, RejectsHighSAndBadV) {
  auto key = *GeneratePrivateKey();
  Hash32 d = Keccak256("x");
  Signature s = *SignDigest(d, key);
  // n - s with flipped parity is the same point: EIP-2 refuses it.
  U256 n("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  Signature high = s;
  high.s = U256ToBe32(n - U256FromBe(s.s.str()));
  high.v = static_cast<uint8_t>(1 - s.v);
  EXPECT_EQ(RecoverAddress(d, high).error().code, Code::kInvalidField);
  Signature badv = s;
  badv.v = 2;
  EXPECT_FALSE(RecoverAddress(d, badv).ok());
  Bytes w = SignatureTo65(s);
  w[64] = 29;
  EXPECT_FALSE(SignatureFrom65(w).ok());
  EXPECT_FALSE(ParseSignatureHex("0x1234").ok());
  Signature zero;
  EXPECT_FALSE(RecoverAddress(d, zero).ok());
}

TEST(ChainSign, RandomSignRecover) {
  for (int i = 0; i < 50; ++i) {
    auto key = *GeneratePrivateKey();
    Hash32 d = Keccak256(std::to_string(i));
    auto sig = SignDigest(d, key);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(*SignDigest(d, key), *sig);  // RFC 6979: deterministic
    EXPECT_EQ(*RecoverAddress(d, *sig), *AddressOf(key));
  }
}

// ---- transactions ---------------------------------------------------------------------

TEST(ChainTx, Eip155Example) {
  TxFields tx;
  tx.type = TxType::kLegacy;
  tx.chain_id = 1;
  tx.nonce = 9;
  tx.gas_price = U256(20000000000ULL);
  tx.gas_limit = 21000;
  tx.to = *ParseAddress("0x3535353535353535353535353535353535353535");
  tx.value = U256(1000000000000000000ULL);
  EXPECT_EQ(ToHex(*TxSigningHash(tx)), "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  auto key = *ParsePrivateKey("0x4646464646464646464646464646464646464646464646464646464646464646");
  auto signed_tx = SignTx(tx, key);
  ASSERT_TRUE(signed_tx.ok());
  EXPECT_EQ(ToHex(signed_tx->raw),
            "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195"
            "fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
  auto dec = DecodeSignedTx(signed_tx->raw);
  ASSERT_TRUE(dec.ok()) << dec.error().message;
  EXPECT_EQ(dec->fields, tx);
  EXPECT_EQ(AddressToChecksum(dec->from), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
  EXPECT_EQ(dec->hash, signed_tx->hash);
  EXPECT_EQ(dec->hash, Keccak256(signed_tx->raw));
}

TEST(ChainTx, RandomRoundTripBothTypes) {
  std::mt19937_64 rng(Seed() + 1);
  SCOPED_TRACE("seed " + std::to_string(Seed() + 1));
  for (int i = 0; i < 60; ++i) {
    auto key = *GeneratePrivateKey();
    TxFields tx;
    tx.type = i % 2 ? TxType::kLegacy : TxType::kEip1559;
    tx.chain_id = 1 + rng() % 100000;
    if (tx.type == TxType::kLegacy && i % 10 == 1) tx.chain_id = 0;
    tx.nonce = rng() % 3 == 0 ? 0 : rng();
    tx.gas_limit = 21000 + rng() % 10000000;
    if (rng() % 5) tx.to = Address::FromRaw(Keccak256(std::to_string(rng())).str().substr(0, 20));
    tx.value = U256(rng()) * rng();
    tx.data = Keccak256(std::to_string(i)).str().substr(0, rng() % 33);
    tx.gas_price = rng();
    if (tx.type == TxType::kLegacy) {
      tx.gas_price = rng();
    } else {
      tx.gas_price = 0;
      tx.max_fee_per_gas = rng();
      tx.max_priority_fee_per_gas = tx.max_fee_per_gas / (1 + rng() % 10);
    }
    auto s = SignTx(tx, key);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto d = DecodeSignedTx(s->raw);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->fields, tx);
    EXPECT_EQ(d->from, *AddressOf(key));
    auto j = TxFieldsFromJson(json::value(TxFieldsToJson(tx)));
    ASSERT_TRUE(j.ok()) << j.error().message;
    EXPECT_EQ(*j, tx);
  }
}

TEST(ChainTx, RejectsBadFieldsAndRaw) {
  auto key = *GeneratePrivateKey();
  TxFields tx;
  tx.max_fee_per_gas = 1;
  tx.max_priority_fee_per_gas = 2;
  auto r = SignTx(tx, key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "max_priority_fee_per_gas");
  tx.max_priority_fee_per_gas = 1;
  tx.gas_limit = 0;
  EXPECT_EQ(SignTx(tx, key).error().field, "gas_limit");
  tx.gas_limit = 21000;
  auto ok = SignTx(tx, key);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(DecodeSignedTx("").error().code, Code::kInvalidField);
  EXPECT_EQ(DecodeSignedTx("\x01\xc0").error().code, Code::kUnsupported);
  Bytes truncated = ok->raw.substr(0, ok->raw.size() - 1);
  EXPECT_FALSE(DecodeSignedTx(truncated).ok());
  // A tampered signature recovers a different sender (or fails), never the signer.
  Bytes tampered = ok->raw;
  tampered[tampered.size() - 5] ^= 1;
  auto t = DecodeSignedTx(tampered);
  if (t.ok()) {
    EXPECT_NE(t->from, *AddressOf(key));
  }
  auto bad_json = TxFieldsFromJson(json::parse(R"({"chain_id":"1","nonce":"x","gas_limit":21000})"));
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.error().field, "nonce");
  EXPECT_EQ(TxFieldsFromJson(json::parse(R"({"nonce":1,"gas_limit":21000})")).error().code, Code::kMissingField);
}

TEST(ChainTx, CreateAddress) {
  // keccak(rlp([sender, nonce])) as geth and ethers' getCreateAddress compute it.
  auto sender = *ParseAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  EXPECT_EQ(AddressToChecksum(CreateAddress(sender, 0)), "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  EXPECT_EQ(AddressToChecksum(CreateAddress(sender, 1)), "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
}

// ---- EIP-712 --------------------------------------------------------------------------

const char* kMail = R"({
  "types": {
    "EIP712Domain": [{"name":"name","type":"string"},{"name":"version","type":"string"},
                     {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
    "Person": [{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
    "Mail": [{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]
  },
  "primaryType": "Mail",
  "domain": {"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
  "message": {"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
              "to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
              "contents":"Hello, Bob!"}
})";

TEST(ChainEip712, MailExample) {
  json::value td = json::parse(kMail);
  const auto& types = td.at("types").get_object();
  EXPECT_EQ(*Eip712EncodeType(types, "Mail"), "Mail(Person from,Person to,string contents)Person(string name,address wallet)");
  EXPECT_EQ(ToHex(*Eip712TypeHash(types, "Mail")), "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
  EXPECT_EQ(ToHex(*Eip712HashStruct(types, "Mail", td.at("message"))),
            "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
  EXPECT_EQ(ToHex(*Eip712DomainSeparator(td)), "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
  EXPECT_EQ(ToHex(*Eip712Hash(td)), "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
  // The EIP's signer is keccak256("cow").
  auto cow = *PrivateKeyFromBytes(Keccak256("cow").str());
  auto sig = SignTypedData(td, cow);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(ToHex(SignatureTo65(*sig)),
            "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f"
            "72307f996231605b915621c");
  EXPECT_EQ(AddressToChecksum(*RecoverTypedData(td, *sig)), "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
  // Without an explicit EIP712Domain type it is derived from the domain's fields.
  json::value no_domain_type = td;
  no_domain_type.at("types").get_object().erase("EIP712Domain");
  EXPECT_EQ(*Eip712Hash(no_domain_type), *Eip712Hash(td));
}

TEST(ChainEip712, RejectsMalformed) {
  json::value td = json::parse(kMail);
  json::value missing = td;
  missing.at("message").at("to").get_object().erase("wallet");
  auto r = Eip712Hash(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kMissingField);
  EXPECT_EQ(r.error().field, "message.to.wallet");
  json::value bad_addr = td;
  bad_addr.at("message").at("to").at("wallet") = "0x1234";
  EXPECT_EQ(Eip712Hash(bad_addr).error().field, "message.to.wallet");
  json::value bad_type = td;
  bad_type.at("types").at("Mail").get_array()[2].at("type") = "strin";
  EXPECT_EQ(Eip712Hash(bad_type).error().code, Code::kInvalidField);
  json::value bad_primary = td;
  bad_primary.at("primaryType") = "Nope";
  EXPECT_FALSE(Eip712Hash(bad_primary).ok());
  json::value overflow = json::parse(R"({"types":{"T":[{"name":"v","type":"uint8"}]},"primaryType":"T",
      "domain":{"chainId":1},"message":{"v":256}})");
  EXPECT_EQ(Eip712Hash(overflow).error().field, "message.v");
  EXPECT_FALSE(Eip712Hash(json::parse("[]")).ok());
}

// ---- ABI ------------------------------------------------------------------------------

TEST(ChainAbi, SpecExamples) {
  // From the Solidity ABI spec: baz(uint32,bool) with (69, true).
  const char* abi_json = R"([
    {"type":"function","name":"baz","inputs":[{"name":"x","type":"uint32"},{"name":"y","type":"bool"}],"outputs":[{"name":"r","type":"bool"}]},
    {"type":"function","name":"sam","inputs":[{"name":"","type":"bytes"},{"name":"","type":"bool"},{"name":"","type":"uint256[]"}],"outputs":[]},
    {"type":"function","name":"f","inputs":[{"name":"","type":"uint256"},{"name":"","type":"uint32[]"},{"name":"","type":"bytes10"},{"name":"","type":"bytes"}],"outputs":[]},
    {"type":"function","name":"g","inputs":[{"name":"","type":"uint256[][]"},{"name":"","type":"string[]"}],"outputs":[]},
    {"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
    {"type":"error","name":"InsufficientBalance","inputs":[{"name":"available","type":"uint256"},{"name":"required","type":"uint256"}]}
  ])";
  auto abi = Abi::FromJson(json::parse(abi_json));
  ASSERT_TRUE(abi.ok()) << abi.error().message;
  EXPECT_EQ(ToHex(*abi->EncodeCall("baz", json::array{69, true})),
            "0xcdcd77c0"
            "0000000000000000000000000000000000000000000000000000000000000045"
            "0000000000000000000000000000000000000000000000000000000000000001");
  EXPECT_EQ(ToHex(*abi->EncodeCall("sam", json::array{"0x64617665", true, json::array{1, 2, 3}})),
            "0xa5643bf2"
            "0000000000000000000000000000000000000000000000000000000000000060"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "00000000000000000000000000000000000000000000000000000000000000a0"
            "0000000000000000000000000000000000000000000000000000000000000004"
            "6461766500000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000003");
  EXPECT_EQ(ToHex(*abi->EncodeCall("f", json::array{"0x123", json::array{"0x456", "0x789"}, "0x31323334353637383930",
                                                    "0x48656c6c6f2c20776f726c6421"})),
            "0x8be65246"
            "0000000000000000000000000000000000000000000000000000000000000123"
            "0000000000000000000000000000000000000000000000000000000000000080"
            "3132333435363738393000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000e0"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000456"
            "0000000000000000000000000000000000000000000000000000000000000789"
            "000000000000000000000000000000000000000000000000000000000000000d"
            "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
  auto g = abi->EncodeCall("g", json::array{json::array{json::array{1, 2}, json::array{3}},
                                            json::array{"one", "two", "three"}});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(ToHex(g->substr(0, 4)), "0x2289b18c");
  EXPECT_EQ(g->size(), 4 + 32 * 20);  // heads 2 + [[1,2],[3]] 8 + strings 10
  auto back = abi->DecodeCall(*g);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->first, "g(uint256[][],string[])");
  EXPECT_EQ(json::serialize(back->second), R"([[["1","2"],["3"]],["one","two","three"]])");

  // Event and custom error.
  const AbiEvent* tr = *abi->Event("Transfer");
  EXPECT_EQ(ToHex(tr->Topic0()), "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
  std::vector<Hash32> topics = {tr->Topic0(), U256ToBe32(0xabc), U256ToBe32(0xdef)};
  auto log = abi->DecodeLog(topics, U256ToBe32(1000).str());
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ(log->event, "Transfer");
  EXPECT_EQ(json::serialize(log->args),
            R"({"from":"0x0000000000000000000000000000000000000abc","to":"0x0000000000000000000000000000000000000def","value":"1000"})");
  Bytes revert = H("0xcf479181") + U256ToBe32(5).str() + U256ToBe32(7).str();
  auto err = abi->DecodeRevert(revert);
  ASSERT_TRUE(err.ok()) << err.error().message;
  EXPECT_EQ(err->name, "InsufficientBalance");
  EXPECT_EQ(json::serialize(err->args), R"({"available":"5","required":"7"})");
  auto std_err = abi->DecodeRevert(H("0x08c379a0") + *AbiEncode({*ParseAbiType("string")}, json::array{"nope"}));
  ASSERT_TRUE(std_err.ok());
  EXPECT_EQ(std_err->args.at("message").as_string(), "nope");
  auto panic = abi->DecodeRevert(H("0x4e487b71") + U256ToBe32(0x11).str());
  ASSERT_TRUE(panic.ok());
  EXPECT_EQ(panic->args.at("code").as_string(), "17");
  EXPECT_EQ(abi->DecodeRevert(H("0x12345678")).error().code, Code::kNotFound);
}

TEST(ChainAbi, TypesAndRanges) {
  EXPECT_EQ(ParseAbiType("(uint256,(address,bytes)[2])[]")->Canonical(), "(uint256,(address,bytes)[2])[]");
  EXPECT_EQ(ParseAbiType("uint")->Canonical(), "uint256");
  EXPECT_TRUE(ParseAbiType("()")->children.empty());
  for (const char* bad : {"uint7", "uint264", "bytes33", "bytes0", "int0", "foo", "uint256[", "uint256[0]",
                          "(uint256", "uint256[01]", "fixed128x18", "uint256[65537]"}) {
    auto r = ParseAbiType(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, Code::kUnsupported);
    }
  }
  auto t = [](const char* s) { return std::vector<AbiType>{*ParseAbiType(s)}; };
  EXPECT_FALSE(AbiEncode(t("uint8"), json::array{256}).ok());
  EXPECT_FALSE(AbiEncode(t("uint8"), json::array{-1}).ok());
  EXPECT_FALSE(AbiEncode(t("int8"), json::array{128}).ok());
  EXPECT_TRUE(AbiEncode(t("int8"), json::array{-128}).ok());
  EXPECT_FALSE(AbiEncode(t("int8"), json::array{"-129"}).ok());
  EXPECT_FALSE(AbiEncode(t("uint256"), json::array{1.5}).ok());
  EXPECT_FALSE(AbiEncode(t("bytes4"), json::array{"0x010203"}).ok());
  EXPECT_FALSE(AbiEncode(t("bool"), json::array{1}).ok());
  EXPECT_FALSE(AbiEncode(t("uint256[2]"), json::array{json::array{1}}).ok());
  EXPECT_EQ(ToHex(*AbiEncode(t("int256"), json::array{"-1"})), "0x" + std::string(64, 'f'));
  EXPECT_EQ(json::serialize(*AbiDecode(t("int16"), H("0x" + std::string(60, 'f') + "ff80"))), R"(["-128"])");
  auto field = AbiEncode(t("(uint8,string)"), json::array{json::array{300, "x"}}, "args");
  ASSERT_FALSE(field.ok());
  EXPECT_EQ(field.error().field, "args[0][0]");
}

TEST(ChainAbi, DecoderRejectsDirtyAndOutOfRange) {
  auto t = [](const char* s) { return std::vector<AbiType>{*ParseAbiType(s)}; };
  EXPECT_FALSE(AbiDecode(t("uint8"), U256ToBe32(256).str()).ok());
  EXPECT_FALSE(AbiDecode(t("bool"), U256ToBe32(2).str()).ok());
  EXPECT_FALSE(AbiDecode(t("address"), U256ToBe32(U256(1) << 160).str()).ok());
  EXPECT_FALSE(AbiDecode(t("int8"), U256ToBe32(128).str()).ok());
  EXPECT_FALSE(AbiDecode(t("bytes1"), H("0x0101" + std::string(60, '0'))).ok());
  EXPECT_FALSE(AbiDecode(t("uint256"), H("0x01")).ok());
  // Offset past the end, length past the end, huge array length.
  EXPECT_FALSE(AbiDecode(t("bytes"), U256ToBe32(64).str()).ok());
  EXPECT_FALSE(AbiDecode(t("bytes"), U256ToBe32(32).str() + U256ToBe32(33).str() + Bytes(32, '\0')).ok());
  EXPECT_FALSE(AbiDecode(t("uint256[]"), U256ToBe32(32).str() + U256ToBe32(~U256(0)).str()).ok());
  EXPECT_FALSE(AbiDecode(t("string"), U256ToBe32(32).str() + U256ToBe32(1).str() + H("0x41ff" + std::string(60, '0'))).ok());
  // Many heads pointing at one shared tail, layer after layer (100^4 leaves from 13 KB):
  // refused by the value budget instead of expanding.
  constexpr int kLayers = 4;
  constexpr int kFan = 100;
  Bytes bomb = U256ToBe32(32).str();
  for (int layer = 0; layer < kLayers; ++layer) {
    size_t here = bomb.size();
    size_t next = here + 32 + 32 * kFan;
    bomb += U256ToBe32(layer == kLayers - 1 ? 0 : kFan).str();
    if (layer == kLayers - 1) break;
    for (int i = 0; i < kFan; ++i) bomb += U256ToBe32(next - (here + 32)).str();
  }
  auto r = AbiDecode(t("uint256[][][][]"), bomb);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("too many values"), std::string::npos) << r.error().message;
}

TEST(ChainAbi, DeploymentAbisLoad) {
  const char* env = std::getenv("CX_ROOT");
  std::string root = env != nullptr ? env : CX_CHAIN_ROOT;
  FILE* f = std::fopen((root + "/blockchain/deployments/localhost.json").c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  for (const char* c : {"VerificationRegistry", "CarbonCreditToken", "CarbonMarket", "JournalAnchor",
                        "RetirementCertificate", "PaymentToken"}) {
    auto abi = Abi::FromDeployment(text, c);
    ASSERT_TRUE(abi.ok()) << c << ": " << abi.error().message;
    EXPECT_FALSE(abi->functions().empty()) << c;
  }
  EXPECT_EQ(Abi::FromDeployment(text, "Nope").error().code, Code::kNotFound);
  EXPECT_EQ(Abi::FromDeployment("{", "X").error().code, Code::kBadJson);
}

// ---- keystore -------------------------------------------------------------------------

const char* kPbkdf2Vector = R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
  "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
  "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
  "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
const char* kScryptVector = R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
  "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
  "kdfparams":{"dklen":32,"n":262144,"p":8,"r":1,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
  "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
constexpr const char* kSpecKey = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

TEST(ChainKeystore, SpecVectorPbkdf2) {
  auto k = DecryptKeystore(kPbkdf2Vector, "testpassword");
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(ToHex(std::string_view(reinterpret_cast<const char*>(k->bytes.data()), 32)), kSpecKey);
  auto wrong = DecryptKeystore(kPbkdf2Vector, "testpassworD");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Code::kBadCredentials);
  EXPECT_EQ(wrong.error().field, "password");
}

TEST(ChainKeystore, SpecVectorScrypt) {
  auto k = DecryptKeystore(kScryptVector, "testpassword");
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(ToHex(std::string_view(reinterpret_cast<const char*>(k->bytes.data()), 32)), kSpecKey);
}

TEST(ChainKeystore, EncryptDecryptRoundTripAndErrors) {
  auto key = *GeneratePrivateKey();
  ScryptParams p;
  p.n = 1024;
  auto ks = EncryptKeystore(key, "pässword", p);
  ASSERT_TRUE(ks.ok()) << ks.error().message;
  json::value doc = json::parse(*ks);
  EXPECT_EQ(doc.at("version").as_int64(), 3);
  EXPECT_EQ("0x" + std::string(doc.at("address").as_string()), AddressToHex(*AddressOf(key)));
  EXPECT_EQ(doc.at("crypto").at("kdfparams").at("n").to_number<uint64_t>(), 1024u);
  auto back = DecryptKeystore(*ks, "pässword");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, key);
  EXPECT_EQ(DecryptKeystore(*ks, "password").error().code, Code::kBadCredentials);
  // Tampered ciphertext -> MAC mismatch; malformed members name the field.
  json::value t = doc;
  std::string ct(t.at("crypto").at("ciphertext").as_string());
  ct[0] = ct[0] == '0' ? '1' : '0';
  t.at("crypto").at("ciphertext") = ct;
  EXPECT_EQ(DecryptKeystore(json::serialize(t), "pässword").error().code, Code::kBadCredentials);
  json::value huge = doc;
  huge.at("crypto").at("kdfparams").at("n") = uint64_t{1} << 30;
  EXPECT_EQ(DecryptKeystore(json::serialize(huge), "x").error().field, "crypto.kdfparams.n");
  json::value kdf = doc;
  kdf.at("crypto").at("kdf") = "argon2";
  EXPECT_EQ(DecryptKeystore(json::serialize(kdf), "x").error().code, Code::kUnsupported);
  json::value noiv = doc;
  noiv.at("crypto").at("cipherparams").get_object().erase("iv");
  EXPECT_EQ(DecryptKeystore(json::serialize(noiv), "x").error().field, "crypto.cipherparams.iv");
  json::value ver = doc;
  ver.at("version") = 1;
  EXPECT_EQ(DecryptKeystore(json::serialize(ver), "x").error().code, Code::kUnsupported);
  EXPECT_EQ(DecryptKeystore("not json", "x").error().code, Code::kBadJson);
  json::value addr = doc;
  addr.at("address") = "0000000000000000000000000000000000000001";
  EXPECT_EQ(DecryptKeystore(json::serialize(addr), "pässword").error().field, "address");
  ScryptParams bad;
  bad.n = 1000;
  EXPECT_FALSE(EncryptKeystore(key, "x", bad).ok());
}

}  // namespace
}  // namespace cx::chain
