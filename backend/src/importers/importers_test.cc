// ParseExport on the few rows per registry committed under testdata/ (copied from the
// public exports, plus one deliberately broken row per file; see testdata/README.md),
// with the expected imported and rejected counts, and the API's refusals.
#include "importers/importers.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/units.h"

#ifndef CX_IMPORTERS_TESTDATA
#error "CX_IMPORTERS_TESTDATA must name the testdata folder"
#endif

namespace cx::importers {
namespace {

std::string ReadFile(const std::string& rel) {
  std::ifstream in(std::string(CX_IMPORTERS_TESTDATA) + "/" + rel, std::ios::binary);
  EXPECT_TRUE(in.is_open()) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ImportFile MustParse(std::string_view registry, const std::string& text, std::string_view kind) {
  std::istringstream in(text);
  auto r = ParseExport(registry, kind, in);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : ImportFile{};
}

ImportFile ParseTestdata(std::string_view registry, const std::string& rel) {
  auto kind = DetectFileKind(rel);
  EXPECT_TRUE(kind.ok());
  return MustParse(registry, ReadFile(rel), FileKindName(*kind));
}

std::string Range(const std::optional<SerialRange>& r) {
  return r ? r->space + "[" + std::to_string(r->start) + ".." + std::to_string(r->end) + "]" : "-";
}

// A complete, stable text form of a parse result, to compare two parses.
std::string Describe(const ImportFile& f) {
  std::ostringstream o;
  for (const auto& p : f.projects)
    o << "P|" << p.line << '|' << p.origin_id << '|' << p.name << '|' << p.developer << '|'
      << p.country << '|' << p.subdivision << '|' << p.methodology << '|' << p.project_type << '|'
      << MitigationName(p.removal_or_reduction) << '|' << NatureName(p.nature_or_technical) << '|'
      << p.status << '|' << TriName(p.corsia) << '|' << p.crediting_start << '|' << p.crediting_end
      << '|' << p.key << '\n';
  for (const auto& b : f.batches)
    o << "B|" << b.line << '|' << b.project_origin_id << '|' << b.project.name << '|'
      << b.origin_batch_id << '|' << b.vintage << '|' << b.serial << '|' << Range(b.range) << '|'
      << b.quantity_kg << '|' << (b.buffer_kg ? std::to_string(*b.buffer_kg) : "-") << '|'
      << b.issuance_date << '|' << b.monitoring_start << '|' << b.monitoring_end << '|'
      << TriName(b.corsia) << '|' << TriName(b.corresponding_adjustment) << '|' << b.key << '\n';
  auto flow = [&](char t, const CreditOutflow& c) {
    o << t << '|' << c.line << '|' << c.project_origin_id << '|' << c.origin_id << '|' << c.vintage
      << '|' << c.serial << '|' << Range(c.range) << '|' << c.quantity_kg << '|' << c.date << '|'
      << c.beneficiary << '|' << c.reason << '|' << c.details << '|' << c.account_holder << '|'
      << c.from_buffer << '|' << TriName(c.corsia) << '|' << c.key << '\n';
  };
  for (const auto& r : f.retirements) flow('R', r);
  for (const auto& c : f.cancellations) flow('C', c);
  for (const auto& e : f.errors) o << "E|" << e.line << '|' << e.reason << '\n';
  o << "N|" << f.counts.data_rows << '|' << f.counts.imported << '|' << f.counts.rejected;
  return o.str();
}

struct Case {
  std::string registry;
  std::string file;
  int64_t rows, imported, rejected;
  std::vector<int64_t> rejected_lines;
};

// Every rejected line is the deliberately broken last row, except ARB lines 6 and 7,
// which are real rows without credits (an intentional reversal and a zero-credit period).
const std::vector<Case> kCases = {
    {"verra", "verra/projects.csv", 7, 6, 1, {8}},
    {"verra", "verra/transactions.csv", 9, 8, 1, {10}},
    {"gold-standard", "gold-standard/projects.csv", 6, 5, 1, {17}},
    {"gold-standard", "gold-standard/issuances.csv", 7, 6, 1, {8}},
    {"gold-standard", "gold-standard/retirements.csv", 7, 6, 1, {11}},
    {"acr", "acr/projects.csv", 6, 5, 1, {7}},
    {"acr", "acr/issuances.csv", 6, 5, 1, {7}},
    {"acr", "acr/retirements.csv", 6, 5, 1, {7}},
    {"acr", "acr/cancellations.csv", 5, 4, 1, {6}},
    {"car", "car/projects.csv", 6, 5, 1, {7}},
    {"car", "car/issuances.csv", 6, 5, 1, {7}},
    {"car", "car/retirements.csv", 6, 5, 1, {7}},
    {"car", "car/cancellations.csv", 6, 5, 1, {7}},
    {"art", "art/projects.csv", 6, 5, 1, {7}},
    {"art", "art/issuances.csv", 6, 5, 1, {7}},
    {"art", "art/retirements.csv", 6, 5, 1, {7}},
    {"art", "art/cancellations.csv", 4, 3, 1, {5}},
    {"arb", "arb/nc-arboc_issuance_sheet3.csv", 8, 5, 3, {6, 7, 9}},
    {"isometric", "isometric/projects.csv", 6, 5, 1, {9}},
    {"isometric", "isometric/issuances.csv", 6, 5, 1, {7}},
    {"isometric", "isometric/retirements.csv", 6, 5, 1, {7}},
    {"cercarbono", "cercarbono/projects.csv", 5, 4, 1, {11}},
    {"cercarbono", "cercarbono/issuances.csv", 6, 5, 1, {7}},
    {"cercarbono", "cercarbono/retirements.csv", 6, 5, 1, {7}},
};

TEST(Importers, TestdataCountsAndRejectedLines) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.file);
    ImportFile f = ParseTestdata(c.registry, c.file);
    EXPECT_EQ(f.counts.data_rows, c.rows);
    EXPECT_EQ(f.counts.imported, c.imported);
    EXPECT_EQ(f.counts.rejected, c.rejected);
    std::vector<int64_t> lines;
    for (const RowError& e : f.errors) {
      lines.push_back(e.line);
      EXPECT_FALSE(e.reason.empty());
    }
    EXPECT_EQ(lines, c.rejected_lines);
  }
}

