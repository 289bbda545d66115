// EIP-712 typed structured data: hashing, signing and recovery, from the JSON object that
// eth_signTypedData_v4 takes: {"types": {...}, "primaryType": "...", "domain": {...},
// "message": {...}}. "EIP712Domain" may be given in `types`; when it is absent it is
// derived from the domain's present fields (name, version, chainId, verifyingContract,
// salt), as ethers does.
// Contract: the same digest as ethers' TypedDataEncoder.hash / MetaMask v4, including
// nested structs (referenced types sorted by name after the primary type), arrays of
// atomic types, of structs and of arrays (hashed as keccak of the concatenated encodings),
// dynamic bytes/string hashed, atomic values ABI-encoded with range checks. Value
// conventions as in abi.h (integers as JSON numbers or decimal/0x strings).
// Errors: Code::kInvalidField naming the path ("message.amount", "types.Mail[1].type"),
// Code::kMissingField for absent members. Pure, thread-safe.
#pragma once
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

// "Mail(Person from,Person to,string contents)Person(string name,address wallet)".
Result<std::string> Eip712EncodeType(const boost::json::object& types, std::string_view primary);
Result<Hash32> Eip712TypeHash(const boost::json::object& types, std::string_view primary);
Result<Hash32> Eip712HashStruct(const boost::json::object& types, std::string_view primary,
                                const boost::json::value& data);
// hashStruct(EIP712Domain, domain) of a full typed-data object.
Result<Hash32> Eip712DomainSeparator(const boost::json::value& typed_data);
// keccak256(0x19 0x01 || domainSeparator || hashStruct(primaryType, message)).
Result<Hash32> Eip712Hash(const boost::json::value& typed_data);
Result<Signature> SignTypedData(const boost::json::value& typed_data, const PrivateKey& key);
Result<Address> RecoverTypedData(const boost::json::value& typed_data, const Signature& sig);

}  // namespace cx::chain
