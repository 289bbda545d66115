#include "chain/eip712.h"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "chain/abi.h"
#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/sign.h"

namespace cx::chain {
namespace json = boost::json;
namespace {

constexpr int kMaxDepth = 32;

Error Bad(std::string_view field, std::string_view what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::string(what), std::string(field));
}
Error Missing(std::string_view field) {
  return Err(Code::kMissingField, std::string(field) + " is missing", std::string(field));
}

// "Person[][3]" -> "Person".
std::string_view BaseType(std::string_view t) { return t.substr(0, t.find('[')); }

struct Field {
  std::string name;
  std::string type;
};

// The struct types of `types` as ordered field lists (EIP712Domain included when given).
class Types {
 public:
  static Result<Types> From(const json::object& types) {
    Types t;
    for (const auto& [name, fields] : types) {
      std::string tf = "types." + std::string(name);
      if (!fields.is_array()) return Bad(tf, "expected an array of {name, type}");
      std::vector<Field> fs;
      std::set<std::string> seen;
      for (size_t i = 0; i < fields.get_array().size(); ++i) {
        const auto& f = fields.get_array()[i];
        std::string ff = tf + "[" + std::to_string(i) + "]";
        if (!f.is_object()) return Bad(ff, "expected {name, type}");
        const json::value* n = f.get_object().if_contains("name");
        const json::value* ty = f.get_object().if_contains("type");
        if (n == nullptr || !n->is_string()) return Missing(ff + ".name");
        if (ty == nullptr || !ty->is_string()) return Missing(ff + ".type");
        if (!seen.insert(std::string(n->get_string())).second) return Bad(ff + ".name", "duplicate field");
        fs.push_back(Field{std::string(n->get_string()), std::string(ty->get_string())});
      }
      t.structs_[std::string(name)] = std::move(fs);
    }
    // Every referenced type must be a struct here or an atomic/dynamic ABI type.
    for (const auto& [name, fs] : t.structs_) {
      for (size_t i = 0; i < fs.size(); ++i) {
        std::string_view base = BaseType(fs[i].type);
        if (t.IsStruct(base)) continue;
        auto parsed = ParseAbiType(fs[i].type);
        if (!parsed.ok() || parsed->kind == AbiType::Kind::kTuple)
          return Bad("types." + name + "[" + std::to_string(i) + "].type", "unknown type '" + fs[i].type + "'");
      }
    }
    return t;
  }

  bool IsStruct(std::string_view name) const { return structs_.find(std::string(name)) != structs_.end(); }
  const std::vector<Field>* Get(std::string_view name) const {
    auto it = structs_.find(std::string(name));
    return it == structs_.end() ? nullptr : &it->second;
  }

  void Deps(const std::string& name, std::set<std::string>& out) const {
    if (!out.insert(name).second) return;
    for (const auto& f : *Get(name)) {
      std::string base(BaseType(f.type));
      if (IsStruct(base)) Deps(base, out);
    }
  }

  Result<std::string> EncodeType(std::string_view primary) const {
    if (!IsStruct(primary)) return Bad("primaryType", "unknown struct type '" + std::string(primary) + "'");
    std::set<std::string> deps;
    Deps(std::string(primary), deps);
    deps.erase(std::string(primary));
    std::string out = One(std::string(primary));
    for (const auto& d : deps) out += One(d);  // std::set: sorted by name
    return out;
  }

  Result<Hash32> HashStruct(std::string_view type, const json::value& v, const std::string& field, int depth) const {
    if (depth > kMaxDepth) return Bad(field, "nesting too deep");
    if (!v.is_object()) return Bad(field, "expected an object of type " + std::string(type));
    CX_ASSIGN_OR_RETURN(std::string enc_type, EncodeType(type));
    Bytes enc = Keccak256(enc_type).str();
    const auto& o = v.get_object();
    for (const auto& f : *Get(type)) {
      const json::value* fv = o.if_contains(f.name);
      std::string ff = field + "." + f.name;
      if (fv == nullptr) return Missing(ff);
      CX_ASSIGN_OR_RETURN(Hash32 word, EncodeField(f.type, *fv, ff, depth + 1));
      enc += word.str();
    }
    return Keccak256(enc);
  }

 private:
  std::string One(const std::string& name) const {
    std::string s = name + "(";
    const auto& fs = *Get(name);
    for (size_t i = 0; i < fs.size(); ++i) {
      if (i) s += ',';
      s += fs[i].type + " " + fs[i].name;
    }
    return s + ")";
  }

