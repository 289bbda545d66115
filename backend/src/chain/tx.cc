#include "chain/tx.h"

#include "chain/keccak.h"
#include "chain/rlp.h"
#include "chain/sign.h"

namespace cx::chain {
namespace {

Error Bad(std::string_view field, std::string_view what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::string(what), std::string(field));
}

Bytes EncTo(const std::optional<Address>& to) { return RlpEncodeString(to ? to->str() : Bytes()); }

// The fields common to both unsigned and signed encodings, in order.
Bytes Body(const TxFields& tx) {
  Bytes p;
  if (tx.type == TxType::kEip1559) {
    p += RlpEncodeUint(tx.chain_id);
    p += RlpEncodeUint(tx.nonce);
    p += RlpEncodeUint(tx.max_priority_fee_per_gas);
    p += RlpEncodeUint(tx.max_fee_per_gas);
    p += RlpEncodeUint(tx.gas_limit);
    p += EncTo(tx.to);
    p += RlpEncodeUint(tx.value);
    p += RlpEncodeString(tx.data);
    p += RlpEncodeListPayload("");  // access list: empty
  } else {
    p += RlpEncodeUint(tx.nonce);
    p += RlpEncodeUint(tx.gas_price);
    p += RlpEncodeUint(tx.gas_limit);
    p += EncTo(tx.to);
    p += RlpEncodeUint(tx.value);
    p += RlpEncodeString(tx.data);
  }
  return p;
}

Bytes SigFields(const U256& v, const Signature& sig) {
  Bytes p = RlpEncodeUint(v);
  p += RlpEncodeUint(U256FromBe(sig.r.str()));
  p += RlpEncodeUint(U256FromBe(sig.s.str()));
  return p;
}

Result<Hash32> Be32(const RlpItem& item, std::string_view field) {
  CX_ASSIGN_OR_RETURN(U256 v, RlpToUint(item, field));
  if (v == 0) return Bad(field, "must not be zero");
  return U256ToBe32(v);
}

Result<std::optional<Address>> DecTo(const RlpItem& item) {
  if (item.is_list) return Bad("raw.to", "expected bytes");
  if (item.str.empty()) return std::optional<Address>();
  if (item.str.size() != 20) return Bad("raw.to", "address must be 20 bytes");
  return std::optional<Address>(Address::FromRaw(item.str));
}

Result<Bytes> DecData(const RlpItem& item) {
  if (item.is_list) return Bad("raw.data", "expected bytes");
  return item.str;
}

}  // namespace

Result<void> ValidateTx(const TxFields& tx) {
  if (tx.type != TxType::kLegacy && tx.type != TxType::kEip1559)
    return Err(Code::kUnsupported, "only legacy and EIP-1559 transactions", "type");
  if (tx.gas_limit == 0) return Bad("gas_limit", "must be positive");
  if (tx.type == TxType::kEip1559) {
    if (tx.chain_id == 0) return Bad("chain_id", "EIP-1559 transactions need a chain id");
    if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas)
      return Bad("max_priority_fee_per_gas", "exceeds max_fee_per_gas");
  }
  if (tx.chain_id > (std::numeric_limits<uint64_t>::max() - 36) / 2) return Bad("chain_id", "too large");
  return Ok();
}

Result<Hash32> TxSigningHash(const TxFields& tx) {
  CX_TRY(ValidateTx(tx));
  if (tx.type == TxType::kEip1559) {
    Bytes enc = "\x02" + RlpEncodeListPayload(Body(tx));
    return Keccak256(enc);
  }
  Bytes body = Body(tx);
  if (tx.chain_id != 0) {
    body += RlpEncodeUint(tx.chain_id);
    body += RlpEncodeUint(0);
    body += RlpEncodeUint(0);
  }
  return Keccak256(RlpEncodeListPayload(body));
}

Result<SignedTx> SignTx(const TxFields& tx, const PrivateKey& key) {
  CX_ASSIGN_OR_RETURN(Hash32 digest, TxSigningHash(tx));
  CX_ASSIGN_OR_RETURN(Signature sig, SignDigest(digest, key));
  SignedTx out;
  if (tx.type == TxType::kEip1559) {
    out.raw = "\x02" + RlpEncodeListPayload(Body(tx) + SigFields(sig.v, sig));
  } else {
    U256 v = tx.chain_id == 0 ? U256(27 + sig.v) : U256(tx.chain_id) * 2 + 35 + sig.v;
    out.raw = RlpEncodeListPayload(Body(tx) + SigFields(v, sig));
  }
  out.hash = Keccak256(out.raw);
  return out;
}

