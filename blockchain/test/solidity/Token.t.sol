// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {System} from "./System.sol";
import {CarbonCreditToken} from "../../contracts/CarbonCreditToken.sol";
import {VerificationRegistry} from "../../contracts/VerificationRegistry.sol";

/// @notice Fuzz tests of supply caps, retirement accounting and k-of-n verification.
contract TokenFuzzTest is System {
    function setUp() public {
        deploySystem(2);
    }

    function testFuzz_MintNeverExceedsVerified(uint256 verified, uint256[8] memory mints) public {
        verified = bound(verified, 1, 1e15);
        verifiedBatch(1, verified);
        uint256 total = 0;
        for (uint256 i = 0; i < mints.length; ++i) {
            uint256 amt = bound(mints[i], 1, verified);
            if (total + amt > verified) {
                vm.expectRevert(
                    abi.encodeWithSelector(CarbonCreditToken.MintExceedsVerified.selector, 1, amt, verified - total)
                );
                token.mint(address(this), 1, amt);
            } else {
                token.mint(address(this), 1, amt);
                total += amt;
            }
            assertTrue(token.minted(1) <= token.verifiedAmount(1), "minted > verified");
            assertEq(token.minted(1), total, "minted");
        }
    }

    function testFuzz_RetireKeepsMintedEqualHeldPlusRetired(uint256 amount, uint256 r1, uint256 r2) public {
        amount = bound(amount, 2, 1e12);
        verifiedBatch(7, amount);
        token.mint(address(this), 7, amount);
        r1 = bound(r1, 1, amount - 1);
        r2 = bound(r2, 1, amount - r1);
        uint256 id1 = token.retire(7, r1, "ACME", "fuzz");
        uint256 id2 = token.retire(7, r2, "ACME", "fuzz");
        assertEq(id2, id1 + 1, "retirement ids");
        assertEq(token.retired(7), r1 + r2, "retired");
        assertEq(token.minted(7), token.totalSupply(7) + token.retired(7), "minted = held + retired");
        assertEq(token.balanceOf(address(this), 7), amount - r1 - r2, "balance");
        assertTrue(certificate.ownerOf(id2) == address(this), "certificate owner");
    }

    function testFuzz_ThresholdIsEnforced(uint256 k, uint256 given) public {
        k = bound(k, 1, 3);
        given = bound(given, 0, 3);
        registry.setDefaultThreshold(k);
        bytes32 iid = keccak256(abi.encode("i", k, given));
        CarbonCreditToken.BatchData memory d = batchData(1, 10);
        registry.proposeIssuance(iid, PROJECT, token.hashBatchData(d), 5000, "r");
        bytes[] memory sigs = approvals(iid, given);
        if (given < k) {
            vm.expectRevert(abi.encodeWithSelector(VerificationRegistry.NotEnoughSignatures.selector, given, k));
            registry.verifyIssuance(iid, sigs);
        } else {
            registry.verifyIssuance(iid, sigs);
            (,, uint256 amount) = registry.verifiedIssuance(iid);
            assertEq(amount, 5000, "verified amount");
        }
    }

    function testFuzz_ForeignKeyNeverCounts(uint256 pk) public {
        pk = bound(pk, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        address signer = vm.addr(pk);
        vm.assume(!registry.isVerifier(signer));
        bytes32 iid = keccak256("foreign");
        CarbonCreditToken.BatchData memory d = batchData(1, 10);
        registry.proposeIssuance(iid, PROJECT, token.hashBatchData(d), 5000, "r");
        bytes[] memory good = approvals(iid, 1);
        bytes memory bad = signature(pk, registry.approvalDigest(iid));
        bytes[] memory sigs = new bytes[](2);
        address goodSigner = vm.addr(verifierPks[0]);
        (sigs[0], sigs[1]) = goodSigner < signer ? (good[0], bad) : (bad, good[0]);
        vm.expectRevert(abi.encodeWithSelector(VerificationRegistry.SignerNotVerifier.selector, signer));
        registry.verifyIssuance(iid, sigs);
    }
}
