// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AnchorChain} from "../contracts/lib/AnchorChain.sol";

/// @notice Invariants (CHC, over all call sequences) of AnchorChain as JournalAnchor uses it.
///         `latestRoot` stands for JournalAnchor's rootAt[latestHeight]; `maxWritten` is a ghost:
///         the highest height ever written. Property: every accepted anchor writes strictly above
///         every earlier write, so no stored root is ever overwritten. (That a stored root is
///         non-zero is a per-call property, proved by BMC in AnchorChainStepHarness.)
contract AnchorChainInvariantHarness {
    uint64 internal latestHeight;
    bytes32 internal latestRoot;
    uint64 internal maxWritten;

    function anchor(uint64 height, bytes32 root, bytes32 previousRoot) external {
        require(AnchorChain.check(latestHeight, latestRoot, height, root, previousRoot) == AnchorChain.Check.Ok);
        assert(height > maxWritten);
        maxWritten = height;
        latestHeight = height;
        latestRoot = root;
    }
}
