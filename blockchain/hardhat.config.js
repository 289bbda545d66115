// Hardhat 3 configuration for the CarbonXchange contracts.
// The compiler is the npm package `solc` (soljson.js, WebAssembly): Hardhat is given its path,
// so no build step ever downloads a compiler.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";

const require = createRequire(import.meta.url);
const SOLC_PATH = require.resolve("solc/soljson.js");
const SOLC_VERSION = "0.8.28";

// A remote network: URL and deployer key come from the environment (never committed).
function remote(urlVar, keyVar, chainType = "l1") {
  return {
    type: "http",
    chainType,
    url: configVariable(urlVar),
    accounts: [configVariable(keyVar)],
  };
}

export default defineConfig({
  plugins: [hardhatEthers, hardhatEthersChaiMatchers, hardhatMocha, hardhatNetworkHelpers],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: SOLC_PATH,
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
      production: {
        version: SOLC_VERSION,
        path: SOLC_PATH,
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
    },
  },
  test: {
    solidity: {
      // The shared Merkle vectors are read by test/solidity/MerkleVectors.t.sol.
      fsPermissions: { readFile: [fileURLToPath(new URL("../docs/test-vectors/merkle.json", import.meta.url))] },
      fuzz: { runs: 256, seed: "0x5eed" },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    // Local anvil (npm @foundry-rs/anvil) or `hardhat node` on 127.0.0.1:8545.
    localhost: { type: "http", chainType: "l1", url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545" },
    amoy: remote("AMOY_RPC_URL", "DEPLOYER_PRIVATE_KEY"),
    polygon: remote("POLYGON_RPC_URL", "DEPLOYER_PRIVATE_KEY"),
    sepolia: remote("SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY"),
    mainnet: remote("MAINNET_RPC_URL", "DEPLOYER_PRIVATE_KEY"),
  },
});
