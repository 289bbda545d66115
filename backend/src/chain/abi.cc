#include "chain/abi.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <boost/json.hpp>

#include "chain/hex.h"
#include "chain/keccak.h"

namespace cx::chain {
namespace json = boost::json;
namespace {

constexpr size_t kMaxTypeDepth = 32;
constexpr size_t kMaxFixedArray = 1u << 16;
// Largest static head a type may have (bytes): bounds HeadSize() against overflow.
constexpr size_t kMaxStaticSize = size_t{1} << 24;

Error Bad(std::string_view field, std::string_view what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::string(what), std::string(field));
}
Error Unsup(std::string_view type) {
  return Err(Code::kUnsupported, "unsupported ABI type '" + std::string(type) + "'", "type");
}

std::string Sub(std::string_view field, size_t i) { return std::string(field) + "[" + std::to_string(i) + "]"; }
std::string Sub(std::string_view field, std::string_view name) {
  return std::string(field) + "." + std::string(name);
}

bool ParseDec(std::string_view s, size_t& out) {
  if (s.empty() || s.size() > 6) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<size_t>(c - '0');
  }
  return !(s.size() > 1 && s[0] == '0');
}

// Applies "[]" / "[k]" suffixes (left to right: "T[2][]" is a dynamic array of T[2]).
Result<AbiType> ApplySuffixes(AbiType base, std::string_view suffix, std::string_view whole) {
  size_t depth = 0;
  while (!suffix.empty()) {
    if (suffix[0] != '[' || ++depth > kMaxTypeDepth) return Unsup(whole);
    size_t close = suffix.find(']');
    if (close == std::string_view::npos) return Unsup(whole);
    std::string_view inner = suffix.substr(1, close - 1);
    AbiType arr;
    if (inner.empty()) {
      arr.kind = AbiType::Kind::kArray;
    } else {
      size_t k = 0;
      if (!ParseDec(inner, k) || k == 0 || k > kMaxFixedArray) return Unsup(whole);
      arr.kind = AbiType::Kind::kFixedArray;
      arr.size = static_cast<int>(k);
    }
    arr.name = std::move(base.name);
    arr.indexed = base.indexed;
    base.name.clear();
    arr.children.push_back(std::move(base));
    base = std::move(arr);
    if (!base.IsDynamic() && base.HeadSize() > kMaxStaticSize) return Unsup(whole);
    suffix.remove_prefix(close + 1);
  }
  return base;
}

Result<AbiType> ParseElementary(std::string_view t) {
  AbiType a;
  auto bits_of = [&](std::string_view digits, int& bits) -> bool {
    if (digits.empty()) { bits = 256; return true; }
    size_t b = 0;
    if (!ParseDec(digits, b) || b == 0 || b > 256 || b % 8 != 0) return false;
    bits = static_cast<int>(b);
    return true;
  };
  if (t == "address") { a.kind = AbiType::Kind::kAddress; return a; }
  if (t == "bool") { a.kind = AbiType::Kind::kBool; return a; }
  if (t == "string") { a.kind = AbiType::Kind::kString; return a; }
  if (t == "bytes") { a.kind = AbiType::Kind::kBytes; return a; }
  if (t.substr(0, 4) == "uint") {
    a.kind = AbiType::Kind::kUint;
    if (!bits_of(t.substr(4), a.bits)) return Unsup(t);
    return a;
  }
  if (t.substr(0, 3) == "int") {
    a.kind = AbiType::Kind::kInt;
    if (!bits_of(t.substr(3), a.bits)) return Unsup(t);
    return a;
  }
  if (t.substr(0, 5) == "bytes") {
    size_t n = 0;
    if (!ParseDec(t.substr(5), n) || n == 0 || n > 32) return Unsup(t);
    a.kind = AbiType::Kind::kFixedBytes;
    a.size = static_cast<int>(n);
    return a;
  }
  return Unsup(t);
}

