// CSV text parsing (RFC 4180: commas, double-quoted fields with "" escapes, CRLF or LF)
// and the typed loaders built on it: daily price series and the market-abuse order /
// trade formats. Parses text already in memory: reading files is the I/O layer's job.
// Thread-safe, pure.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "models/fraud.h"

namespace cx::ml {

// Calls row(fields, line_number) for every record after the header; header receives the
// first record. Stops at and returns the first error a callback returns.
Result<void> ForEachCsvRow(std::string_view text,
                           const std::function<Result<void>(const std::vector<std::string>&)>& header,
                           const std::function<Result<void>(const std::vector<std::string>&, size_t)>& row);

struct PriceSeries {
  std::vector<std::string> dates;
  std::vector<double> prices;
  size_t skipped_empty = 0;  // rows whose price cell was empty
};

// Reads `price_column` (and `date_column`) of a CSV; rows with an empty price are
// skipped and counted; rows are sorted by date if the dates are ISO-8601 and out of
// order. Errors (kInvalidField / kMissingField) name the column or line at fault.
Result<PriceSeries> ParsePriceCsv(std::string_view text, const std::string& date_column,
                                  const std::string& price_column);

// Formats of ../shared/bench/market-abuse (see simulate.py):
//   orders: ts_ms,event,order_id,account,instrument,side,type,price,qty
//   trades: ts_ms,trade_id,instrument,price,qty,buy_order_id,sell_order_id,buyer,seller,aggressor
Result<std::vector<OrderEvent>> ParseOrdersCsv(std::string_view text);
Result<std::vector<Trade>> ParseTradesCsv(std::string_view text);

}  // namespace cx::ml
