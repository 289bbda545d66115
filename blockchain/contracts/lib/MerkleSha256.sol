// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MerkleSha256
/// @notice The journal's Merkle rule (docs/formats.md), identical in C++ and Solidity:
///         leaf(e) = SHA-256(0x00 || e); node(a, b) = SHA-256(0x01 || min(a, b) || max(a, b)).
///         Pairs are sorted bytewise, so a proof is just the sibling hashes from the leaf upward,
///         with no left/right flags; a level's odd last node is promoted without a sibling.
library MerkleSha256 {
    /// @notice The leaf hash of one journal event hash.
    function leaf(bytes32 eventHash) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), eventHash));
    }

    /// @notice The parent of two nodes; commutative because the pair is sorted first.
    function node(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? sha256(abi.encodePacked(bytes1(0x01), a, b)) : sha256(abi.encodePacked(bytes1(0x01), b, a));
    }

    /// @notice The root implied by `eventHash` and its sibling path `proof` (bottom-up).
    function processProof(bytes32 eventHash, bytes32[] memory proof) internal pure returns (bytes32 h) {
        h = leaf(eventHash);
        uint256 n = proof.length;
        for (uint256 i = 0; i < n; ++i) {
            h = node(h, proof[i]);
        }
    }
}