Result<AbiType> ParseTypeRec(std::string_view t, size_t depth) {
  if (depth > kMaxTypeDepth) return Unsup(t);
  if (!t.empty() && t[0] == '(') {
    // Find the matching close paren; split components at top-level commas.
    int level = 0;
    size_t close = std::string_view::npos;
    std::vector<std::string_view> parts;
    size_t start = 1;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '(') ++level;
      else if (t[i] == ')') {
        if (--level == 0) { close = i; break; }
      } else if (t[i] == ',' && level == 1) {
        parts.push_back(t.substr(start, i - start));
        start = i + 1;
      }
    }
    if (close == std::string_view::npos) return Unsup(t);
    if (close > 1 || start != 1) parts.push_back(t.substr(start, close - start));
    AbiType tup;
    tup.kind = AbiType::Kind::kTuple;
    for (auto p : parts) {
      CX_ASSIGN_OR_RETURN(AbiType c, ParseTypeRec(p, depth + 1));
      tup.children.push_back(std::move(c));
    }
    if (!tup.IsDynamic() && tup.HeadSize() > kMaxStaticSize) return Unsup(t);
    return ApplySuffixes(std::move(tup), t.substr(close + 1), t);
  }
  size_t br = t.find('[');
  CX_ASSIGN_OR_RETURN(AbiType base, ParseElementary(t.substr(0, br)));
  if (br == std::string_view::npos) return base;
  return ApplySuffixes(std::move(base), t.substr(br), t);
}

// A parameter object of a JSON ABI: {"name", "type", "components"?, "indexed"?}.
Result<AbiType> ParseParam(const json::value& v, size_t depth) {
  if (!v.is_object()) return Bad("abi", "parameter must be an object");
  const auto& o = v.get_object();
  const json::value* tv = o.if_contains("type");
  if (tv == nullptr || !tv->is_string()) return Bad("abi", "parameter without a type");
  std::string_view type = tv->get_string();
  AbiType t;
  if (type.substr(0, 5) == "tuple") {
    if (depth > kMaxTypeDepth) return Unsup(type);
    AbiType tup;
    tup.kind = AbiType::Kind::kTuple;
    const json::value* cv = o.if_contains("components");
    if (cv == nullptr || !cv->is_array()) return Bad("abi", "tuple without components");
    for (const auto& c : cv->get_array()) {
      CX_ASSIGN_OR_RETURN(AbiType ct, ParseParam(c, depth + 1));
      tup.children.push_back(std::move(ct));
    }
    if (!tup.IsDynamic() && tup.HeadSize() > kMaxStaticSize) return Unsup(type);
    CX_ASSIGN_OR_RETURN(t, ApplySuffixes(std::move(tup), type.substr(5), type));
  } else {
    CX_ASSIGN_OR_RETURN(t, ParseTypeRec(type, depth));
  }
  if (const json::value* nv = o.if_contains("name"); nv != nullptr && nv->is_string()) t.name = nv->get_string();
  if (const json::value* iv = o.if_contains("indexed"); iv != nullptr && iv->is_bool()) t.indexed = iv->get_bool();
  return t;
}

Result<std::vector<AbiType>> ParseParams(const json::object& o, std::string_view key) {
  std::vector<AbiType> out;
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return out;
  if (!v->is_array()) return Bad("abi", std::string(key) + " must be an array");
  for (const auto& p : v->get_array()) {
    CX_ASSIGN_OR_RETURN(AbiType t, ParseParam(p, 0));
    out.push_back(std::move(t));
  }
  return out;
}

std::string SigOf(std::string_view name, const std::vector<AbiType>& params) {
  std::string s(name);
  s += '(';
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) s += ',';
    s += params[i].Canonical();
  }
  s += ')';
  return s;
}

std::array<uint8_t, 4> Sel(std::string_view sig) {
  Hash32 h = Keccak256(sig);
  return {h.bytes[0], h.bytes[1], h.bytes[2], h.bytes[3]};
}

// ---- JSON values -> integers -------------------------------------------------------

struct SignedMag {
  bool neg = false;
  U256 mag = 0;
};

