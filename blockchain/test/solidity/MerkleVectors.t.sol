// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestBase} from "./Vm.sol";
import {JournalAnchor} from "../../contracts/JournalAnchor.sol";

interface VmJson {
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonStringArray(string calldata json, string calldata key) external pure returns (string[] memory);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function keyExistsJson(string calldata json, string calldata key) external view returns (bool);
    function toString(uint256 value) external pure returns (string memory);
}

/// @notice Checks JournalAnchor against the shared vectors in docs/test-vectors/merkle.json
///         (the same file the C++ journal tests read): every listed proof verifies against its
///         case's root once anchored, and fails against the next case's root.
contract MerkleVectorsTest is TestBase {
    VmJson internal constant vmj = VmJson(address(uint160(uint256(keccak256("hevm cheat code")))));
    JournalAnchor internal anchor;

    function setUp() public {
        anchor = new JournalAnchor(address(this));
        anchor.grantRole(anchor.ANCHORER_ROLE(), address(this));
    }

    function _hex32(string memory s) private pure returns (bytes32 out) {
        bytes memory b = bytes(s);
        require(b.length == 64, "hex32 length");
        for (uint256 i = 0; i < 64; ++i) {
            uint8 c = uint8(b[i]);
            uint8 v;
            if (c >= 48 && c <= 57) v = c - 48;
            else if (c >= 97 && c <= 102) v = c - 87;
            else revert("hex32: not lowercase hex");
            out |= bytes32(uint256(v) << (4 * (63 - i)));
        }
    }

    function test_SharedVectors() public {
        string memory json = vmj.readFile("../docs/test-vectors/merkle.json");
        uint256 checked = 0;
        uint256 cases = 0;
        bytes32 prevRoot = bytes32(0);
        while (vmj.keyExistsJson(json, string.concat(".cases[", vmj.toString(cases), "]"))) {
            string memory c = string.concat(".cases[", vmj.toString(cases), "]");
            string[] memory events = vmj.parseJsonStringArray(json, string.concat(c, ".event_hashes"));
            for (uint256 i = 0; i < events.length; ++i) {
                assertTrue(_hex32(events[i]) == sha256(bytes(string.concat("event-", vmj.toString(i)))), "event hash");
            }
            bytes32 root = _hex32(vmj.parseJsonString(json, string.concat(c, ".root")));
            uint64 height = uint64(cases + 1);
            anchor.anchor(height, root, prevRoot);
            prevRoot = root;
            uint256 p = 0;
            while (vmj.keyExistsJson(json, string.concat(c, ".proofs[", vmj.toString(p), "]"))) {
                string memory pk = string.concat(c, ".proofs[", vmj.toString(p), "]");
                uint256 index = vmj.parseJsonUint(json, string.concat(pk, ".index"));
                string[] memory ps = vmj.parseJsonStringArray(json, string.concat(pk, ".proof"));
                bytes32[] memory proof = new bytes32[](ps.length);
                for (uint256 i = 0; i < ps.length; ++i) proof[i] = _hex32(ps[i]);
                assertTrue(anchor.verifyInclusion(height, _hex32(events[index]), proof), "vector proof rejected");
                if (height > 1) {
                    assertTrue(!anchor.verifyInclusion(height - 1, _hex32(events[index]), proof), "wrong block accepted");
                }
                ++checked;
                ++p;
            }
            ++cases;
        }
        assertEq(cases, 7, "cases");
        assertTrue(checked >= 40, "too few proofs checked");
    }
}
