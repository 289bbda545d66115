// JsonOut: appends compact JSON to a string without building a document tree. Used where
// a reply is rendered on the engine thread's hot path (orders, fills), where building a
// boost::json object cost more than matching and settling the order.
// The caller keeps keys and nesting well formed; strings are escaped here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace cx::app {

class JsonOut {
 public:
  explicit JsonOut(std::string& out) : s_(out) {}
  JsonOut& Open() { return Sep(), s_ += '{', first_ = true, *this; }
  JsonOut& Close() { return s_ += '}', first_ = false, *this; }
  JsonOut& OpenArray() { return Sep(), s_ += '[', first_ = true, *this; }
  JsonOut& CloseArray() { return s_ += ']', first_ = false, *this; }
  JsonOut& Key(std::string_view k) {
    Sep();
    Quote(k);
    s_ += ':';
    first_ = true;  // the value follows without a comma
    return *this;
  }
  JsonOut& Str(std::string_view v) { return Sep(), Quote(v), *this; }
  JsonOut& Int(int64_t v) { return Sep(), s_ += std::to_string(v), *this; }
  JsonOut& Bool(bool v) { return Sep(), s_ += v ? "true" : "false", *this; }
  JsonOut& Null() { return Sep(), s_ += "null", *this; }
  JsonOut& Raw(std::string_view json) { return Sep(), s_ += json, *this; }
  // Key + value shorthands.
  JsonOut& KStr(std::string_view k, std::string_view v) { return Key(k).Str(v); }
  JsonOut& KInt(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonOut& KBool(std::string_view k, bool v) { return Key(k).Bool(v); }
  JsonOut& KNull(std::string_view k) { return Key(k).Null(); }

 private:
  void Sep() {
    if (!first_) s_ += ',';
    first_ = false;
  }
  void Quote(std::string_view v) {
    s_ += '"';
    for (char c : v) {
      switch (c) {
        case '"': s_ += "\\\""; break;
        case '\\': s_ += "\\\\"; break;
        case '\n': s_ += "\\n"; break;
        case '\r': s_ += "\\r"; break;
        case '\t': s_ += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            static const char* kHex = "0123456789abcdef";
            s_ += "\\u00";
            s_ += kHex[(c >> 4) & 15];
            s_ += kHex[c & 15];
          } else {
            s_ += c;
          }
      }
    }
    s_ += '"';
  }
  std::string& s_;
  bool first_ = true;
};

}  // namespace cx::app
