// JSON Schemas of the API's request and response bodies, registered under
// components/schemas of the OpenAPI document. Amounts are decimal strings (tonnes with up
// to 3 decimals; currency with 2), never JSON numbers.
#include "api/router.h"
#include "app/service.h"

namespace cx::app {
namespace {

struct Schema {
  const char* name;
  const char* json;
};

#define TONNES R"({"type":"string","pattern":"^-?[0-9]+(\\.[0-9]{1,3})?$","description":"tonnes of CO2e, up to 3 decimals"})"
#define MONEY R"({"type":"string","pattern":"^[0-9]+(\\.[0-9]{1,2})?$","description":"currency units, up to 2 decimals"})"
#define DATE R"({"type":"string","description":"ISO date YYYY-MM-DD"})"

const Schema kSchemas[] = {
    {"RegisterRequest", R"({"type":"object","required":["email","password"],"properties":{
      "email":{"type":"string","format":"email","maxLength":254},
      "password":{"type":"string","minLength":8,"maxLength":1024},
      "display_name":{"type":"string","maxLength":200},
      "roles":{"type":"array","items":{"type":"string","enum":["trader","project_developer"]}}}})"},
    {"LoginRequest", R"({"type":"object","required":["email","password"],"properties":{
      "email":{"type":"string"},"password":{"type":"string"}}})"},
    {"RefreshRequest", R"({"type":"object","required":["refresh_token"],"properties":{"refresh_token":{"type":"string"}}})"},
    {"User", R"({"type":"object","properties":{"id":{"type":"integer"},"account":{"type":"integer"},
      "email":{"type":"string"},"display_name":{"type":"string"},
      "roles":{"type":"array","items":{"type":"string","enum":["trader","project_developer","verifier","admin","auditor"]}}}})"},
    {"TokenPair", R"({"type":"object","properties":{"access_token":{"type":"string"},"token_type":{"type":"string","enum":["Bearer"]},
      "expires_in":{"type":"integer"},"refresh_token":{"type":"string"},"user":{"$ref":"#/components/schemas/User"}}})"},
    {"RolesRequest", R"({"type":"object","required":["roles"],"properties":{"roles":{"type":"array","items":{"type":"string","enum":["trader","project_developer","verifier","admin","auditor"]}}}})"},
    {"CreditClassRequest", R"({"type":"object","required":["code"],"properties":{"code":{"type":"string","maxLength":64},
      "name":{"type":"string"},"standard":{"type":"string"},"required_approvals":{"type":"integer","minimum":1,"maximum":16},
      "buffer_bp":{"type":"integer","minimum":0,"maximum":9000}}})"},
    {"ProjectRequest", R"({"type":"object","required":["name","country","methodology"],"properties":{
      "name":{"type":"string"},"description":{"type":"string"},"developer_name":{"type":"string"},"country":{"type":"string"},
      "subdivision":{"type":"string"},"sector":{"type":"string"},"project_type":{"type":"string"},"methodology":{"type":"string"},
      "mitigation":{"type":"string","enum":["removal","reduction","unknown"]},
      "nature":{"type":"string","enum":["nature_based","technical","unknown"]},
      "corsia":{"type":"string","enum":["yes","no","unknown"]},"credit_class":{"type":"integer"},"website":{"type":"string"},
      "crediting_start":)" DATE R"(,"crediting_end":)" DATE R"(,"documents":{"type":"array","items":{"type":"string","description":"CID"}}}})"},
    {"ReasonRequest", R"({"type":"object","properties":{"reason":{"type":"string","maxLength":4096}}})"},
    {"IssuanceRequest", R"({"type":"object","required":["project","vintage","period_start","period_end","quantity","report"],"properties":{
      "project":{"type":"integer"},"vintage":{"type":"integer"},"period_start":)" DATE R"(,"period_end":)" DATE R"(,
      "quantity":)" TONNES R"(,"verification_body":{"type":"string"},"report":{"type":"string","description":"verification report, as a document CID"}}})"},
    {"TransferRequest", R"({"type":"object","required":["to_account","batch","quantity"],"properties":{
      "to_account":{"type":"integer"},"batch":{"type":"integer"},"quantity":)" TONNES R"(,"from_account":{"type":"integer"}}})"},
    {"RetirementRequest", R"({"type":"object","required":["batch","quantity","beneficiary"],"properties":{
      "batch":{"type":"integer"},"quantity":)" TONNES R"(,"beneficiary":{"type":"string"},"reason":{"type":"string"},
      "country":{"type":"string","description":"consumption country"},"period_start":)" DATE R"(,"period_end":)" DATE R"(,
      "account":{"type":"integer"}}})"},
    {"CancellationRequest", R"({"type":"object","required":["batch","quantity"],"properties":{"batch":{"type":"integer"},
      "quantity":)" TONNES R"(,"reason":{"type":"string"}}})"},
    {"ReversalRequest", R"({"type":"object","required":["project","quantity","reason"],"properties":{"project":{"type":"integer"},
      "quantity":)" TONNES R"(,"reason":{"type":"string"}}})"},
    {"CashRequest", R"({"type":"object","required":["account","currency","amount"],"properties":{"account":{"type":"integer"},
      "currency":{"type":"string","pattern":"^[A-Z]{3}$"},"amount":)" MONEY R"(,"reference":{"type":"string"}}})"},
    {"AttachDocument", R"({"type":"object","required":["cid"],"properties":{"cid":{"type":"string"}}})"},
    {"Problem", R"({"type":"object","description":"RFC 9457 problem details","properties":{"type":{"type":"string"},
      "title":{"type":"string"},"status":{"type":"integer"},"code":{"type":"string","description":"stable error code"},
      "detail":{"type":"string"},"field":{"type":"string","description":"the input at fault"}}})"},
};

}  // namespace

Result<void> RegisterSchemas(api::Router& router) {
  for (const Schema& s : kSchemas) CX_TRY(router.AddSchema(s.name, s.json));
  return Ok();
}

}  // namespace cx::app
