// libFuzzer target for the journal record decoder: the first byte picks the event type,
// the rest is the payload. Decoding must never crash, and whatever decodes must
// re-encode to the same bytes (the encoding is canonical).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "registry/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* kTypes[] = {"UserRegistered", "UserRolesChanged", "CreditClassCreated", "ProjectCreated",
                                 "ProjectStatusChanged", "IssuanceRequested", "IssuanceApproved", "IssuanceRejected",
                                 "BatchIssued", "CreditsTransferred", "CreditsRetired", "CreditsCancelled",
                                 "ReversalRecorded", "SessionOpened", "SessionRotated", "SessionRevoked", "CashMoved", "ProjectDocumentAdded"};
  const char* type = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  cx::registry::Event e;
  if (cx::registry::DecodeEvent(type, payload, e)) {
    if (cx::registry::EncodeEvent(e) != payload) std::abort();
    (void)cx::registry::EventToJson(e);
  }
  return 0;
}