TEST(Importers, VerraTransactionIsABatchAndItsRetirement) {
  ImportFile f = ParseTestdata("verra", "verra/transactions.csv");
  ASSERT_EQ(f.batches.size(), 8u);
  const ImportedBatch& b = f.batches[0];
  EXPECT_EQ(b.registry, Registry::kVerra);
  EXPECT_EQ(b.project_origin_id, "1340");
  EXPECT_EQ(b.serial, "19385-941467007-941467431-VCS-VCU-1507-VER-ET-14-1340-01012020-31122020-1");
  ASSERT_TRUE(b.range);
  EXPECT_EQ(*b.range, (SerialRange{"VCS-VCU", 941467007, 941467431}));
  EXPECT_EQ(b.quantity_kg, 425000);
  EXPECT_EQ(b.vintage, 2020);
  EXPECT_EQ(b.issuance_date, "2026-04-03");
  EXPECT_EQ(b.monitoring_start, "2020-01-01");
  EXPECT_EQ(b.monitoring_end, "2020-12-31");
  EXPECT_EQ(b.project.removal_or_reduction, RemovalOrReduction::kReduction);  // VM0015, REDD
  EXPECT_EQ(b.project.nature_or_technical, NatureOrTechnical::kNature);
  EXPECT_EQ(b.line, 2);
  // Rows with a Retirement/Cancellation Date also retire their whole block.
  ASSERT_EQ(f.retirements.size(), 5u);
  const ImportedRetirement& r = f.retirements[2];
  EXPECT_EQ(r.line, 4);
  EXPECT_EQ(r.quantity_kg, 28571000);  // "28,571"
  EXPECT_EQ(r.date, "2026-04-06");
  EXPECT_EQ(r.beneficiary, "Lindblad Expeditions Family of Companies");
  EXPECT_EQ(r.reason, "Environmental Benefit");
  EXPECT_EQ(*r.range, (SerialRange{"VCS-VCU", 941412555, 941441125}));
  // The quoted beneficiary with a comma survives.
  EXPECT_EQ(f.retirements[3].beneficiary,
            "江苏亨通高压海缆有限公司 Hengtong Submarine Power Cable Co., Ltd.");
  // Article 6 authorization and CORSIA from "Additional Certifications".
  EXPECT_EQ(f.batches[4].corresponding_adjustment, Tri::kYes);
  EXPECT_EQ(f.batches[4].corsia, Tri::kYes);
  EXPECT_EQ(f.batches[6].corsia, Tri::kYes);  // "CORSIA – Pilot Phase"
  EXPECT_EQ(f.batches[5].corsia, Tri::kUnknown);
}

