// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IVerificationRegistry
/// @notice What the credit token needs from the registry: the verified amount and batch-data
///         hash of an issuance, available only once k distinct verifiers have signed it.
interface IVerificationRegistry {
    /// @notice Returns the project, batch-data hash and amount of a verified issuance.
    /// @dev Reverts unless the issuance's status is Verified.
    function verifiedIssuance(bytes32 issuanceId)
        external
        view
        returns (bytes32 projectId, bytes32 batchDataHash, uint256 amount);
}
