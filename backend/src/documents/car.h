// CAR v1 export (https://ipld.io/specs/transport/car/carv1/) of one document's DAG, so the
// document can be imported and pinned by any IPFS node (`ipfs dag import`).
//   header: varint(len) + DAG-CBOR {"roots": [root], "version": 1}
//   then per block: varint(len(cid bytes) + len(block)) + cid bytes + block
// Blocks are written depth first from the root (the order `ipfs dag export` uses), each
// distinct block once. Every block is read through the BlockSource, so a corrupt block
// stops the export with kBlockCorrupt.
// Thread-safety: a free function; the source and sink must not be shared meanwhile.
#pragma once
#include <string>

#include "core/result.h"
#include "documents/block.h"

namespace cx::documents {

// The CAR v1 header naming `root` (exposed for tests).
std::string CarHeader(const Cid& root);

// Writes the CAR of the DAG under `root` to `out`; returns the number of blocks written.
Result<uint64_t> ExportCar(const BlockSource& source, const Cid& root, ByteSink& out);

}  // namespace cx::documents
