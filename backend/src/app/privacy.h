// Privacy at the edge (GDPR): how app code registers users with sealed personal fields,
// signs them in through the email index, and erases them (journal first, then the key).
//
// Registration order: PiiVault::NewSubject (durable) -> seal -> journal RegisterUser. A
// refused registration shreds its fresh key. Erasure order: journal UserErased (durable)
// -> PiiVault::Shred. A crash between the two leaves a key of a user the registry shows
// erased: ShredErasedKeys runs at start and removes it.
// Thread-safe (the vault is); call from workers or the HTTP threads, not the engine thread
// (except SealedLoginRecord, a pure function of the user).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "app/pii.h"
#include "app/service.h"
#include "registry/registry.h"

namespace cx::app {

// An email address as the sign-up accepts it (one '@', no spaces, <= 254 bytes).
Result<void> ValidateEmail(std::string_view email);
// Creates the user's personal-data key and seals {email, display_name, password_hash}.
// `email` may be empty (wallet sign-up): no email index then.
Result<registry::RegisterUser> SealNewUser(PiiVault& v, const std::string& email, const std::string& display_name,
                                           const std::string& password_hash, uint32_t roles,
                                           const std::string& wallet = "");
// Submits a sealed registration; on refusal the fresh key is shredded (nothing refers to it).
void SubmitRegistration(ServiceContext& c, const registry::RegisterUser& reg, engine::Render render,
                        api::Responder respond, int status);
// What the sign-in carries from the engine thread to the worker: "pii_key:hex(pii)".
std::string SealedLoginRecord(const registry::User& u);
// The password hash in such a record; "" if it cannot be opened (erased, altered, none).
std::string PasswordHashOf(PiiVault& v, std::string_view record);
// Shreds the keys of users the registry shows erased (start-up; idempotent). Returns how
// many keys were still there.
Result<int64_t> ShredErasedKeys(PiiVault& v, const registry::RegistryState& s);
// Cluster followers (issue 10): when this node's engine applies a UserErased event that
// another node committed, the erased user's data key leaves this process's memory
// (PiiVault::Forget) -- the leader shreds the key row itself. Wraps engine::Options::observe
// (`next` may be empty). `vault` may return nullptr (not open yet); `is_follower` decides
// per outcome (on the leader the event is not durable yet when observed: it does nothing).
using EngineObserve = std::function<std::shared_ptr<const void>(const registry::RegistryState&, const engine::Outcome&)>;
EngineObserve ObserveErasures(EngineObserve next, std::function<PiiVault*()> vault, std::function<bool()> is_follower);

}  // namespace cx::app
