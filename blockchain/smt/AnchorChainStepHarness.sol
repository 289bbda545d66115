// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AnchorChain} from "../contracts/lib/AnchorChain.sol";

/// @notice Per-call properties (BMC): an accepted anchor raises the height by exactly one, stores
///         a non-zero root and links it to the latest root.
contract AnchorChainStepHarness {
    uint64 internal latestHeight;
    mapping(uint64 => bytes32) internal rootAt;

    function anchor(uint64 height, bytes32 root, bytes32 previousRoot) external {
        uint64 latest = latestHeight;
        bytes32 latestRoot = rootAt[latest];
        require(AnchorChain.check(latest, latestRoot, height, root, previousRoot) == AnchorChain.Check.Ok);
        rootAt[height] = root;
        latestHeight = height;
        assert(height == latest + 1);
        assert(rootAt[height] != bytes32(0));
        assert(rootAt[height - 1] == previousRoot);
    }
}
