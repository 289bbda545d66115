// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {System} from "./System.sol";
import {TestBase} from "./Vm.sol";
import {CarbonCreditToken} from "../../contracts/CarbonCreditToken.sol";
import {CarbonMarket} from "../../contracts/CarbonMarket.sol";
import {TestStablecoin} from "../../contracts/mocks/TestStablecoin.sol";

/// @notice Drives random sequences of mint, transfer, retire, deposit, withdraw, list, fill and
///         cancel over two batches and three holders. Every action is bounded to be valid, so the
///         fuzzer explores states rather than reverts.
contract Handler is TestBase {
    CarbonCreditToken internal token;
    CarbonMarket internal market;
    TestStablecoin internal usd;
    uint256 internal operatorPk;
    address[3] public actors = [address(0xA1), address(0xA2), address(0xA3)];
    uint256[2] public ids = [uint256(1), uint256(2)];
    uint256 public nextNonce = 1;
    uint256 public calls;

    constructor(CarbonCreditToken t, CarbonMarket m, TestStablecoin u, uint256 pk) {
        token = t;
        market = m;
        usd = u;
        operatorPk = pk;
        for (uint256 i = 0; i < 3; ++i) {
            vm.prank(actors[i]);
            token.setApprovalForAll(address(m), true);
            vm.prank(actors[i]);
            usd.approve(address(m), type(uint256).max);
        }
    }

    function _id(uint256 s) private view returns (uint256) {
        return ids[s % 2];
    }

    function _actor(uint256 s) private view returns (address) {
        return actors[s % 3];
    }

    function mint(uint256 actorSeed, uint256 idSeed, uint256 amount) external {
        uint256 id = _id(idSeed);
        uint256 left = token.verifiedAmount(id) - token.minted(id);
        if (left == 0) return;
        token.mint(_actor(actorSeed), id, bound(amount, 1, left < 1e7 ? left : 1e7));
        ++calls;
    }

    function mintToCustody(uint256 idSeed, uint256 amount) external {
        uint256 id = _id(idSeed);
        uint256 left = token.verifiedAmount(id) - token.minted(id);
        if (left == 0) return;
        token.mint(address(market), id, bound(amount, 1, left < 1e7 ? left : 1e7));
        ++calls;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 idSeed, uint256 amount) external {
        address from = _actor(fromSeed);
        uint256 id = _id(idSeed);
        uint256 bal = token.balanceOf(from, id);
        if (bal == 0) return;
        vm.prank(from);
        token.safeTransferFrom(from, _actor(toSeed), id, bound(amount, 1, bal), "");
        ++calls;
    }

    function retire(uint256 actorSeed, uint256 idSeed, uint256 amount) external {
        address a = _actor(actorSeed);
        uint256 id = _id(idSeed);
        uint256 bal = token.balanceOf(a, id);
        if (bal == 0) return;
        vm.prank(a);
        token.retire(id, bound(amount, 1, bal), "beneficiary", "invariant run");
        ++calls;
    }

    function deposit(uint256 actorSeed, uint256 idSeed, uint256 amount) external {
        address a = _actor(actorSeed);
        uint256 id = _id(idSeed);
        uint256 bal = token.balanceOf(a, id);
        if (bal == 0) return;
        vm.prank(a);
        market.deposit(id, bound(amount, 1, bal), keccak256(abi.encode(a)));
        ++calls;
    }

    function withdraw(uint256 toSeed, uint256 idSeed, uint256 amount) external {
        uint256 id = _id(idSeed);
        uint256 custody = market.custodyBalance(id);
        if (custody == 0) return;
        CarbonMarket.Withdrawal memory w = CarbonMarket.Withdrawal({
            to: _actor(toSeed), tokenId: id, amount: bound(amount, 1, custody), nonce: nextNonce++, expiry: block.timestamp
        });
        market.withdraw(w, signature(operatorPk, market.withdrawalDigest(w)));
        ++calls;
    }

    function list(uint256 actorSeed, uint256 idSeed, uint256 amount, uint256 price) external {
        address a = _actor(actorSeed);
        uint256 id = _id(idSeed);
        uint256 bal = token.balanceOf(a, id);
        if (bal == 0) return;
        uint256 amt = bound(amount, 1, bal);
        vm.prank(a);
        market.createListing(id, amt, bound(price, 1, 1000), 1, uint64(block.timestamp + 1 days));
        ++calls;
    }

    function fill(uint256 buyerSeed, uint256 listingSeed, uint256 amount) external {
        uint256 n = market.listingCount();
        if (n == 0) return;
        uint256 lid = bound(listingSeed, 1, n);
        CarbonMarket.Listing memory l = market.getListing(lid);
        if (l.remaining == 0) return;
        uint256 amt = bound(amount, 1, l.remaining);
        address buyer = _actor(buyerSeed);
        usd.mint(buyer, amt * l.unitPrice);
        vm.prank(buyer);
        market.fillListing(lid, amt, amt * l.unitPrice);
        ++calls;
    }

    function cancel(uint256 listingSeed) external {
        uint256 n = market.listingCount();
        if (n == 0) return;
        uint256 lid = bound(listingSeed, 1, n);
        CarbonMarket.Listing memory l = market.getListing(lid);
        if (l.remaining == 0) return;
        vm.prank(l.seller);
        market.cancelListing(lid);
        ++calls;
    }
}

/// @notice Invariants per token id: minted == held + retired; minted <= verified; the market
///         holds exactly custody + escrow; and the known holders' balances add up to the supply.
contract InvariantsTest is System {
    Handler internal handler;

    function setUp() public {
        deploySystem(2);
        verifiedBatch(1, 1e9);
        verifiedBatch(2, 5e8);
        handler = new Handler(token, market, usd, OPERATOR_PK);
        token.grantRole(token.MINTER_ROLE(), address(handler));
    }

    /// @dev Read by the invariant runner: only the handler is called.
    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    function invariant_MintedEqualsHeldPlusRetired() public view {
        for (uint256 id = 1; id <= 2; ++id) {
            assertEq(token.minted(id), token.totalSupply(id) + token.retired(id), "minted = held + retired");
        }
    }

    function invariant_MintedAtMostVerified() public view {
        for (uint256 id = 1; id <= 2; ++id) {
            assertTrue(token.minted(id) <= token.verifiedAmount(id), "minted <= verified");
            (,, uint256 signed) = registry.verifiedIssuance(token.getBatch(id).issuanceId);
            assertEq(token.verifiedAmount(id), signed, "verified amount = signed amount");
        }
    }

    function invariant_MarketHoldsCustodyPlusEscrow() public view {
        for (uint256 id = 1; id <= 2; ++id) {
            assertEq(
                token.balanceOf(address(market), id),
                market.custodyBalance(id) + market.escrowed(id),
                "market balance = custody + escrow"
            );
        }
    }

    function invariant_HoldersAddUpToSupply() public view {
        for (uint256 id = 1; id <= 2; ++id) {
            uint256 sum = token.balanceOf(address(market), id);
            for (uint256 i = 0; i < 3; ++i) sum += token.balanceOf(handler.actors(i), id);
            assertEq(sum, token.totalSupply(id), "sum of balances = supply");
        }
    }
}
