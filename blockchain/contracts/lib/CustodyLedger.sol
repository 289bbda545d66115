// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CustodyLedger
/// @notice The balance arithmetic of CarbonMarket's two per-token-id ledgers, `custodyBalance`
///         (the exchange's holdings, released only by operator-signed withdrawals) and `escrowed`
///         (locked by open listings). Pure functions over values, so the SMTChecker can check them
///         and their use on their own (scripts/verify-contracts.sh, smt/CustodyLedger*.sol).
/// @dev With every token movement paired with one of these calls, the market's token balance for
///      an id equals custodyBalance + escrowed; a release never takes more than is there.
library CustodyLedger {
    /// @notice `balance` plus `amount` (reverts on overflow, like all 0.8 arithmetic).
    function credit(uint256 balance, uint256 amount) internal pure returns (uint256) {
        return balance + amount;
    }

    /// @notice `balance` less `amount`; (false, balance) instead if `amount` exceeds it.
    function debit(uint256 balance, uint256 amount) internal pure returns (bool ok, uint256 rest) {
        if (amount > balance) return (false, balance);
        return (true, balance - amount);
    }
}
