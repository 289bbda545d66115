// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IVerificationRegistry} from "./interfaces/IVerificationRegistry.sol";
import {VerifierQuorum} from "./lib/VerifierQuorum.sol";

/// @title VerificationRegistry
/// @notice Projects, issuances and their approval by independent verifiers.
///         The verifier set and the threshold k (per credit class, with a default) are governed
///         on chain (DEFAULT_ADMIN_ROLE = the governance timelock). The exchange operator
///         (REGISTRAR_ROLE) registers projects and proposes issuances, but cannot verify them:
///         an issuance becomes Verified only when k distinct verifiers have signed the EIP-712
///         message Approval(issuanceId, batchDataHash, amount) with their own keys. Anyone may
///         submit the signatures. A verifier who is party to the project (its developer, or
///         declared in conflict) does not count. One eligible verifier may reject a pending
///         issuance with a reason.
/// @dev Invariants: status only moves Pending -> Verified or Pending -> Rejected; the amount and
///      batch-data hash of an issuance never change after it is proposed.
contract VerificationRegistry is
    Initializable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    EIP712Upgradeable,
    UUPSUpgradeable,
    IVerificationRegistry
{
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    bytes32 public constant APPROVAL_TYPEHASH =
        keccak256("Approval(bytes32 issuanceId,bytes32 batchDataHash,uint256 amount)");
    /// @notice Upper bound on signatures per call, which bounds the gas of verifyIssuance.
    uint256 public constant MAX_SIGNATURES = 32;

    enum Status {
        None,
        Pending,
        Verified,
        Rejected
    }

    struct Project {
        address developer;
        bool exists;
        bytes32 classId;
        string documentsCid;
    }

    struct Issuance {
        bytes32 projectId;
        bytes32 batchDataHash;
        uint256 amount;
        Status status;
        string reportCid;
        string rejectionReason;
    }

    mapping(address verifier => bool) public isVerifier;
    uint256 public verifierCount;
    uint256 public defaultThreshold;
    mapping(bytes32 classId => uint256) public classThreshold;
    mapping(bytes32 projectId => mapping(address account => bool)) public isProjectParty;
    mapping(bytes32 projectId => Project) private _projects;
    mapping(bytes32 issuanceId => Issuance) private _issuances;

    event VerifierAdded(address indexed verifier);
    event VerifierRemoved(address indexed verifier);
    event DefaultThresholdSet(uint256 threshold);
    event ClassThresholdSet(bytes32 indexed classId, uint256 threshold);
    event ProjectRegistered(bytes32 indexed projectId, bytes32 indexed classId, address developer, string documentsCid);
    event ProjectDocumentsUpdated(bytes32 indexed projectId, string documentsCid);
    event ProjectPartySet(bytes32 indexed projectId, address indexed account, bool isParty);
    event IssuanceProposed(
        bytes32 indexed issuanceId, bytes32 indexed projectId, bytes32 batchDataHash, uint256 amount, string reportCid
    );
    event IssuanceVerified(bytes32 indexed issuanceId, bytes32 indexed projectId, uint256 amount, address[] verifiers);
    event IssuanceRejected(bytes32 indexed issuanceId, address indexed verifier, string reason);

    error ZeroAddress();
    error ZeroAmount();
    error ZeroId();
    error AlreadyVerifier(address account);
    error NotVerifier(address account);
    error InvalidThreshold(uint256 threshold);
    error ProjectExists(bytes32 projectId);
    error UnknownProject(bytes32 projectId);
    error IssuanceExists(bytes32 issuanceId);
    error IssuanceNotPending(bytes32 issuanceId, Status status);
    error IssuanceNotVerified(bytes32 issuanceId, Status status);
    error NotEnoughSignatures(uint256 given, uint256 required);
    error TooManySignatures(uint256 given);
    error SignersNotAscending(address signer);
    error SignerNotVerifier(address signer);
    error SignerIsParty(address signer);
    error EmptyReason();

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets up the proxy: `admin` (governance) holds the admin and upgrader roles.
    /// @param admin Governance timelock (or the deployer until it hands over).
    /// @param threshold Default number k of distinct verifier signatures required.
    function initialize(address admin, uint256 threshold) external initializer {
        if (admin == address(0)) revert ZeroAddress();
        if (threshold == 0 || threshold > MAX_SIGNATURES) revert InvalidThreshold(threshold);
        __AccessControl_init();
        __Pausable_init();
        __EIP712_init("CarbonX VerificationRegistry", "1");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(UPGRADER_ROLE, admin);
        defaultThreshold = threshold;
        emit DefaultThresholdSet(threshold);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Adds `verifier` to the verifier set (governance only).
    function addVerifier(address verifier) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (verifier == address(0)) revert ZeroAddress();
        if (isVerifier[verifier]) revert AlreadyVerifier(verifier);
        isVerifier[verifier] = true;
        ++verifierCount;
        emit VerifierAdded(verifier);
    }

    /// @notice Removes `verifier` from the verifier set (governance only).
    function removeVerifier(address verifier) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!isVerifier[verifier]) revert NotVerifier(verifier);
        isVerifier[verifier] = false;
        --verifierCount;
        emit VerifierRemoved(verifier);
    }

    /// @notice Sets the default k (governance only); 1 <= k <= MAX_SIGNATURES.
    function setDefaultThreshold(uint256 threshold) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (threshold == 0 || threshold > MAX_SIGNATURES) revert InvalidThreshold(threshold);
        defaultThreshold = threshold;
        emit DefaultThresholdSet(threshold);
    }

    /// @notice Sets k for one credit class (governance only); 0 restores the default.
    function setClassThreshold(bytes32 classId, uint256 threshold) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (threshold > MAX_SIGNATURES) revert InvalidThreshold(threshold);
        classThreshold[classId] = threshold;
        emit ClassThresholdSet(classId, threshold);
    }

    /// @notice Stops registrations, proposals, approvals and rejections (guardian).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes after a pause; governance only, so a guardian cannot undo its own stop.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- operator

    /// @notice Registers a project. The developer is always party to its own project.
    function registerProject(bytes32 projectId, bytes32 classId, address developer, string calldata documentsCid)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        if (projectId == bytes32(0)) revert ZeroId();
        if (developer == address(0)) revert ZeroAddress();
        if (_projects[projectId].exists) revert ProjectExists(projectId);
        _projects[projectId] = Project({developer: developer, exists: true, classId: classId, documentsCid: documentsCid});
        isProjectParty[projectId][developer] = true;
        emit ProjectRegistered(projectId, classId, developer, documentsCid);
        emit ProjectPartySet(projectId, developer, true);
    }

    /// @notice Replaces the project's document set CID (e.g. a new PDD version).
    function setProjectDocuments(bytes32 projectId, string calldata documentsCid)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        if (!_projects[projectId].exists) revert UnknownProject(projectId);
        _projects[projectId].documentsCid = documentsCid;
        emit ProjectDocumentsUpdated(projectId, documentsCid);
    }

    /// @notice Marks `account` as party (or no longer party) to a project; parties cannot verify it.
    /// @dev The developer stays a party whatever is set here.
    function setProjectParty(bytes32 projectId, address account, bool party)
        external
        onlyRole(REGISTRAR_ROLE)
        whenNotPaused
    {
        if (!_projects[projectId].exists) revert UnknownProject(projectId);
        if (account == address(0)) revert ZeroAddress();
        isProjectParty[projectId][account] = party || account == _projects[projectId].developer;
        emit ProjectPartySet(projectId, account, isProjectParty[projectId][account]);
    }

    /// @notice A verifier (or anyone) declares a conflict of interest with a project; irrevocable by the caller.
    function declareConflict(bytes32 projectId) external whenNotPaused {
        if (!_projects[projectId].exists) revert UnknownProject(projectId);
        isProjectParty[projectId][msg.sender] = true;
        emit ProjectPartySet(projectId, msg.sender, true);
    }

    /// @notice Proposes an issuance of `amount` kilograms for the batch whose data hashes to `batchDataHash`.
    function proposeIssuance(
        bytes32 issuanceId,
        bytes32 projectId,
        bytes32 batchDataHash,
        uint256 amount,
        string calldata reportCid
    ) external onlyRole(REGISTRAR_ROLE) whenNotPaused {
        if (issuanceId == bytes32(0) || batchDataHash == bytes32(0)) revert ZeroId();
        if (amount == 0) revert ZeroAmount();
        if (!_projects[projectId].exists) revert UnknownProject(projectId);
        if (_issuances[issuanceId].status != Status.None) revert IssuanceExists(issuanceId);
        Issuance storage iss = _issuances[issuanceId];
        iss.projectId = projectId;
        iss.batchDataHash = batchDataHash;
        iss.amount = amount;
        iss.status = Status.Pending;
        iss.reportCid = reportCid;
        emit IssuanceProposed(issuanceId, projectId, batchDataHash, amount, reportCid);
    }

    // ---------------------------------------------------------------- verifiers

    /// @notice Verifies a pending issuance with at least k verifier signatures (anyone may submit).
    /// @param signatures EIP-712 signatures over Approval(issuanceId, batchDataHash, amount), ordered by
    ///        strictly ascending signer address (this makes the signers distinct without a set).
    function verifyIssuance(bytes32 issuanceId, bytes[] calldata signatures) external whenNotPaused {
        Issuance storage iss = _issuances[issuanceId];
        if (iss.status != Status.Pending) revert IssuanceNotPending(issuanceId, iss.status);
        bytes32 projectId = iss.projectId;
        uint256 required = thresholdOf(_projects[projectId].classId);
        uint256 n = signatures.length;
        if (n < required) revert NotEnoughSignatures(n, required);
        if (n > MAX_SIGNATURES) revert TooManySignatures(n);
        bytes32 digest = approvalDigest(issuanceId);
        address[] memory signers = new address[](n);
        VerifierQuorum.Standing[] memory standing = new VerifierQuorum.Standing[](n);
        for (uint256 i = 0; i < n; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            signers[i] = signer;
            if (!isVerifier[signer]) standing[i] = VerifierQuorum.Standing.NotVerifier;
            else if (isProjectParty[projectId][signer]) standing[i] = VerifierQuorum.Standing.Party;
        }
        (VerifierQuorum.Check result, uint256 at) = VerifierQuorum.check(signers, standing);
        if (result == VerifierQuorum.Check.NotAscending) revert SignersNotAscending(signers[at]);
        if (result == VerifierQuorum.Check.NotVerifier) revert SignerNotVerifier(signers[at]);
        if (result == VerifierQuorum.Check.Party) revert SignerIsParty(signers[at]);
        iss.status = Status.Verified;
        emit IssuanceVerified(issuanceId, projectId, iss.amount, signers);
    }

    /// @notice Rejects a pending issuance; the caller must be an eligible verifier and give a reason.
    function rejectIssuance(bytes32 issuanceId, string calldata reason) external whenNotPaused {
        Issuance storage iss = _issuances[issuanceId];
        if (iss.status != Status.Pending) revert IssuanceNotPending(issuanceId, iss.status);
        if (!isVerifier[msg.sender]) revert NotVerifier(msg.sender);
        if (isProjectParty[iss.projectId][msg.sender]) revert SignerIsParty(msg.sender);
        if (bytes(reason).length == 0) revert EmptyReason();
        iss.status = Status.Rejected;
        iss.rejectionReason = reason;
        emit IssuanceRejected(issuanceId, msg.sender, reason);
    }

    // ---------------------------------------------------------------- views

    /// @notice The k that applies to a credit class.
    function thresholdOf(bytes32 classId) public view returns (uint256) {
        uint256 k = classThreshold[classId];
        return k == 0 ? defaultThreshold : k;
    }

    /// @notice The EIP-712 digest a verifier signs to approve `issuanceId` as proposed.
    function approvalDigest(bytes32 issuanceId) public view returns (bytes32) {
        Issuance storage iss = _issuances[issuanceId];
        return _hashTypedDataV4(keccak256(abi.encode(APPROVAL_TYPEHASH, issuanceId, iss.batchDataHash, iss.amount)));
    }

    /// @notice A project's registration.
    function getProject(bytes32 projectId) external view returns (Project memory) {
        return _projects[projectId];
    }

    /// @notice An issuance's data and status.
    function getIssuance(bytes32 issuanceId) external view returns (Issuance memory) {
        return _issuances[issuanceId];
    }

    /// @inheritdoc IVerificationRegistry
    function verifiedIssuance(bytes32 issuanceId)
        external
        view
        returns (bytes32 projectId, bytes32 batchDataHash, uint256 amount)
    {
        Issuance storage iss = _issuances[issuanceId];
        if (iss.status != Status.Verified) revert IssuanceNotVerified(issuanceId, iss.status);
        return (iss.projectId, iss.batchDataHash, iss.amount);
    }

    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}
}
