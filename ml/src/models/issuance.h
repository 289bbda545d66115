// Duplicate issuance and serial overlap across imported registries.
//
// A credit must exist once. Two checks over plain issuance records:
// - serial overlap: two records whose serial blocks share a serial within the same
//   serial namespace (registry + block prefix), e.g. Verra blocks imported twice;
// - duplicate issuance: the same project (same normalised name and country, or an
//   explicit cross-registry id) credited for overlapping vintages in two registries
//   (double issuance, as when a project moves from one standard to another).
// Pure, thread-safe.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cx::ml {

struct IssuanceRecord {
  std::string record_id;     // caller's id, echoed in findings
  std::string registry;      // "verra", "gold-standard", ...
  std::string project_id;    // id in that registry
  std::string project_name;
  std::string country;       // ISO 3166-1 alpha-2
  std::string cross_ref;     // optional id of the same project in another registry
  int vintage_start = 0;     // years, inclusive
  int vintage_end = 0;
  std::string serial_prefix; // namespace of the serial numbers (may be empty)
  int64_t serial_start = 0;  // inclusive; 0/0 when the registry has no serials
  int64_t serial_end = 0;
  int64_t quantity = 0;      // credits
};

enum class IssuanceFindingKind : uint8_t { kSerialOverlap, kDuplicateIssuance };

struct IssuanceFinding {
  IssuanceFindingKind kind;
  std::string a, b;  // record ids
  int64_t overlap = 0;  // serials (overlap) or vintage years (duplicate) in common
  std::string evidence;
};

// Lower-case, drop punctuation and common words ("project", "the", "ltd"...), squash
// spaces: the key used to match project names across registries.
std::string NormalizeProjectName(const std::string& name);

std::vector<IssuanceFinding> FindIssuanceConflicts(std::span<const IssuanceRecord> records);

}  // namespace cx::ml