Result<SignedMag> JsonInt(const json::value& v, std::string_view field) {
  SignedMag r;
  if (v.is_uint64()) { r.mag = v.get_uint64(); return r; }
  if (v.is_int64()) {
    int64_t x = v.get_int64();
    r.neg = x < 0;
    r.mag = r.neg ? static_cast<uint64_t>(-(x + 1)) + 1u : static_cast<uint64_t>(x);
    return r;
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0)
      return Bad(field, "number is not an exact integer (use a decimal string)");
    r.neg = d < 0;
    r.mag = static_cast<uint64_t>(std::fabs(d));
    return r;
  }
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (!s.empty() && s[0] == '-') { r.neg = true; s.remove_prefix(1); }
    CX_ASSIGN_OR_RETURN(r.mag, ParseU256(s, field));
    if (r.mag == 0) r.neg = false;
    return r;
  }
  return Bad(field, "expected an integer (number or decimal string)");
}

// ---- encoder -------------------------------------------------------------------------

void PutWord(Bytes& out, const U256& v) { out += U256ToBe32(v).str(); }

void PadTo32(Bytes& out) {
  size_t rem = out.size() % 32;
  if (rem != 0) out.append(32 - rem, '\0');
}

Result<Bytes> Encode(const AbiType& t, const json::value& v, const std::string& field);

Result<Bytes> EncodeSeq(const std::vector<const AbiType*>& types, const std::vector<const json::value*>& vals,
                        const std::vector<std::string>& fields) {
  size_t head_size = 0;
  for (const AbiType* t : types) head_size += t->HeadSize();
  Bytes head;
  Bytes tail;
  for (size_t i = 0; i < types.size(); ++i) {
    CX_ASSIGN_OR_RETURN(Bytes enc, Encode(*types[i], *vals[i], fields[i]));
    if (types[i]->IsDynamic()) {
      PutWord(head, head_size + tail.size());
      tail += enc;
    } else {
      head += enc;
    }
  }
  return head + tail;
}

Result<Bytes> EncodeTupleValues(const AbiType& t, const json::value& v, const std::string& field) {
  std::vector<const AbiType*> types;
  std::vector<const json::value*> vals;
  std::vector<std::string> fields;
  const auto& ch = t.children;
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.size() != ch.size())
      return Bad(field, "tuple needs " + std::to_string(ch.size()) + " values, got " + std::to_string(a.size()));
    for (size_t i = 0; i < ch.size(); ++i) {
      types.push_back(&ch[i]);
      vals.push_back(&a[i]);
      fields.push_back(ch[i].name.empty() ? Sub(field, i) : Sub(field, ch[i].name));
    }
  } else if (v.is_object()) {
    const auto& o = v.get_object();
    for (size_t i = 0; i < ch.size(); ++i) {
      if (ch[i].name.empty()) return Bad(field, "tuple has unnamed components: pass an array");
      const json::value* cv = o.if_contains(ch[i].name);
      if (cv == nullptr) return Err(Code::kMissingField, Sub(field, ch[i].name) + " is missing", Sub(field, ch[i].name));
      types.push_back(&ch[i]);
      vals.push_back(cv);
      fields.push_back(Sub(field, ch[i].name));
    }
  } else {
    return Bad(field, "expected an array or object for a tuple");
  }
  return EncodeSeq(types, vals, fields);
}

Result<Bytes> EncodeArrayElems(const AbiType& elem, const json::array& a, const std::string& field) {
  std::vector<const AbiType*> types(a.size(), &elem);
  std::vector<const json::value*> vals;
  std::vector<std::string> fields;
  for (size_t i = 0; i < a.size(); ++i) {
    vals.push_back(&a[i]);
    fields.push_back(Sub(field, i));
  }
  return EncodeSeq(types, vals, fields);
}

