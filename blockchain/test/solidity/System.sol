// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestBase} from "./Vm.sol";
import {VerificationRegistry} from "../../contracts/VerificationRegistry.sol";
import {CarbonCreditToken} from "../../contracts/CarbonCreditToken.sol";
import {RetirementCertificate} from "../../contracts/RetirementCertificate.sol";
import {CarbonMarket} from "../../contracts/CarbonMarket.sol";
import {JournalAnchor} from "../../contracts/JournalAnchor.sol";
import {CarbonProxy} from "../../contracts/proxy/CarbonProxy.sol";
import {TestStablecoin} from "../../contracts/mocks/TestStablecoin.sol";
import {IVerificationRegistry} from "../../contracts/interfaces/IVerificationRegistry.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Deploys the system with this contract as admin, registrar, minter and anchorer;
///         three verifiers with known keys; the market's withdrawal signer has key OPERATOR_PK.
abstract contract System is TestBase {
    uint256 internal constant OPERATOR_PK = 0x0A11CE;
    uint256[3] internal verifierPks = [uint256(0xB0B1), uint256(0xB0B2), uint256(0xB0B3)];
    bytes32 internal constant PROJECT = keccak256("project-1");
    address internal constant DEVELOPER = address(0xDE7);
    address internal constant TREASURY = address(0x7EA5);

    VerificationRegistry internal registry;
    CarbonCreditToken internal token;
    RetirementCertificate internal certificate;
    CarbonMarket internal market;
    JournalAnchor internal anchor;
    TestStablecoin internal usd;

    /// @dev The test contract holds credits itself.
    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return this.onERC1155BatchReceived.selector;
    }

    function deploySystem(uint256 threshold) internal {
        registry = VerificationRegistry(
            address(
                new CarbonProxy(
                    address(new VerificationRegistry()),
                    abi.encodeCall(VerificationRegistry.initialize, (address(this), threshold))
                )
            )
        );
        token = CarbonCreditToken(
            address(
                new CarbonProxy(
                    address(new CarbonCreditToken()),
                    abi.encodeCall(CarbonCreditToken.initialize, (address(this), IVerificationRegistry(address(registry))))
                )
            )
        );
        certificate = new RetirementCertificate(address(token));
        token.setCertificate(certificate);
        usd = new TestStablecoin();
        market = CarbonMarket(
            address(
                new CarbonProxy(
                    address(new CarbonMarket()),
                    abi.encodeCall(
                        CarbonMarket.initialize,
                        (address(this), IERC1155(address(token)), IERC20(address(usd)), TREASURY, 100, vm.addr(OPERATOR_PK))
                    )
                )
            )
        );
        anchor = new JournalAnchor(address(this));
        registry.grantRole(registry.REGISTRAR_ROLE(), address(this));
        token.grantRole(token.MINTER_ROLE(), address(this));
        anchor.grantRole(anchor.ANCHORER_ROLE(), address(this));
        for (uint256 i = 0; i < 3; ++i) {
            registry.addVerifier(vm.addr(verifierPks[i]));
        }
        registry.registerProject(PROJECT, keccak256("class"), DEVELOPER, "bafydocs");
    }

    function batchData(uint64 serialStart, uint64 serialEnd) internal pure returns (CarbonCreditToken.BatchData memory) {
        return CarbonCreditToken.BatchData({
            projectId: PROJECT,
            registry: "Verra",
            vintage: 2023,
            serialStart: serialStart,
            serialEnd: serialEnd,
            methodology: "VM0015",
            country: "BR",
            metadataUri: "ipfs://bafybatch"
        });
    }

    /// @dev Signatures of the first `k` verifiers, sorted by signer address.
    function approvals(bytes32 issuanceId, uint256 k) internal view returns (bytes[] memory sigs) {
        bytes32 digest = registry.approvalDigest(issuanceId);
        uint256[] memory pks = new uint256[](k);
        for (uint256 i = 0; i < k; ++i) pks[i] = verifierPks[i];
        for (uint256 i = 0; i < k; ++i) {
            for (uint256 j = i + 1; j < k; ++j) {
                if (vm.addr(pks[j]) < vm.addr(pks[i])) (pks[i], pks[j]) = (pks[j], pks[i]);
            }
        }
        sigs = new bytes[](k);
        for (uint256 i = 0; i < k; ++i) sigs[i] = signature(pks[i], digest);
    }

    /// @dev Proposes, verifies (k = 2) and creates batch `tokenId` of `amount` kg over enough serials.
    function verifiedBatch(uint256 tokenId, uint256 amount) internal {
        bytes32 issuanceId = keccak256(abi.encode("issuance", tokenId));
        uint64 tonnes = uint64(amount / 1000 + 1);
        CarbonCreditToken.BatchData memory d = batchData(1, tonnes);
        registry.proposeIssuance(issuanceId, PROJECT, token.hashBatchData(d), amount, "bafyreport");
        registry.verifyIssuance(issuanceId, approvals(issuanceId, 2));
        token.createBatch(tokenId, issuanceId, d);
    }
}