Result<DecodedTx> DecodeSignedTx(std::string_view raw) {
  if (raw.empty()) return Bad("raw", "empty transaction");
  auto first = static_cast<uint8_t>(raw[0]);
  DecodedTx d;
  if (first >= 0xc0) {
    CX_ASSIGN_OR_RETURN(RlpItem item, RlpDecode(raw, "raw"));
    if (!item.is_list || item.list.size() != 9) return Bad("raw", "legacy transaction must be a list of 9 items");
    const auto& l = item.list;
    TxFields& f = d.fields;
    f.type = TxType::kLegacy;
    CX_ASSIGN_OR_RETURN(f.nonce, RlpToUint64(l[0], "raw.nonce"));
    CX_ASSIGN_OR_RETURN(f.gas_price, RlpToUint(l[1], "raw.gas_price"));
    CX_ASSIGN_OR_RETURN(f.gas_limit, RlpToUint64(l[2], "raw.gas_limit"));
    CX_ASSIGN_OR_RETURN(f.to, DecTo(l[3]));
    CX_ASSIGN_OR_RETURN(f.value, RlpToUint(l[4], "raw.value"));
    CX_ASSIGN_OR_RETURN(f.data, DecData(l[5]));
    CX_ASSIGN_OR_RETURN(U256 v, RlpToUint(l[6], "raw.v"));
    if (v >= 27 && v <= 28) {
      f.chain_id = 0;
      d.signature.v = static_cast<uint8_t>(v - 27);
    } else if (v >= 37) {
      U256 c = (v - 35) / 2;
      if (c > (std::numeric_limits<uint64_t>::max() - 36) / 2) return Bad("raw.v", "chain id too large");
      f.chain_id = static_cast<uint64_t>(c);
      d.signature.v = static_cast<uint8_t>((v - 35) % 2);
    } else {
      return Bad("raw.v", "invalid v");
    }
    CX_ASSIGN_OR_RETURN(d.signature.r, Be32(l[7], "raw.r"));
    CX_ASSIGN_OR_RETURN(d.signature.s, Be32(l[8], "raw.s"));
  } else if (first == 0x02) {
    CX_ASSIGN_OR_RETURN(RlpItem item, RlpDecode(raw.substr(1), "raw"));
    if (!item.is_list || item.list.size() != 12)
      return Bad("raw", "EIP-1559 transaction must be a list of 12 items");
    const auto& l = item.list;
    TxFields& f = d.fields;
    f.type = TxType::kEip1559;
    CX_ASSIGN_OR_RETURN(f.chain_id, RlpToUint64(l[0], "raw.chain_id"));
    CX_ASSIGN_OR_RETURN(f.nonce, RlpToUint64(l[1], "raw.nonce"));
    CX_ASSIGN_OR_RETURN(f.max_priority_fee_per_gas, RlpToUint(l[2], "raw.max_priority_fee_per_gas"));
    CX_ASSIGN_OR_RETURN(f.max_fee_per_gas, RlpToUint(l[3], "raw.max_fee_per_gas"));
    CX_ASSIGN_OR_RETURN(f.gas_limit, RlpToUint64(l[4], "raw.gas_limit"));
    CX_ASSIGN_OR_RETURN(f.to, DecTo(l[5]));
    CX_ASSIGN_OR_RETURN(f.value, RlpToUint(l[6], "raw.value"));
    CX_ASSIGN_OR_RETURN(f.data, DecData(l[7]));
    if (!l[8].is_list) return Bad("raw.access_list", "expected a list");
    if (!l[8].list.empty()) return Err(Code::kUnsupported, "non-empty access lists are not supported", "raw.access_list");
    CX_ASSIGN_OR_RETURN(U256 v, RlpToUint(l[9], "raw.v"));
    if (v > 1) return Bad("raw.v", "y parity must be 0 or 1");
    d.signature.v = static_cast<uint8_t>(v);
    CX_ASSIGN_OR_RETURN(d.signature.r, Be32(l[10], "raw.r"));
    CX_ASSIGN_OR_RETURN(d.signature.s, Be32(l[11], "raw.s"));
  } else {
    return Err(Code::kUnsupported, "unsupported transaction type " + std::to_string(first), "raw.type");
  }
  CX_ASSIGN_OR_RETURN(Hash32 digest, TxSigningHash(d.fields));
  CX_ASSIGN_OR_RETURN(d.from, RecoverAddress(digest, d.signature));
  d.hash = Keccak256(raw);
  return d;
}

Address CreateAddress(const Address& sender, uint64_t nonce) {
  Bytes enc = RlpEncodeListPayload(RlpEncodeString(sender.str()) + RlpEncodeUint(nonce));
  return Address::FromRaw(Keccak256(enc).str().substr(12));
}

}  // namespace cx::chain
