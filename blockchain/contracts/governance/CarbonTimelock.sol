// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title CarbonTimelock
/// @notice Holds every admin role of the system (fees, verifier set, unpausing, upgrades); acts
///         only on proposals the CarbonGovernor passed, after `minDelay`.
contract CarbonTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