Result<Bytes> Encode(const AbiType& t, const json::value& v, const std::string& field) {
  using K = AbiType::Kind;
  Bytes out;
  switch (t.kind) {
    case K::kUint: {
      CX_ASSIGN_OR_RETURN(SignedMag m, JsonInt(v, field));
      if (m.neg) return Bad(field, "negative value for " + t.Canonical());
      if (t.bits < 256 && m.mag >= (U256(1) << t.bits)) return Bad(field, "value out of range for " + t.Canonical());
      PutWord(out, m.mag);
      return out;
    }
    case K::kInt: {
      CX_ASSIGN_OR_RETURN(SignedMag m, JsonInt(v, field));
      U256 limit = U256(1) << (t.bits - 1);
      if (m.neg ? m.mag > limit : m.mag >= limit) return Bad(field, "value out of range for " + t.Canonical());
      PutWord(out, m.neg ? U256(~m.mag + 1) : m.mag);
      return out;
    }
    case K::kAddress: {
      if (!v.is_string()) return Bad(field, "expected an address string");
      CX_ASSIGN_OR_RETURN(Address a, ParseAddress(v.get_string(), field));
      out.assign(12, '\0');
      out += a.str();
      return out;
    }
    case K::kBool:
      if (!v.is_bool()) return Bad(field, "expected true or false");
      PutWord(out, v.get_bool() ? 1 : 0);
      return out;
    case K::kFixedBytes: {
      if (!v.is_string()) return Bad(field, "expected 0x hex");
      CX_ASSIGN_OR_RETURN(Bytes b, FromHexN(v.get_string(), static_cast<size_t>(t.size), field));
      out = b;
      PadTo32(out);
      return out;
    }
    case K::kBytes:
    case K::kString: {
      if (!v.is_string()) return Bad(field, t.kind == K::kBytes ? "expected 0x hex" : "expected a string");
      Bytes b;
      if (t.kind == K::kBytes) {
        CX_ASSIGN_OR_RETURN(b, FromHex(v.get_string(), field));
      } else {
        b = std::string(v.get_string());
      }
      PutWord(out, b.size());
      out += b;
      PadTo32(out);
      return out;
    }
    case K::kFixedArray: {
      if (!v.is_array()) return Bad(field, "expected an array");
      if (v.get_array().size() != static_cast<size_t>(t.size))
        return Bad(field, "array needs " + std::to_string(t.size) + " elements");
      return EncodeArrayElems(t.children[0], v.get_array(), field);
    }
    case K::kArray: {
      if (!v.is_array()) return Bad(field, "expected an array");
      PutWord(out, v.get_array().size());
      CX_ASSIGN_OR_RETURN(Bytes body, EncodeArrayElems(t.children[0], v.get_array(), field));
      return out + body;
    }
    case K::kTuple:
      return EncodeTupleValues(t, v, field);
  }
  return Unsup(t.Canonical());
}

// ---- decoder -------------------------------------------------------------------------

