// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IRetirementCertificate} from "./interfaces/IRetirementCertificate.sol";

/// @title RetirementCertificate
/// @notice One soulbound ERC-721 per on-chain retirement; its token id is the retirement id of
///         CarbonCreditToken, where the retirement's details are kept. Only the credit token mints;
///         nobody can transfer or burn a certificate (ERC-5192: always locked).
contract RetirementCertificate is ERC721, IRetirementCertificate {
    /// @notice The credit token, the only minter.
    // solhint-disable-next-line immutable-vars-naming
    address public immutable creditToken;

    /// @notice ERC-5192: emitted when a certificate is minted, locked for good.
    event Locked(uint256 tokenId);

    error NotCreditToken(address caller);
    error Soulbound();
    error ZeroAddress();

    constructor(address creditToken_) ERC721("CarbonX Retirement Certificate", "CXRC") {
        if (creditToken_ == address(0)) revert ZeroAddress();
        creditToken = creditToken_;
    }

    /// @inheritdoc IRetirementCertificate
    function mint(address to, uint256 retirementId) external {
        if (msg.sender != creditToken) revert NotCreditToken(msg.sender);
        _mint(to, retirementId); // not _safeMint: a contract may retire without an ERC-721 receiver
        emit Locked(retirementId);
    }

    /// @notice ERC-5192: every existing certificate is locked (reverts for an unknown id).
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == 0xb45a3c0e || super.supportsInterface(interfaceId); // ERC-5192
    }

    /// @dev Minting only: any transfer or burn of an existing certificate reverts.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (_ownerOf(tokenId) != address(0) || to == address(0)) revert Soulbound();
        return super._update(to, tokenId, auth);
    }
}
