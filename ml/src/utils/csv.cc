#include "utils/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>

namespace cx::ml {

Result<void> ForEachCsvRow(std::string_view text,
                           const std::function<Result<void>(const std::vector<std::string>&)>& header,
                           const std::function<Result<void>(const std::vector<std::string>&, size_t)>& row) {
  std::vector<std::string> f;
  size_t i = 0, line = 1;
  bool first = true;
  const size_t n = text.size();
  if (n >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 BOM
  while (i < n) {
    f.clear();
    f.emplace_back();
    const size_t start_line = line;
    bool end = false;
    while (!end) {
      if (i < n && text[i] == '"') {
        ++i;
        for (;;) {
          if (i >= n)
            return Err(Code::kInvalidField, "unterminated quote starting on line " + std::to_string(start_line), "csv");
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') { f.back() += '"'; i += 2; continue; }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          f.back() += text[i++];
        }
      }
      const size_t s = i;
      while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') ++i;
      f.back().append(text.substr(s, i - s));
      if (i < n && text[i] == ',') { ++i; f.emplace_back(); continue; }
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
      end = true;
    }
    if (f.size() == 1 && f[0].empty()) continue;  // blank line
    if (first) { CX_TRY(header(f)); first = false; }
    else { CX_TRY(row(f, start_line)); }
  }
  if (first) return Err(Code::kInvalidField, "empty CSV: no header", "csv");
  return Ok();
}

namespace {
Result<double> ParseDouble(const std::string& s, size_t line, const std::string& col) {
  double v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  while (b < e && *b == ' ') ++b;
  auto r = std::from_chars(b, e, v);
  if (r.ec != std::errc() || r.ptr != e || !std::isfinite(v))
    return Err(Code::kInvalidField, "line " + std::to_string(line) + ": '" + s + "' is not a number", col);
  return v;
}
Result<int64_t> ParseInt(const std::string& s, size_t line, const char* col) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty())
    return Err(Code::kInvalidField, "line " + std::to_string(line) + ": '" + s + "' is not an integer", col);
  return v;
}
Result<std::map<std::string, size_t>> Columns(const std::vector<std::string>& h,
                                              const std::vector<std::string>& need) {
  std::map<std::string, size_t> m;
  for (size_t i = 0; i < h.size(); ++i) m[h[i]] = i;
  for (const auto& c : need)
    if (!m.count(c)) return Err(Code::kMissingField, "CSV has no column '" + c + "'", c);
  return m;
}
bool IsoDate(const std::string& d) {
  return d.size() >= 10 && d[4] == '-' && d[7] == '-' && std::isdigit(static_cast<unsigned char>(d[0]));
}
}  // namespace

Result<PriceSeries> ParsePriceCsv(std::string_view text, const std::string& date_column,
                                  const std::string& price_column) {
  PriceSeries ps;
  size_t dc = 0, pc = 0;
  auto header = [&](const std::vector<std::string>& h) -> Result<void> {
    CX_ASSIGN_OR_RETURN(auto m, Columns(h, {date_column, price_column}));
    dc = m[date_column];
    pc = m[price_column];
    return Ok();
  };
  auto row = [&](const std::vector<std::string>& f, size_t line) -> Result<void> {
    if (f.size() <= std::max(dc, pc))
      return Err(Code::kInvalidField, "line " + std::to_string(line) + " has too few columns", price_column);
    if (f[pc].empty()) { ++ps.skipped_empty; return Ok(); }
    CX_ASSIGN_OR_RETURN(double v, ParseDouble(f[pc], line, price_column));
    if (v <= 0)
      return Err(Code::kInvalidField, "line " + std::to_string(line) + ": price must be > 0", price_column);
    ps.dates.push_back(f[dc]);
    ps.prices.push_back(v);
    return Ok();
  };
  CX_TRY(ForEachCsvRow(text, header, row));
  if (ps.prices.empty()) return Err(Code::kInvalidField, "no prices in column '" + price_column + "'", price_column);
  if (std::all_of(ps.dates.begin(), ps.dates.end(), IsoDate) &&
      !std::is_sorted(ps.dates.begin(), ps.dates.end())) {
    std::vector<size_t> idx(ps.dates.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return ps.dates[a] < ps.dates[b]; });
    PriceSeries s2;
    s2.skipped_empty = ps.skipped_empty;
    for (size_t i : idx) { s2.dates.push_back(ps.dates[i]); s2.prices.push_back(ps.prices[i]); }
    ps = std::move(s2);
  }
  return ps;
}

