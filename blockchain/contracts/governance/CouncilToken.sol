// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title CouncilToken
/// @notice Governance seats: one non-transferable vote per council member. Seats are granted and
///         revoked only by the owner, which after deployment is the governance timelock, so the
///         council changes its own membership by vote. Credits themselves carry no vote.
/// @dev A seat holder delegates to itself on receipt, so its vote counts without a separate call.
contract CouncilToken is ERC20, ERC20Votes, Ownable {
    error SeatsNotTransferable();
    error AlreadySeated(address member);
    error NotSeated(address member);
    error ZeroAddress();

    event SeatGranted(address indexed member);
    event SeatRevoked(address indexed member);

    constructor(address owner_) ERC20("CarbonX Council Seat", "CXSEAT") EIP712("CarbonX Council Seat", "1") Ownable(owner_) {}

    /// @notice A seat is indivisible.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    /// @notice Gives `member` a seat (one vote); owner only.
    function grantSeat(address member) external onlyOwner {
        if (member == address(0)) revert ZeroAddress();
        if (balanceOf(member) != 0) revert AlreadySeated(member);
        _mint(member, 1);
        emit SeatGranted(member);
    }

    /// @notice Takes `member`'s seat away; owner only.
    function revokeSeat(address member) external onlyOwner {
        if (balanceOf(member) == 0) revert NotSeated(member);
        _burn(member, 1);
        emit SeatRevoked(member);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        if (from != address(0) && to != address(0)) revert SeatsNotTransferable();
        super._update(from, to, value);
        if (to != address(0) && delegates(to) == address(0)) _delegate(to, to);
    }
}