  Result<Hash32> EncodeField(std::string_view type, const json::value& v, const std::string& field, int depth) const {
    if (depth > kMaxDepth) return Bad(field, "nesting too deep");
    if (!type.empty() && type.back() == ']') {
      size_t open = type.rfind('[');
      std::string_view elem = type.substr(0, open);
      std::string_view len = type.substr(open + 1, type.size() - open - 2);
      if (!v.is_array()) return Bad(field, "expected an array");
      const auto& a = v.get_array();
      if (!len.empty() && std::to_string(a.size()) != len) return Bad(field, "array needs " + std::string(len) + " elements");
      Keccak256Hasher h;
      for (size_t i = 0; i < a.size(); ++i) {
        CX_ASSIGN_OR_RETURN(Hash32 w, EncodeField(elem, a[i], field + "[" + std::to_string(i) + "]", depth + 1));
        h.Update(w.str());
      }
      return h.Final();
    }
    if (IsStruct(type)) return HashStruct(type, v, field, depth);
    if (type == "string") {
      if (!v.is_string()) return Bad(field, "expected a string");
      return Keccak256(v.get_string());
    }
    if (type == "bytes") {
      if (!v.is_string()) return Bad(field, "expected 0x hex");
      CX_ASSIGN_OR_RETURN(Bytes b, FromHex(v.get_string(), field));
      return Keccak256(b);
    }
    CX_ASSIGN_OR_RETURN(AbiType t, ParseAbiType(type));
    auto enc = AbiEncode({t}, json::array{v}, field);
    if (!enc.ok()) {
      Error e = enc.take_error();
      // AbiEncode names the value "<field>[0]": report the typed-data path itself.
      if (size_t at = e.message.find(field + "[0]"); at != std::string::npos) e.message.erase(at + field.size(), 3);
      e.field = field;
      return e;
    }
    if (enc->size() != 32) return Bad(field, "type is not atomic");
    return Hash32::FromRaw(*enc);
  }

  std::map<std::string, std::vector<Field>> structs_;
};

struct Parsed {
  json::object types;  // with EIP712Domain present
  std::string primary;
  const json::value* domain = nullptr;
  const json::value* message = nullptr;
};

Result<Parsed> Parse(const json::value& typed) {
  if (!typed.is_object()) return Bad("typed_data", "expected an object");
  const auto& o = typed.get_object();
  Parsed p;
  const json::value* tv = o.if_contains("types");
  if (tv == nullptr) return Missing("types");
  if (!tv->is_object()) return Bad("types", "expected an object");
  p.types = tv->get_object();
  p.domain = o.if_contains("domain");
  if (p.domain == nullptr) return Missing("domain");
  if (!p.domain->is_object()) return Bad("domain", "expected an object");
  p.message = o.if_contains("message");
  const json::value* pv = o.if_contains("primaryType");
  if (pv != nullptr) {
    if (!pv->is_string()) return Bad("primaryType", "expected a string");
    p.primary = pv->get_string();
  }
  if (!p.types.contains("EIP712Domain")) {
    // Derived from the domain fields that are present, in the EIP's order.
    static const std::pair<const char*, const char*> kDomainFields[] = {
        {"name", "string"}, {"version", "string"}, {"chainId", "uint256"},
        {"verifyingContract", "address"}, {"salt", "bytes32"}};
    json::array fields;
    for (const auto& [n, t] : kDomainFields)
      if (p.domain->get_object().contains(n)) fields.push_back(json::object{{"name", n}, {"type", t}});
    p.types["EIP712Domain"] = std::move(fields);
  }
  return p;
}

}  // namespace

Result<std::string> Eip712EncodeType(const json::object& types, std::string_view primary) {
  CX_ASSIGN_OR_RETURN(Types t, Types::From(types));
  return t.EncodeType(primary);
}

Result<Hash32> Eip712TypeHash(const json::object& types, std::string_view primary) {
  CX_ASSIGN_OR_RETURN(std::string enc, Eip712EncodeType(types, primary));
  return Keccak256(enc);
}

Result<Hash32> Eip712HashStruct(const json::object& types, std::string_view primary, const json::value& data) {
  CX_ASSIGN_OR_RETURN(Types t, Types::From(types));
  return t.HashStruct(primary, data, "message", 0);
}

Result<Hash32> Eip712DomainSeparator(const json::value& typed_data) {
  CX_ASSIGN_OR_RETURN(Parsed p, Parse(typed_data));
  CX_ASSIGN_OR_RETURN(Types t, Types::From(p.types));
  return t.HashStruct("EIP712Domain", *p.domain, "domain", 0);
}

Result<Hash32> Eip712Hash(const json::value& typed_data) {
  CX_ASSIGN_OR_RETURN(Parsed p, Parse(typed_data));
  CX_ASSIGN_OR_RETURN(Types t, Types::From(p.types));
  CX_ASSIGN_OR_RETURN(Hash32 dom, t.HashStruct("EIP712Domain", *p.domain, "domain", 0));
  if (p.primary.empty()) return Missing("primaryType");
  Bytes enc = "\x19\x01" + dom.str();
  if (p.primary != "EIP712Domain") {
    if (p.message == nullptr) return Missing("message");
    CX_ASSIGN_OR_RETURN(Hash32 msg, t.HashStruct(p.primary, *p.message, "message", 0));
    enc += msg.str();
  }
  return Keccak256(enc);
}

Result<Signature> SignTypedData(const json::value& typed_data, const PrivateKey& key) {
  CX_ASSIGN_OR_RETURN(Hash32 h, Eip712Hash(typed_data));
  return SignDigest(h, key);
}

Result<Address> RecoverTypedData(const json::value& typed_data, const Signature& sig) {
  CX_ASSIGN_OR_RETURN(Hash32 h, Eip712Hash(typed_data));
  return RecoverAddress(h, sig);
}

}  // namespace cx::chain