TEST(Importers, VerraProjectsClassification) {
  ImportFile f = ParseTestdata("verra", "verra/projects.csv");
  ASSERT_EQ(f.projects.size(), 6u);
  EXPECT_EQ(f.projects[0].origin_id, "5962");
  EXPECT_EQ(f.projects[0].nature_or_technical, NatureOrTechnical::kTechnical);
  EXPECT_EQ(f.projects[0].removal_or_reduction, RemovalOrReduction::kReduction);
  EXPECT_EQ(f.projects[1].crediting_start, "2024-04-01");
  EXPECT_EQ(f.projects[1].nature_or_technical, NatureOrTechnical::kNature);
  EXPECT_EQ(f.projects[1].removal_or_reduction, RemovalOrReduction::kUnknown);  // ALM
  EXPECT_EQ(f.projects[3].name,
            "Lamantin - Community-based mangrove conservation and restoration in Guinea");
  EXPECT_EQ(f.projects[3].methodology, "VM0007; VM0033");
  EXPECT_EQ(f.projects[3].nature_or_technical, NatureOrTechnical::kNature);
  EXPECT_EQ(f.projects[5].developer, "Family Forest Impact Foundation");
  EXPECT_EQ(f.projects[5].removal_or_reduction, RemovalOrReduction::kUnknown);  // IFM mixes both
}

TEST(Importers, GoldStandardRetirementsAndCancellations) {
  ImportFile f = ParseTestdata("gold-standard", "gold-standard/retirements.csv");
  ASSERT_EQ(f.retirements.size(), 4u);
  ASSERT_EQ(f.cancellations.size(), 2u);
  const auto& r = f.retirements[0];
  EXPECT_EQ(r.project_origin_id, "11603");
  EXPECT_EQ(*r.range, (SerialRange{"GS1-1-KE-GS11603-16-2025-30256", 110, 5463}));
  EXPECT_EQ(r.quantity_kg, 5354000);
  EXPECT_EQ(r.beneficiary, "Hilti Corporation");
  // The Note ends in a line break inside its quotes, so the next row starts on line 4.
  EXPECT_EQ(r.details,
            "Retirement on behalf of Hilti Corporation for the compensation of Scope 1 2 and "
            "business travel emissions of the year 2025.");
  EXPECT_EQ(f.retirements[1].line, 4);
  EXPECT_EQ(f.cancellations[0].date, "");
  EXPECT_EQ(f.cancellations[0].quantity_kg, 41158000);

  ImportFile iss = ParseTestdata("gold-standard", "gold-standard/issuances.csv");
  ASSERT_EQ(iss.batches.size(), 6u);
  EXPECT_EQ(*iss.batches[3].range, (SerialRange{"RW-5-*-2-2-0-7014", 1463953, 1467609}));
  EXPECT_EQ(iss.batches[3].corresponding_adjustment, Tri::kNo);  // "Not Applicable"
}

