// ERC-1155 metadata of a credit batch (the JSON a token URI `ipfs://<cid>` points to),
// stored as a public document. The JSON is a pure function of fields fixed at issuance
// (project, class, vintage, serials, methodology, issuance period and report), so its CID
// is stable: BatchView shows it as `metadata_cid`, the document store holds the bytes
// (written when the issuing approval is acknowledged, or on first request of
// GET /api/v1/batches/{id}/metadata), and the chain mirror can use `ipfs://<cid>`.
#pragma once
#include <string>

#include "app/service.h"
#include "engine/engine.h"
#include "registry/registry.h"

namespace cx::app {

// The metadata bytes (canonical: fixed member order, no whitespace). Pure.
std::string BatchMetadataJson(const registry::RegistryState& s, const registry::Batch& b);
// CID of those bytes as `ipfs add --cid-version=1 --raw-leaves` gives it. Pure.
std::string BatchMetadataCid(const registry::RegistryState& s, const registry::Batch& b);
// Wraps an issuance render: after it, if the issuance has a batch, stores the batch's
// metadata document (on a worker thread; content addressed, so storing twice is harmless).
engine::Render StoreBatchMetadataAfter(ServiceContext& c, int64_t issuance, engine::Render inner);
// GET /api/v1/batches/{id}/metadata.
Result<void> RegisterBatchMetadataRoutes(api::Router& router, ServiceContext& ctx);

}  // namespace cx::app
