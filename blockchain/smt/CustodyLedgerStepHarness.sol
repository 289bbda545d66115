// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CustodyLedger} from "../contracts/lib/CustodyLedger.sol";

/// @notice Per-call properties (BMC) of CustodyLedger as CarbonMarket.withdraw uses it: a
///         withdrawal releases exactly its amount and never more than custody; a refused one
///         changes nothing; and neither ledger can underflow.
contract CustodyLedgerStepHarness {
    using CustodyLedger for uint256;

    uint256 internal custodyBalance;
    uint256 internal escrowed;

    function withdraw(uint256 amount) external {
        uint256 before = custodyBalance;
        (bool ok, uint256 rest) = custodyBalance.debit(amount);
        if (!ok) {
            assert(amount > before);
            assert(rest == before);
            return;
        }
        custodyBalance = rest;
        assert(amount <= before);
        assert(custodyBalance + amount == before);
    }

    function fillOrCancel(uint256 amount) external {
        uint256 before = escrowed;
        (bool ok, uint256 rest) = escrowed.debit(amount);
        require(ok);
        escrowed = rest;
        assert(escrowed <= before);
        assert(before - escrowed == amount);
    }
}