TEST(Importers, ApxBuffersSerialsAndFlags) {
  ImportFile acr = ParseTestdata("acr", "acr/issuances.csv");
  ASSERT_EQ(acr.batches.size(), 5u);
  EXPECT_EQ(acr.batches[0].project_origin_id, "ACR731");
  EXPECT_EQ(acr.batches[0].monitoring_start, "2025-02-01");
  EXPECT_EQ(acr.batches[0].issuance_date, "2026-03-24");
  EXPECT_EQ(acr.batches[2].project.removal_or_reduction, RemovalOrReduction::kRemoval);
  EXPECT_EQ(acr.batches[3].quantity_kg, 58806000);
  EXPECT_EQ(acr.batches[3].buffer_kg, 16941000);  // transferred to the buffer pool
  EXPECT_EQ(acr.batches[4].buffer_kg, 3095000);
  EXPECT_EQ(acr.batches[0].buffer_kg, 0);

  ImportFile car = ParseTestdata("car", "car/retirements.csv");
  ASSERT_EQ(car.retirements.size(), 5u);
  EXPECT_EQ(*car.retirements[2].range,
            (SerialRange{"CAR-1-US-1335-31-983-KS-2025-9659", 43177, 43276}));
  EXPECT_EQ(car.retirements[0].account_holder, "ClimeCo Corp MCK NAP2, LLC.");

  ImportFile art = ParseTestdata("art", "art/issuances.csv");
  EXPECT_EQ(art.batches[1].quantity_kg, 9621384000);
  EXPECT_EQ(art.batches[1].buffer_kg, 535461000);
  ImportFile artc = ParseTestdata("art", "art/cancellations.csv");
  ASSERT_EQ(artc.cancellations.size(), 3u);
  EXPECT_EQ(artc.cancellations[0].corsia, Tri::kYes);
  EXPECT_EQ(artc.cancellations[0].reason, "CORSIA Compliance");

  ImportFile acrc = ParseTestdata("acr", "acr/cancellations.csv");
  EXPECT_EQ(acrc.cancellations[0].date, "2026-01-22");  // "Status Effective  (GMT)"
  EXPECT_EQ(acrc.cancellations[3].reason, "Removal of credits from the registry");
}

TEST(Importers, ArbFloatsAndAggregateRetirements) {
  ImportFile f = ParseTestdata("arb", "arb/nc-arboc_issuance_sheet3.csv");
  ASSERT_EQ(f.batches.size(), 5u);
  EXPECT_EQ(f.batches[0].origin_batch_id, "CAOD1007-A");
  EXPECT_EQ(f.batches[0].quantity_kg, 79565000);  // "79565.0"
  EXPECT_EQ(f.batches[0].vintage, 2024);          // "2024.0"
  const ImportedBatch& forest = f.batches[3];
  ASSERT_TRUE(forest.buffer_kg);
  int64_t from_buffer = 0;
  for (const auto& r : f.retirements)
    if (r.from_buffer) from_buffer += r.quantity_kg;
  EXPECT_GT(from_buffer, 0);
  EXPECT_LE(from_buffer, *forest.buffer_kg);
  ASSERT_EQ(f.cancellations.size(), 1u);
  EXPECT_EQ(f.cancellations[0].origin_id, "CALS5021-F");
  EXPECT_EQ(f.cancellations[0].quantity_kg, 466000);
  EXPECT_EQ(f.retirements[0].reason, "Retired 4th Compliance Period (CA)");
}

TEST(Importers, IsometricKilogramsExactly) {
  ImportFile f = ParseTestdata("isometric", "isometric/issuances.csv");
  ASSERT_EQ(f.batches.size(), 5u);
  EXPECT_EQ(f.batches[0].quantity_kg, 2765370);
  EXPECT_EQ(f.batches[0].buffer_kg, 55308);
  EXPECT_EQ(f.batches[0].origin_batch_id, "iss_1KP6EDZ8K1S036PY");
  EXPECT_EQ(FormatKgAsTonnes(f.batches[0].quantity_kg), "2765.370");
  ImportFile r = ParseTestdata("isometric", "isometric/retirements.csv");
  EXPECT_EQ(r.retirements[0].quantity_kg, 531000);
  EXPECT_EQ(r.retirements[0].reason, "public_environmental_claims");
  EXPECT_EQ(r.retirements[0].vintage, 2026);  // year sequestered
  ImportFile p = ParseTestdata("isometric", "isometric/projects.csv");
  for (const auto& pr : p.projects)
    EXPECT_EQ(pr.removal_or_reduction, RemovalOrReduction::kRemoval);
  EXPECT_EQ(p.projects[3].nature_or_technical, NatureOrTechnical::kNature);  // reforestation
}

