// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {System} from "./System.sol";
import {CarbonMarket} from "../../contracts/CarbonMarket.sol";

/// @notice Fuzz tests of listing settlement (fees, rounding) and of withdrawal authorizations.
contract MarketFuzzTest is System {
    address internal constant SELLER = address(0x5E11);
    address internal constant BUYER = address(0xB111);

    function setUp() public {
        deploySystem(2);
        verifiedBatch(1, 1e12);
        token.mint(SELLER, 1, 1e12);
        vm.prank(SELLER);
        token.setApprovalForAll(address(market), true);
    }

    function testFuzz_FillSplitsCostExactly(uint256 amount, uint256 price, uint256 fee, uint256 fill) public {
        amount = bound(amount, 1, 1e12);
        price = bound(price, 1, 1e9);
        fee = bound(fee, 0, market.MAX_FEE_BPS());
        fill = bound(fill, 1, amount);
        market.setFee(fee);
        vm.prank(SELLER);
        uint256 id = market.createListing(1, amount, price, 1, uint64(block.timestamp + 1));
        uint256 cost = fill * price;
        usd.mint(BUYER, cost);
        vm.startPrank(BUYER);
        usd.approve(address(market), cost);
        market.fillListing(id, fill, cost);
        vm.stopPrank();
        uint256 feePaid = usd.balanceOf(TREASURY);
        assertEq(feePaid, cost * fee / 10_000, "fee rounds down");
        assertEq(feePaid + usd.balanceOf(SELLER), cost, "fee + proceeds = cost");
        assertEq(usd.balanceOf(BUYER), 0, "buyer paid exactly cost");
        assertEq(token.balanceOf(BUYER, 1), fill, "buyer received");
        assertEq(market.escrowed(1), amount - fill, "escrow");
        assertEq(token.balanceOf(address(market), 1), market.escrowed(1) + market.custodyBalance(1), "market holdings");
    }

    function testFuzz_WithdrawalWorksOnceAndOnlyBeforeExpiry(uint256 nonce, uint256 amount, uint256 ttl, uint256 late)
        public
    {
        amount = bound(amount, 1, 1e9);
        ttl = bound(ttl, 0, 365 days);
        late = bound(late, 0, 2 * 365 days);
        vm.prank(SELLER);
        market.deposit(1, amount, keccak256("acct"));
        CarbonMarket.Withdrawal memory w = CarbonMarket.Withdrawal({
            to: BUYER, tokenId: 1, amount: amount, nonce: nonce, expiry: block.timestamp + ttl
        });
        bytes memory sig = signature(OPERATOR_PK, market.withdrawalDigest(w));
        vm.warp(block.timestamp + late);
        if (late > ttl) {
            vm.expectRevert(abi.encodeWithSelector(CarbonMarket.AuthorizationExpired.selector, w.expiry));
            market.withdraw(w, sig);
            return;
        }
        market.withdraw(w, sig);
        assertEq(token.balanceOf(BUYER, 1), amount, "released");
        assertEq(market.custodyBalance(1), 0, "custody");
        vm.expectRevert(abi.encodeWithSelector(CarbonMarket.NonceAlreadyUsed.selector, nonce));
        market.withdraw(w, sig);
    }

    function testFuzz_NonOperatorSignatureRejected(uint256 pk, uint256 amount) public {
        pk = bound(pk, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        vm.assume(pk != OPERATOR_PK);
        amount = bound(amount, 1, 1e9);
        vm.prank(SELLER);
        market.deposit(1, amount, keccak256("acct"));
        CarbonMarket.Withdrawal memory w =
            CarbonMarket.Withdrawal({to: BUYER, tokenId: 1, amount: amount, nonce: 1, expiry: block.timestamp});
        bytes memory sig = signature(pk, market.withdrawalDigest(w));
        vm.expectRevert(abi.encodeWithSelector(CarbonMarket.InvalidOperatorSignature.selector, vm.addr(pk)));
        market.withdraw(w, sig);
    }
}
