#include "core/error.h"

namespace cx {

std::string_view CodeName(Code c) {
  switch (c) {
    case Code::kOk: return "OK";
    case Code::kBadRequest: return "REQUEST_BAD";
    case Code::kBadJson: return "REQUEST_BAD_JSON";
    case Code::kMissingField: return "REQUEST_MISSING_FIELD";
    case Code::kInvalidField: return "REQUEST_INVALID_FIELD";
    case Code::kNotFound: return "REQUEST_NOT_FOUND";
    case Code::kConflict: return "REQUEST_CONFLICT";
    case Code::kTooLarge: return "REQUEST_TOO_LARGE";
    case Code::kRateLimited: return "REQUEST_RATE_LIMITED";
    case Code::kUnsupported: return "REQUEST_UNSUPPORTED";
    case Code::kMethodNotAllowed: return "REQUEST_METHOD_NOT_ALLOWED";
    case Code::kUnauthenticated: return "AUTH_UNAUTHENTICATED";
    case Code::kBadToken: return "AUTH_BAD_TOKEN";
    case Code::kTokenExpired: return "AUTH_TOKEN_EXPIRED";
    case Code::kForbidden: return "AUTH_FORBIDDEN";
    case Code::kBadCredentials: return "AUTH_BAD_CREDENTIALS";
    case Code::kEmailTaken: return "AUTH_EMAIL_TAKEN";
    case Code::kRefreshReused: return "AUTH_REFRESH_REUSED";
    case Code::kMfaRequired: return "AUTH_MFA_REQUIRED";
    case Code::kUnknownAccount: return "REGISTRY_UNKNOWN_ACCOUNT";
    case Code::kUnknownProject: return "REGISTRY_UNKNOWN_PROJECT";
    case Code::kUnknownIssuance: return "REGISTRY_UNKNOWN_ISSUANCE";
    case Code::kUnknownBatch: return "REGISTRY_UNKNOWN_BATCH";
    case Code::kUnknownRetirement: return "REGISTRY_UNKNOWN_RETIREMENT";
    case Code::kBadState: return "REGISTRY_BAD_STATE";
    case Code::kInsufficientCredits: return "REGISTRY_INSUFFICIENT_CREDITS";
    case Code::kSerialOverlap: return "REGISTRY_SERIAL_OVERLAP";
    case Code::kDuplicateProject: return "REGISTRY_DUPLICATE_PROJECT";
    case Code::kVerifierConflict: return "REGISTRY_VERIFIER_CONFLICT";
    case Code::kAlreadyApproved: return "REGISTRY_ALREADY_APPROVED";
    case Code::kNotHolder: return "REGISTRY_NOT_HOLDER";
    case Code::kBadQuantity: return "REGISTRY_BAD_QUANTITY";
    case Code::kUnknownCreditClass: return "REGISTRY_UNKNOWN_CREDIT_CLASS";
    case Code::kBufferExhausted: return "REGISTRY_BUFFER_EXHAUSTED";
    case Code::kDuplicateVerifier: return "REGISTRY_DUPLICATE_VERIFIER";
    case Code::kUnknownUser: return "REGISTRY_UNKNOWN_USER";
    case Code::kInsufficientFunds: return "RISK_INSUFFICIENT_FUNDS";
    case Code::kUnknownInstrument: return "MATCHING_UNKNOWN_INSTRUMENT";
    case Code::kUnknownOrder: return "MATCHING_UNKNOWN_ORDER";
    case Code::kOffTick: return "MATCHING_OFF_TICK";
    case Code::kOffLot: return "MATCHING_OFF_LOT";
    case Code::kMarketHalted: return "MATCHING_MARKET_HALTED";
    case Code::kPostOnlyWouldTrade: return "MATCHING_POST_ONLY_WOULD_TRADE";
    case Code::kFokNotFilled: return "MATCHING_FOK_NOT_FILLED";
    case Code::kPriceBand: return "MATCHING_PRICE_BAND";
    case Code::kMinFillNotMet: return "MATCHING_MIN_FILL_NOT_MET";
    case Code::kSelfTrade: return "MATCHING_SELF_TRADE";
    case Code::kLimitExceeded: return "RISK_LIMIT_EXCEEDED";
    case Code::kStorage: return "STORE_ERROR";
    case Code::kJournalCorrupt: return "STORE_JOURNAL_CORRUPT";
    case Code::kIo: return "STORE_IO";
    case Code::kInternal: return "INTERNAL";
    case Code::kUnavailable: return "UNAVAILABLE";
    case Code::kOverflow: return "ARITHMETIC_OVERFLOW";
    case Code::kFenced: return "STORE_FENCED";
    case Code::kNotLeader: return "NOT_LEADER";
    case Code::kChainUnavailable: return "CHAIN_UNAVAILABLE";
    case Code::kChainBadResponse: return "CHAIN_BAD_RESPONSE";
    case Code::kChainNodeError: return "CHAIN_NODE_ERROR";
    case Code::kChainNonceTooLow: return "CHAIN_NONCE_TOO_LOW";
    case Code::kChainAlreadyKnown: return "CHAIN_ALREADY_KNOWN";
    case Code::kChainUnderpriced: return "CHAIN_UNDERPRICED";
    case Code::kChainInsufficientFunds: return "CHAIN_INSUFFICIENT_FUNDS";
    case Code::kChainReverted: return "CHAIN_REVERTED";
    case Code::kChainReorgTooDeep: return "CHAIN_REORG_TOO_DEEP";
    case Code::kDocBlockCorrupt: return "DOC_BLOCK_CORRUPT";
    case Code::kDocBadCid: return "DOC_BAD_CID";
    case Code::kDocDecryptFailed: return "DOC_DECRYPT_FAILED";
    case Code::kDocPinFailed: return "DOC_PIN_FAILED";
    case Code::kDocRangeNotSatisfiable: return "DOC_RANGE_NOT_SATISFIABLE";
    case Code::kMlInsufficientData: return "ML_INSUFFICIENT_DATA";
    case Code::kMlModelFormat: return "ML_MODEL_FORMAT";
    case Code::kMlTrainingFailed: return "ML_TRAINING_FAILED";
  }
  return "INTERNAL";
}

int HttpStatus(Code c) {
  switch (c) {
    case Code::kOk: return 200;
    case Code::kNotFound:
    case Code::kUnknownAccount:
    case Code::kUnknownProject:
    case Code::kUnknownIssuance:
    case Code::kUnknownBatch:
    case Code::kUnknownRetirement:
    case Code::kUnknownInstrument:
    case Code::kUnknownOrder:
    case Code::kUnknownUser:
    case Code::kUnknownCreditClass: return 404;
    case Code::kConflict:
    case Code::kEmailTaken:
    case Code::kSerialOverlap:
    case Code::kDuplicateProject:
    case Code::kAlreadyApproved:
    case Code::kBadState: return 409;
    case Code::kTooLarge: return 413;
    case Code::kMethodNotAllowed: return 405;
    case Code::kRateLimited: return 429;
    case Code::kUnauthenticated:
    case Code::kBadToken:
    case Code::kTokenExpired:
    case Code::kBadCredentials:
    case Code::kRefreshReused:
    case Code::kMfaRequired: return 401;
    case Code::kForbidden:
    case Code::kVerifierConflict:
    case Code::kNotHolder: return 403;
    case Code::kStorage:
    case Code::kJournalCorrupt:
    case Code::kIo:
    case Code::kInternal:
    case Code::kOverflow:
    case Code::kDocBlockCorrupt:
    case Code::kMlModelFormat:
    case Code::kMlTrainingFailed: return 500;
    case Code::kDocBadCid: return 400;
    case Code::kDocDecryptFailed: return 403;
    case Code::kDocPinFailed: return 503;
    case Code::kDocRangeNotSatisfiable: return 416;
    case Code::kUnavailable:
    case Code::kFenced:
    case Code::kNotLeader:
    case Code::kChainUnavailable: return 503;
    case Code::kChainBadResponse:
    case Code::kChainNodeError:
    case Code::kChainNonceTooLow:
    case Code::kChainAlreadyKnown:
    case Code::kChainUnderpriced:
    case Code::kChainInsufficientFunds:
    case Code::kChainReorgTooDeep: return 502;
    case Code::kBadRequest:
    case Code::kBadJson:
    case Code::kMissingField:
    case Code::kInvalidField:
    case Code::kUnsupported: return 400;
    default: return 422;  // business refusals
  }
}

}  // namespace cx
