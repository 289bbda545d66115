// The connected wallet for the chain pages: a ChainSession for the exchange's chain status,
// the account the wallet shared (after "Connect"), the wallet's chain and whether it is the
// exchange's, kept current through the EIP-1193 events accountsChanged / chainChanged.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Address } from 'viem';
import type { ChainStatus } from '../../services/chain.api';
import { ChainSession } from '../../services/wallet';
import { parseChainId } from '../../utils/chain';

export interface ChainWallet {
  session: ChainSession | null;
  unavailable: string;          // why there is no session (no wallet, chain off), else ''
  address: Address | null;
  walletChain: bigint | null;
  onChain: boolean;             // the wallet is on the exchange's chain
  connect: () => Promise<void>;
  switchChain: () => Promise<void>;
  refreshChain: () => Promise<void>;
}

type Events = { on?: (e: string, f: (x: unknown) => void) => void; removeListener?: (e: string, f: (x: unknown) => void) => void };

export function useChainWallet(status: ChainStatus | undefined): ChainWallet {
  const made = useMemo(() => {
    if (!status || !status.enabled) return { session: null, unavailable: 'On-chain features are not enabled on this exchange.' };
    try {
      return { session: new ChainSession(status), unavailable: '' };
    } catch (e) {
      return { session: null, unavailable: (e as Error).message };
    }
  }, [status]);
  const { session } = made;
  const [address, setAddress] = useState<Address | null>(null);
  const [walletChain, setWalletChain] = useState<bigint | null>(null);

  const refreshChain = useCallback(async () => {
    if (session) setWalletChain(await session.walletChainId().catch(() => null));
  }, [session]);

  useEffect(() => {
    if (!session) return undefined;
    void refreshChain();
    const p = session.provider as unknown as Events;
    const onAccounts = (a: unknown) => {
      const list = Array.isArray(a) ? a as string[] : [];
      setAddress(list[0] ? (list[0] as Address) : null);
    };
    const onChain = (c: unknown) => setWalletChain(parseChainId(c));
    p.on?.('accountsChanged', onAccounts);
    p.on?.('chainChanged', onChain);
    return () => {
      p.removeListener?.('accountsChanged', onAccounts);
      p.removeListener?.('chainChanged', onChain);
    };
  }, [session, refreshChain]);

  const connect = useCallback(async () => {
    if (!session) throw new Error(made.unavailable);
    setAddress(await session.connect());
    await refreshChain();
  }, [session, made.unavailable, refreshChain]);

  const switchChain = useCallback(async () => {
    if (!session) throw new Error(made.unavailable);
    await session.switchChain();
    await refreshChain();
  }, [session, made.unavailable, refreshChain]);

  const onChain = !!session && walletChain !== null && walletChain === BigInt(session.chain.id);
  return { session, unavailable: made.unavailable, address, walletChain, onChain, connect, switchChain, refreshChain };
}
