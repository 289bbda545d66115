// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VerifierQuorum} from "../contracts/lib/VerifierQuorum.sol";

/// @notice SMTChecker harness (BMC, loops unrolled) for VerifierQuorum.check. Properties: when the
///         check passes, the signers are pairwise distinct and non-zero, and each is eligible
///         (a verifier, not a party); so k accepted signatures come from k different eligible verifiers.
contract VerifierQuorumHarness {
    function checkTwo(address a, address b, uint8 sa, uint8 sb) external pure {
        require(sa <= 2 && sb <= 2);
        address[] memory s = new address[](2);
        VerifierQuorum.Standing[] memory st = new VerifierQuorum.Standing[](2);
        s[0] = a;
        s[1] = b;
        st[0] = VerifierQuorum.Standing(sa);
        st[1] = VerifierQuorum.Standing(sb);
        (VerifierQuorum.Check r,) = VerifierQuorum.check(s, st);
        if (r == VerifierQuorum.Check.Ok) {
            assert(a != b);
            assert(a != address(0) && b != address(0));
            assert(sa == 0 && sb == 0);
        }
    }

    function checkThree(address a, address b, address c) external pure {
        address[] memory s = new address[](3);
        VerifierQuorum.Standing[] memory st = new VerifierQuorum.Standing[](3);
        s[0] = a;
        s[1] = b;
        s[2] = c;
        (VerifierQuorum.Check r,) = VerifierQuorum.check(s, st);
        if (r == VerifierQuorum.Check.Ok) {
            assert(a != b && b != c && a != c);
        }
    }
}
