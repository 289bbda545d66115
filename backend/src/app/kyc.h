// KYC/AML and payment-processor deposits at the edge (kyc_routes.cc):
//   GET  /api/v1/kyc/me                      your level, your latest case, your limits
//   POST /api/v1/kyc/cases                   submit a case (personal details sealed with your
//                                            personal-data key; legal name screened)
//   GET  /api/v1/kyc/cases[?status&user]     cases (admin, auditor), newest first
//   GET  /api/v1/kyc/cases/{id}              one case (its owner, admin, auditor)
//   POST /api/v1/kyc/cases/{id}/decision     approve / reject (admin; a screening hit needs
//                                            "override": true and a reason)
//   POST /api/v1/kyc/users/{id}/level        set a level directly (admin: offline review, freeze)
//   GET  /api/v1/kyc/limits, PUT (admin)     limits per level
//   GET  /api/v1/payments[?status]           processor deposits (admin, auditor)
//   POST /api/v1/payments/{id}/release|refund  a payment held for review (admin)
//   POST /api/v1/webhooks/kyc                provider result, `CX-Signature: t=..,v1=..`
//   POST /api/v1/webhooks/payments           `Stripe-Signature`, payment_intent.succeeded
// Webhook secrets: $CX_KYC_WEBHOOK_SECRET / $CX_PAYMENTS_WEBHOOK_SECRET, else DIR/kyc-webhook.key /
// DIR/payments-webhook.key (created once with a random secret, mode 0600, for the operator to
// give to the provider). A bad, missing or stale signature is answered 400 problem+json and
// changes nothing; a replayed event id is answered 200 {"duplicate": true} and changes nothing.
// Thread-safe after loading (the config is immutable).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "api/router.h"
#include "app/service.h"
#include "registry/sanctions.h"

namespace cx::app {

struct KycConfig {
  registry::sanctions::List sanctions;
  std::vector<std::string> sanctions_files;  // the lists loaded
  std::string kyc_webhook_secret;
  std::string payments_webhook_secret;
  int64_t tolerance_s = 300;  // webhook timestamps (auth/webhook.h)
};

// Sanctions list: `sanctions_file` when given (it must load), else DIR/sanctions.csv when
// present, else none (screening then finds nothing; the server says so at start).
// Webhook secrets as described above.
Result<std::shared_ptr<const KycConfig>> LoadKycConfig(const std::string& data_dir, const std::string& sanctions_file);
Result<void> RegisterKycRoutes(api::Router& router, ServiceContext& ctx, const std::shared_ptr<const KycConfig>& cfg);
// Demo data: `users` submit full KYC cases (fictitious details, sealed with their keys) and
// `admin` approves them, through the same commands as the API.
Result<void> VerifyDemoUsers(engine::Engine& e, PiiVault& vault, int64_t admin, const std::vector<int64_t>& users);

}  // namespace cx::app
