// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC1155Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC1155/ERC1155Upgradeable.sol";
import {ERC1155SupplyUpgradeable} from
    "@openzeppelin/contracts-upgradeable/token/ERC1155/extensions/ERC1155SupplyUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IVerificationRegistry} from "./interfaces/IVerificationRegistry.sol";
import {IRetirementCertificate} from "./interfaces/IRetirementCertificate.sol";

/// @title CarbonCreditToken
/// @notice ERC-1155 mirror of the exchange's credit batches: one token id per batch, one unit per
///         kilogram of CO2e. A batch is created only for an issuance the VerificationRegistry
///         holds as Verified, with batch data hashing to what the verifiers signed; minting is
///         capped at the verified amount, so not even MINTER_ROLE can inflate supply.
///         `retire` burns credits, records the retirement under its own id and mints a
///         non-transferable certificate to the retiring holder.
/// @dev Invariants, per id: minted == totalSupply + retired, and minted <= verifiedAmount.
///      Roles: MINTER_ROLE (exchange operator), PAUSER_ROLE (guardian), UPGRADER_ROLE and
///      DEFAULT_ADMIN_ROLE (governance timelock). Unpausing needs DEFAULT_ADMIN_ROLE.
contract CarbonCreditToken is
    Initializable,
    ERC1155Upgradeable,
    ERC1155SupplyUpgradeable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    UUPSUpgradeable
{
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    bytes32 public constant BATCH_TYPEHASH = keccak256(
        "BatchData(bytes32 projectId,string registry,uint16 vintage,uint64 serialStart,uint64 serialEnd,"
        "string methodology,string country,string metadataUri)"
    );
    /// @notice Units per whole tonne: amounts are kilograms of CO2e.
    uint256 public constant KG_PER_TONNE = 1000;

    /// @notice On-chain data of a credit batch (the token id). Serials are whole tonnes, inclusive.
    struct BatchData {
        bytes32 projectId;
        string registry;
        uint16 vintage;
        uint64 serialStart;
        uint64 serialEnd;
        string methodology;
        string country;
        string metadataUri;
    }

    struct Batch {
        BatchData data;
        bytes32 issuanceId;
        uint256 verifiedAmount;
        uint256 minted;
        uint256 retired;
        bool exists;
    }

    struct Retirement {
        address account;
        uint64 timestamp;
        uint256 tokenId;
        uint256 amount;
        string beneficiary;
        string reason;
    }

    IVerificationRegistry public registry;
    IRetirementCertificate public certificate;
    uint256 public retirementCount;
    mapping(uint256 tokenId => Batch) private _batches;
    mapping(bytes32 issuanceId => uint256 tokenId) public batchOfIssuance;
    mapping(uint256 retirementId => Retirement) private _retirements;

    event BatchCreated(
        uint256 indexed tokenId, bytes32 indexed issuanceId, bytes32 indexed projectId, uint256 verifiedAmount, string uri
    );
    event Minted(uint256 indexed tokenId, address indexed to, uint256 amount, uint256 mintedTotal);
    event Retired(
        uint256 indexed retirementId,
        address indexed account,
        uint256 indexed tokenId,
        uint256 amount,
        string beneficiary,
        string reason
    );
    event RegistrySet(address registry);
    event CertificateSet(address certificate);

    error ZeroAddress();
    error ZeroAmount();
    error InvalidTokenId();
    error BatchExists(uint256 tokenId);
    error UnknownBatch(uint256 tokenId);
    error IssuanceAlreadyMinted(bytes32 issuanceId, uint256 tokenId);
    error BatchDataMismatch(bytes32 expected, bytes32 actual);
    error ProjectMismatch(bytes32 expected, bytes32 actual);
    error InvalidSerialRange(uint64 serialStart, uint64 serialEnd);
    error AmountExceedsSerials(uint256 amount, uint256 capacity);
    error InvalidMetadataUri();
    error MintExceedsVerified(uint256 tokenId, uint256 requested, uint256 available);
    error EmptyBeneficiary();
    error CertificateAlreadySet();
    error CertificateNotSet();
    error UnknownRetirement(uint256 retirementId);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets up the proxy. `admin` (governance) gets the admin and upgrader roles.
    function initialize(address admin, IVerificationRegistry registry_) external initializer {
        if (admin == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        __ERC1155_init("");
        __ERC1155Supply_init();
        __AccessControl_init();
        __Pausable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(UPGRADER_ROLE, admin);
        registry = registry_;
        emit RegistrySet(address(registry_));
    }

    // ---------------------------------------------------------------- governance

    /// @notice Points the token at another verification registry (governance only).
    function setRegistry(IVerificationRegistry registry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(registry_) == address(0)) revert ZeroAddress();
        registry = registry_;
        emit RegistrySet(address(registry_));
    }

    /// @notice Sets the retirement certificate contract, once.
    function setCertificate(IRetirementCertificate certificate_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(certificate_) == address(0)) revert ZeroAddress();
        if (address(certificate) != address(0)) revert CertificateAlreadySet();
        certificate = certificate_;
        emit CertificateSet(address(certificate_));
    }

    /// @notice Stops minting, transfers and retirements (guardian).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes after a pause; governance only.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- minter

    /// @notice Creates batch `tokenId` for a verified issuance whose signed hash equals hashBatchData(data).
    /// @dev The verified amount is copied from the registry; one issuance backs at most one batch.
    function createBatch(uint256 tokenId, bytes32 issuanceId, BatchData calldata data)
        external
        onlyRole(MINTER_ROLE)
        whenNotPaused
    {
        if (tokenId == 0) revert InvalidTokenId();
        if (_batches[tokenId].exists) revert BatchExists(tokenId);
        uint256 bound = batchOfIssuance[issuanceId];
        if (bound != 0) revert IssuanceAlreadyMinted(issuanceId, bound);
        (bytes32 projectId, bytes32 signedHash, uint256 amount) = registry.verifiedIssuance(issuanceId);
        bytes32 actual = hashBatchData(data);
        if (actual != signedHash) revert BatchDataMismatch(signedHash, actual);
        if (projectId != data.projectId) revert ProjectMismatch(projectId, data.projectId);
        if (data.serialEnd < data.serialStart) revert InvalidSerialRange(data.serialStart, data.serialEnd);
        uint256 capacity = (uint256(data.serialEnd) - data.serialStart + 1) * KG_PER_TONNE;
        if (amount > capacity) revert AmountExceedsSerials(amount, capacity);
        if (!_isIpfsUri(data.metadataUri)) revert InvalidMetadataUri();
        Batch storage b = _batches[tokenId];
        b.data = data;
        b.issuanceId = issuanceId;
        b.verifiedAmount = amount;
        b.exists = true;
        batchOfIssuance[issuanceId] = tokenId;
        emit BatchCreated(tokenId, issuanceId, projectId, amount, data.metadataUri);
        emit URI(data.metadataUri, tokenId);
    }

    /// @notice Mints `amount` kilograms of batch `tokenId` to `to`, never beyond the verified amount.
    function mint(address to, uint256 tokenId, uint256 amount) external onlyRole(MINTER_ROLE) {
        if (amount == 0) revert ZeroAmount();
        Batch storage b = _batches[tokenId];
        if (!b.exists) revert UnknownBatch(tokenId);
        uint256 available = b.verifiedAmount - b.minted;
        if (amount > available) revert MintExceedsVerified(tokenId, amount, available);
        b.minted += amount;
        emit Minted(tokenId, to, amount, b.minted);
        _mint(to, tokenId, amount, "");
    }

    // ---------------------------------------------------------------- holders

    /// @notice Burns `amount` of the caller's credits of `tokenId` as retired for `beneficiary`.
    /// @return retirementId The new retirement's id, also the id of its certificate.
    function retire(uint256 tokenId, uint256 amount, string calldata beneficiary, string calldata reason)
        external
        returns (uint256 retirementId)
    {
        if (amount == 0) revert ZeroAmount();
        if (bytes(beneficiary).length == 0) revert EmptyBeneficiary();
        Batch storage b = _batches[tokenId];
        if (!b.exists) revert UnknownBatch(tokenId);
        IRetirementCertificate cert = certificate;
        if (address(cert) == address(0)) revert CertificateNotSet();
        _burn(msg.sender, tokenId, amount);
        b.retired += amount;
        retirementId = ++retirementCount;
        _retirements[retirementId] = Retirement({
            account: msg.sender,
            timestamp: uint64(block.timestamp),
            tokenId: tokenId,
            amount: amount,
            beneficiary: beneficiary,
            reason: reason
        });
        emit Retired(retirementId, msg.sender, tokenId, amount, beneficiary, reason);
        cert.mint(msg.sender, retirementId);
    }

    // ---------------------------------------------------------------- views

    /// @notice The EIP-712 struct hash of batch data, as signed (inside Approval) by verifiers.
    function hashBatchData(BatchData calldata d) public pure returns (bytes32) {
        return keccak256(
            abi.encode(
                BATCH_TYPEHASH,
                d.projectId,
                keccak256(bytes(d.registry)),
                d.vintage,
                d.serialStart,
                d.serialEnd,
                keccak256(bytes(d.methodology)),
                keccak256(bytes(d.country)),
                keccak256(bytes(d.metadataUri))
            )
        );
    }

    /// @notice A batch's data, issuance and counters.
    function getBatch(uint256 tokenId) external view returns (Batch memory) {
        return _batches[tokenId];
    }

    /// @notice Total ever minted of `tokenId`.
    function minted(uint256 tokenId) external view returns (uint256) {
        return _batches[tokenId].minted;
    }

    /// @notice Total retired of `tokenId`.
    function retired(uint256 tokenId) external view returns (uint256) {
        return _batches[tokenId].retired;
    }

    /// @notice The amount verifiers signed for `tokenId`.
    function verifiedAmount(uint256 tokenId) external view returns (uint256) {
        return _batches[tokenId].verifiedAmount;
    }

    /// @notice One retirement's record.
    function getRetirement(uint256 retirementId) external view returns (Retirement memory) {
        Retirement memory r = _retirements[retirementId];
        if (r.account == address(0)) revert UnknownRetirement(retirementId);
        return r;
    }

    /// @notice The batch's metadata URI (ipfs://CID).
    function uri(uint256 tokenId) public view override returns (string memory) {
        return _batches[tokenId].data.metadataUri;
    }

    /// @inheritdoc ERC1155Upgradeable
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC1155Upgradeable, AccessControlUpgradeable)
        returns (bool)
    {
        return super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- internals

    function _update(address from, address to, uint256[] memory ids, uint256[] memory values)
        internal
        override(ERC1155Upgradeable, ERC1155SupplyUpgradeable)
        whenNotPaused
    {
        super._update(from, to, ids, values);
    }

    function _isIpfsUri(string calldata s) private pure returns (bool) {
        bytes calldata b = bytes(s);
        return b.length > 7 && b[0] == "i" && b[1] == "p" && b[2] == "f" && b[3] == "s" && b[4] == ":" && b[5] == "/"
            && b[6] == "/";
    }

    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}
}
