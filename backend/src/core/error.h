// Stable, grouped error codes and the Error value carried by Result<T>.
// Codes never change meaning once released: clients match on the string form
// (e.g. "REGISTRY_SERIAL_OVERLAP"), and the numeric group tells the HTTP status.
// Thread-safe: plain values.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace cx {

// Groups: 1xxx request/validation, 2xxx auth, 3xxx registry, 4xxx exchange/risk,
// 5xxx storage/infrastructure, 6xxx documents, 7xxx chain, 8xxx ml.
enum class Code : int32_t {
  kOk = 0,
  // 1xxx: the request itself is wrong.
  kBadRequest = 1000,
  kBadJson = 1001,
  kMissingField = 1002,
  kInvalidField = 1003,
  kNotFound = 1004,
  kConflict = 1005,
  kTooLarge = 1006,
  kRateLimited = 1007,
  kUnsupported = 1008,
  kMethodNotAllowed = 1009,
  // 2xxx: who is asking.
  kUnauthenticated = 2000,
  kBadToken = 2001,
  kTokenExpired = 2002,
  kForbidden = 2003,
  kBadCredentials = 2004,
  kEmailTaken = 2005,
  kRefreshReused = 2006,
  kMfaRequired = 2007,
  // 3xxx: registry rules.
  kUnknownAccount = 3000,
  kUnknownProject = 3001,
  kUnknownIssuance = 3002,
  kUnknownBatch = 3003,
  kUnknownRetirement = 3004,
  kBadState = 3005,          // lifecycle transition not allowed from the current state
  kInsufficientCredits = 3006,
  kSerialOverlap = 3007,     // a serial (or kilogram of one) is already in the registry
  kDuplicateProject = 3008,  // same origin registry + origin id already present
  kVerifierConflict = 3009,  // verifier is a party to the project
  kAlreadyApproved = 3010,
  kNotHolder = 3011,
  kBadQuantity = 3012,
  kUnknownCreditClass = 3013,
  kBufferExhausted = 3014,
  kDuplicateVerifier = 3015,
  kUnknownUser = 3016,
  // 4xxx: exchange and risk.
  kInsufficientFunds = 4000,
  kUnknownInstrument = 4001,
  kUnknownOrder = 4002,
  kOffTick = 4003,
  kOffLot = 4004,
  kMarketHalted = 4005,
  kPostOnlyWouldTrade = 4006,
  kFokNotFilled = 4007,
  kPriceBand = 4008,
  kMinFillNotMet = 4009,
  kSelfTrade = 4010,
  kLimitExceeded = 4011,  // over a limit of the account's KYC level (deposits, withdrawals, order size)
  // 5xxx: storage and infrastructure.
  kStorage = 5000,
  kJournalCorrupt = 5001,
  kIo = 5002,
  kInternal = 5003,
  kUnavailable = 5004,
  kOverflow = 5005,
  kFenced = 5006,     // this node's leadership epoch is no longer current: its write was refused
  kNotLeader = 5007,  // this node does not lead and no leader could take the command; retry
  // 6xxx: documents.
  kDocBlockCorrupt = 6000,   // a stored block no longer matches its hash: not served
  kDocBadCid = 6001,
  kDocDecryptFailed = 6002,
  kDocPinFailed = 6003,
  kDocRangeNotSatisfiable = 6004,
  // 7xxx: blockchain (chain/rpc.h maps JSON-RPC failures to these).
  kChainUnavailable = 7000,        // the node could not be reached (transport, timeout, 5xx)
  kChainBadResponse = 7001,        // the node answered something that is not valid JSON-RPC
  kChainNodeError = 7002,          // the node refused the call (JSON-RPC error object)
  kChainNonceTooLow = 7003,
  kChainAlreadyKnown = 7004,       // the same signed transaction is already in the pool
  kChainUnderpriced = 7005,        // fee below the pool's minimum / replacement underpriced
  kChainInsufficientFunds = 7006,  // the sender cannot pay gas
  kChainReverted = 7007,           // the transaction or call reverted
  kChainReorgTooDeep = 7008,       // a re-org deeper than the follower keeps hashes for
  // 8xxx: analytics.
  kMlInsufficientData = 8000,
  kMlModelFormat = 8001,
  kMlTrainingFailed = 8002,
};

// "REGISTRY_SERIAL_OVERLAP" style name; stable.
std::string_view CodeName(Code c);
// HTTP status a code maps to (400, 401, 403, 404, 405, 409, 413, 416, 422, 429, 500, 502, 503).
int HttpStatus(Code c);

struct Error {
  Code code = Code::kInternal;
  std::string message;  // human-readable detail
  std::string field;    // JSON pointer-ish name of the input at fault, or empty

  static Error Make(Code c, std::string msg, std::string field = {}) {
    return Error{c, std::move(msg), std::move(field)};
  }
};

}  // namespace cx
