// cx_chain_tool COMMAND < request.json > answer.json
// A thin CLI over cx_chain for cross-checking with other implementations (ethers) and for
// operators. Every command reads one JSON object on stdin and prints one JSON object:
//   sign-tx           {private_key, tx: <tx_json.h form>}      -> {raw, hash, from}
//   decode-tx         {raw}                                   -> {tx, from, hash}
//   sign-typed-data   {private_key, typed_data}               -> {hash, signature, signer}
//   personal-sign     {private_key, message | message_hex}    -> {hash, signature, signer}
//   keystore-decrypt  {keystore (string or object), password} -> {private_key, address}
//   keystore-encrypt  {private_key, password, n?, r?, p?}     -> {keystore (string), address}
//   abi-encode        {abi | deployment+contract, function, args} -> {data}
//   abi-decode        {abi | deployment+contract, function, data} -> {values}
// Errors: {"error": {"code": "CODE_NAME", "message", "field"}} and exit status 1.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include <boost/json.hpp>

#include "chain/abi.h"
#include "chain/eip712.h"
#include "chain/hex.h"
#include "chain/keystore.h"
#include "chain/sign.h"
#include "chain/tx.h"
#include "chain/tx_json.h"

namespace {
namespace json = boost::json;
using cx::Code;
using cx::Err;
using cx::Result;
using namespace cx::chain;  // NOLINT(google-build-using-namespace): a small CLI

Result<std::string> Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Err(Code::kMissingField, std::string(key) + " is missing", key);
  if (!v->is_string()) return Err(Code::kInvalidField, std::string(key) + ": expected a string", key);
  return std::string(v->get_string());
}

Result<PrivateKey> Key(const json::object& o) {
  CX_ASSIGN_OR_RETURN(std::string k, Str(o, "private_key"));
  return ParsePrivateKey(k);
}

std::string KeyHex(const PrivateKey& k) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(k.bytes.data()), 32));  // NOLINT
}

Result<Abi> LoadAbi(const json::object& o) {
  if (const json::value* a = o.if_contains("abi"); a != nullptr) return Abi::FromJson(*a);
  CX_ASSIGN_OR_RETURN(std::string path, Str(o, "deployment"));
  CX_ASSIGN_OR_RETURN(std::string contract, Str(o, "contract"));
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Err(Code::kIo, "cannot open " + path, "deployment");
  std::string text;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return Abi::FromDeployment(text, contract);
}

json::object SigAnswer(const Hash32& h, const Signature& s, const Address& signer) {
  return json::object{{"hash", ToHex(h)}, {"signature", ToHex(SignatureTo65(s))}, {"signer", AddressToHex(signer)}};
}