TEST(Importers, CercarbonoProjectsFromSerialsAndZeroBasedRanges) {
  ImportFile iss = ParseTestdata("cercarbono", "cercarbono/issuances.csv");
  ASSERT_EQ(iss.batches.size(), 5u);
  EXPECT_EQ(iss.batches[0].project_origin_id, "1");
  EXPECT_EQ(*iss.batches[0].range, (SerialRange{"CDC_1_1_1_321_14_1", 1, 62740}));
  EXPECT_EQ(iss.batches[2].buffer_kg, iss.batches[2].quantity_kg);  // is_buffer True
  ImportFile ret = ParseTestdata("cercarbono", "cercarbono/retirements.csv");
  ASSERT_EQ(ret.retirements.size(), 5u);
  // "1000 to 62739" and "0 to 999" of a 0-based serial become 1001..62740 and 1..1000.
  EXPECT_EQ(*ret.retirements[2].range, (SerialRange{"CDC_1_1_1_321_14_1", 1001, 62740}));
  EXPECT_EQ(*ret.retirements[3].range, (SerialRange{"CDC_1_1_1_321_14_1", 1, 1000}));
  EXPECT_EQ(*ret.retirements[0].range, (SerialRange{"CDC_1_1_1_321_14_1_2009", 4426, 4971}));
  ImportFile prj = ParseTestdata("cercarbono", "cercarbono/projects.csv");
  EXPECT_EQ(prj.projects[0].country, "Colombia");
  EXPECT_EQ(prj.projects[0].removal_or_reduction, RemovalOrReduction::kRemoval);
  EXPECT_EQ(prj.projects[0].nature_or_technical, NatureOrTechnical::kNature);
}

TEST(Importers, CrLfAndBomGiveTheSameRecords) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.file);
    std::string text = ReadFile(c.file);
    std::string crlf = "\xEF\xBB\xBF";
    for (char ch : text) {
      if (ch == '\n') crlf += '\r';
      crlf += ch;
    }
    auto kind = DetectFileKind(c.file);
    ImportFile a = MustParse(c.registry, text, FileKindName(*kind));
    ImportFile b = MustParse(c.registry, crlf, FileKindName(*kind));
    // Line breaks inside quoted fields become CRLF too; compare without CRs.
    std::string da = Describe(a), db = Describe(b);
    std::erase(db, '\r');
    EXPECT_EQ(da, db);
  }
}

TEST(Importers, DeterministicAcrossRuns) {
  for (const Case& c : kCases) {
    EXPECT_EQ(Describe(ParseTestdata(c.registry, c.file)),
              Describe(ParseTestdata(c.registry, c.file)));
  }
}

TEST(Importers, NaturalKeysAndDuplicateRows) {
  ImportFile v = ParseTestdata("verra", "verra/transactions.csv");
  EXPECT_EQ(v.batches[0].key, "verra/batch/range:VCS-VCU/941467007-941467431");
  EXPECT_EQ(v.retirements[0].key, "verra/retirement/range:VCS-VCU/941467007-941467431");
  ImportFile arb = ParseTestdata("arb", "arb/nc-arboc_issuance_sheet3.csv");
  EXPECT_EQ(arb.batches[0].key, "arb/batch/id:CAOD1007-A");
  EXPECT_EQ(arb.retirements[0].key,
            "arb/retirement/id:CAOD1007-A/Retired 4th Compliance Period (CA)");
  ImportFile acr = ParseTestdata("acr", "acr/issuances.csv");
  EXPECT_EQ(acr.batches[0].key, "acr/batch/ACR731/2026/2026-03-24/2025-02-01/74344000");
  ImportFile p = ParseTestdata("isometric", "isometric/projects.csv");
  EXPECT_EQ(p.projects[0].key, "isometric/project/prj_1K3VWSDS61S0QKV7");

  // The same project twice, and the same serial block retired twice: the later row
  // is refused and names the first.
  ImportFile d = MustParse("gold-standard", "GSID,Project Name\n7,A\n8,B\n7,A again\n", "projects");
  EXPECT_EQ(d.counts.imported, 2);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].line, 4);
  EXPECT_NE(d.errors[0].reason.find("duplicate of the row on line 2"), std::string::npos);
  std::string car = ReadFile("car/retirements.csv");
  std::string first_row = car.substr(car.find('\n') + 1);
  first_row.resize(first_row.find('\n') + 1);
  ImportFile twice = MustParse("car", car + first_row, "retirements");
  EXPECT_EQ(twice.counts.rejected, 2);
  EXPECT_EQ(twice.errors.back().line, 8);
}

