// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CarbonCreditToken} from "../CarbonCreditToken.sol";

/// @title CarbonCreditTokenV2
/// @notice Upgrade target used by tests to show that UUPS upgrades keep state.
contract CarbonCreditTokenV2 is CarbonCreditToken {
    /// @notice Version tag of this implementation.
    function version() external pure returns (string memory) {
        return "2";
    }
}
