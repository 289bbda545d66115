// secp256k1 keys and recoverable ECDSA signatures (libsecp256k1 + its recovery module).
// Contract: signatures are deterministic (RFC 6979 nonces) and low-s normalised, exactly as
// ethers' SigningKey.sign produces them; recovery refuses high-s signatures (EIP-2) and
// invalid points. Errors: Code::kInvalidField naming the field ("private_key", "signature").
// Thread-safe: one process-wide secp256k1 context, created once and used read-only.
#pragma once
#include <string_view>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

// Accepts 32 raw bytes; refuses 0 and values >= the curve order.
Result<PrivateKey> PrivateKeyFromBytes(std::string_view raw32);
// Accepts "0x" + 64 hex digits (or 64 hex digits without prefix).
Result<PrivateKey> ParsePrivateKey(std::string_view hex);
// A fresh key from the OS random source (OpenSSL RAND_bytes); kInternal if it fails.
Result<PrivateKey> GeneratePrivateKey();

// Uncompressed public key without the 0x04 prefix (64 bytes: x || y).
Result<Bytes> PublicKeyOf(const PrivateKey& key);
// Address = last 20 bytes of keccak256(x || y).
Result<Address> AddressOf(const PrivateKey& key);

// Signs a 32-byte digest (no hashing here).
Result<Signature> SignDigest(const Hash32& digest, const PrivateKey& key);
// Recovers the signer's address of `digest`.
Result<Address> RecoverAddress(const Hash32& digest, const Signature& sig);

// 65-byte wire form r || s || v with v = 27 + recovery id (what personal_sign and
// eth_signTypedData_v4 return).
Bytes SignatureTo65(const Signature& sig);
// Parses 65 raw bytes; v may be 0/1 or 27/28.
Result<Signature> SignatureFrom65(std::string_view raw65, std::string_view field = "signature");
// Same, from "0x" + 130 hex digits.
Result<Signature> ParseSignatureHex(std::string_view hex, std::string_view field = "signature");

// EIP-191 version 0x45: keccak256("\x19Ethereum Signed Message:\n" + decimal len + message).
Hash32 PersonalMessageHash(std::string_view message);
Result<Signature> PersonalSign(std::string_view message, const PrivateKey& key);
Result<Address> RecoverPersonal(std::string_view message, const Signature& sig);

}  // namespace cx::chain
