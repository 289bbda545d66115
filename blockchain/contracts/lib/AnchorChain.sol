// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AnchorChain
/// @notice The anchoring rule of JournalAnchor as a pure function, so the SMTChecker can check it
///         on its own (scripts/verify-contracts.sh): heights 1, 2, 3, ... in order, each with a
///         non-zero root, each naming the latest stored root as its previous root (zero before
///         the first block).
library AnchorChain {
    enum Check {
        Ok,
        UnexpectedHeight,
        ZeroRoot,
        PreviousRootMismatch
    }

    /// @notice Whether (height, root, previousRoot) may follow the block at `latestHeight` with root `latestRoot`.
    function check(uint64 latestHeight, bytes32 latestRoot, uint64 height, bytes32 root, bytes32 previousRoot)
        internal
        pure
        returns (Check)
    {
        // Written as height - 1 == latest (height != 0) so that no addition can overflow.
        if (height == 0 || height - 1 != latestHeight) return Check.UnexpectedHeight;
        if (root == bytes32(0)) return Check.ZeroRoot;
        if (previousRoot != latestRoot) return Check.PreviousRootMismatch;
        return Check.Ok;
    }
}
