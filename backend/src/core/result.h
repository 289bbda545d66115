// Result<T>: a value or an Error (a small stand-in for C++23 std::expected).
// Errors are values in the core: no exceptions cross module boundaries for business
// refusals. Thread-safe as a value type.
#pragma once
#include <cassert>
#include <utility>
#include <variant>

#include "core/error.h"

namespace cx {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}       // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return err_; }
  Error&& take_error() { return std::move(err_); }

 private:
  Error err_;
  bool ok_ = true;
};

inline Result<void> Ok() { return Result<void>(); }

inline Error Err(Code c, std::string msg, std::string field = {}) {
  return Error::Make(c, std::move(msg), std::move(field));
}

}  // namespace cx

// Propagates an error from an expression returning Result<...>.
#define CX_TRY(expr)                                  \
  do {                                                \
    auto cx_try_r_ = (expr);                          \
    if (!cx_try_r_.ok()) return cx_try_r_.take_error(); \
  } while (0)

#define CX_CONCAT_INNER_(a, b) a##b
#define CX_CONCAT_(a, b) CX_CONCAT_INNER_(a, b)
// Declares `lhs` from the value of a Result, or returns its error.
#define CX_ASSIGN_OR_RETURN(lhs, expr)                              \
  auto CX_CONCAT_(cx_r_, __LINE__) = (expr);                        \
  if (!CX_CONCAT_(cx_r_, __LINE__).ok())                            \
    return CX_CONCAT_(cx_r_, __LINE__).take_error();                \
  lhs = std::move(CX_CONCAT_(cx_r_, __LINE__)).value()  // NOLINT(bugprone-macro-parentheses): lhs declares a name
