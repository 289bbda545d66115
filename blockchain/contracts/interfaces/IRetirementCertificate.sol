// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRetirementCertificate
/// @notice The non-transferable certificate minted for each on-chain retirement.
interface IRetirementCertificate {
    /// @notice Mints certificate `retirementId` to `to`; callable only by the credit token.
    function mint(address to, uint256 retirementId) external;
}
