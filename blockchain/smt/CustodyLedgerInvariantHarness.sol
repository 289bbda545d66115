// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CustodyLedger} from "../contracts/lib/CustodyLedger.sol";

/// @notice Invariant (CHC, over all call sequences) of CarbonMarket's accounting for one token id:
///         `held`, a ghost copy of the market's token balance moved with every ledger call exactly
///         as the market moves tokens, always equals custodyBalance + escrowed. Each function
///         mirrors one market entry point (deposit / mint to market, createListing, fillListing or
///         cancelListing, withdraw with its single-use nonce).
contract CustodyLedgerInvariantHarness {
    using CustodyLedger for uint256;

    uint256 internal custodyBalance;
    uint256 internal escrowed;
    uint256 internal held;
    mapping(uint256 => bool) internal nonceUsed;

    function deposit(uint256 amount) external {
        custodyBalance = custodyBalance.credit(amount);
        held += amount;
    }

    function createListing(uint256 amount) external {
        escrowed = escrowed.credit(amount);
        held += amount;
    }

    function fillOrCancel(uint256 amount) external {
        (bool ok, uint256 rest) = escrowed.debit(amount);
        require(ok);
        escrowed = rest;
        held -= amount;
    }

    function withdraw(uint256 amount, uint256 nonce) external {
        require(!nonceUsed[nonce]);
        (bool ok, uint256 rest) = custodyBalance.debit(amount);
        require(ok);
        custodyBalance = rest;
        nonceUsed[nonce] = true;
        held -= amount;
    }

    function invariant() external view {
        assert(held == custodyBalance + escrowed);
    }
}