// Decodes with a budget of values so that crafted offsets (many heads pointing at the same
// large tail) cannot make the output explode.
class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data), budget_(64 * 1024 + data.size()) {}

  // Decodes a sequence of `types` whose head starts at `base` (offsets relative to base).
  Result<std::vector<json::value>> Seq(const std::vector<const AbiType*>& types, size_t base,
                                       const std::vector<std::string>& fields) {
    std::vector<json::value> out;
    size_t pos = base;
    for (size_t i = 0; i < types.size(); ++i) {
      const AbiType& t = *types[i];
      if (t.IsDynamic()) {
        CX_ASSIGN_OR_RETURN(U256 off, Word(pos, fields[i]));
        if (off > data_.size() - base) return Bad(fields[i], "offset out of range");
        CX_ASSIGN_OR_RETURN(json::value v, Value(t, base + static_cast<size_t>(off), fields[i]));
        out.push_back(std::move(v));
        pos += 32;
      } else {
        CX_ASSIGN_OR_RETURN(json::value v, Value(t, pos, fields[i]));
        out.push_back(std::move(v));
        pos += t.HeadSize();
      }
    }
    return out;
  }

  Result<json::value> Value(const AbiType& t, size_t pos, const std::string& field) {
    using K = AbiType::Kind;
    if (budget_ == 0) return Bad(field, "data expands to too many values");
    --budget_;
    switch (t.kind) {
      case K::kUint: {
        CX_ASSIGN_OR_RETURN(U256 w, Word(pos, field));
        if (t.bits < 256 && w >= (U256(1) << t.bits)) return Bad(field, "dirty high bits for " + t.Canonical());
        return json::value(U256ToDecimal(w));
      }
      case K::kInt: {
        CX_ASSIGN_OR_RETURN(U256 w, Word(pos, field));
        U256 limit = U256(1) << (t.bits - 1);
        bool neg = w >= (U256(1) << 255);
        if (neg) {
          U256 mag = ~w + 1;
          if (mag > limit) return Bad(field, "value not sign-extended for " + t.Canonical());
          return json::value("-" + U256ToDecimal(mag));
        }
        if (w >= limit) return Bad(field, "value not sign-extended for " + t.Canonical());
        return json::value(U256ToDecimal(w));
      }
      case K::kAddress: {
        CX_TRY(Need(pos, 32, field));
        if (!Zero(pos, 12)) return Bad(field, "dirty high bytes in address");
        return json::value(AddressToHex(Address::FromRaw(data_.substr(pos + 12, 20))));
      }
      case K::kBool: {
        CX_ASSIGN_OR_RETURN(U256 w, Word(pos, field));
        if (w > 1) return Bad(field, "bool must be 0 or 1");
        return json::value(w == 1);
      }
      case K::kFixedBytes: {
        CX_TRY(Need(pos, 32, field));
        auto n = static_cast<size_t>(t.size);
        if (!Zero(pos + n, 32 - n)) return Bad(field, "dirty padding in " + t.Canonical());
        return json::value(ToHex(data_.substr(pos, n)));
      }
      case K::kBytes:
      case K::kString: {
        CX_ASSIGN_OR_RETURN(U256 len, Word(pos, field));
        if (len > data_.size() - pos - 32) return Bad(field, "length out of range");
        auto n = static_cast<size_t>(len);
        size_t padded = (n + 31) / 32 * 32;
        CX_TRY(Need(pos + 32, padded, field));
        if (!Zero(pos + 32 + n, padded - n)) return Bad(field, "dirty padding after bytes");
        std::string_view b = data_.substr(pos + 32, n);
        if (t.kind == K::kBytes) return json::value(ToHex(b));
        return json::value(json::string(b));
      }
      case K::kFixedArray:
        return Array(t.children[0], static_cast<size_t>(t.size), pos, field);
      case K::kArray: {
        CX_ASSIGN_OR_RETURN(U256 len, Word(pos, field));
        size_t avail = data_.size() - pos - 32;
        size_t elem = std::max<size_t>(1, t.children[0].HeadSize());
        if (len > avail / elem) return Bad(field, "array length out of range");
        return Array(t.children[0], static_cast<size_t>(len), pos + 32, field);
      }
      case K::kTuple: {
        std::vector<const AbiType*> types;
        std::vector<std::string> fields;
        bool named = !t.children.empty();
        for (size_t i = 0; i < t.children.size(); ++i) {
          types.push_back(&t.children[i]);
          fields.push_back(t.children[i].name.empty() ? Sub(field, i) : Sub(field, t.children[i].name));
          if (t.children[i].name.empty()) named = false;
        }
        CX_ASSIGN_OR_RETURN(std::vector<json::value> vals, Seq(types, pos, fields));
        if (named) {
          json::object o;
          for (size_t i = 0; i < vals.size(); ++i) o[t.children[i].name] = std::move(vals[i]);
          return json::value(std::move(o));
        }
        json::array a;
        for (auto& v : vals) a.push_back(std::move(v));
        return json::value(std::move(a));
      }
    }
    return Unsup(t.Canonical());
  }

 private:
  Result<json::value> Array(const AbiType& elem, size_t n, size_t pos, const std::string& field) {
    if (n > budget_) return Bad(field, "data expands to too many values");
    std::vector<const AbiType*> types(n, &elem);
    std::vector<std::string> fields;
    fields.reserve(n);
    for (size_t i = 0; i < n; ++i) fields.push_back(Sub(field, i));
    CX_ASSIGN_OR_RETURN(std::vector<json::value> vals, Seq(types, pos, fields));
    json::array a;
    for (auto& v : vals) a.push_back(std::move(v));
    return json::value(std::move(a));
  }

  Result<void> Need(size_t pos, size_t n, std::string_view field) const {
    if (pos > data_.size() || n > data_.size() - pos) return Bad(field, "data too short");
    return Ok();
  }
  bool Zero(size_t pos, size_t n) const {
    for (size_t i = 0; i < n; ++i)
      if (data_[pos + i] != 0) return false;
    return true;
  }
  Result<U256> Word(size_t pos, std::string_view field) const {
    CX_TRY(Need(pos, 32, field));
    return U256FromBe(data_.substr(pos, 32));
  }

  std::string_view data_;
  size_t budget_;
};

}  // namespace

