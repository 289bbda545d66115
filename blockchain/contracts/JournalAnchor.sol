// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {AnchorChain} from "./lib/AnchorChain.sol";
import {MerkleSha256} from "./lib/MerkleSha256.sol";

/// @title JournalAnchor
/// @notice The exchange's journal, anchored block by block: the operator (ANCHORER_ROLE) posts
///         (height, Merkle root, previous root) for heights 1, 2, 3, ... in order, each linking to
///         the root stored before it. Anyone can then check that an event hash is in a block with
///         `verifyInclusion`, using the Merkle rule of docs/formats.md (see MerkleSha256).
/// @dev Anchoring costs the same whatever the block's number of events: only the root is stored.
///      Invariants: rootAt[h] != 0 exactly for 1 <= h <= latestHeight; a stored root never changes.
contract JournalAnchor is AccessControl, Pausable {
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    uint64 public latestHeight;
    mapping(uint64 height => bytes32 root) public rootAt;

    event Anchored(uint64 indexed height, bytes32 root, bytes32 previousRoot);

    error ZeroAddress();
    error ZeroRoot();
    error UnexpectedHeight(uint64 expected, uint64 given);
    error PreviousRootMismatch(bytes32 expected, bytes32 given);
    error UnknownHeight(uint64 height);

    /// @param admin Governance timelock (admin and unpause).
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Stops anchoring (guardian).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes anchoring; governance only.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @notice Anchors block `height` with Merkle `root`; `previousRoot` must equal the root at height - 1
    ///         (zero for height 1).
    function anchor(uint64 height, bytes32 root, bytes32 previousRoot) external onlyRole(ANCHORER_ROLE) whenNotPaused {
        uint64 latest = latestHeight;
        bytes32 latestRoot = rootAt[latest];
        AnchorChain.Check result = AnchorChain.check(latest, latestRoot, height, root, previousRoot);
        if (result == AnchorChain.Check.UnexpectedHeight) revert UnexpectedHeight(latest + 1, height);
        if (result == AnchorChain.Check.ZeroRoot) revert ZeroRoot();
        if (result == AnchorChain.Check.PreviousRootMismatch) revert PreviousRootMismatch(latestRoot, previousRoot);
        rootAt[height] = root;
        latestHeight = height;
        emit Anchored(height, root, previousRoot);
    }

    /// @notice True if `eventHash` with sibling path `proof` (bottom-up) yields the root anchored at `height`.
    /// @dev Reverts with UnknownHeight for a height not anchored yet.
    function verifyInclusion(uint64 height, bytes32 eventHash, bytes32[] calldata proof) external view returns (bool) {
        bytes32 root = rootAt[height];
        if (root == bytes32(0)) revert UnknownHeight(height);
        return MerkleSha256.processProof(eventHash, proof) == root;
    }

    /// @notice The root that `eventHash` and `proof` imply (for off-chain checks and tests).
    function computeRoot(bytes32 eventHash, bytes32[] calldata proof) external pure returns (bytes32) {
        return MerkleSha256.processProof(eventHash, proof);
    }
}
