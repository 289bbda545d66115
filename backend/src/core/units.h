// Quantities and money as integers, with checked arithmetic.
// - Kg: kilograms of CO2e. A credit (tonne) is 1000 kg; people see tonnes with three
//   decimals ("12.345"). Registries that issue fractional tonnes (Isometric) map exactly.
// - Minor: money in integer minor units of a currency (cents for USD/EUR).
// Never floating point in balances, prices or fees. Overflow is an error value, not UB.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cx {

inline constexpr int64_t kKgPerTonne = 1000;

// Checked arithmetic: nullopt on overflow.
inline std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<int64_t> CheckedSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}
// a * b / d with a 128-bit intermediate; rounds toward zero, or up when round_up is set
// (for non-negative operands). nullopt on overflow or d == 0.
std::optional<int64_t> MulDiv(int64_t a, int64_t b, int64_t d, bool round_up = false);

// "12.345" <-> 12345 kg. Accepts an optional sign, up to 3 decimals, no exponent.
Result<int64_t> ParseTonnesToKg(std::string_view s, std::string_view field = "quantity");
std::string FormatKgAsTonnes(int64_t kg);

// Decimal string with `scale` fraction digits <-> integer minor units ("10.50" -> 1050
// when scale is 2). Refuses more fraction digits than `scale`.
Result<int64_t> ParseDecimal(std::string_view s, int scale, std::string_view field);
std::string FormatDecimal(int64_t v, int scale);

}  // namespace cx