Result<std::vector<OrderEvent>> ParseOrdersCsv(std::string_view text) {
  std::vector<OrderEvent> out;
  std::vector<size_t> c;
  auto header = [&](const std::vector<std::string>& h) -> Result<void> {
    const std::vector<std::string> need = {"ts_ms", "event", "order_id", "account", "instrument", "side", "type", "price", "qty"};
    CX_ASSIGN_OR_RETURN(auto m, Columns(h, need));
    for (const auto& n : need) c.push_back(m[n]);
    return Ok();
  };
  auto row = [&](const std::vector<std::string>& f, size_t line) -> Result<void> {
    if (f.size() <= *std::max_element(c.begin(), c.end())) return Err(Code::kInvalidField, "line " + std::to_string(line) + " has too few columns", "orders");
    OrderEvent e;
    CX_ASSIGN_OR_RETURN(e.ts_ms, ParseInt(f[c[0]], line, "ts_ms"));
    if (f[c[1]] == "new") e.cancel = false;
    else if (f[c[1]] == "cancel") e.cancel = true;
    else return Err(Code::kInvalidField, "line " + std::to_string(line) + ": event must be new|cancel", "event");
    CX_ASSIGN_OR_RETURN(e.order_id, ParseInt(f[c[2]], line, "order_id"));
    e.account = f[c[3]];
    CX_ASSIGN_OR_RETURN(int64_t inst, ParseInt(f[c[4]], line, "instrument"));
    e.instrument = static_cast<int32_t>(inst);
    if (f[c[5]] == "buy") e.side = Side::kBuy;
    else if (f[c[5]] == "sell") e.side = Side::kSell;
    else return Err(Code::kInvalidField, "line " + std::to_string(line) + ": side must be buy|sell", "side");
    e.market = f[c[6]] == "market";
    if (!e.market && f[c[6]] != "limit")
      return Err(Code::kInvalidField, "line " + std::to_string(line) + ": type must be limit|market", "type");
    if (!f[c[7]].empty()) { CX_ASSIGN_OR_RETURN(e.price, ParseInt(f[c[7]], line, "price")); }
    CX_ASSIGN_OR_RETURN(e.qty, ParseInt(f[c[8]], line, "qty"));
    out.push_back(std::move(e));
    return Ok();
  };
  CX_TRY(ForEachCsvRow(text, header, row));
  return out;
}

Result<std::vector<Trade>> ParseTradesCsv(std::string_view text) {
  std::vector<Trade> out;
  std::vector<size_t> c;
  auto header = [&](const std::vector<std::string>& h) -> Result<void> {
    const std::vector<std::string> need = {"ts_ms", "trade_id", "instrument", "price", "qty", "buy_order_id",
                                           "sell_order_id", "buyer", "seller", "aggressor"};
    CX_ASSIGN_OR_RETURN(auto m, Columns(h, need));
    for (const auto& n : need) c.push_back(m[n]);
    return Ok();
  };
  auto row = [&](const std::vector<std::string>& f, size_t line) -> Result<void> {
    if (f.size() <= *std::max_element(c.begin(), c.end())) return Err(Code::kInvalidField, "line " + std::to_string(line) + " has too few columns", "trades");
    Trade t;
    CX_ASSIGN_OR_RETURN(t.ts_ms, ParseInt(f[c[0]], line, "ts_ms"));
    CX_ASSIGN_OR_RETURN(t.trade_id, ParseInt(f[c[1]], line, "trade_id"));
    CX_ASSIGN_OR_RETURN(int64_t inst, ParseInt(f[c[2]], line, "instrument"));
    t.instrument = static_cast<int32_t>(inst);
    CX_ASSIGN_OR_RETURN(t.price, ParseInt(f[c[3]], line, "price"));
    CX_ASSIGN_OR_RETURN(t.qty, ParseInt(f[c[4]], line, "qty"));
    CX_ASSIGN_OR_RETURN(t.buy_order_id, ParseInt(f[c[5]], line, "buy_order_id"));
    CX_ASSIGN_OR_RETURN(t.sell_order_id, ParseInt(f[c[6]], line, "sell_order_id"));
    t.buyer = f[c[7]];
    t.seller = f[c[8]];
    if (f[c[9]] == "buy") t.aggressor = Side::kBuy;
    else if (f[c[9]] == "sell") t.aggressor = Side::kSell;
    else return Err(Code::kInvalidField, "line " + std::to_string(line) + ": aggressor must be buy|sell", "aggressor");
    out.push_back(std::move(t));
    return Ok();
  };
  CX_TRY(ForEachCsvRow(text, header, row));
  return out;
}

}  // namespace cx::ml