// ---- AbiType ---------------------------------------------------------------------------

std::string AbiType::Canonical() const {
  switch (kind) {
    case Kind::kUint: return "uint" + std::to_string(bits);
    case Kind::kInt: return "int" + std::to_string(bits);
    case Kind::kAddress: return "address";
    case Kind::kBool: return "bool";
    case Kind::kFixedBytes: return "bytes" + std::to_string(size);
    case Kind::kBytes: return "bytes";
    case Kind::kString: return "string";
    case Kind::kArray: return children[0].Canonical() + "[]";
    case Kind::kFixedArray: return children[0].Canonical() + "[" + std::to_string(size) + "]";
    case Kind::kTuple: {
      std::string s = "(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) s += ',';
        s += children[i].Canonical();
      }
      return s + ")";
    }
  }
  return "?";
}

bool AbiType::IsDynamic() const {
  switch (kind) {
    case Kind::kBytes:
    case Kind::kString:
    case Kind::kArray:
      return true;
    case Kind::kFixedArray:
      return children[0].IsDynamic();
    case Kind::kTuple:
      for (const auto& c : children)
        if (c.IsDynamic()) return true;
      return false;
    default:
      return false;
  }
}

size_t AbiType::HeadSize() const {
  if (IsDynamic()) return 32;
  if (kind == Kind::kFixedArray) return static_cast<size_t>(size) * children[0].HeadSize();
  if (kind == Kind::kTuple) {
    size_t s = 0;
    for (const auto& c : children) s += c.HeadSize();
    return s;
  }
  return 32;
}

Result<AbiType> ParseAbiType(std::string_view type) { return ParseTypeRec(type, 0); }

Result<Bytes> AbiEncode(const std::vector<AbiType>& types, const json::array& values, std::string_view field) {
  if (values.size() != types.size())
    return Bad(field, "expected " + std::to_string(types.size()) + " values, got " + std::to_string(values.size()));
  std::vector<const AbiType*> tp;
  std::vector<const json::value*> vals;
  std::vector<std::string> fields;
  for (size_t i = 0; i < types.size(); ++i) {
    tp.push_back(&types[i]);
    vals.push_back(&values[i]);
    fields.push_back(types[i].name.empty() ? Sub(field, i) : Sub(Sub(field, i), types[i].name));
  }
  return EncodeSeq(tp, vals, fields);
}

Result<json::array> AbiDecode(const std::vector<AbiType>& types, std::string_view data, std::string_view field) {
  std::vector<const AbiType*> tp;
  std::vector<std::string> fields;
  for (size_t i = 0; i < types.size(); ++i) {
    tp.push_back(&types[i]);
    fields.push_back(types[i].name.empty() ? Sub(field, i) : Sub(Sub(field, i), types[i].name));
  }
  Decoder d(data);
  CX_ASSIGN_OR_RETURN(std::vector<json::value> vals, d.Seq(tp, 0, fields));
  json::array out;
  for (auto& v : vals) out.push_back(std::move(v));
  return out;
}

std::string AbiFunction::Signature() const { return SigOf(name, inputs); }
std::array<uint8_t, 4> AbiFunction::Selector() const { return Sel(Signature()); }
std::string AbiEvent::Signature() const { return SigOf(name, inputs); }
Hash32 AbiEvent::Topic0() const { return Keccak256(Signature()); }
std::string AbiError::Signature() const { return SigOf(name, inputs); }
std::array<uint8_t, 4> AbiError::Selector() const { return Sel(Signature()); }

// ---- Abi -------------------------------------------------------------------------------

