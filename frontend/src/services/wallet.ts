// The wallet side of the chain features, on viem (typed, tree-shakable; ARCHITECTURE.md).
// Loaded lazily: only the wallet page imports it statically (its own chunk); the markets and
// verifier pages import it on demand, so viem never enters the main bundle.
//
// Contract:
// - `ChainSession` joins the exchange's chain (GET /chain/status: chain id, rpc_url, contract
//   addresses) and the injected EIP-1193 wallet (window.ethereum). Reads (balances, approvals,
//   allowances, receipts) go to the status' rpc_url; writes and signatures go to the wallet,
//   which signs and sends them (the exchange never sees a user's key).
// - Every write first checks that the wallet is on the exchange's chain (viem asserts it
//   against `chain`), waits for the receipt and throws when the transaction reverted.
// - Quantities are integer kg (bigint) = token units; amounts are never floats.
// - Errors reaching the UI are plain Errors with a message for people (`walletError`).
import {
  BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, custom, defineChain, getAddress, http, parseAbi, recoverTypedDataAddress,
  UserRejectedRequestError, type Abi, type Address, type Chain, type EIP1193Provider, type Hash, type Hex, type PublicClient, type WalletClient,
} from 'viem';
import type { ChainStatus } from './chain.api';
import { chainIdHex, parseChainId, typedDataJson, type TypedData } from '../utils/chain';
import { injectedWallet } from '../utils/siwe';

export const tokenAbi = parseAbi([
  'function balanceOfBatch(address[] accounts, uint256[] ids) view returns (uint256[])',
  'function isApprovedForAll(address account, address operator) view returns (bool)',
  'function setApprovalForAll(address operator, bool approved)',
  'function retire(uint256 tokenId, uint256 amount, string beneficiary, string reason) returns (uint256)',
  'error ERC1155InsufficientBalance(address sender, uint256 balance, uint256 needed, uint256 tokenId)',
  'error ERC1155MissingApprovalForAll(address operator, address owner)',
  'error EmptyBeneficiary()', 'error EnforcedPause()', 'error UnknownBatch(uint256 tokenId)', 'error ZeroAmount()',
]);
export const marketAbi = parseAbi([
  'function deposit(uint256 tokenId, uint256 amount, bytes32 account) returns (uint256)',
  'function fillListing(uint256 listingId, uint256 amount, uint256 maxTotalCost)',
  'error CostAboveMaximum(uint256 cost, uint256 maxTotalCost)', 'error DeadlinePassed(uint64 deadline)',
  'error FillTooLarge(uint256 amount, uint256 remaining)', 'error FillTooSmall(uint256 amount, uint256 minFill)',
  'error ListingNotActive(uint256 listingId)', 'error ZeroAccount()', 'error ZeroAmount()', 'error EnforcedPause()',
  'error ERC1155InsufficientBalance(address sender, uint256 balance, uint256 needed, uint256 tokenId)',
  'error ERC1155MissingApprovalForAll(address operator, address owner)',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
]);
export const erc20Abi = parseAbi([
  'function approve(address spender, uint256 value) returns (bool)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
  'function decimals() view returns (uint8)',
  'function symbol() view returns (string)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
]);

// Contract refusals (custom errors) as sentences.
const REFUSALS: Record<string, string> = {
  ERC1155InsufficientBalance: 'Your wallet does not hold that many credits of this batch.',
  ERC1155MissingApprovalForAll: 'The market may not move your credits yet (approval missing).',
  EmptyBeneficiary: 'A retirement needs a beneficiary.',
  EnforcedPause: 'The contract is paused by its guardian; try again later.',
  UnknownBatch: 'This batch does not exist on chain.',
  ZeroAmount: 'The quantity must be above zero.',
  CostAboveMaximum: 'The listing costs more than the maximum you allowed.',
  DeadlinePassed: 'This listing has expired.',
  FillTooLarge: 'The listing has less left than you asked for.',
  FillTooSmall: 'Below the listing\'s minimum fill.',
  ListingNotActive: 'This listing is no longer open.',
  ERC20InsufficientBalance: 'Your wallet does not hold enough of the payment token.',
  ERC20InsufficientAllowance: 'The market may not take that much of your payment token (allowance too low).',
};

export type Step = (what: string, tx?: Hash) => void;

