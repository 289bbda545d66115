#include "app/demo.h"

#include <filesystem>
#include <iostream>

#include "app/import_cmd.h"
#include "app/kyc.h"
#include "app/privacy.h"
#include "auth/password.h"

namespace cx::app {
using namespace cx::registry;

const std::vector<DemoUser>& DemoUsers() {
  static const std::vector<DemoUser> users = {
      {"admin", "admin@carbonx.demo", "demo-admin-2026"},
      {"auditor", "auditor@carbonx.demo", "demo-auditor-2026"},
      {"verifier", "verifier@carbonx.demo", "demo-verifier-2026"},
      {"verifier", "verifier2@carbonx.demo", "demo-verifier-2026"},
      {"project_developer", "developer@carbonx.demo", "demo-developer-2026"},
      {"trader", "buyer@carbonx.demo", "demo-buyer-2026"},
      {"trader", "seller@carbonx.demo", "demo-seller-2026"},
  };
  return users;
}

Result<void> CreateDefaultClasses(engine::Engine& e) {
  struct K { const char* code; const char* standard; const char* name; int64_t k; int64_t bp; };
  const K classes[] = {
      {"CX-NBS", "CarbonXchange", "Nature-based removals and avoided emissions", 2, 2000},
      {"CX-TECH", "CarbonXchange", "Technology-based reductions and removals", 1, 0},
      {"VCS", "Verra VCS", "Verified Carbon Units", 1, 1000},
      {"GS", "Gold Standard", "Verified Emission Reductions", 1, 0},
  };
  for (const K& k : classes) {
    CreditClass c;
    c.code = k.code;
    c.standard = k.standard;
    c.name = k.name;
    c.required_approvals = k.k;
    c.buffer_bp = k.bp;
    auto r = e.Execute(CreateCreditClass{0, c});
    if (!r.ok() && r.error().code != Code::kConflict) return r.take_error();
  }
  return Ok();
}

namespace {

// A live market for the demo: the forest batch listed, two standard contracts, funded
// traders, resting orders on both sides and a few trades.
Result<void> LoadDemoMarket(engine::Engine& e, int64_t admin, int64_t dev, int64_t seller, int64_t buyer,
                            int64_t seller_acct, int64_t buyer_acct, int64_t batch) {
  (void)dev;
  CX_TRY(e.Execute(DepositCash{admin, buyer_acct, "USD", 25'000'000, "demo wire"}));
  CX_TRY(e.Execute(DepositCash{admin, seller_acct, "USD", 5'000'000, "demo wire"}));
  Instrument in;
  in.batch = batch;
  in.symbol = "SERRA-24";
  in.maker_fee_bp = 10;
  in.taker_fee_bp = 20;
  CX_TRY(e.Execute(CreateInstrument{admin, true, in}));
  Instrument nbs;
  nbs.kind = InstrumentKind::kContract;
  nbs.symbol = "CX-NBR";
  nbs.criteria.nature = Nature::kNatureBased;
  nbs.criteria.mitigation = Mitigation::kRemoval;
  nbs.criteria.vintage_from = 2020;
  nbs.maker_fee_bp = 10;
  nbs.taker_fee_bp = 20;
  CX_TRY(e.Execute(CreateInstrument{admin, true, nbs}));
  Instrument latam;
  latam.kind = InstrumentKind::kContract;
  latam.symbol = "LATAM-CORSIA";
  latam.criteria.standards = {"VCS", "CX-NBS"};
  latam.criteria.countries = {"BR", "CO", "PE"};
  latam.criteria.vintage_from = 2019;
  latam.criteria.corsia = Tri::kYes;
  latam.maker_fee_bp = 10;
  latam.taker_fee_bp = 20;
  CX_TRY(e.Execute(CreateInstrument{admin, true, latam}));
  int demo_orders = 0;
  auto order = [&](int64_t user, int64_t inst, OrderSide side, int64_t price, int64_t kg, int64_t sell_batch = 0) -> Result<void> {
    PlaceOrder p;
    p.actor = user;
    p.order.instrument = inst;
    p.order.side = side;
    p.order.price = price;
    p.order.qty = kg;
    p.order.batch = sell_batch;
    p.order.client_id = "demo-" + std::to_string(++demo_orders);  // unique per account (issue 10)
    CX_TRY(e.Execute(p));
    return Ok();
  };
  CX_TRY(order(seller, 1, OrderSide::kSell, 2450, 100'000));
  CX_TRY(order(seller, 1, OrderSide::kSell, 2480, 200'000));
  CX_TRY(order(seller, 1, OrderSide::kSell, 2520, 300'000));
  CX_TRY(order(buyer, 1, OrderSide::kBuy, 2390, 150'000));
  CX_TRY(order(buyer, 1, OrderSide::kBuy, 2350, 300'000));
  CX_TRY(order(buyer, 1, OrderSide::kBuy, 2450, 50'000));   // trades at 24.50
  CX_TRY(order(buyer, 1, OrderSide::kBuy, 2480, 80'000));   // 50 t at 24.50, 30 t at 24.80
  CX_TRY(order(seller, 2, OrderSide::kSell, 2600, 200'000, batch));
  CX_TRY(order(buyer, 2, OrderSide::kBuy, 2500, 100'000));
  CX_TRY(order(seller, 3, OrderSide::kSell, 2700, 100'000, batch));
  CX_TRY(order(buyer, 3, OrderSide::kBuy, 2700, 20'000));   // a contract trade delivering the batch
  return Ok();
}

}  // namespace

Result<void> LoadDemo(engine::Engine& e, PiiVault& vault, const std::string& testdata_dir) {
  static const uint32_t kRoleBits[] = {kAdmin, kAuditor, kVerifier, kVerifier, kProjectDeveloper, kTrader, kTrader};
  std::vector<int64_t> ids;
  int i = 0;
  for (const auto& u : DemoUsers()) {
    CX_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(u.password));
    CX_ASSIGN_OR_RETURN(RegisterUser reg, SealNewUser(vault, u.email, u.role + " (demo)", hash, kRoleBits[i++]));
    CX_ASSIGN_OR_RETURN(std::string id, e.Execute(reg,
        [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> { return std::to_string(s.users().rbegin()->first); }));
    ids.push_back(std::stoll(id));
  }
  int64_t dev = ids[4], ver1 = ids[2], ver2 = ids[3];
  // A native nature-based project through the whole lifecycle.
  ProjectInfo info;
  info.name = "Serra do Mar Atlantic Forest Restoration";
  info.description = "Assisted natural regeneration of degraded pasture in the Atlantic Forest (demo).";
  info.developer_name = "Mata Viva Restauração Ltda (demo)";
  info.country = "BR";
  info.subdivision = "São Paulo";
  info.sector = "Forestry and land use";
  info.project_type = "Afforestation, reforestation and revegetation (ARR)";
  info.methodology = "VM0047";
  info.mitigation = Mitigation::kRemoval;
  info.nature = Nature::kNatureBased;
  info.corsia = Tri::kYes;
  info.credit_class = 1;  // CX-NBS: two verifiers, 20 % buffer
  info.crediting_start = "2021-01-01";
  info.crediting_end = "2050-12-31";
  CX_ASSIGN_OR_RETURN(std::string pid_s, e.Execute(CreateProject{dev, info},
      [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> { return std::to_string(s.projects().rbegin()->first); }));
  int64_t pid = std::stoll(pid_s);
  CX_TRY(e.Execute(SubmitProject{dev, pid}));
  CX_TRY(e.Execute(ReviewProject{ver1, pid, ReviewProject::kValidate, ""}));
  CX_ASSIGN_OR_RETURN(std::string iid_s, e.Execute(RequestIssuance{dev, pid, 2024, "2024-01-01", "2024-12-31", 25'000'000, "Demo Verification Body", "demo-verification-report-2024"},
      [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> { return std::to_string(s.issuances().rbegin()->first); }));
  int64_t iid = std::stoll(iid_s);
  CX_TRY(e.Execute(ApproveIssuance{ver1, iid}));
  CX_TRY(e.Execute(ApproveIssuance{ver2, iid}));
  // The seller buys part from the developer off-exchange; the buyer retires a little.
  CX_ASSIGN_OR_RETURN(std::string accts, e.Query([&](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    return std::to_string(s.user(dev)->account) + " " + std::to_string(s.user(ids[6])->account) + " " +
           std::to_string(s.user(ids[5])->account) + " " + std::to_string(s.issuance(iid)->batch);
  }));
  int64_t dev_acct = 0, seller_acct = 0, buyer_acct = 0, batch = 0;
  {
    std::istringstream in(accts);  // (needs <sstream>)
    if (!(in >> dev_acct >> seller_acct >> buyer_acct >> batch)) return Err(Code::kInternal, "demo: account query");
  }
  CX_TRY(e.Execute(Transfer{dev, dev_acct, seller_acct, batch, 5'000'000}));
  CX_TRY(e.Execute(Transfer{dev, dev_acct, buyer_acct, batch, 1'000'000}));
  CX_TRY(e.Execute(Retire{ids[5], buyer_acct, batch, 250'500, "Demo Buyer GmbH", "2024 operational emissions", "DE", "2024-01-01", "2024-12-31"}));
  // A second project waiting in the verifier's queue.
  ProjectInfo p2;
  p2.name = "Nairobi Clean Cookstoves (demo)";
  p2.country = "KE";
  p2.sector = "Energy efficiency - domestic";
  p2.methodology = "GS TPDDTEC v3.1";
  p2.mitigation = Mitigation::kReduction;
  p2.nature = Nature::kTechnical;
  p2.credit_class = 2;
  CX_TRY(e.Execute(CreateProject{dev, p2}));
  CX_TRY(e.Execute(SubmitProject{dev, pid + 1}));
  // The developer and the traders pass KYC (full) before cash moves (app/kyc.h).
  CX_TRY(VerifyDemoUsers(e, vault, ids[0], {dev, ids[6], ids[5]}));
  CX_TRY(LoadDemoMarket(e, ids[0], dev, ids[6], ids[5], seller_acct, buyer_acct, batch));
  // Real rows from public registry exports.
  namespace fs = std::filesystem;
  if (fs::is_directory(testdata_dir)) {
    std::vector<fs::path> files;
    for (const auto& d : fs::directory_iterator(testdata_dir))
      if (d.is_directory())
        for (const auto& f : fs::directory_iterator(d.path()))
          if (f.path().extension() == ".csv") files.push_back(f.path());
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      // projects before issuances/transactions before retirements/cancellations
      auto rank = [](const fs::path& p) {
        std::string n = p.filename().string();
        return n.find("project") != std::string::npos ? 0 : n.find("retire") != std::string::npos || n.find("cancel") != std::string::npos ? 2 : 1;
      };
      return std::make_pair(a.parent_path().string(), rank(a)) < std::make_pair(b.parent_path().string(), rank(b));
    });
    for (const auto& f : files) {
      std::string reg = f.parent_path().filename().string();
      auto r = ImportFile(e, reg, f.string(), false);
      if (r.ok())
        std::cerr << "demo: imported " << reg << "/" << f.filename().string() << ": " << r->applied << " applied, "
                  << r->refused + r->parse_rejected << " rejected\n";
    }
  }
  return Ok();
}

}  // namespace cx::app
