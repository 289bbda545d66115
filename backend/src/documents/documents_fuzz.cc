// libFuzzer target for the decoders that read bytes from outside: dag-pb/UnixFS nodes
// (from disk or a CAR), CID strings (from URLs), metadata records, and the DAG walk over
// a fuzzed root. The first byte picks the decoder. Built only with clang
// (CMakeLists.txt: cx_documents_fuzz); run e.g. `cx_documents_fuzz -max_total_time=30`.
#include <cstddef>
#include <cstdint>
#include <string>

#include "documents/block.h"
#include "documents/car.h"
#include "documents/dag_pb.h"
#include "documents/document_store.h"
#include "documents/file_reader.h"

namespace {
class Discard final : public cx::documents::ByteSink {
 public:
  cx::Result<void> Write(std::string_view) override { return cx::Ok(); }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cx::documents;
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto n = DecodeFileNode(in);
      if (n.ok() && n->links.size() != n->blocksizes.size()) __builtin_trap();
      break;
    }
    case 1: {
      auto c = Cid::Parse(in);
      if (c.ok() && Cid::Parse(c->ToString()).value() != *c) __builtin_trap();
      break;
    }
    case 2:
      (void)ParseMeta(in);
      break;
    case 3: {
      // The input is a root node; its links resolve to small leaves present in the store.
      MemoryBlockStore store;
      Cid root = Cid::Of(Codec::kDagPb, in);
      (void)store.PutBlock(root, in);
      for (std::string leaf : {"", "a", "bb", "ccc"}) {
        (void)store.PutBlock(Cid::Of(Codec::kRaw, leaf), leaf);
      }
      if (auto r = FileReader::Open(&store, root, 1, 100); r.ok()) (void)(*r)->ReadAll();
      Discard d;
      (void)ExportCar(store, root, d);
      break;
    }
  }
  return 0;
}
