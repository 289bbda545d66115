// Ethereum transaction encoding and signing: legacy (EIP-155 replay-protected) and
// EIP-1559 (type 2) transactions, with an empty access list.
// Contract:
// - SignTx produces exactly the bytes ethers' Wallet.signTransaction produces for the same
//   key and fields (RFC 6979 low-s signatures) and hash = keccak256(raw).
// - Legacy with chain_id 0 is the pre-EIP-155 form (v = 27/28); otherwise
//   v = chain_id * 2 + 35 + recovery id.
// - DecodeSignedTx accepts what SignTx writes (legacy and type 2; a type-2 access list must
//   be empty: non-empty lists are refused with kUnsupported), checks canonical RLP,
//   recovers the sender and recomputes the hash.
// Errors: Code::kInvalidField naming the field ("gas_limit", "max_fee_per_gas", "raw.v"...),
// Code::kUnsupported for other transaction types. Pure, thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

enum class TxType : uint8_t { kLegacy = 0, kEip1559 = 2 };

struct TxFields {
  TxType type = TxType::kEip1559;
  uint64_t chain_id = 1;
  uint64_t nonce = 0;
  uint64_t gas_limit = 21000;
  std::optional<Address> to;  // nullopt: contract creation
  U256 value = 0;
  Bytes data;                 // raw call data
  U256 gas_price = 0;                 // legacy only
  U256 max_fee_per_gas = 0;           // EIP-1559 only
  U256 max_priority_fee_per_gas = 0;  // EIP-1559 only; must be <= max_fee_per_gas
  bool operator==(const TxFields&) const = default;
};

struct SignedTx {
  Bytes raw;    // what eth_sendRawTransaction takes (as 0x hex)
  Hash32 hash;  // keccak256(raw): the transaction hash
};

struct DecodedTx {
  TxFields fields;
  Signature signature;
  Address from;
  Hash32 hash;
};

// Checks field consistency (e.g. priority fee <= max fee, gas_limit > 0).
Result<void> ValidateTx(const TxFields& tx);
// The digest that is signed (keccak256 of the unsigned encoding).
Result<Hash32> TxSigningHash(const TxFields& tx);
Result<SignedTx> SignTx(const TxFields& tx, const PrivateKey& key);
Result<DecodedTx> DecodeSignedTx(std::string_view raw);

// Address of a contract created by `sender` at `nonce`: keccak256(rlp([sender, nonce]))[12:].
Address CreateAddress(const Address& sender, uint64_t nonce);

}  // namespace cx::chain
