// BookState: the complete state of one OrderBook as a plain value, for engine snapshots.
// OrderBook::ExportState() produces it; OrderBook::ImportState() rebuilds a book from it
// that behaves identically to the exported one for every future command sequence (same
// results, events, snapshots, iceberg refills, stop trigger order, GTT expiry order, STP).
//
// Every struct lists its fields in `Fields` (the order is the wire order), so core/codec.h
// encodes it canonically (Encode / Decode / ToJson). Decoding checks only the wire form:
// an enum holds whatever integer fits its byte, so ImportState validates every value.
//
// Canonical form. The book keeps only what can still affect its future, and the state
// holds exactly that; fields the book no longer holds are 0:
// - Resting orders: type is kLimit (a triggered stop-limit rests as a limit),
//   stop_price == 0 and min_qty == 0 (both act only on entry). The original quantity is
//   not kept (leaves and visible are); a stop's leaves is its full quantity.
// - serial (acceptance order) is set for untriggered stops (trigger order among equal
//   stop prices, mass-cancel order) and GTT orders (expiry order among equal expiry
//   times), else 0. Queue priority is the position in `bids` / `asks`, not the serial.
// - expire_at is set for GTT orders only; display_qty (iceberg peak) for icebergs only.
// ExportState always yields the canonical form and ImportState accepts only it, so
// ExportState(ImportState(s)) == s for every accepted s.
//
// Format version 1 (kBookStateVersion); a change of fields or meaning bumps it.
// Thread-safety: plain values.
#pragma once
#include <cstdint>
#include <vector>

#include "core/strong.h"
#include "exchange/types.h"

namespace cx::exchange {

inline constexpr int64_t kBookStateVersion = 1;

// One live order: the NewOrder fields the book still holds plus its open state.
struct BookOrderState {
  OrderId id;
  AccountId account;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;  // resting: kLimit; untriggered: kStop / kStopLimit
  TimeInForce tif = TimeInForce::kGtc;  // resting: kGtc / kGtt
  StpMode stp = StpMode::kNone;
  bool post_only = false;
  int64_t price = 0;        // limit price; 0 for kStop
  int64_t stop_price = 0;   // untriggered stops only
  int64_t display_qty = 0;  // iceberg peak; 0 = fully displayed
  int64_t min_qty = 0;      // untriggered stops only (checked when the stop enters)
  int64_t expire_at = 0;    // kGtt only
  int64_t leaves = 0;       // open quantity, hidden part included
  int64_t visible = 0;      // displayed part still queued; 0 for untriggered stops
  int64_t serial = 0;       // acceptance serial: untriggered stops and GTT orders only

  template <class V>
  void Fields(V& v) {
    v("id", id); v("account", account); v("side", side); v("type", type); v("tif", tif);
    v("stp", stp); v("post_only", post_only); v("price", price); v("stop_price", stop_price);
    v("display_qty", display_qty); v("min_qty", min_qty); v("expire_at", expire_at);
    v("leaves", leaves); v("visible", visible); v("serial", serial);
  }
  friend bool operator==(const BookOrderState&, const BookOrderState&) = default;
};

struct BookState {
  int64_t version = kBookStateVersion;
  // The parameters the book was built with (expected_orders, a capacity hint, is not
  // state); ImportState refuses a state of other parameters.
  InstrumentId instrument;
  int64_t tick_size = 1;
  int64_t lot_size = 1;
  bool matching_only = false;
  // Resting orders, best price first; orders of one price are contiguous, in time
  // (queue) order. As in BookSnapshot.
  std::vector<BookOrderState> bids;
  std::vector<BookOrderState> asks;
  // Untriggered stop orders, in acceptance order (serial strictly increasing).
  std::vector<BookOrderState> stops;
  int64_t now = INT64_MIN;  // the book's clock (AdvanceTime); INT64_MIN = never set
  int64_t next_serial = 1;  // serial of the next accepted order
  bool has_last_trade = false;
  int64_t last_trade_price = 0;  // 0 unless has_last_trade

  template <class V>
  void Fields(V& v) {
    v("version", version); v("instrument", instrument); v("tick_size", tick_size);
    v("lot_size", lot_size); v("matching_only", matching_only); v("bids", bids);
    v("asks", asks); v("stops", stops); v("now", now); v("next_serial", next_serial);
    v("has_last_trade", has_last_trade); v("last_trade_price", last_trade_price);
  }
  friend bool operator==(const BookState&, const BookState&) = default;
};

}  // namespace cx::exchange
