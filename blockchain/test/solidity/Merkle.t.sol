// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestBase} from "./Vm.sol";
import {JournalAnchor} from "../../contracts/JournalAnchor.sol";

/// @notice Fuzzes JournalAnchor's Merkle verification against a reference tree builder written
///         here from docs/formats.md (levels built pairwise, odd node promoted).
contract MerkleTest is TestBase {
    JournalAnchor internal anchor;

    function setUp() public {
        anchor = new JournalAnchor(address(this));
        anchor.grantRole(anchor.ANCHORER_ROLE(), address(this));
    }

    function _leaf(bytes32 e) private pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), e));
    }

    function _node(bytes32 a, bytes32 b) private pure returns (bytes32) {
        (bytes32 lo, bytes32 hi) = a <= b ? (a, b) : (b, a);
        return sha256(abi.encodePacked(bytes1(0x01), lo, hi));
    }

    /// @dev Root of the tree over `events` and the proof for `index`.
    function _build(bytes32[] memory events, uint256 index) private pure returns (bytes32 root, bytes32[] memory proof) {
        uint256 n = events.length;
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) level[i] = _leaf(events[i]);
        bytes32[] memory path = new bytes32[](64);
        uint256 depth = 0;
        uint256 idx = index;
        while (n > 1) {
            if ((idx ^ 1) < n) path[depth++] = level[idx ^ 1];
            uint256 m = (n + 1) / 2;
            for (uint256 i = 0; i < n / 2; ++i) level[i] = _node(level[2 * i], level[2 * i + 1]);
            if (n % 2 == 1) level[m - 1] = level[n - 1];
            n = m;
            idx >>= 1;
        }
        root = level[0];
        proof = new bytes32[](depth);
        for (uint256 i = 0; i < depth; ++i) proof[i] = path[i];
    }

    function testFuzz_ProofOfEveryShapeVerifies(uint256 seed, uint256 count, uint256 index) public {
        count = bound(count, 1, 70);
        index = bound(index, 0, count - 1);
        bytes32[] memory events = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) events[i] = keccak256(abi.encode(seed, i));
        (bytes32 root, bytes32[] memory proof) = _build(events, index);
        anchor.anchor(1, root, bytes32(0));
        assertTrue(anchor.verifyInclusion(1, events[index], proof), "valid proof rejected");
        assertTrue(anchor.computeRoot(events[index], proof) == root, "computeRoot differs");
        // Any other event with the same proof fails (unless it is a duplicate hash, impossible here).
        bytes32 other = keccak256(abi.encode(seed, count + 1));
        assertTrue(!anchor.verifyInclusion(1, other, proof), "foreign event accepted");
        if (proof.length > 0) {
            uint256 at = seed % proof.length;
            proof[at] = proof[at] ^ bytes32(uint256(1) << (seed % 256));
            assertTrue(!anchor.verifyInclusion(1, events[index], proof), "tampered proof accepted");
        }
    }

    function testFuzz_NodeIsCommutative(bytes32 a, bytes32 b) public view {
        bytes32[] memory p = new bytes32[](1);
        p[0] = b;
        bytes32 viaContract = anchor.computeRoot(a, p);
        assertTrue(viaContract == _node(_leaf(a), b), "node(leaf(a), b)");
        assertTrue(_node(a, b) == _node(b, a), "not commutative");
    }

    function testFuzz_AnchorGasIndependentOfEventCount(bytes32 r1, bytes32 r2) public {
        vm.assume(r1 != bytes32(0) && r2 != bytes32(0));
        anchor.anchor(1, r1, bytes32(0));
        uint256 g0 = gasleft();
        anchor.anchor(2, r2, r1);
        uint256 used = g0 - gasleft();
        assertTrue(used < 60_000, "anchor too expensive");
    }
}
