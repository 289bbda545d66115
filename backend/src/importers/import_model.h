// Normalized records parsed from public carbon-registry exports.
//
// These are plain values, independent of the engine: the engine turns them into
// registry commands (and refuses serial overlaps and duplicate projects). Every record
// keeps its origin registry, the origin's own ids and serial strings verbatim, and the
// physical line of the CSV row it came from.
//
// Units: quantities are integer kilograms of CO2e (1 tonne = 1000 kg). Dates are ISO
// "YYYY-MM-DD" strings, empty when the file does not give one. Serial ranges are in
// whole tonnes (one serial per tonne) inside a named serial space.
// Thread-safety: plain values.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cx::importers {

enum class Registry : uint8_t {
  kVerra,
  kGoldStandard,
  kAcr,
  kCar,
  kArt,
  kArb,
  kIsometric,
  kCercarbono,
};
// "verra", "gold-standard", "acr", "car", "art", "arb", "isometric", "cercarbono".
std::string_view RegistryName(Registry r);
// Accepts the names above and the long folder names ("american-carbon-registry",
// "climate-action-reserve", "art-trees"), case-insensitively.
std::optional<Registry> RegistryFromName(std::string_view name);

enum class FileKind : uint8_t {
  kProjects,
  kIssuances,
  kRetirements,
  kCancellations,
  kTransactions,      // Verra: issuances, retirements and cancellations in one file
  kArbIssuanceSheet,  // California ARB offset-credit issuance table
};
// "projects", "issuances", "retirements", "cancellations", "transactions", "arb-sheet".
std::string_view FileKindName(FileKind k);
std::optional<FileKind> FileKindFromName(std::string_view name);

enum class Tri : uint8_t { kUnknown, kNo, kYes };
enum class RemovalOrReduction : uint8_t { kUnknown, kReduction, kRemoval };
enum class NatureOrTechnical : uint8_t { kUnknown, kNature, kTechnical };
std::string_view TriName(Tri t);                        // "unknown" | "no" | "yes"
std::string_view MitigationName(RemovalOrReduction m);  // "unknown" | "reduction" | "removal"
std::string_view NatureName(NatureOrTechnical n);       // "unknown" | "nature" | "technical"

// A block of serials [start, end] (inclusive, whole tonnes) inside `space`. Two ranges
// can only overlap when their spaces are equal. Spaces:
//   Verra  "VCS-VCU" (the global VCU sequence; block ids and suffixes are not part of it)
//   Gold Standard "GS1-1-KE-GS11603-16-2025-30256" (everything before start-end)
//   ACR/CAR/ART   "ACR-FR-1129-2025-2917" (everything before "-<start> to <end>")
//   CDM-style "A - B" ranges: A with the varying number replaced by '*'
//   Cercarbono    the serial string itself (one space per issued serial)
struct SerialRange {
  std::string space;
  int64_t start = 0;
  int64_t end = 0;
  int64_t tonnes() const { return end - start + 1; }
  bool operator==(const SerialRange&) const = default;
};

// What an issuance or transaction row says about its project, for an engine that must
// create a stub project when the projects file has not been imported.
struct ProjectRef {
  std::string origin_id;
  std::string name;
  std::string country;
  std::string methodology;
  std::string project_type;
  RemovalOrReduction removal_or_reduction = RemovalOrReduction::kUnknown;
  NatureOrTechnical nature_or_technical = NatureOrTechnical::kUnknown;
};

struct ImportedProject {
  Registry registry = Registry::kVerra;
  std::string origin_id;  // the registry's project id ("5962", "ACR586", "prj_...")
  std::string name;
  std::string developer;
  std::string country;
  std::string subdivision;  // state / region / jurisdiction, when given
  std::string methodology;
  std::string project_type;  // sector / project type as the registry names it
  RemovalOrReduction removal_or_reduction = RemovalOrReduction::kUnknown;
  NatureOrTechnical nature_or_technical = NatureOrTechnical::kUnknown;
  std::string status;
  Tri corsia = Tri::kUnknown;
  std::string crediting_start;
  std::string crediting_end;
  int64_t line = 0;
  std::string key;  // natural key, see "Natural keys" below
};

// One issuance of a serial block (a credit batch).
struct ImportedBatch {
  Registry registry = Registry::kVerra;
  std::string project_origin_id;
  ProjectRef project;           // as stated on the row
  std::string origin_batch_id;  // the registry's issuance id when the file has one
  int32_t vintage = 0;          // year; 0 when unknown
  std::string serial;           // verbatim, empty when the file has none
  std::optional<SerialRange> range;
  int64_t quantity_kg = 0;           // everything issued, buffer share included
  std::optional<int64_t> buffer_kg;  // part of quantity_kg that goes to the buffer pool
  std::string issuance_date;
  std::string monitoring_start;
  std::string monitoring_end;
  Tri corsia = Tri::kUnknown;
  Tri corresponding_adjustment = Tri::kUnknown;
  int64_t line = 0;
  std::string key;
};

// Credits leaving circulation: retirement (claimed for a beneficiary) or cancellation.
struct CreditOutflow {
  Registry registry = Registry::kVerra;
  std::string project_origin_id;
  std::string origin_id;  // the registry's retirement/cancellation id when given
  int32_t vintage = 0;    // 0 when unknown
  std::string serial;     // verbatim, empty when the file has none
  std::optional<SerialRange> range;
  int64_t quantity_kg = 0;
  std::string date;
  std::string beneficiary;
  std::string reason;
  std::string details;  // free-text purpose / notes
  std::string account_holder;
  bool from_buffer = false;  // taken from the buffer pool (ARB "Buffer Pool Retired")
  Tri corsia = Tri::kUnknown;
  int64_t line = 0;
  std::string key;
};
struct ImportedRetirement : CreditOutflow {};
struct ImportedCancellation : CreditOutflow {};

// Natural keys: a stable identity for each record, so the engine can match the records
// of a newer export with those it imported before and apply only the differences.
// "<registry>/<kind>/<identity>" where identity is, in order of preference, the serial
// range ("range:<space>/<start>-<end>"), the serial text ("serial:..."), the
// registry's own id ("id:..."; for ARB outflows also the column they come from), or
// for rows without any of those the project, vintage, date and quantity. Two records
// of one file never share a key: the later row is rejected as a duplicate.
struct RowError {
  int64_t line = 0;
  std::string reason;
};

struct ImportCounts {
  int64_t data_rows = 0;  // non-blank records after the header
  int64_t imported = 0;   // rows that produced records
  int64_t rejected = 0;   // rows that produced a RowError; imported + rejected == data_rows
};

struct ImportFile {
  Registry registry = Registry::kVerra;
  FileKind kind = FileKind::kProjects;
  std::vector<ImportedProject> projects;
  std::vector<ImportedBatch> batches;
  std::vector<ImportedRetirement> retirements;
  std::vector<ImportedCancellation> cancellations;
  std::vector<RowError> errors;
  ImportCounts counts;
};

}  // namespace cx::importers