/** A wallet or chain failure as a sentence for people. */
export function walletError(e: unknown): Error {
  if (e instanceof UserRejectedRequestError || (e as { code?: number })?.code === 4001 ||
      (e instanceof BaseError && e.walk((x) => x instanceof UserRejectedRequestError))) {
    return new Error('You declined the request in your wallet.');
  }
  if (e instanceof BaseError) {
    const rev = e.walk((x) => x instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    const name = rev?.data?.errorName;
    if (name) return new Error(`${REFUSALS[name] ?? 'The contract refused the transaction.'} (${name})`);
    return new Error(e.shortMessage || e.message);
  }
  if (e instanceof Error) return e;
  const m = (e as { message?: unknown })?.message;
  return new Error(typeof m === 'string' && m ? m : 'The wallet did not answer.');
}

function need(addr: string | undefined, name: string): Address {
  if (!addr) throw new Error(`The exchange did not publish the ${name} address.`);
  return getAddress(addr);
}

export class ChainSession {
  readonly chain: Chain;
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient;
  readonly provider: EIP1193Provider;

  constructor(readonly status: ChainStatus, provider?: EIP1193Provider) {
    if (!status.enabled || !status.chain_id || !status.rpc_url) throw new Error('On-chain features are not enabled on this exchange.');
    const p = provider ?? (injectedWallet() as unknown as EIP1193Provider | null);
    if (!p) throw new Error('No Ethereum wallet found in this browser.');
    this.provider = p;
    this.chain = defineChain({
      id: status.chain_id, name: status.network || `chain ${status.chain_id}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [status.rpc_url] } },
    });
    this.publicClient = createPublicClient({ chain: this.chain, transport: http(status.rpc_url), pollingInterval: 1000 }) as PublicClient;
    this.walletClient = createWalletClient({ chain: this.chain, transport: custom(p), pollingInterval: 1000 });
  }

  get token(): Address { return need(this.status.contracts?.CarbonCreditToken, 'CarbonCreditToken'); }
  get market(): Address { return need(this.status.contracts?.CarbonMarket, 'CarbonMarket'); }
  get paymentToken(): Address { return need(this.status.contracts?.PaymentToken, 'PaymentToken'); }

  /** Asks the wallet for its accounts (a prompt in real wallets); the first one is used. */
  async connect(): Promise<Address> {
    try {
      const a = await this.walletClient.requestAddresses();
      if (!a.length) throw new Error('The wallet shared no account.');
      return getAddress(a[0]);
    } catch (e) { throw walletError(e); }
  }

  /** The wallet's current chain id (bigint), or null when it does not say. */
  async walletChainId(): Promise<bigint | null> {
    return parseChainId(await this.provider.request({ method: 'eth_chainId' }));
  }

  /** wallet_switchEthereumChain to the exchange's chain; adds it first when the wallet does not know it (4902). */
  async switchChain(): Promise<void> {
    try {
      await this.provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: chainIdHex(this.chain.id) as Hex }] });
    } catch (e) {
      if ((e as { code?: number })?.code !== 4902) throw walletError(e);
      try {
        await this.walletClient.addChain({ chain: this.chain });
      } catch (e2) { throw walletError(e2); }
    }
  }

  /** On-chain balances (kg) of `owner` for each token id, in the same order. */
  async balances(owner: Address, tokenIds: bigint[]): Promise<bigint[]> {
    if (!tokenIds.length) return [];
    const r = await this.publicClient.readContract({
      address: this.token, abi: tokenAbi, functionName: 'balanceOfBatch', args: [tokenIds.map(() => owner), tokenIds],
    });
    return [...r];
  }

  private async mined(hash: Hash, what: string): Promise<Hash> {
    const r = await this.publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`${what}: the transaction ${hash} reverted.`);
    return hash;
  }

  /**
   * Simulates the call on the exchange's chain first (a refusal is reported with the contract's
   * reason and nothing is signed), then asks the wallet to send it and waits for the receipt.
   */
  private async send(owner: Address, c: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] }, prompt: string, what: string, step: Step): Promise<Hash> {
    await this.publicClient.simulateContract({ ...c, account: owner } as never);
    step(prompt);
    const h = await this.walletClient.writeContract({ ...c, account: owner, chain: this.chain } as never);
    step(`Waiting for the ${what.toLowerCase()} to be mined…`, h);
    return this.mined(h, what);
  }

  /** Lets the market move the owner's credits (ERC-1155 setApprovalForAll) when it may not yet. */
  async ensureMarketApproved(owner: Address, step: Step): Promise<void> {
    const ok = await this.publicClient.readContract({ address: this.token, abi: tokenAbi, functionName: 'isApprovedForAll', args: [owner, this.market] });
    if (ok) return;
    await this.send(owner, { address: this.token, abi: tokenAbi, functionName: 'setApprovalForAll', args: [this.market, true] },
      'Approve the market to move your credits (confirm in your wallet)…', 'Approval', step);
  }

  /** CarbonMarket.deposit(tokenId, kg, accountRef): credits the exchange account after the confirmations. */
  async deposit(owner: Address, tokenId: bigint, kg: bigint, accountRef: Hex, step: Step): Promise<Hash> {
    try {
      await this.ensureMarketApproved(owner, step);
      return await this.send(owner, { address: this.market, abi: marketAbi, functionName: 'deposit', args: [tokenId, kg, accountRef] },
        'Confirm the deposit in your wallet…', 'Deposit', step);
    } catch (e) { throw walletError(e); }
  }

  /** CarbonCreditToken.retire(id, kg, beneficiary, reason) from the holder's wallet. */
  async retire(owner: Address, tokenId: bigint, kg: bigint, beneficiary: string, reason: string, step: Step): Promise<Hash> {
    try {
      return await this.send(owner, { address: this.token, abi: tokenAbi, functionName: 'retire', args: [tokenId, kg, beneficiary, reason] },
        'Confirm the retirement in your wallet…', 'Retirement', step);
    } catch (e) { throw walletError(e); }
  }

  /** The payment token's symbol and decimals (for showing listing prices). */
  async paymentInfo(): Promise<{ symbol: string; decimals: number }> {
    const [symbol, decimals] = await Promise.all([
      this.publicClient.readContract({ address: this.paymentToken, abi: erc20Abi, functionName: 'symbol' }),
      this.publicClient.readContract({ address: this.paymentToken, abi: erc20Abi, functionName: 'decimals' }),
    ]);
    return { symbol, decimals: Number(decimals) };
  }

  /** PaymentToken.approve (when the allowance is short) then CarbonMarket.fillListing(id, kg, maxTotalCost). */
  async fillListing(buyer: Address, listingId: bigint, kg: bigint, maxTotalCost: bigint, step: Step): Promise<Hash> {
    try {
      const allowance = await this.publicClient.readContract({ address: this.paymentToken, abi: erc20Abi, functionName: 'allowance', args: [buyer, this.market] });
      if (allowance < maxTotalCost) {
        await this.send(buyer, { address: this.paymentToken, abi: erc20Abi, functionName: 'approve', args: [this.market, maxTotalCost] },
          'Approve the payment in your wallet…', 'Payment approval', step);
      }
      return await this.send(buyer, { address: this.market, abi: marketAbi, functionName: 'fillListing', args: [listingId, kg, maxTotalCost] },
        'Confirm the purchase in your wallet…', 'Purchase', step);
    } catch (e) { throw walletError(e); }
  }

  /** eth_signTypedData_v4 in the wallet; the signature is checked to recover to `signer` before it is returned. */
  async signTypedData(signer: Address, td: TypedData): Promise<Hex> {
    let sig: Hex;
    try {
      sig = await this.provider.request({ method: 'eth_signTypedData_v4', params: [signer, typedDataJson(td)] }) as Hex;
    } catch (e) { throw walletError(e); }
    if (typeof sig !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(sig)) throw new Error('The wallet returned no signature.');
    const got = await recoverTyped(td, sig);
    if (got.toLowerCase() !== signer.toLowerCase()) throw new Error(`The wallet signed with ${got}, not ${signer}.`);
    return sig;
  }
}

/** The address that signed typed data `td` (EIP-712), computed locally. */
export async function recoverTyped(td: TypedData, signature: Hex): Promise<Address> {
  const { EIP712Domain: _domain, ...types } = td.types;
  const args = {
    domain: { ...td.domain, chainId: td.domain.chainId !== undefined ? Number(td.domain.chainId) : undefined },
    types, primaryType: td.primaryType, message: td.message, signature,
  } as unknown as Parameters<typeof recoverTypedDataAddress>[0];
  return recoverTypedDataAddress(args);
}

/** A session for the injected wallet, or an Error for people. */
export function openSession(status: ChainStatus): ChainSession {
  return new ChainSession(status);
}
