// Deploys and wires the whole CarbonXchange contract system with ethers (Hardhat 3 plugin).
// Used by scripts/deploy.js and by the tests, so tests exercise the real deployment wiring.
//
// Roles after deploySystem(..., { handOver: true }):
//   governance timelock: DEFAULT_ADMIN_ROLE (+ UPGRADER_ROLE) on registry, token, market, anchor;
//                        owner of the council seats; only it can unpause.
//   operator:            REGISTRAR_ROLE (registry), MINTER_ROLE (token), ANCHORER_ROLE (anchor),
//                        market withdrawal signer.
//   guardian:            PAUSER_ROLE everywhere (pause only).
//   deployer:            nothing (all its roles renounced).
// With handOver: false the deployer keeps the admin roles (unit tests use this).

export const ROLE = {
  DEFAULT_ADMIN: "0x" + "00".repeat(32),
};

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function transfer(address,uint256) returns (bool)",
  "function transferFrom(address,address,uint256) returns (bool)",
  "function decimals() view returns (uint8)",
];

function role(ethers, name) {
  return ethers.id(name);
}

async function deployProxied(ethers, deployer, name, initArgs) {
  const impl = await ethers.deployContract(name, [], deployer);
  await impl.waitForDeployment();
  const data = impl.interface.encodeFunctionData("initialize", initArgs);
  const proxy = await ethers.deployContract("CarbonProxy", [await impl.getAddress(), data], deployer);
  await proxy.waitForDeployment();
  const contract = await ethers.getContractAt(name, await proxy.getAddress(), deployer);
  return { contract, implementation: await impl.getAddress() };
}

async function send(txPromise) {
  const tx = await txPromise;
  return tx.wait();
}

/**
 * @param ethers   the hardhat-ethers object of a network connection
 * @param opts     { deployer, operator, guardian, treasury, verifiers[], council[], threshold,
 *                   feeBps, paymentToken, timelockDelay, votingDelay, votingPeriod, quorumPercent,
 *                   handOver }
 */
export async function deploySystem(ethers, opts = {}) {
  const signers = await ethers.getSigners();
  const deployer = opts.deployer ?? signers[0];
  const me = await deployer.getAddress();
  const operator = opts.operator ?? me;
  const guardian = opts.guardian ?? me;
  const treasury = opts.treasury ?? me;
  const threshold = opts.threshold ?? 2;
  const feeBps = opts.feeBps ?? 100;
  const council = opts.council ?? [me];
  const handOver = opts.handOver ?? true;

  const { contract: registry, implementation: registryImpl } = await deployProxied(
    ethers, deployer, "VerificationRegistry", [me, threshold]);
  const { contract: token, implementation: tokenImpl } = await deployProxied(
    ethers, deployer, "CarbonCreditToken", [me, await registry.getAddress()]);
  const certificate = await ethers.deployContract("RetirementCertificate", [await token.getAddress()], deployer);
  await certificate.waitForDeployment();
  await send(token.setCertificate(await certificate.getAddress()));

  let paymentToken;
  if (opts.paymentToken) {
    paymentToken = new ethers.Contract(opts.paymentToken, ERC20_ABI, deployer);
  } else {
    paymentToken = await ethers.deployContract("TestStablecoin", [], deployer);
    await paymentToken.waitForDeployment();
  }
  const { contract: market, implementation: marketImpl } = await deployProxied(
    ethers, deployer, "CarbonMarket",
    [me, await token.getAddress(), await paymentToken.getAddress(), treasury, feeBps, operator]);
  const anchor = await ethers.deployContract("JournalAnchor", [me], deployer);
  await anchor.waitForDeployment();

  const seats = await ethers.deployContract("CouncilToken", [me], deployer);
  await seats.waitForDeployment();
  for (const m of council) await send(seats.grantSeat(m));
  const timelock = await ethers.deployContract(
    "CarbonTimelock", [opts.timelockDelay ?? 3600, [], [ethers.ZeroAddress], me], deployer);
  await timelock.waitForDeployment();
  const governor = await ethers.deployContract("CarbonGovernor", [
    await seats.getAddress(), await timelock.getAddress(),
    opts.votingDelay ?? 1, opts.votingPeriod ?? 50, opts.quorumPercent ?? 51], deployer);
  await governor.waitForDeployment();
  const govAddr = await governor.getAddress();
  await send(timelock.grantRole(await timelock.PROPOSER_ROLE(), govAddr));
  await send(timelock.grantRole(await timelock.CANCELLER_ROLE(), govAddr));

  // Operational roles.
  await send(registry.grantRole(role(ethers, "REGISTRAR_ROLE"), operator));
  await send(token.grantRole(role(ethers, "MINTER_ROLE"), operator));
  await send(anchor.grantRole(role(ethers, "ANCHORER_ROLE"), operator));
  for (const c of [registry, token, market, anchor]) {
    await send(c.grantRole(role(ethers, "PAUSER_ROLE"), guardian));
  }
  for (const v of opts.verifiers ?? []) await send(registry.addVerifier(v));

  const tl = await timelock.getAddress();
  if (handOver) {
    for (const c of [registry, token, market]) {
      await send(c.grantRole(role(ethers, "UPGRADER_ROLE"), tl));
      await send(c.grantRole(ROLE.DEFAULT_ADMIN, tl));
      await send(c.renounceRole(role(ethers, "UPGRADER_ROLE"), me));
      await send(c.renounceRole(ROLE.DEFAULT_ADMIN, me));
    }
    await send(anchor.grantRole(ROLE.DEFAULT_ADMIN, tl));
    await send(anchor.renounceRole(ROLE.DEFAULT_ADMIN, me));
    await send(seats.transferOwnership(tl));
    await send(timelock.renounceRole(ROLE.DEFAULT_ADMIN, me));
  }

  return {
    deployer, registry, token, certificate, paymentToken, market, anchor, seats, timelock, governor,
    implementations: { VerificationRegistry: registryImpl, CarbonCreditToken: tokenImpl, CarbonMarket: marketImpl },
    roles: { operator, guardian, treasury, timelock: tl, handedOver: handOver },
  };
}

/** The deployments/<network>.json document: addresses and ABIs of every contract. */
export async function deploymentRecord(artifacts, sys, { network, chainId }) {
  const entries = {
    VerificationRegistry: sys.registry, CarbonCreditToken: sys.token, RetirementCertificate: sys.certificate,
    CarbonMarket: sys.market, JournalAnchor: sys.anchor, CouncilToken: sys.seats,
    CarbonTimelock: sys.timelock, CarbonGovernor: sys.governor, PaymentToken: sys.paymentToken,
  };
  const contracts = {};
  for (const [name, c] of Object.entries(entries)) {
    const abi = name === "PaymentToken"
      ? JSON.parse(c.interface.formatJson())
      : (await artifacts.readArtifact(name)).abi;
    contracts[name] = { address: await c.getAddress(), abi };
    if (sys.implementations[name]) contracts[name].implementation = sys.implementations[name];
  }
  return {
    network, chainId: Number(chainId), deployedAt: new Date().toISOString(),
    deployer: await sys.deployer.getAddress(), roles: sys.roles, contracts,
  };
}