Result<json::object> Run(const std::string& cmd, const json::object& in) {
  if (cmd == "sign-tx") {
    CX_ASSIGN_OR_RETURN(PrivateKey key, Key(in));
    const json::value* txv = in.if_contains("tx");
    if (txv == nullptr) return Err(Code::kMissingField, "tx is missing", "tx");
    CX_ASSIGN_OR_RETURN(TxFields tx, TxFieldsFromJson(*txv));
    CX_ASSIGN_OR_RETURN(SignedTx s, SignTx(tx, key));
    CX_ASSIGN_OR_RETURN(Address from, AddressOf(key));
    return json::object{{"raw", ToHex(s.raw)}, {"hash", ToHex(s.hash)}, {"from", AddressToHex(from)}};
  }
  if (cmd == "decode-tx") {
    CX_ASSIGN_OR_RETURN(std::string raw_hex, Str(in, "raw"));
    CX_ASSIGN_OR_RETURN(Bytes raw, FromHex(raw_hex, "raw"));
    CX_ASSIGN_OR_RETURN(DecodedTx d, DecodeSignedTx(raw));
    return json::object{{"tx", TxFieldsToJson(d.fields)}, {"from", AddressToHex(d.from)}, {"hash", ToHex(d.hash)}};
  }
  if (cmd == "sign-typed-data") {
    CX_ASSIGN_OR_RETURN(PrivateKey key, Key(in));
    const json::value* td = in.if_contains("typed_data");
    if (td == nullptr) return Err(Code::kMissingField, "typed_data is missing", "typed_data");
    CX_ASSIGN_OR_RETURN(Hash32 h, Eip712Hash(*td));
    CX_ASSIGN_OR_RETURN(Signature s, SignDigest(h, key));
    CX_ASSIGN_OR_RETURN(Address signer, RecoverTypedData(*td, s));
    return SigAnswer(h, s, signer);
  }
  if (cmd == "personal-sign") {
    CX_ASSIGN_OR_RETURN(PrivateKey key, Key(in));
    Bytes msg;
    if (in.contains("message_hex")) {
      CX_ASSIGN_OR_RETURN(std::string mh, Str(in, "message_hex"));
      CX_ASSIGN_OR_RETURN(msg, FromHex(mh, "message_hex"));
    } else {
      CX_ASSIGN_OR_RETURN(msg, Str(in, "message"));
    }
    CX_ASSIGN_OR_RETURN(Signature s, PersonalSign(msg, key));
    CX_ASSIGN_OR_RETURN(Address signer, RecoverPersonal(msg, s));
    return SigAnswer(PersonalMessageHash(msg), s, signer);
  }
  if (cmd == "keystore-decrypt") {
    const json::value* ks = in.if_contains("keystore");
    if (ks == nullptr) return Err(Code::kMissingField, "keystore is missing", "keystore");
    std::string text = ks->is_string() ? std::string(ks->get_string()) : json::serialize(*ks);
    CX_ASSIGN_OR_RETURN(std::string password, Str(in, "password"));
    CX_ASSIGN_OR_RETURN(PrivateKey key, DecryptKeystore(text, password));
    CX_ASSIGN_OR_RETURN(Address a, AddressOf(key));
    return json::object{{"private_key", KeyHex(key)}, {"address", AddressToHex(a)}};
  }
  if (cmd == "keystore-encrypt") {
    CX_ASSIGN_OR_RETURN(PrivateKey key, Key(in));
    CX_ASSIGN_OR_RETURN(std::string password, Str(in, "password"));
    ScryptParams p;
    if (const json::value* n = in.if_contains("n"); n != nullptr) p.n = n->to_number<uint64_t>();
    if (const json::value* r = in.if_contains("r"); r != nullptr) p.r = r->to_number<uint32_t>();
    if (const json::value* pp = in.if_contains("p"); pp != nullptr) p.p = pp->to_number<uint32_t>();
    CX_ASSIGN_OR_RETURN(std::string ks, EncryptKeystore(key, password, p));
    CX_ASSIGN_OR_RETURN(Address a, AddressOf(key));
    return json::object{{"keystore", ks}, {"address", AddressToHex(a)}};
  }
  if (cmd == "abi-encode" || cmd == "abi-decode") {
    CX_ASSIGN_OR_RETURN(Abi abi, LoadAbi(in));
    CX_ASSIGN_OR_RETURN(std::string fn, Str(in, "function"));
    if (cmd == "abi-encode") {
      const json::value* args = in.if_contains("args");
      if (args == nullptr || !args->is_array()) return Err(Code::kInvalidField, "args must be an array", "args");
      CX_ASSIGN_OR_RETURN(Bytes data, abi.EncodeCall(fn, args->get_array()));
      return json::object{{"data", ToHex(data)}};
    }
    CX_ASSIGN_OR_RETURN(std::string data_hex, Str(in, "data"));
    CX_ASSIGN_OR_RETURN(Bytes data, FromHex(data_hex, "data"));
    CX_ASSIGN_OR_RETURN(json::array vals, abi.DecodeOutput(fn, data));
    return json::object{{"values", std::move(vals)}};
  }
  return Err(Code::kBadRequest, "unknown command " + cmd, "command");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: cx_chain_tool sign-tx|decode-tx|sign-typed-data|personal-sign|keystore-decrypt|"
                 "keystore-encrypt|abi-encode|abi-decode < request.json\n";
    return 2;
  }
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  json::value in = json::parse(input, ec);
  Result<json::object> out = Err(Code::kBadJson, "stdin is not a JSON object", "stdin");
  if (!ec && in.is_object()) {
    try {
      out = Run(argv[1], in.get_object());
    } catch (const std::exception& e) {  // Boost.JSON to_number on a non-number member
      out = Err(Code::kBadRequest, e.what(), "stdin");
    }
  }
  if (!out.ok()) {
    const cx::Error& e = out.error();
    std::cout << json::serialize(json::object{
                     {"error", json::object{{"code", cx::CodeName(e.code)}, {"message", e.message}, {"field", e.field}}}})
              << "\n";
    return 1;
  }
  std::cout << json::serialize(*out) << "\n";
  return 0;
}