TEST(Importers, RowWidthMustMatchTheHeader) {
  std::string text =
      "GSID,Project Name,Status\n"
      "1,One,Listed\n"
      "2,Two\n"                 // too few fields
      "3,Three,Listed,extra\n"  // a non-empty extra field
      "4,Four,Listed,\n";       // an empty extra field is harmless
  ImportFile f = MustParse("gold-standard", text, "projects");
  EXPECT_EQ(f.counts.data_rows, 4);
  EXPECT_EQ(f.counts.imported, 2);
  ASSERT_EQ(f.errors.size(), 2u);
  EXPECT_EQ(f.errors[0].line, 3);
  EXPECT_EQ(f.errors[1].line, 4);
}

TEST(Importers, TrailingUnnamedColumnMayBeMissing) {
  std::string text =
      "Program ID,Program Name,Unnamed: 2\n"
      "ART1,One,\n"
      "ART2,Two\n";
  ImportFile f = MustParse("art", text, "projects");
  EXPECT_EQ(f.counts.imported, 2);
  EXPECT_EQ(f.counts.rejected, 0);
}

TEST(Importers, MalformedCsvRowIsRejectedAndParsingGoesOn) {
  std::string text =
      "GSID,Project Name\n"
      "1,\"One\"x\n"
      "2,Two\n"
      "3,\"never closed\n";
  ImportFile f = MustParse("gold-standard", text, "projects");
  EXPECT_EQ(f.counts.data_rows, 3);
  EXPECT_EQ(f.counts.imported, 1);
  ASSERT_EQ(f.errors.size(), 2u);
  EXPECT_EQ(f.errors[0].line, 2);
  EXPECT_NE(f.errors[0].reason.find("malformed CSV"), std::string::npos);
  EXPECT_EQ(f.errors[1].line, 4);
}

TEST(Importers, BlankLinesAreNotDataRows) {
  ImportFile f = MustParse("gold-standard", "\n\nGSID,Project Name\n\n1,One\n\n", "projects");
  EXPECT_EQ(f.counts.data_rows, 1);
  ASSERT_EQ(f.projects.size(), 1u);
  EXPECT_EQ(f.projects[0].line, 5);
}

