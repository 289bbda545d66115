// Canonical binary codec for journal payloads and snapshots, plus a JSON renderer.
//
// A record type declares its fields once, in order:
//   template <class V> void Fields(V& v) { v("id", id); v("name", name); }
// and gets three things from that list: Encode (canonical bytes, hashed into the journal),
// Decode (replay; rejects truncated or trailing bytes), and ToJson (for people and the
// API). Encoding: signed integers as zigzag LEB128 varints, bool as one byte, strings as
// varint length + bytes, vectors as varint count + elements, nested records inline.
// The encoding of a value is unique, so equal values hash equally.
// Thread-safe: pure functions over values.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cx {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void U(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void I(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void S(std::string_view s) {
    U(s.size());
    out_.append(s);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  // Accepts only the canonical (shortest) encoding, so every value has one byte form.
  bool U(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && b > 1) return fail();            // more than 64 bits
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return shift == 0 || b != 0 ? true : fail();  // no trailing zero groups
    }
    return fail();
  }
  void Fail() { fail(); }
  bool I(int64_t& v) {
    uint64_t u;
    if (!U(u)) return false;
    v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool S(std::string& s) {
    uint64_t n;
    if (!U(n) || n > in_.size() - pos_) return fail();
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

template <typename T, typename = void>
struct HasFields : std::false_type {};
struct FieldProbe {
  template <typename X>
  void operator()(const char*, X&) {}
};
template <typename T>
struct HasFields<T, std::void_t<decltype(std::declval<T&>().Fields(std::declval<FieldProbe&>()))>>
    : std::true_type {};

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsPair : std::false_type {};
template <typename A, typename B>
struct IsPair<std::pair<A, B>> : std::true_type {};

template <typename T>
concept StrongLike = requires(T t) {
  { t.v };
  typename std::enable_if_t<!std::is_arithmetic_v<T>>;
} && std::is_integral_v<decltype(T{}.v)> && !HasFields<T>::value;

struct EncodeVisitor {
  Writer w;
  template <typename X>
  void operator()(const char*, const X& x) { Put(x); }
  template <typename X>
  void Put(const X& x) {
    if constexpr (std::is_same_v<X, bool>) {
      w.U(x ? 1 : 0);
    } else if constexpr (std::is_enum_v<X> || std::is_integral_v<X>) {
      w.I(static_cast<int64_t>(x));
    } else if constexpr (std::is_same_v<X, std::string>) {
      w.S(x);
    } else if constexpr (IsVector<X>::value) {
      w.U(x.size());
      for (const auto& e : x) Put(e);
    } else if constexpr (IsOptional<X>::value) {
      w.U(x.has_value() ? 1 : 0);
      if (x) Put(*x);
    } else if constexpr (IsPair<X>::value) {
      Put(x.first);
      Put(x.second);
    } else if constexpr (HasFields<X>::value) {
      const_cast<X&>(x).Fields(*this);
    } else {
      w.I(static_cast<int64_t>(x.v));  // strong id
    }
  }
};

struct DecodeVisitor {
  Reader r;
  template <typename X>
  void operator()(const char*, X& x) { Get(x); }
  template <typename X>
  void Get(X& x) {
    if (!r.ok()) return;
    if constexpr (std::is_same_v<X, bool>) {
      uint64_t u = 0;
      r.U(u);
      if (u > 1) r.Fail();
      x = u != 0;
    } else if constexpr (std::is_enum_v<X> || std::is_integral_v<X>) {
      int64_t i = 0;
      r.I(i);
      x = static_cast<X>(i);
      if (static_cast<int64_t>(x) != i) r.Fail();  // out of the field's range
    } else if constexpr (std::is_same_v<X, std::string>) {
      r.S(x);
    } else if constexpr (IsVector<X>::value) {
      uint64_t n = 0;
      if (!r.U(n) || n > (1u << 26)) {  // absurd counts are malformed input, not allocations
        r.Fail();
        return;
      }
      x.clear();
      x.resize(n);
      for (auto& e : x) Get(e);
    } else if constexpr (IsOptional<X>::value) {
      uint64_t has = 0;
      r.U(has);
      if (has > 1) r.Fail();
      if (has) {
        x.emplace();
        Get(*x);
      } else {
        x.reset();
      }
    } else if constexpr (IsPair<X>::value) {
      Get(x.first);
      Get(x.second);
    } else if constexpr (HasFields<X>::value) {
      x.Fields(*this);
    } else {
      int64_t i = 0;
      r.I(i);
      x.v = i;
    }
  }
};

void JsonEscape(std::string& out, std::string_view s);

struct JsonVisitor {
  std::string& out;
  bool first = true;
  template <typename X>
  void operator()(const char* name, const X& x) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(name);
    out.append("\":");
    Put(x);
  }
  template <typename X>
  void Put(const X& x) {
    if constexpr (std::is_same_v<X, bool>) {
      out.append(x ? "true" : "false");
    } else if constexpr (std::is_enum_v<X>) {
      out.append(std::to_string(static_cast<int64_t>(x)));
    } else if constexpr (std::is_integral_v<X>) {
      out.append(std::to_string(x));
    } else if constexpr (std::is_same_v<X, std::string>) {
      JsonEscape(out, x);
    } else if constexpr (IsVector<X>::value) {
      out.push_back('[');
      bool f = true;
      for (const auto& e : x) {
        if (!f) out.push_back(',');
        f = false;
        Put(e);
      }
      out.push_back(']');
    } else if constexpr (IsOptional<X>::value) {
      if (x) Put(*x); else out.append("null");
    } else if constexpr (IsPair<X>::value) {
      out.push_back('[');
      Put(x.first);
      out.push_back(',');
      Put(x.second);
      out.push_back(']');
    } else if constexpr (HasFields<X>::value) {
      out.push_back('{');
      JsonVisitor inner{out};
      const_cast<X&>(x).Fields(inner);
      out.push_back('}');
    } else {
      out.append(std::to_string(x.v));
    }
  }
};

template <typename T>
void EncodeTo(const T& value, std::string& out) {
  EncodeVisitor v{Writer(out)};
  v.Put(value);
}
template <typename T>
std::string Encode(const T& value) {
  std::string s;
  EncodeTo(value, s);
  return s;
}
// False on truncated, malformed or trailing bytes.
template <typename T>
bool Decode(std::string_view bytes, T& value) {
  DecodeVisitor v{Reader(bytes)};
  v.Get(value);
  return v.r.ok() && v.r.done();
}
template <typename T>
std::string ToJson(const T& value) {
  std::string s;
  JsonVisitor v{s};
  v.Put(value);
  return s;
}

}  // namespace cx
