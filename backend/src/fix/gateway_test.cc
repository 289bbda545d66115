// The gateway's own contract without a network: the data dictionary loads in QuickFIX and
// rejects what it must, the logon canonical string is stable, bad settings are refused.
#include <gtest/gtest.h>
#include <quickfix/DataDictionary.h>
#include <quickfix/Message.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "fix/gateway.h"

namespace {

std::string Soh(std::string s) {
  for (char& c : s)
    if (c == '|') c = '\x01';
  return s;
}

// A raw FIX 4.4 message with BodyLength and CheckSum computed.
std::string Raw(const std::string& body_pipes) {
  std::string body = Soh(body_pipes);
  std::string head = "8=FIX.4.4\x01" "9=" + std::to_string(body.size()) + "\x01";
  int sum = 0;
  for (char c : head + body) sum += static_cast<unsigned char>(c);
  char cs[8];
  std::snprintf(cs, sizeof cs, "%03d", sum % 256);
  return head + body + "10=" + cs + "\x01";
}

struct NoHandler : cx::fix::Handler {
  cx::fix::LogonDecision Logon(const cx::fix::LogonRequest&) override { return {}; }
  void LoggedOn(const cx::fix::SessionInfo&, int64_t) override {}
  void LoggedOut(const cx::fix::SessionInfo&) override {}
  void NewOrder(const cx::fix::SessionInfo&, int, const cx::fix::OrderRequest&) override {}
  void CancelOrder(const cx::fix::SessionInfo&, int, const cx::fix::OrderRef&) override {}
  void ReplaceOrder(const cx::fix::SessionInfo&, int, const cx::fix::OrderRequest&) override {}
  void OrderStatus(const cx::fix::SessionInfo&, int, const cx::fix::OrderRef&) override {}
  void MassCancel(const cx::fix::SessionInfo&, int, const cx::fix::MassCancelRequest&) override {}
  void SecurityListRequest(const cx::fix::SessionInfo&, int, const std::string&) override {}
  void MarketDataRequest(const cx::fix::SessionInfo&, int, const cx::fix::MarketDataRequest&) override {}
};

std::string TempDir() {
  char tmpl[] = "/tmp/cx-fix-test-XXXXXX";
  const char* d = mkdtemp(tmpl);
  return d ? d : "/tmp";
}

TEST(FixDictionary, LoadsAndValidatesANewOrder) {
  std::istringstream in(cx::fix::DictionaryXml());
  FIX::DataDictionary dd(in);
  EXPECT_EQ(dd.getVersion(), "FIX.4.4");
  const std::string ok = Raw("35=D|49=C|56=CARBONX|34=2|52=20260101-00:00:00.000|11=A|55=SYM|54=1|60=20260101-00:00:00|38=1.5|40=2|44=24.50|");
  FIX::Message m(ok, dd, true);
  EXPECT_NO_THROW(dd.validate(m));
  const std::string no_qty = Raw("35=D|49=C|56=CARBONX|34=2|52=20260101-00:00:00.000|11=A|55=SYM|54=1|60=20260101-00:00:00|40=2|44=24.50|");
  FIX::Message m2(no_qty, dd, true);
  EXPECT_THROW(dd.validate(m2), FIX::RequiredTagMissing);
  const std::string bad_side = Raw("35=D|49=C|56=CARBONX|34=2|52=20260101-00:00:00.000|11=A|55=SYM|54=7|60=20260101-00:00:00|38=1|40=2|44=24.50|");
  FIX::Message m3(bad_side, dd, true);
  EXPECT_THROW(dd.validate(m3), FIX::IncorrectTagValue);
  const std::string bad_px = Raw("35=D|49=C|56=CARBONX|34=2|52=20260101-00:00:00.000|11=A|55=SYM|54=1|60=20260101-00:00:00|38=1|40=2|44=abc|");
  FIX::Message m4(bad_px, dd, true);
  EXPECT_THROW(dd.validate(m4), FIX::IncorrectDataFormat);
}

TEST(FixDictionary, ParsesMarketDataGroups) {
  std::istringstream in(cx::fix::DictionaryXml());
  FIX::DataDictionary dd(in);
  const std::string v = Raw("35=V|49=C|56=CARBONX|34=3|52=20260101-00:00:00.000|262=M|263=1|264=0|267=2|269=0|269=1|146=1|55=SYM|");
  FIX::Message m(v, dd, true);
  EXPECT_NO_THROW(dd.validate(m));
  FIX::Group g(267, 269);
  EXPECT_TRUE(m.hasGroup(2, g));
  m.getGroup(2, g);
  EXPECT_EQ(g.getField(269), "1");
}

TEST(FixLogon, CanonicalStringIsStable) {
  EXPECT_EQ(cx::fix::LogonCanonical(1767225600123, 7, "ACME", "CARBONX"), "CXFIX1\n1767225600123\n7\nACME\nCARBONX");
}

TEST(FixGateway, RefusesSettingsWithoutSessionsOrNotFix44) {
  NoHandler h;
  const std::string dir = TempDir();
  const std::string cfg = dir + "/s.cfg";
  std::string err;
  cx::fix::GatewayOptions o;
  o.settings_file = cfg;
  o.state_dir = dir + "/state";
  {
    std::ofstream(cfg) << "[DEFAULT]\nSenderCompID=CARBONX\n";
    EXPECT_EQ(cx::fix::Gateway::Create(o, &h, &err), nullptr);
    EXPECT_NE(err.find("no [SESSION]"), std::string::npos) << err;
  }
  {
    std::ofstream(cfg) << "[DEFAULT]\nSenderCompID=CARBONX\n[SESSION]\nBeginString=FIX.4.2\nTargetCompID=A\n";
    err.clear();
    EXPECT_EQ(cx::fix::Gateway::Create(o, &h, &err), nullptr);
    EXPECT_NE(err.find("only FIX.4.4"), std::string::npos) << err;
  }
  {
    std::ofstream(cfg) << "[DEFAULT]\nSenderCompID=CARBONX\nSocketAcceptPort=1\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=A\nDropCopy=Y\n"
                          "[SESSION]\nBeginString=FIX.4.4\nTargetCompID=B\nCancelOnDisconnect=Y\n";
    err.clear();
    auto g = cx::fix::Gateway::Create(o, &h, &err);
    ASSERT_NE(g, nullptr) << err;
    auto s = g->Sessions();
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].client_comp_id, "A");
    EXPECT_TRUE(s[0].drop_copy);
    EXPECT_FALSE(s[0].cancel_on_disconnect);
    EXPECT_TRUE(s[1].cancel_on_disconnect);
    EXPECT_FALSE(g->LoggedOn(s[0].key));
  }
  EXPECT_TRUE(std::ifstream(dir + "/state/CX-FIX44.xml").good());
  for (const char* f : {"/state/CX-FIX44.xml", "/state/store", "/state/log", "/state", "/s.cfg", ""})
    std::remove((dir + f).c_str());
}

}  // namespace