TEST(Importers, FileLevelRefusals) {
  std::istringstream in("ID,Name\n1,x\n");
  auto r = ParseExport("verra-ish", "projects", in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  EXPECT_EQ(r.error().field, "registry");

  std::istringstream in2("ID,Name\n1,x\n");
  r = ParseExport("verra", "ledgers", in2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  EXPECT_EQ(r.error().field, "file_kind");

  std::istringstream in3("ID,Name\n1,x\n");
  r = ParseExport("verra", "retirements", in3);  // Verra publishes transactions instead
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kUnsupported);

  std::istringstream in4("Name,Proponent\nx,y\n");
  r = ParseExport("verra", "projects", in4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kMissingField);
  EXPECT_EQ(r.error().field, "id");

  std::istringstream in5("\n\n");
  r = ParseExport("verra", "projects", in5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kMissingField);

  // Alternatives: either APX quantity column will do, neither is refused.
  std::istringstream in6("Project ID,Credit Serial Numbers,Status Effective\n");
  r = ParseExport("car", "retirements", in6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "quantity of credits|quantity of offset credits");
}

TEST(Importers, RegistryAndKindNames) {
  for (auto n : {"verra", "gold-standard", "acr", "car", "art", "arb", "isometric", "cercarbono"}) {
    auto r = RegistryFromName(n);
    ASSERT_TRUE(r) << n;
    EXPECT_EQ(RegistryName(*r), n);
  }
  EXPECT_EQ(RegistryFromName("American-Carbon-Registry"), Registry::kAcr);
  EXPECT_EQ(RegistryFromName("climate-action-reserve"), Registry::kCar);
  EXPECT_EQ(RegistryFromName("art-trees"), Registry::kArt);
  EXPECT_FALSE(RegistryFromName("vcs"));
  EXPECT_EQ(*DetectFileKind("x/verra/transactions.csv"), FileKind::kTransactions);
  EXPECT_EQ(*DetectFileKind("nc-arboc_issuance_sheet3.csv"), FileKind::kArbIssuanceSheet);
  EXPECT_EQ(*DetectFileKind("Cancellations.CSV"), FileKind::kCancellations);
  EXPECT_EQ(*DetectFileKind("retirements-2026.csv"), FileKind::kRetirements);
  EXPECT_EQ(*DetectFileKind("issuances.csv"), FileKind::kIssuances);
  EXPECT_EQ(*DetectFileKind("C:\\exports\\projects.csv"), FileKind::kProjects);
  auto bad = DetectFileKind("prices.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "file_kind");
  EXPECT_TRUE(RegistryHasKind(Registry::kArb, FileKind::kArbIssuanceSheet));
  EXPECT_FALSE(RegistryHasKind(Registry::kIsometric, FileKind::kCancellations));
  // "issuances" is accepted for ARB's single issuance table.
  std::istringstream in(ReadFile("arb/nc-arboc_issuance_sheet3.csv"));
  auto r = ParseExport("arb", "issuances", in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, FileKind::kArbIssuanceSheet);
}

TEST(Importers, ProgressReportsBytesAndEnd) {
  std::string text = ReadFile("verra/transactions.csv");
  std::istringstream in(text);
  std::vector<ImportProgress> seen;
  auto r =
      ParseExport("verra", "transactions", in, [&](const ImportProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(seen.back().done);
  EXPECT_EQ(seen.back().bytes_read, static_cast<int64_t>(text.size()));
  EXPECT_EQ(seen.back().total_bytes, static_cast<int64_t>(text.size()));
  EXPECT_EQ(seen.back().rows, 9);
}

// Random damage to real files never throws or crashes, and the counts stay consistent.
TEST(Importers, MutatedInputNeverThrows) {
  const uint32_t seed = 20260601;
  std::printf("MutatedInputNeverThrows seed %u\n", seed);
  std::mt19937 rng(seed);
  const char kBytes[] = {',', '"', '\n', '\r', '-', '0', '9', 'x', ' ', '.', '\0', '\xEF'};
  for (int iter = 0; iter < 400; ++iter) {
    const Case& c = kCases[static_cast<size_t>(iter) % kCases.size()];
    std::string text = ReadFile(c.file);
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t pos = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[pos] = kBytes[rng() % sizeof kBytes];
          break;
        case 1:
          text.erase(pos, 1 + rng() % 20);
          break;
        default:
          text.insert(pos, 1, kBytes[rng() % sizeof kBytes]);
          break;
      }
    }
    auto kind = DetectFileKind(c.file);
    std::istringstream in(text);
    Result<ImportFile> r = Err(Code::kInternal, "not run");
    EXPECT_NO_THROW(r = ParseExport(c.registry, FileKindName(*kind), in)) << "iter " << iter;
    if (r.ok()) {
      EXPECT_EQ(r->counts.imported + r->counts.rejected, r->counts.data_rows);
      EXPECT_EQ(static_cast<int64_t>(r->errors.size()), r->counts.rejected);
      for (const auto& e : r->errors) EXPECT_GT(e.line, 0);
    }
  }
}

}  // namespace
}  // namespace cx::importers
