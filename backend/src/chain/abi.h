// Solidity ABI encoding and decoding driven by JSON ABIs (the "abi" arrays of
// blockchain/deployments/<network>.json, as Hardhat/solc write them).
//
// Types: uintN/intN (N = 8..256 step 8), address, bool, bytesN (1..32), bytes, string,
// T[] (dynamic array), T[k] (fixed array), tuples (components) and any nesting of these.
//
// JSON value conventions (both directions):
//   uintN/intN  in: JSON integer, decimal string ("-5", "1000") or "0x.." hex string;
//               out: decimal string (always a string, so 256-bit values survive JS).
//   address     in: 0x hex (EIP-55 checked when mixed case); out: lower-case 0x hex.
//   bool        JSON true/false.
//   bytesN/bytes in/out: 0x hex (bytesN input must be exactly N bytes).
//   string      JSON string (UTF-8 bytes passed through as is).
//   T[], T[k]   JSON arrays.
//   tuple       in: JSON array (positional) or object keyed by component names;
//               out: JSON object keyed by component names when every component is named,
//               otherwise an array.
// Values out of range for their type (e.g. 256 for uint8) are refused, never truncated.
//
// Decoding is strict and never trusts lengths/offsets from the data: every offset and
// length is bounds-checked against the input, and dirty padding (non-zero high bytes of a
// uintN/address/bool, non-sign-extended intN, non-zero tail of bytesN/bytes/string) is
// refused. Errors: Code::kInvalidField (bad value / bad data, field names the argument,
// e.g. "args[1].amount"), Code::kNotFound (unknown function/event/error name),
// Code::kUnsupported (unknown type string). Pure, thread-safe once constructed.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

// One ABI type (with its parameter name when it appears in a parameter list).
struct AbiType {
  enum class Kind : uint8_t { kUint, kInt, kAddress, kBool, kFixedBytes, kBytes, kString, kArray, kFixedArray, kTuple };
  Kind kind = Kind::kUint;
  int bits = 256;      // kUint / kInt
  int size = 0;        // kFixedBytes: 1..32; kFixedArray: element count
  std::vector<AbiType> children;  // kArray/kFixedArray: exactly one (element); kTuple: components
  std::string name;    // parameter / component name ("" when unnamed)
  bool indexed = false;  // event parameters only

  // Canonical type string used in signatures: "uint256", "address[]", "(uint256,bytes)[2]".
  std::string Canonical() const;
  bool IsDynamic() const;
  // Head size in bytes when static (32 * words); 32 for dynamic types (the offset word).
  size_t HeadSize() const;
};

// Parses a type string such as "uint256", "bytes32[]", "(address,uint256)[3]".
Result<AbiType> ParseAbiType(std::string_view type);

// Encodes `values` (one JSON value per type) as a tuple: abi.encode(values...).
Result<Bytes> AbiEncode(const std::vector<AbiType>& types, const boost::json::array& values,
                        std::string_view field = "args");
// Decodes abi.encode(...) output into one JSON value per type.
Result<boost::json::array> AbiDecode(const std::vector<AbiType>& types, std::string_view data,
                                     std::string_view field = "data");

struct AbiFunction {
  std::string name;
  std::vector<AbiType> inputs;
  std::vector<AbiType> outputs;
  std::string state_mutability;  // "view", "pure", "nonpayable", "payable"
  std::string Signature() const;       // "transfer(address,uint256)"
  std::array<uint8_t, 4> Selector() const;
};

struct AbiEvent {
  std::string name;
  std::vector<AbiType> inputs;  // with `indexed` flags
  bool anonymous = false;
  std::string Signature() const;
  Hash32 Topic0() const;  // keccak256(Signature())
};

struct AbiError {
  std::string name;
  std::vector<AbiType> inputs;
  std::string Signature() const;
  std::array<uint8_t, 4> Selector() const;
};

// A decoded log: event name and its arguments keyed by parameter name (unnamed parameters
// are keyed "arg<i>"). Indexed dynamic parameters (string, bytes, arrays, tuples) cannot be
// recovered from their topic: their value is the topic itself as 0x hex.
struct DecodedLog {
  std::string event;
  boost::json::object args;
};

// Decoded revert data: Error(string) -> {"Error", {"message": ...}},
// Panic(uint256) -> {"Panic", {"code": "17"}}, custom errors by name with their named args.
struct DecodedError {
  std::string name;
  boost::json::object args;
  std::string signature;  // "Error(string)", "InsufficientBalance(uint256,uint256)"
};

class Abi {
 public:
  Abi() = default;
  // From a JSON ABI array (functions, events, errors; constructor/fallback/receive ignored).
  static Result<Abi> FromJson(const boost::json::value& abi_array);
  // From the text of a deployment file: contracts.<contract>.abi.
  static Result<Abi> FromDeployment(std::string_view deployment_json, std::string_view contract);

  // `name` is a function name ("transfer") or, for overloaded names, a full signature
  // ("safeTransferFrom(address,address,uint256,uint256,bytes)"). An overloaded bare name
  // is refused (kInvalidField) rather than guessed.
  Result<const AbiFunction*> Function(std::string_view name) const;
  Result<const AbiEvent*> Event(std::string_view name) const;
  const AbiEvent* EventByTopic(const Hash32& topic0) const;  // nullptr when unknown
  const AbiError* ErrorBySelector(const std::array<uint8_t, 4>& sel) const;

  // selector || abi.encode(args) for an eth_call / transaction `data`.
  Result<Bytes> EncodeCall(std::string_view function, const boost::json::array& args) const;
  // Decodes a call's return data into one JSON value per output.
  Result<boost::json::array> DecodeOutput(std::string_view function, std::string_view data) const;
  // Decodes the selector-prefixed call data of one of this ABI's functions (name + args).
  Result<std::pair<std::string, boost::json::array>> DecodeCall(std::string_view data) const;
  // Decodes a log by its topic0 (non-anonymous events only).
  Result<DecodedLog> DecodeLog(const std::vector<Hash32>& topics, std::string_view data) const;
  // Decodes revert data (Error(string), Panic(uint256), or a custom error of this ABI);
  // unknown selectors -> kNotFound.
  Result<DecodedError> DecodeRevert(std::string_view data) const;

  const std::vector<AbiFunction>& functions() const { return functions_; }
  const std::vector<AbiEvent>& events() const { return events_; }
  const std::vector<AbiError>& errors() const { return errors_; }

 private:
  std::vector<AbiFunction> functions_;
  std::vector<AbiEvent> events_;
  std::vector<AbiError> errors_;
};

}  // namespace cx::chain
