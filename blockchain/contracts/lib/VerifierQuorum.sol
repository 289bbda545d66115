// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title VerifierQuorum
/// @notice The signer rule of VerificationRegistry as a pure function, so the SMTChecker can check
///         it on its own (scripts/verify-contracts.sh): recovered signers must be in strictly
///         ascending address order (hence distinct and non-zero), each a verifier, none a party to
///         the project. The caller looks up each signer's standing.
library VerifierQuorum {
    enum Standing {
        Eligible,
        NotVerifier,
        Party
    }

    enum Check {
        Ok,
        NotAscending,
        NotVerifier,
        Party
    }

    /// @notice Checks `signers`; on failure also returns the index of the first offending signer.
    /// @param standing standing[i] is signers[i]'s standing: not a verifier, a party, or eligible.
    function check(address[] memory signers, Standing[] memory standing) internal pure returns (Check, uint256) {
        address last = address(0);
        uint256 n = signers.length;
        for (uint256 i = 0; i < n; ++i) {
            address s = signers[i];
            if (s <= last) return (Check.NotAscending, i);
            if (standing[i] == Standing.NotVerifier) return (Check.NotVerifier, i);
            if (standing[i] == Standing.Party) return (Check.Party, i);
            last = s;
        }
        return (Check.Ok, n);
    }
}