Result<Abi> Abi::FromJson(const json::value& abi_array) {
  if (!abi_array.is_array()) return Bad("abi", "ABI must be a JSON array");
  Abi abi;
  for (const auto& e : abi_array.get_array()) {
    if (!e.is_object()) return Bad("abi", "ABI entries must be objects");
    const auto& o = e.get_object();
    std::string type = "function";
    if (const json::value* tv = o.if_contains("type"); tv != nullptr && tv->is_string()) type = tv->get_string();
    std::string name;
    if (const json::value* nv = o.if_contains("name"); nv != nullptr && nv->is_string()) name = nv->get_string();
    if (type == "function") {
      AbiFunction f;
      f.name = name;
      CX_ASSIGN_OR_RETURN(f.inputs, ParseParams(o, "inputs"));
      CX_ASSIGN_OR_RETURN(f.outputs, ParseParams(o, "outputs"));
      if (const json::value* sv = o.if_contains("stateMutability"); sv != nullptr && sv->is_string())
        f.state_mutability = sv->get_string();
      abi.functions_.push_back(std::move(f));
    } else if (type == "event") {
      AbiEvent ev;
      ev.name = name;
      CX_ASSIGN_OR_RETURN(ev.inputs, ParseParams(o, "inputs"));
      if (const json::value* av = o.if_contains("anonymous"); av != nullptr && av->is_bool()) ev.anonymous = av->get_bool();
      abi.events_.push_back(std::move(ev));
    } else if (type == "error") {
      AbiError er;
      er.name = name;
      CX_ASSIGN_OR_RETURN(er.inputs, ParseParams(o, "inputs"));
      abi.errors_.push_back(std::move(er));
    }
  }
  return abi;
}

Result<Abi> Abi::FromDeployment(std::string_view deployment_json, std::string_view contract) {
  boost::system::error_code ec;
  json::value doc = json::parse(deployment_json, ec);
  if (ec || !doc.is_object()) return Err(Code::kBadJson, "deployment file is not a JSON object", "deployment");
  const json::value* cs = doc.get_object().if_contains("contracts");
  if (cs == nullptr || !cs->is_object()) return Err(Code::kMissingField, "deployment has no contracts", "contracts");
  const json::value* c = cs->get_object().if_contains(contract);
  if (c == nullptr || !c->is_object())
    return Err(Code::kNotFound, "contract " + std::string(contract) + " not in deployment", "contracts");
  const json::value* a = c->get_object().if_contains("abi");
  if (a == nullptr) return Err(Code::kMissingField, "contract has no abi", "contracts." + std::string(contract) + ".abi");
  return FromJson(*a);
}

Result<const AbiFunction*> Abi::Function(std::string_view name) const {
  const AbiFunction* found = nullptr;
  bool by_sig = name.find('(') != std::string_view::npos;
  for (const auto& f : functions_) {
    if (by_sig ? f.Signature() == name : f.name == name) {
      if (found != nullptr)
        return Bad("function", std::string(name) + " is overloaded: pass the full signature");
      found = &f;
    }
  }
  if (found == nullptr) return Err(Code::kNotFound, "no function " + std::string(name) + " in ABI", "function");
  return found;
}

Result<const AbiEvent*> Abi::Event(std::string_view name) const {
  const AbiEvent* found = nullptr;
  bool by_sig = name.find('(') != std::string_view::npos;
  for (const auto& e : events_) {
    if (by_sig ? e.Signature() == name : e.name == name) {
      if (found != nullptr) return Bad("event", std::string(name) + " is overloaded: pass the full signature");
      found = &e;
    }
  }
  if (found == nullptr) return Err(Code::kNotFound, "no event " + std::string(name) + " in ABI", "event");
  return found;
}

const AbiEvent* Abi::EventByTopic(const Hash32& topic0) const {
  for (const auto& e : events_)
    if (!e.anonymous && e.Topic0() == topic0) return &e;
  return nullptr;
}

const AbiError* Abi::ErrorBySelector(const std::array<uint8_t, 4>& sel) const {
  for (const auto& e : errors_)
    if (e.Selector() == sel) return &e;
  return nullptr;
}

Result<Bytes> Abi::EncodeCall(std::string_view function, const json::array& args) const {
  CX_ASSIGN_OR_RETURN(const AbiFunction* f, Function(function));
  CX_ASSIGN_OR_RETURN(Bytes body, AbiEncode(f->inputs, args, "args"));
  auto sel = f->Selector();
  return Bytes(reinterpret_cast<const char*>(sel.data()), 4) + body;  // NOLINT
}

