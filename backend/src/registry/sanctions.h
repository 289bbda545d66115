// Sanctions screening: names normalised and matched fuzzily against sanctions lists.
//
// Normalisation (Normalize / NormalizeTokens): UTF-8 decoded; Latin letters with
// diacritics folded to their base letters (é -> e, ß -> ss, Ø -> o, Ł -> l; combining
// marks dropped); lower case; every other punctuation or symbol separates tokens; tokens
// sorted, so "BIN LADIN, Usama" and "usama bin ladin" normalise alike. Letters of other
// scripts are kept as they are (lower-casing only applies to ASCII and folded Latin).
//
// Similarity (SimilarityPpm, parts per million): a token-set similarity. With I the
// sorted tokens both names share and A, B the sorted rest of each,
//   max( r(I+A, I+B), r(I, I+A), r(I, I+B) )   -- the last two only when |I| >= 2,
// where r is 1 - Levenshtein distance / longer length over the space-joined tokens. So
// token order, punctuation, case, diacritics, a missing middle name (when two tokens
// agree) and small typos all score high, while a shared first name alone does not.
//
// List formats (List::AddText):
//  - OFAC SDN CSV (sdn.csv): `ent_num,SDN_Name,SDN_Type,Program,...` -- the name is the
//    second column; OFAC alternate names (alt.csv: `ent_num,alt_num,alt_type,alt_name,...`)
//    are recognised by their numeric second column. Fields may be double-quoted; "-0-" is
//    OFAC's empty value. A header line starting with "ent_num" is skipped.
//  - Plain text: one name per line; blank lines and lines starting with '#' are skipped.
// Pure (no I/O): the edge reads the files. A List is immutable after loading, so
// Screen() may be called from several threads at once.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "registry/kyc_model.h"

namespace cx::registry::sanctions {

inline constexpr int64_t kDefaultThresholdPpm = 900'000;  // 0.9
inline constexpr size_t kMaxNameBytes = 500;

std::vector<std::string> NormalizeTokens(std::string_view name);
std::string Normalize(std::string_view name);  // sorted tokens joined by single spaces
int64_t SimilarityPpm(std::string_view a, std::string_view b);

class List {
 public:
  // Adds the names of one list file's contents; returns how many were added. `list` names
  // the source in matches (e.g. "OFAC SDN"). Refuses text that is not UTF-8-ish lines.
  Result<size_t> AddText(std::string_view text, const std::string& list);
  void AddName(std::string_view name, const std::string& list);
  size_t size() const { return entries_.size(); }
  // Matches of `name` scoring at least `threshold_ppm`, best first (at most `max_matches`).
  KycScreening Screen(std::string_view name, int64_t threshold_ppm = kDefaultThresholdPpm,
                      size_t max_matches = 5) const;

 private:
  struct Entry {
    std::string name;
    std::string list;
    std::vector<std::string> tokens;
  };
  std::vector<Entry> entries_;
};

}  // namespace cx::registry::sanctions
