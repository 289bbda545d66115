// DocumentStore: the documents module's API. Stores files as UnixFS DAGs in a BlockStore
// and keeps a small metadata record per document; the HTTP gateway (/ipfs/{cid}), the
// CLI and the pinning worker sit on top of it.
//
//   Put     -> CID + size. Public: the CID is exactly `ipfs add --cid-version=1
//              --raw-leaves` of the bytes. Private: the bytes are sealed first
//              (crypto.h) and the CID is that of the stored ciphertext, so every block,
//              public or private, is checked the same way and the ciphertext can be
//              pinned on IPFS without revealing anything; the metadata keeps the
//              plaintext's size and SHA-256, and the wrapped data key.
//   Open    -> a DocumentReader streaming [offset, offset+length) of the plaintext
//              piece by piece (Range requests; content type from the metadata).
//   Has / Stat / Verify / ExportCar (CAR v1 of the stored DAG, ciphertext if private).
//
// On-disk layout under the data directory:
//   blocks/<xx>/<cid>   blocks (block_store.h)
//   meta/<cid>          metadata, "key=value" lines (see README.md), atomically replaced
//   e2e/                reviewers' public keys and end-to-end envelopes (e2e.h)
// Durability: Finish() of a put issues one syncfs after the last block and the metadata.
// Blocks of an aborted put stay as unreferenced garbage (harmless, content addressed).
//
// Thread-safety: a DocumentStore may be shared by threads (each put or read has its own
// writer/reader object; those are not thread-safe). Access control is the caller's:
// MayRead() states the rule (private: owner, admins and auditors only).
#pragma once
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "documents/block.h"
#include "documents/block_store.h"
#include "documents/cid.h"
#include "documents/crypto.h"
#include "documents/e2e.h"
#include "documents/importer.h"
#include "documents/pin_service.h"

namespace cx::documents {

inline constexpr char kDefaultMediaType[] = "application/octet-stream";

struct PutOptions {
  bool is_private = false;     // encrypt at rest under the master key (server can read)
  // The bytes are already ciphertext made by the client (KYC papers encrypted in the
  // browser): stored as they are, CID of those bytes, read access restricted like a
  // private document. Exclusive with is_private.
  bool end_to_end = false;
  std::string media_type;      // empty = application/octet-stream; "type/subtype[;params]"
  std::string owner;           // user id (opaque here), checked by MayRead
  uint64_t max_size = 0;       // plaintext bytes; 0 = unlimited. kTooLarge past it
  int64_t created_unix = 0;    // stamped by the caller (no clock reads here)
};

struct DocumentInfo {
  Cid cid;
  uint64_t size = 0;         // plaintext bytes
  uint64_t stored_size = 0;  // bytes of the stored file (ciphertext if private)
  std::string media_type = kDefaultMediaType;
  std::string owner;
  bool is_private = false;
  bool end_to_end = false;       // client-side ciphertext, stored as is
  std::string plaintext_sha256;  // hex, private only
  std::string wrapped_key;       // hex, private only (crypto.h WrapKey)
  std::string key_id;            // master key id, private only
  int64_t created_unix = 0;
  bool has_metadata = true;      // false: blocks known, no metadata record
};

// Who may read a document: anyone if public; if private or end-to-end encrypted, its
// owner, admins and auditors (for end-to-end documents the server only hands out
// ciphertext; the reviewers' browsers hold the keys).
bool MayRead(const DocumentInfo& info, std::string_view user, bool is_admin_or_auditor);

// Streams one put. Not thread-safe.
class DocumentWriter {
 public:
  virtual ~DocumentWriter() = default;
  virtual Result<void> Write(const void* data, size_t len) = 0;
  // Completes the DAG, writes the metadata, syncs. Call once.
  virtual Result<DocumentInfo> Finish() = 0;
  virtual uint64_t bytes_written() const = 0;
};

// Streams the plaintext of a byte range. Not thread-safe.
class DocumentReader {
 public:
  virtual ~DocumentReader() = default;
  // Replaces *out with the next piece (at most ~256 KiB); false at the end of the range.
  virtual Result<bool> Next(std::string* out) = 0;
  virtual const DocumentInfo& info() const = 0;
  virtual uint64_t offset() const = 0;  // first byte of the range
  virtual uint64_t length() const = 0;  // bytes in the range (after clamping)
  Result<std::string> ReadAll();
};

struct VerifyReport {
  uint64_t blocks = 0;       // distinct blocks checked
  uint64_t bytes = 0;        // plaintext bytes read back
  bool plaintext_checked = false;  // private: decrypted and SHA-256 compared
};

class DocumentStore {
 public:
  struct Options {
    std::string dir;                       // data directory
    std::optional<MasterKey> master_key;   // required for private documents
  };
  static Result<std::unique_ptr<DocumentStore>> Open(Options options);
  ~DocumentStore();
  DocumentStore(const DocumentStore&) = delete;
  DocumentStore& operator=(const DocumentStore&) = delete;