Result<json::array> Abi::DecodeOutput(std::string_view function, std::string_view data) const {
  CX_ASSIGN_OR_RETURN(const AbiFunction* f, Function(function));
  return AbiDecode(f->outputs, data, "output");
}

Result<std::pair<std::string, json::array>> Abi::DecodeCall(std::string_view data) const {
  if (data.size() < 4) return Bad("data", "call data shorter than a selector");
  for (const auto& f : functions_) {
    auto sel = f.Selector();
    if (std::memcmp(sel.data(), data.data(), 4) == 0) {
      CX_ASSIGN_OR_RETURN(json::array args, AbiDecode(f.inputs, data.substr(4), "args"));
      return std::make_pair(f.Signature(), std::move(args));
    }
  }
  return Err(Code::kNotFound, "unknown function selector " + ToHex(data.substr(0, 4)), "data");
}

Result<DecodedLog> Abi::DecodeLog(const std::vector<Hash32>& topics, std::string_view data) const {
  if (topics.empty()) return Bad("topics", "log has no topics (anonymous events are not decoded)");
  const AbiEvent* ev = EventByTopic(topics[0]);
  if (ev == nullptr) return Err(Code::kNotFound, "unknown event topic " + ToHex(topics[0]), "topics[0]");
  std::vector<AbiType> data_types;
  size_t n_indexed = 0;
  for (const auto& in : ev->inputs) {
    if (in.indexed) ++n_indexed;
    else data_types.push_back(in);
  }
  if (topics.size() != n_indexed + 1)
    return Bad("topics", "event " + ev->name + " needs " + std::to_string(n_indexed + 1) + " topics");
  CX_ASSIGN_OR_RETURN(json::array data_vals, AbiDecode(data_types, data, "data"));
  DecodedLog out;
  out.event = ev->name;
  size_t ti = 1;
  size_t di = 0;
  for (size_t i = 0; i < ev->inputs.size(); ++i) {
    const AbiType& in = ev->inputs[i];
    std::string key = in.name.empty() ? "arg" + std::to_string(i) : in.name;
    if (in.indexed) {
      const Hash32& topic = topics[ti++];
      if (in.IsDynamic() || in.kind == AbiType::Kind::kTuple || in.kind == AbiType::Kind::kFixedArray) {
        out.args[key] = ToHex(topic);
      } else {
        AbiType single = in;
        single.name.clear();
        CX_ASSIGN_OR_RETURN(json::array v, AbiDecode({single}, topic.str(), "topics[" + std::to_string(ti - 1) + "]"));
        out.args[key] = std::move(v[0]);
      }
    } else {
      out.args[key] = std::move(data_vals[di++]);
    }
  }
  return out;
}

Result<DecodedError> Abi::DecodeRevert(std::string_view data) const {
  if (data.size() < 4) return Bad("data", "revert data shorter than a selector");
  std::array<uint8_t, 4> sel{};
  std::memcpy(sel.data(), data.data(), 4);
  std::string_view body = data.substr(4);
  DecodedError out;
  auto one = [&](std::string_view sig, std::string_view type, std::string_view key) -> Result<DecodedError> {
    CX_ASSIGN_OR_RETURN(AbiType t, ParseAbiType(type));
    CX_ASSIGN_OR_RETURN(json::array v, AbiDecode({t}, body, "data"));
    out.name = std::string(sig.substr(0, sig.find('(')));
    out.signature = sig;
    out.args[key] = std::move(v[0]);
    return out;
  };
  if (sel == Sel("Error(string)")) return one("Error(string)", "string", "message");
  if (sel == Sel("Panic(uint256)")) return one("Panic(uint256)", "uint256", "code");
  const AbiError* e = ErrorBySelector(sel);
  if (e == nullptr) return Err(Code::kNotFound, "unknown error selector " + ToHex(data.substr(0, 4)), "data");
  CX_ASSIGN_OR_RETURN(json::array vals, AbiDecode(e->inputs, body, "data"));
  out.name = e->name;
  out.signature = e->Signature();
  for (size_t i = 0; i < vals.size(); ++i)
    out.args[e->inputs[i].name.empty() ? "arg" + std::to_string(i) : e->inputs[i].name] = std::move(vals[i]);
  return out;
}

}  // namespace cx::chain
