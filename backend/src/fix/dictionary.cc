// The FIX 4.4 data dictionary of the venue (see gateway.h): header, trailer, the session
// messages and the application messages CarbonXchange accepts or sends, with required
// fields and the enumerations it supports, so QuickFIX answers a message that breaks them
// with the standard session Reject (3) before the application sees it. Fields the venue
// does not use are allowed (AllowUnknownMsgFields) and ignored. 20001 CxBatch and
// 20002 CxSerials are ours (user-defined range).
#include <fstream>

#include "fix/gateway.h"

namespace cx {
namespace fix {

const char* DictionaryXml() {
  return R"XML(<fix type="FIX" major="4" minor="4" servicepack="0">
 <header>
  <field name="BeginString" required="Y"/>
  <field name="BodyLength" required="Y"/>
  <field name="MsgType" required="Y"/>
  <field name="SenderCompID" required="Y"/>
  <field name="TargetCompID" required="Y"/>
  <field name="OnBehalfOfCompID" required="N"/>
  <field name="DeliverToCompID" required="N"/>
  <field name="SenderSubID" required="N"/>
  <field name="TargetSubID" required="N"/>
  <field name="MsgSeqNum" required="Y"/>
  <field name="PossDupFlag" required="N"/>
  <field name="PossResend" required="N"/>
  <field name="SendingTime" required="Y"/>
  <field name="OrigSendingTime" required="N"/>
 </header>
 <trailer>
  <field name="SignatureLength" required="N"/>
  <field name="Signature" required="N"/>
  <field name="CheckSum" required="Y"/>
 </trailer>
 <messages>
  <message name="Heartbeat" msgtype="0" msgcat="admin">
   <field name="TestReqID" required="N"/>
  </message>
  <message name="TestRequest" msgtype="1" msgcat="admin">
   <field name="TestReqID" required="Y"/>
  </message>
  <message name="ResendRequest" msgtype="2" msgcat="admin">
   <field name="BeginSeqNo" required="Y"/>
   <field name="EndSeqNo" required="Y"/>
  </message>
  <message name="Reject" msgtype="3" msgcat="admin">
   <field name="RefSeqNum" required="Y"/>
   <field name="RefTagID" required="N"/>
   <field name="RefMsgType" required="N"/>
   <field name="SessionRejectReason" required="N"/>
   <field name="Text" required="N"/>
  </message>
  <message name="SequenceReset" msgtype="4" msgcat="admin">
   <field name="GapFillFlag" required="N"/>
   <field name="NewSeqNo" required="Y"/>
  </message>
  <message name="Logout" msgtype="5" msgcat="admin">
   <field name="Text" required="N"/>
  </message>
  <message name="Logon" msgtype="A" msgcat="admin">
   <field name="EncryptMethod" required="Y"/>
   <field name="HeartBtInt" required="Y"/>
   <field name="ResetSeqNumFlag" required="N"/>
   <field name="NextExpectedMsgSeqNum" required="N"/>
   <field name="MaxMessageSize" required="N"/>
   <field name="TestMessageIndicator" required="N"/>
   <field name="Username" required="N"/>
   <field name="Password" required="N"/>
  </message>
  <message name="BusinessMessageReject" msgtype="j" msgcat="app">
   <field name="RefSeqNum" required="N"/>
   <field name="RefMsgType" required="Y"/>
   <field name="BusinessRejectRefID" required="N"/>
   <field name="BusinessRejectReason" required="Y"/>
   <field name="Text" required="N"/>
  </message>
  <message name="NewOrderSingle" msgtype="D" msgcat="app">
   <field name="ClOrdID" required="Y"/>
   <field name="Account" required="N"/>
   <field name="Symbol" required="Y"/>
   <field name="SecurityID" required="N"/>
   <field name="SecurityIDSource" required="N"/>
   <field name="Side" required="Y"/>
   <field name="TransactTime" required="Y"/>
   <field name="OrderQty" required="Y"/>
   <field name="OrdType" required="Y"/>
   <field name="Price" required="N"/>
   <field name="StopPx" required="N"/>
   <field name="TimeInForce" required="N"/>
   <field name="ExpireTime" required="N"/>
   <field name="ExecInst" required="N"/>
   <field name="MaxFloor" required="N"/>
   <field name="MinQty" required="N"/>
   <field name="Text" required="N"/>
   <field name="CxBatch" required="N"/>
  </message>
  <message name="OrderCancelRequest" msgtype="F" msgcat="app">
   <field name="OrigClOrdID" required="Y"/>
   <field name="OrderID" required="N"/>
   <field name="ClOrdID" required="Y"/>
   <field name="Account" required="N"/>
   <field name="Symbol" required="Y"/>
   <field name="SecurityID" required="N"/>
   <field name="SecurityIDSource" required="N"/>
   <field name="Side" required="Y"/>
   <field name="TransactTime" required="Y"/>
   <field name="OrderQty" required="N"/>
  </message>
  <message name="OrderCancelReplaceRequest" msgtype="G" msgcat="app">
   <field name="OrderID" required="N"/>
   <field name="OrigClOrdID" required="Y"/>
   <field name="ClOrdID" required="Y"/>
   <field name="Account" required="N"/>
   <field name="Symbol" required="Y"/>
   <field name="SecurityID" required="N"/>
   <field name="SecurityIDSource" required="N"/>
   <field name="Side" required="Y"/>
   <field name="TransactTime" required="Y"/>
   <field name="OrderQty" required="Y"/>
   <field name="OrdType" required="Y"/>
   <field name="Price" required="N"/>
   <field name="TimeInForce" required="N"/>
  </message>
  <message name="OrderStatusRequest" msgtype="H" msgcat="app">
   <field name="OrderID" required="N"/>
   <field name="ClOrdID" required="Y"/>
   <field name="Symbol" required="Y"/>
   <field name="SecurityID" required="N"/>
   <field name="SecurityIDSource" required="N"/>
   <field name="Side" required="Y"/>
  </message>
  <message name="OrderMassCancelRequest" msgtype="q" msgcat="app">
   <field name="ClOrdID" required="Y"/>
   <field name="MassCancelRequestType" required="Y"/>
   <field name="Symbol" required="N"/>
   <field name="SecurityID" required="N"/>
   <field name="SecurityIDSource" required="N"/>
   <field name="TransactTime" required="Y"/>
  </message>
  <message name="OrderMassCancelReport" msgtype="r" msgcat="app">
   <field name="ClOrdID" required="N"/>
   <field name="OrderID" required="Y"/>
   <field name="MassCancelRequestType" required="Y"/>
   <field name="MassCancelResponse" required="Y"/>
   <field name="TotalAffectedOrders" required="N"/>
   <field name="Text" required="N"/>
  </message>
  <message name="ExecutionReport" msgtype="8" msgcat="app">
   <field name="OrderID" required="Y"/>
   <field name="ClOrdID" required="N"/>
   <field name="OrigClOrdID" required="N"/>
   <field name="ExecID" required="Y"/>
   <field name="ExecType" required="Y"/>
   <field name="OrdStatus" required="Y"/>
   <field name="OrdRejReason" required="N"/>
   <field name="Account" required="N"/>
   <field name="Symbol" required="Y"/>
   <field name="SecurityID" required="N"/>
   <field name="SecurityIDSource" required="N"/>
   <field name="Side" required="Y"/>
   <field name="OrderQty" required="N"/>
   <field name="OrdType" required="N"/>
   <field name="Price" required="N"/>
   <field name="StopPx" required="N"/>
   <field name="Currency" required="N"/>
   <field name="TimeInForce" required="N"/>
   <field name="LastQty" required="N"/>
   <field name="LastPx" required="N"/>
   <field name="LeavesQty" required="Y"/>
   <field name="CumQty" required="Y"/>
   <field name="AvgPx" required="Y"/>
   <field name="TransactTime" required="N"/>
   <field name="Text" required="N"/>
   <field name="CxBatch" required="N"/>
   <field name="CxSerials" required="N"/>
  </message>
  <message name="OrderCancelReject" msgtype="9" msgcat="app">
   <field name="OrderID" required="Y"/>
   <field name="ClOrdID" required="Y"/>
   <field name="OrigClOrdID" required="Y"/>
   <field name="OrdStatus" required="Y"/>
   <field name="CxlRejResponseTo" required="Y"/>
   <field name="CxlRejReason" required="N"/>
   <field name="Text" required="N"/>
  </message>
  <message name="SecurityListRequest" msgtype="x" msgcat="app">
   <field name="SecurityReqID" required="Y"/>
   <field name="SecurityListRequestType" required="Y"/>
  </message>
  <message name="SecurityList" msgtype="y" msgcat="app">
   <field name="SecurityReqID" required="Y"/>
   <field name="SecurityResponseID" required="Y"/>
   <field name="SecurityRequestResult" required="Y"/>
   <field name="TotNoRelatedSym" required="N"/>
   <field name="LastFragment" required="N"/>
   <group name="NoRelatedSym" required="N">
    <field name="Symbol" required="N"/>
    <field name="SecurityID" required="N"/>
    <field name="SecurityIDSource" required="N"/>
    <field name="SecurityType" required="N"/>
    <field name="SecurityDesc" required="N"/>
    <field name="Currency" required="N"/>
    <field name="MinPriceIncrement" required="N"/>
    <field name="RoundLot" required="N"/>
   </group>
  </message>
  <message name="MarketDataRequest" msgtype="V" msgcat="app">
   <field name="MDReqID" required="Y"/>
   <field name="SubscriptionRequestType" required="Y"/>
   <field name="MarketDepth" required="Y"/>
   <field name="MDUpdateType" required="N"/>
   <group name="NoMDEntryTypes" required="Y">
    <field name="MDEntryType" required="Y"/>
   </group>
   <group name="NoRelatedSym" required="Y">
    <field name="Symbol" required="Y"/>
    <field name="SecurityID" required="N"/>
    <field name="SecurityIDSource" required="N"/>
   </group>
  </message>
  <message name="MarketDataSnapshotFullRefresh" msgtype="W" msgcat="app">
   <field name="MDReqID" required="N"/>
   <field name="Symbol" required="Y"/>
   <field name="SecurityID" required="N"/>
   <field name="SecurityIDSource" required="N"/>
   <group name="NoMDEntries" required="Y">
    <field name="MDEntryType" required="Y"/>
    <field name="MDEntryPx" required="N"/>
    <field name="MDEntrySize" required="N"/>
   </group>
  </message>
  <message name="MarketDataIncrementalRefresh" msgtype="X" msgcat="app">
   <field name="MDReqID" required="N"/>
   <group name="NoMDEntries" required="Y">
    <field name="MDUpdateAction" required="Y"/>
    <field name="MDEntryType" required="N"/>
    <field name="Symbol" required="N"/>
    <field name="SecurityID" required="N"/>
    <field name="SecurityIDSource" required="N"/>
    <field name="MDEntryPx" required="N"/>
    <field name="MDEntrySize" required="N"/>
   </group>
  </message>
  <message name="MarketDataRequestReject" msgtype="Y" msgcat="app">
   <field name="MDReqID" required="Y"/>
   <field name="MDReqRejReason" required="N"/>
   <field name="Text" required="N"/>
  </message>
 </messages>
 <components>
 </components>
 <fields>
  <field number="1" name="Account" type="STRING"/>
  <field number="6" name="AvgPx" type="PRICE"/>
  <field number="7" name="BeginSeqNo" type="SEQNUM"/>
  <field number="8" name="BeginString" type="STRING"/>
  <field number="9" name="BodyLength" type="LENGTH"/>
  <field number="10" name="CheckSum" type="STRING"/>
  <field number="11" name="ClOrdID" type="STRING"/>
  <field number="14" name="CumQty" type="QTY"/>
  <field number="15" name="Currency" type="CURRENCY"/>
  <field number="16" name="EndSeqNo" type="SEQNUM"/>
  <field number="17" name="ExecID" type="STRING"/>
  <field number="18" name="ExecInst" type="MULTIPLEVALUESTRING"/>
  <field number="22" name="SecurityIDSource" type="STRING">
   <value enum="8" description="EXCHANGE_SYMBOL"/>
  </field>
  <field number="31" name="LastPx" type="PRICE"/>
  <field number="32" name="LastQty" type="QTY"/>
  <field number="34" name="MsgSeqNum" type="SEQNUM"/>
  <field number="35" name="MsgType" type="STRING"/>
  <field number="36" name="NewSeqNo" type="SEQNUM"/>
  <field number="37" name="OrderID" type="STRING"/>
  <field number="38" name="OrderQty" type="QTY"/>
  <field number="39" name="OrdStatus" type="CHAR"/>
  <field number="40" name="OrdType" type="CHAR">
   <value enum="1" description="MARKET"/>
   <value enum="2" description="LIMIT"/>
   <value enum="3" description="STOP"/>
   <value enum="4" description="STOP_LIMIT"/>
  </field>
  <field number="41" name="OrigClOrdID" type="STRING"/>
  <field number="43" name="PossDupFlag" type="BOOLEAN"/>
  <field number="44" name="Price" type="PRICE"/>
  <field number="45" name="RefSeqNum" type="SEQNUM"/>
  <field number="48" name="SecurityID" type="STRING"/>
  <field number="49" name="SenderCompID" type="STRING"/>
  <field number="50" name="SenderSubID" type="STRING"/>
  <field number="52" name="SendingTime" type="UTCTIMESTAMP"/>
  <field number="54" name="Side" type="CHAR">
   <value enum="1" description="BUY"/>
   <value enum="2" description="SELL"/>
  </field>
  <field number="55" name="Symbol" type="STRING"/>
  <field number="56" name="TargetCompID" type="STRING"/>
  <field number="57" name="TargetSubID" type="STRING"/>
  <field number="58" name="Text" type="STRING"/>
  <field number="59" name="TimeInForce" type="CHAR">
   <value enum="1" description="GOOD_TILL_CANCEL"/>
   <value enum="3" description="IMMEDIATE_OR_CANCEL"/>
   <value enum="4" description="FILL_OR_KILL"/>
   <value enum="6" description="GOOD_TILL_DATE"/>
  </field>
  <field number="60" name="TransactTime" type="UTCTIMESTAMP"/>
  <field number="89" name="Signature" type="DATA"/>
  <field number="93" name="SignatureLength" type="LENGTH"/>
  <field number="97" name="PossResend" type="BOOLEAN"/>
  <field number="98" name="EncryptMethod" type="INT">
   <value enum="0" description="NONE"/>
  </field>
  <field number="99" name="StopPx" type="PRICE"/>
  <field number="102" name="CxlRejReason" type="INT"/>
  <field number="103" name="OrdRejReason" type="INT"/>
  <field number="107" name="SecurityDesc" type="STRING"/>
  <field number="108" name="HeartBtInt" type="INT"/>
  <field number="110" name="MinQty" type="QTY"/>
  <field number="111" name="MaxFloor" type="QTY"/>
  <field number="112" name="TestReqID" type="STRING"/>
  <field number="115" name="OnBehalfOfCompID" type="STRING"/>
  <field number="122" name="OrigSendingTime" type="UTCTIMESTAMP"/>
  <field number="123" name="GapFillFlag" type="BOOLEAN"/>
  <field number="126" name="ExpireTime" type="UTCTIMESTAMP"/>
  <field number="128" name="DeliverToCompID" type="STRING"/>
  <field number="141" name="ResetSeqNumFlag" type="BOOLEAN"/>
  <field number="146" name="NoRelatedSym" type="NUMINGROUP"/>
  <field number="150" name="ExecType" type="CHAR"/>
  <field number="151" name="LeavesQty" type="QTY"/>
  <field number="167" name="SecurityType" type="STRING"/>
  <field number="262" name="MDReqID" type="STRING"/>
  <field number="263" name="SubscriptionRequestType" type="CHAR">
   <value enum="0" description="SNAPSHOT"/>
   <value enum="1" description="SNAPSHOT_PLUS_UPDATES"/>
   <value enum="2" description="DISABLE_PREVIOUS_SNAPSHOT_PLUS_UPDATE_REQUEST"/>
  </field>
  <field number="264" name="MarketDepth" type="INT"/>
  <field number="265" name="MDUpdateType" type="INT">
   <value enum="1" description="INCREMENTAL_REFRESH"/>
  </field>
  <field number="267" name="NoMDEntryTypes" type="NUMINGROUP"/>
  <field number="268" name="NoMDEntries" type="NUMINGROUP"/>
  <field number="269" name="MDEntryType" type="CHAR">
   <value enum="0" description="BID"/>
   <value enum="1" description="OFFER"/>
   <value enum="2" description="TRADE"/>
  </field>
  <field number="270" name="MDEntryPx" type="PRICE"/>
  <field number="271" name="MDEntrySize" type="QTY"/>
  <field number="279" name="MDUpdateAction" type="CHAR"/>
  <field number="281" name="MDReqRejReason" type="CHAR"/>
  <field number="320" name="SecurityReqID" type="STRING"/>
  <field number="322" name="SecurityResponseID" type="STRING"/>
  <field number="371" name="RefTagID" type="INT"/>
  <field number="372" name="RefMsgType" type="STRING"/>
  <field number="373" name="SessionRejectReason" type="INT"/>
  <field number="379" name="BusinessRejectRefID" type="STRING"/>
  <field number="380" name="BusinessRejectReason" type="INT"/>
  <field number="383" name="MaxMessageSize" type="LENGTH"/>
  <field number="393" name="TotNoRelatedSym" type="INT"/>
  <field number="434" name="CxlRejResponseTo" type="CHAR"/>
  <field number="464" name="TestMessageIndicator" type="BOOLEAN"/>
  <field number="530" name="MassCancelRequestType" type="CHAR">
   <value enum="1" description="CANCEL_ORDERS_FOR_A_SECURITY"/>
   <value enum="7" description="CANCEL_ALL_ORDERS"/>
  </field>
  <field number="531" name="MassCancelResponse" type="CHAR"/>
  <field number="532" name="MassCancelRejectReason" type="CHAR"/>
  <field number="533" name="TotalAffectedOrders" type="INT"/>
  <field number="553" name="Username" type="STRING"/>
  <field number="554" name="Password" type="STRING"/>
  <field number="559" name="SecurityListRequestType" type="INT">
   <value enum="4" description="ALL_SECURITIES"/>
  </field>
  <field number="560" name="SecurityRequestResult" type="INT"/>
  <field number="561" name="RoundLot" type="QTY"/>
  <field number="789" name="NextExpectedMsgSeqNum" type="SEQNUM"/>
  <field number="893" name="LastFragment" type="BOOLEAN"/>
  <field number="969" name="MinPriceIncrement" type="FLOAT"/>
  <field number="20001" name="CxBatch" type="STRING"/>
  <field number="20002" name="CxSerials" type="STRING"/>
 </fields>
</fix>
)XML";
}

bool WriteDictionary(const std::string& path, std::string* error) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << DictionaryXml();
  f.close();
  if (!f) {
    *error = "cannot write the FIX data dictionary to " + path;
    return false;
  }
  return true;
}

}  // namespace fix
}  // namespace cx
