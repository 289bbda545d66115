// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {CustodyLedger} from "./lib/CustodyLedger.sol";

/// @title CarbonMarket
/// @notice Two things on one contract that holds credit tokens:
///         1. Listings (Carbonmark style): a seller escrows credits at a unit price in the ERC-20
///            payment token, with a minimum fill and a deadline; buyers fill with a cap on the total
///            cost; a fee in basis points (rounded down) goes to the treasury; sellers cancel.
///         2. The exchange's custody bridge: `deposit` locks credits and emits `Deposited` with the
///            exchange account to credit; `withdraw` releases custody credits against an EIP-712
///            Withdrawal signed by the exchange operator, with a nonce (single use) and expiry.
///            Credits minted straight to this contract join custody (the exchange's holdings).
/// @dev Invariant, per token id: token.balanceOf(this, id) == custodyBalance(id) + escrowed(id) (see CustodyLedger).
///      Tokens reach this contract only through deposit, createListing or a mint; any other
///      transfer in is refused.
contract CarbonMarket is
    Initializable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    EIP712Upgradeable,
    ReentrancyGuardTransient,
    UUPSUpgradeable,
    IERC1155Receiver
{
    using SafeERC20 for IERC20;
    using CustodyLedger for uint256;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    bytes32 public constant WITHDRAWAL_TYPEHASH =
        keccak256("Withdrawal(address to,uint256 tokenId,uint256 amount,uint256 nonce,uint256 expiry)");
    uint256 public constant BPS = 10_000;
    /// @notice Governance cannot set a fee above 10 %.
    uint256 public constant MAX_FEE_BPS = 1_000;

    struct Listing {
        address seller;
        uint64 deadline;
        uint256 tokenId;
        uint256 remaining;
        uint256 unitPrice;
        uint256 minFill;
    }

    /// @notice An operator authorization to release `amount` of `tokenId` from custody to `to`.
    struct Withdrawal {
        address to;
        uint256 tokenId;
        uint256 amount;
        uint256 nonce;
        uint256 expiry;
    }

    IERC1155 public creditToken;
    IERC20 public paymentToken;
    address public treasury;
    uint256 public feeBps;
    address public operatorSigner;
    uint256 public listingCount;
    uint256 public depositCount;
    mapping(uint256 listingId => Listing) private _listings;
    mapping(uint256 tokenId => uint256) public custodyBalance;
    mapping(uint256 tokenId => uint256) public escrowed;
    mapping(uint256 nonce => bool) public nonceUsed;

    event ListingCreated(
        uint256 indexed listingId,
        address indexed seller,
        uint256 indexed tokenId,
        uint256 amount,
        uint256 unitPrice,
        uint256 minFill,
        uint64 deadline
    );
    event ListingFilled(
        uint256 indexed listingId, address indexed buyer, uint256 amount, uint256 totalCost, uint256 fee
    );
    event ListingCancelled(uint256 indexed listingId, uint256 returned);
    event Deposited(
        uint256 indexed depositId, address indexed from, uint256 indexed tokenId, uint256 amount, bytes32 account
    );
    event Withdrawn(uint256 indexed nonce, address indexed to, uint256 indexed tokenId, uint256 amount);
    event CustodyMinted(uint256 indexed tokenId, uint256 amount);
    event FeeSet(uint256 feeBps);
    event TreasurySet(address treasury);
    event OperatorSignerSet(address signer);
    event PaymentTokenSet(address token);

    error ZeroAddress();
    error ZeroAmount();
    error ZeroAccount();
    error FeeTooHigh(uint256 feeBps);
    error InvalidMinFill(uint256 minFill, uint256 amount);
    error ZeroPrice();
    error DeadlinePassed(uint64 deadline);
    error ListingNotActive(uint256 listingId);
    error FillTooSmall(uint256 amount, uint256 minFill);
    error FillTooLarge(uint256 amount, uint256 remaining);
    error CostAboveMaximum(uint256 cost, uint256 maxTotalCost);
    error NotSeller(address caller);
    error AuthorizationExpired(uint256 expiry);
    error NonceAlreadyUsed(uint256 nonce);
    error InvalidOperatorSignature(address signer);
    error InsufficientCustody(uint256 tokenId, uint256 requested, uint256 available);
    error UnexpectedTransfer();
    error NotCreditToken(address caller);
    error EscrowAccountingBroken(uint256 tokenId);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets up the proxy; `admin` (governance) gets the admin and upgrader roles.
    function initialize(
        address admin,
        IERC1155 creditToken_,
        IERC20 paymentToken_,
        address treasury_,
        uint256 feeBps_,
        address operatorSigner_
    ) external initializer {
        if (
            admin == address(0) || address(creditToken_) == address(0) || address(paymentToken_) == address(0)
                || treasury_ == address(0) || operatorSigner_ == address(0)
        ) revert ZeroAddress();
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_);
        __AccessControl_init();
        __Pausable_init();
        __EIP712_init("CarbonX Market", "1");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(UPGRADER_ROLE, admin);
        creditToken = creditToken_;
        paymentToken = paymentToken_;
        treasury = treasury_;
        feeBps = feeBps_;
        operatorSigner = operatorSigner_;
        emit PaymentTokenSet(address(paymentToken_));
        emit TreasurySet(treasury_);
        emit FeeSet(feeBps_);
        emit OperatorSignerSet(operatorSigner_);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets the listing fee in basis points (governance only, at most MAX_FEE_BPS).
    function setFee(uint256 feeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_);
        feeBps = feeBps_;
        emit FeeSet(feeBps_);
    }

    /// @notice Sets the fee recipient (governance only).
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    /// @notice Sets the key whose EIP-712 signatures authorize custody withdrawals (governance only).
    function setOperatorSigner(address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (signer == address(0)) revert ZeroAddress();
        operatorSigner = signer;
        emit OperatorSignerSet(signer);
    }

    /// @notice Sets the stablecoin for new fills (governance only).
    function setPaymentToken(IERC20 token) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(token) == address(0)) revert ZeroAddress();
        paymentToken = token;
        emit PaymentTokenSet(address(token));
    }

    /// @notice Stops listing, filling, deposits and withdrawals (guardian). Cancelling stays open.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes after a pause; governance only.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- listings

    /// @notice Escrows `amount` of the caller's `tokenId` for sale; needs setApprovalForAll(market).
    /// @param unitPrice Price per unit (kilogram) in payment-token minor units.
    /// @param minFill Smallest fill accepted, unless the fill takes everything that remains.
    /// @param deadline Last timestamp at which the listing can be filled.
    function createListing(uint256 tokenId, uint256 amount, uint256 unitPrice, uint256 minFill, uint64 deadline)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 listingId)
    {
        if (amount == 0) revert ZeroAmount();
        if (unitPrice == 0) revert ZeroPrice();
        if (minFill == 0 || minFill > amount) revert InvalidMinFill(minFill, amount);
        if (deadline <= block.timestamp) revert DeadlinePassed(deadline);
        listingId = ++listingCount;
        _listings[listingId] = Listing({
            seller: msg.sender,
            deadline: deadline,
            tokenId: tokenId,
            remaining: amount,
            unitPrice: unitPrice,
            minFill: minFill
        });
        escrowed[tokenId] = escrowed[tokenId].credit(amount);
        emit ListingCreated(listingId, msg.sender, tokenId, amount, unitPrice, minFill, deadline);
        creditToken.safeTransferFrom(msg.sender, address(this), tokenId, amount, "");
    }

    /// @notice Buys `amount` from a listing, paying at most `maxTotalCost` (needs ERC-20 allowance).
    function fillListing(uint256 listingId, uint256 amount, uint256 maxTotalCost)
        external
        whenNotPaused
        nonReentrant
    {
        Listing storage listing = _listings[listingId];
        uint256 remaining = listing.remaining;
        if (remaining == 0) revert ListingNotActive(listingId);
        if (block.timestamp > listing.deadline) revert DeadlinePassed(listing.deadline);
        if (amount == 0) revert ZeroAmount();
        if (amount > remaining) revert FillTooLarge(amount, remaining);
        if (amount < listing.minFill && amount != remaining) revert FillTooSmall(amount, listing.minFill);
        (uint256 cost, uint256 fee) = quote(listingId, amount);
        if (cost > maxTotalCost) revert CostAboveMaximum(cost, maxTotalCost);
        listing.remaining = remaining - amount;
        uint256 tokenId = listing.tokenId;
        _releaseEscrow(tokenId, amount);
        emit ListingFilled(listingId, msg.sender, amount, cost, fee);
        IERC20 pay = paymentToken;
        if (fee != 0) pay.safeTransferFrom(msg.sender, treasury, fee);
        pay.safeTransferFrom(msg.sender, listing.seller, cost - fee);
        creditToken.safeTransferFrom(address(this), msg.sender, tokenId, amount, "");
    }

    /// @notice Returns the unfilled rest of a listing to its seller; the seller only. Works while paused.
    function cancelListing(uint256 listingId) external nonReentrant {
        Listing storage listing = _listings[listingId];
        uint256 remaining = listing.remaining;
        if (remaining == 0) revert ListingNotActive(listingId);
        if (msg.sender != listing.seller) revert NotSeller(msg.sender);
        listing.remaining = 0;
        _releaseEscrow(listing.tokenId, remaining);
        emit ListingCancelled(listingId, remaining);
        creditToken.safeTransferFrom(address(this), msg.sender, listing.tokenId, remaining, "");
    }

    /// @notice Total cost and fee of buying `amount` from a listing at the current fee.
    /// @dev fee = cost * feeBps / 10000, rounded down (in the seller's favour); the buyer pays `cost`.
    function quote(uint256 listingId, uint256 amount) public view returns (uint256 cost, uint256 fee) {
        cost = amount * _listings[listingId].unitPrice;
        fee = cost * feeBps / BPS;
    }

    /// @notice A listing's current state.
    function getListing(uint256 listingId) external view returns (Listing memory) {
        return _listings[listingId];
    }

    // ---------------------------------------------------------------- custody bridge

    /// @notice Locks `amount` of `tokenId` in custody for exchange account `account`.
    function deposit(uint256 tokenId, uint256 amount, bytes32 account)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 depositId)
    {
        if (amount == 0) revert ZeroAmount();
        if (account == bytes32(0)) revert ZeroAccount();
        depositId = ++depositCount;
        custodyBalance[tokenId] = custodyBalance[tokenId].credit(amount);
        emit Deposited(depositId, msg.sender, tokenId, amount, account);
        creditToken.safeTransferFrom(msg.sender, address(this), tokenId, amount, "");
    }

    /// @notice Releases custody credits as authorized by the operator's signature; anyone may submit.
    function withdraw(Withdrawal calldata w, bytes calldata signature) external whenNotPaused nonReentrant {
        if (block.timestamp > w.expiry) revert AuthorizationExpired(w.expiry);
        if (nonceUsed[w.nonce]) revert NonceAlreadyUsed(w.nonce);
        if (w.amount == 0) revert ZeroAmount();
        if (w.to == address(0)) revert ZeroAddress();
        address signer = ECDSA.recover(withdrawalDigest(w), signature);
        if (signer != operatorSigner) revert InvalidOperatorSignature(signer);
        (bool ok, uint256 rest) = custodyBalance[w.tokenId].debit(w.amount);
        if (!ok) revert InsufficientCustody(w.tokenId, w.amount, rest);
        custodyBalance[w.tokenId] = rest;
        nonceUsed[w.nonce] = true;
        emit Withdrawn(w.nonce, w.to, w.tokenId, w.amount);
        creditToken.safeTransferFrom(address(this), w.to, w.tokenId, w.amount, "");
    }

    /// @notice The EIP-712 digest the operator signs for a withdrawal.
    function withdrawalDigest(Withdrawal calldata w) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(WITHDRAWAL_TYPEHASH, w.to, w.tokenId, w.amount, w.nonce, w.expiry)));
    }

    // ---------------------------------------------------------------- ERC-1155 receiver

    /// @notice Accepts credits pulled by this contract itself, and mints (which join custody).
    function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes calldata)
        external
        returns (bytes4)
    {
        if (msg.sender != address(creditToken)) revert NotCreditToken(msg.sender);
        if (operator != address(this)) {
            if (from != address(0)) revert UnexpectedTransfer();
            custodyBalance[id] = custodyBalance[id].credit(value);
            emit CustodyMinted(id, value);
        }
        return this.onERC1155Received.selector;
    }

    /// @notice Batch transfers in are never expected.
    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        revert UnexpectedTransfer();
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(AccessControlUpgradeable, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC1155Receiver).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Escrow always covers open listings (their remaining amounts add up to it), so this cannot fail.
    function _releaseEscrow(uint256 tokenId, uint256 amount) private {
        (bool ok, uint256 rest) = escrowed[tokenId].debit(amount);
        if (!ok) revert EscrowAccountingBroken(tokenId);
        escrowed[tokenId] = rest;
    }

    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}
}
