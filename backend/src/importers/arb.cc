// California Air Resources Board (ARB) offset-credit issuance table
// (nc-arboc_issuance_sheet). One row is one issuance (CARB Issuance ID) with float
// quantities ("79565.0", rounded to the nearest kg) and, in the same row, how many of
// its credits were later retired (per compliance period, voluntarily, for reversals),
// invalidated, or retired from the forest buffer. ARB prints no serial numbers.
#include "importers/parse_internal.h"

namespace cx::importers::internal {
namespace {

struct OutflowColumn {
  std::string_view col;   // normalized header
  std::string_view name;  // as ARB prints it, used as the reason
  bool cancellation;
  bool from_buffer;
};

constexpr OutflowColumn kOutflows[] = {
    {"invalidated or canceled", "Invalidated or Canceled", true, false},
    {"buffer pool retired", "Buffer Pool Retired", false, true},
    {"retired for intentional reversal", "Retired for Intentional Reversal", false, false},
    {"retired voluntarily", "Retired Voluntarily", false, false},
    {"retired 1st compliance period (ca)", "Retired 1st Compliance Period (CA)", false, false},
    {"retired 2nd compliance period (ca)", "Retired 2nd Compliance Period (CA)", false, false},
    {"retired 3rd compliance period (ca)", "Retired 3rd Compliance Period (CA)", false, false},
    {"retired 4th compliance period (ca)", "Retired 4th Compliance Period (CA)", false, false},
    {"retired 5th compliance period (ca)", "Retired 5th Compliance Period (CA)", false, false},
    {"retired for compliance in quebec", "Retired for Compliance in Quebec", false, false},
};

Result<void> ArbRow(const Row& row, ImportFile& out) {
  ImportedBatch b;
  b.registry = Registry::kArb;
  CX_ASSIGN_OR_RETURN(b.project_origin_id, row.Required("carb project id"));
  if (row.Get("arb offset credits issued").empty()) {
    std::string why = "arb offset credits issued: empty, no credits were issued on this row";
    if (!row.Get("intentional reversal").empty())
      why += " (it records an intentional reversal)";
    else if (!row.Get("comment").empty())
      why += " (see its Comment)";
    return Err(Code::kMissingField, why, "arb offset credits issued");
  }
  b.project.origin_id = b.project_origin_id;
  b.project.name = row.Get("offset project name");
  b.project.country = "US";
  b.project.project_type = row.Get("project type");
  b.project.removal_or_reduction = InferMitigation({b.project.project_type});
  b.project.nature_or_technical = InferNature({b.project.project_type});
  CX_ASSIGN_OR_RETURN(b.origin_batch_id, row.Required("carb issuance id"));
  CX_ASSIGN_OR_RETURN(b.vintage, row.Year("vintage"));
  CX_ASSIGN_OR_RETURN(b.quantity_kg, row.TonnesKg("arb offset credits issued"));
  if (b.quantity_kg == 0)
    return Err(Code::kBadQuantity, "arb offset credits issued: zero", "arb offset credits issued");
  CX_ASSIGN_OR_RETURN(b.buffer_kg, row.OptionalTonnesKg("forest buffer account contribution"));
  if (b.buffer_kg && *b.buffer_kg > b.quantity_kg)
    return Err(Code::kBadQuantity, "forest buffer account contribution exceeds the credits issued",
               "buffer");
  CX_ASSIGN_OR_RETURN(b.issuance_date, row.Date("issuance date"));
  CX_ASSIGN_OR_RETURN(b.monitoring_start, row.OptionalDate("reporting period start date"));
  CX_ASSIGN_OR_RETURN(b.monitoring_end, row.OptionalDate("reporting period end date"));
  b.line = row.line();

  std::vector<CreditOutflow> flows;
  std::vector<bool> cancel;
  int64_t total = 0, from_buffer = 0;
  for (const OutflowColumn& c : kOutflows) {
    if (row.Get(c.col).empty()) continue;
    CX_ASSIGN_OR_RETURN(int64_t kg, ParseTonnesKg(row.Get(c.col), c.col));
    if (kg == 0) continue;
    CreditOutflow o;
    o.registry = Registry::kArb;
    o.project_origin_id = b.project_origin_id;
    o.origin_id = b.origin_batch_id;
    o.vintage = b.vintage;
    o.quantity_kg = kg;
    o.reason = c.name;
    o.from_buffer = c.from_buffer;
    o.line = row.line();
    (c.from_buffer ? from_buffer : total) += kg;
    flows.push_back(std::move(o));
    cancel.push_back(c.cancellation);
  }
  if (total > b.quantity_kg)
    return Err(Code::kBadQuantity,
               "retired and invalidated credits (" + FormatKgAsTonnes(total) +
                   " t) exceed the credits issued (" + FormatKgAsTonnes(b.quantity_kg) + " t)",
               "quantity");
  if (from_buffer > b.buffer_kg.value_or(0))
    return Err(Code::kBadQuantity,
               "buffer pool retired (" + FormatKgAsTonnes(from_buffer) +
                   " t) exceeds the forest buffer account contribution",
               "buffer pool retired");
  out.batches.push_back(std::move(b));
  for (size_t i = 0; i < flows.size(); ++i) {
    if (cancel[i]) {
      out.cancellations.push_back(ImportedCancellation{std::move(flows[i])});
    } else {
      out.retirements.push_back(ImportedRetirement{std::move(flows[i])});
    }
  }
  return Ok();
}

}  // namespace

std::optional<FileSpec> ArbSpec(FileKind k) {
  if (k != FileKind::kArbIssuanceSheet) return std::nullopt;
  return FileSpec{{"carb project id", "carb issuance id", "vintage", "arb offset credits issued",
                   "issuance date"},
                  ArbRow};
}

}  // namespace cx::importers::internal
