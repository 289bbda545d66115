#include "models/issuance.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

namespace cx::ml {

std::string NormalizeProjectName(const std::string& name) {
  static const std::set<std::string> kStop = {"project", "projects", "the", "ltd", "limited", "inc",
                                              "co", "pvt", "of", "and", "programme", "program"};
  std::string cleaned;
  for (unsigned char c : name) cleaned += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : ' ';
  std::istringstream in(cleaned);
  std::string w, out;
  while (in >> w)
    if (!kStop.count(w)) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<IssuanceFinding> FindIssuanceConflicts(std::span<const IssuanceRecord> recs) {
  std::vector<IssuanceFinding> out;
  // Serial overlap: sort each namespace's blocks by start and sweep.
  std::map<std::string, std::vector<size_t>> ns;
  for (size_t i = 0; i < recs.size(); ++i)
    if (recs[i].serial_end >= recs[i].serial_start && recs[i].serial_end > 0)
      ns[recs[i].registry + "|" + recs[i].serial_prefix].push_back(i);
  for (auto& [key, idx] : ns) {
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return recs[a].serial_start < recs[b].serial_start; });
    for (size_t x = 0; x < idx.size(); ++x)
      for (size_t y = x + 1; y < idx.size() && recs[idx[y]].serial_start <= recs[idx[x]].serial_end; ++y) {
        const auto &a = recs[idx[x]], &b = recs[idx[y]];
        const int64_t ov = std::min(a.serial_end, b.serial_end) - b.serial_start + 1;
        out.push_back({IssuanceFindingKind::kSerialOverlap, a.record_id, b.record_id, ov,
                       std::to_string(ov) + " serials in common in " + key});
      }
  }
  // Duplicate issuance: same project key in two different registries, overlapping vintages.
  std::map<std::string, std::vector<size_t>> proj;
  for (size_t i = 0; i < recs.size(); ++i) {
    const std::string nm = NormalizeProjectName(recs[i].project_name);
    if (!nm.empty()) proj["n|" + recs[i].country + "|" + nm].push_back(i);
    if (!recs[i].cross_ref.empty()) proj["x|" + recs[i].cross_ref].push_back(i);
    proj["x|" + recs[i].registry + ":" + recs[i].project_id].push_back(i);
  }
  std::set<std::pair<size_t, size_t>> seen;
  for (const auto& [key, idx] : proj)
    for (size_t x = 0; x < idx.size(); ++x)
      for (size_t y = x + 1; y < idx.size(); ++y) {
        const auto &a = recs[idx[x]], &b = recs[idx[y]];
        if (a.registry == b.registry) continue;
        const int ov = std::min(a.vintage_end, b.vintage_end) - std::max(a.vintage_start, b.vintage_start) + 1;
        if (ov <= 0) continue;
        auto k = std::minmax(idx[x], idx[y]);
        if (!seen.insert(k).second) continue;
        out.push_back({IssuanceFindingKind::kDuplicateIssuance, a.record_id, b.record_id, ov,
                       "project '" + a.project_name + "' (" + a.registry + ") and '" + b.project_name + "' (" +
                           b.registry + ") credited for " + std::to_string(ov) + " common vintage years"});
      }
  return out;
}

}  // namespace cx::ml