  // Pins every document stored from now on to a kubo node (pin_service.h); the queue
  // directory also holds pins left pending by an earlier run, which are retried.
  Result<void> StartPinning(PinService::Options options);
  PinService* pins() { return pins_.get(); }

  Result<std::unique_ptr<DocumentWriter>> BeginPut(const PutOptions& options);
  Result<DocumentInfo> PutFile(const std::string& path, const PutOptions& options);
  Result<DocumentInfo> PutStream(std::istream& in, const PutOptions& options);
  Result<DocumentInfo> PutBytes(std::string_view bytes, const PutOptions& options);

  // Metadata, or for a DAG without a record, what the root block tells (public).
  Result<DocumentInfo> Stat(const Cid& cid) const;
  // True when the root block is present (Verify checks the whole DAG).
  bool Has(const Cid& cid) const;
  // Range [offset, offset+length) of the plaintext; length clamped; kBadRange if
  // offset > size. Private: kNoKey without a master key, kDecryptFailed with a wrong one.
  Result<std::unique_ptr<DocumentReader>> Open(const Cid& cid, uint64_t offset = 0,
                                               std::optional<uint64_t> length = {}) const;
  Result<std::string> Read(const Cid& cid, uint64_t offset = 0,
                           std::optional<uint64_t> length = {}) const;
  // Re-reads every block (hash check), checks the DAG's sizes and, for a private document
  // when the key is at hand, decrypts it and compares the plaintext SHA-256.
  Result<VerifyReport> Verify(const Cid& cid) const;
  Result<uint64_t> ExportCar(const Cid& cid, ByteSink& out) const;

  const BlockStore& blocks() const { return blocks_; }
  const std::string& dir() const { return dir_; }
  // Reviewers' public keys and the envelopes of end-to-end documents (e2e.h), under DIR/e2e.
  E2eStore& e2e() { return e2e_; }
  const E2eStore& e2e() const { return e2e_; }

 private:
  DocumentStore(std::string dir, BlockStore blocks, std::optional<MasterKey> key, E2eStore e2e)
      : dir_(std::move(dir)), blocks_(std::move(blocks)), key_(std::move(key)), e2e_(std::move(e2e)) {}
  friend class PutWriter;
  Result<void> WriteMeta(const DocumentInfo& info);
  Result<Key256> DocumentKey(const DocumentInfo& info) const;

  std::string dir_;
  BlockStore blocks_;
  std::optional<MasterKey> key_;
  E2eStore e2e_;
  std::unique_ptr<PinService> pins_;  // last: its thread stops before the rest goes
};

// For KYC cases: `cid` must name an end-to-end document owned by `owner` (user id text)
// that has its envelope stored. kInvalidField ("documents") otherwise, saying why.
Result<void> CheckEndToEndPaper(const DocumentStore& store, std::string_view cid, std::string_view owner);

// Metadata record text (exposed for tests and for the lead's Store migration).
std::string FormatMeta(const DocumentInfo& info);
Result<DocumentInfo> ParseMeta(std::string_view text);

}  // namespace cx::documents
