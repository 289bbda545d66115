// The registry's HTTP API: registers every /api/v1 route of the foundation on a Router.
// Handlers are thin: parse the request, submit a command (or a query) to the engine,
// answer after the journal commit. Blocking work (argon2id, proof reads) runs on Workers.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "api/router.h"
#include "app/workers.h"
#include "auth/jwt.h"
#include "engine/engine.h"
#include "store/store.h"

namespace cx::documents {
class DocumentStore;
}

namespace cx::app {
class MarketFeed;

struct ServiceContext {
  engine::Engine* engine = nullptr;
  const auth::JwtCodec* jwt = nullptr;
  Workers* workers = nullptr;
  std::string db_path;              // the journal, opened read-only for proofs
  int64_t refresh_ttl_seconds = 30 * 24 * 3600;
  documents::DocumentStore* docs = nullptr;  // content-addressed documents (may be null)
  uint64_t max_document_bytes = 32u << 20;
  std::function<int64_t()> now_seconds;  // unix time (tests may fix it)
  // Read connection for proofs (one, guarded).
  std::mutex reader_mu;
  std::unique_ptr<store::Store> reader;
};

Result<void> RegisterRoutes(api::Router& router, ServiceContext& ctx);
// JSON Schemas of request bodies for the OpenAPI document.
Result<void> RegisterSchemas(api::Router& router);
// Document upload, metadata, the /ipfs/{cid} gateway and project attachments.
Result<void> RegisterDocumentRoutes(api::Router& router, ServiceContext& ctx);
// Exchange: instruments, orders, fills, market data, indices, auctions (market_routes.cc).
Result<void> RegisterMarketRoutes(api::Router& router, ServiceContext& ctx, MarketFeed& feed);

}  // namespace cx::app
