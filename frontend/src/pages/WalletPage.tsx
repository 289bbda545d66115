// Wallet page (/wallet; a lazy chunk, the only one that loads viem up front): the exchange's
// chain and the connected wallet (switch network, link to the account), on-chain balances per
// batch, withdraw to the wallet, deposit back, retire on chain, on-chain retirements and the
// anchored journal blocks. Everything the exchange does on chain comes from /api/v1/chain/*;
// everything the user does on chain is signed by their own wallet.
import { useMemo } from 'react';
import { useHoldingsQuery } from '../services/api';
import { useChainBatchesQuery, useChainStatusQuery } from '../services/chain.api';
import { useAppSelector } from '../store/hooks';
import { RequireRole } from '../components/common/RequireRole';
import { QueryState } from '../components/common/Loading';
import { useChainWallet } from '../components/wallet/useChainWallet';
import { useLinkedWallets, WalletStatus } from '../components/wallet/WalletStatus';
import { Balances, useOnChainBalances } from '../components/wallet/Balances';
import { WithdrawForm, WithdrawalList } from '../components/wallet/Withdraw';
import { DepositForm, DepositList } from '../components/wallet/Deposit';
import { ChainRetirements, RetireForm } from '../components/wallet/RetireOnChain';
import { Anchors } from '../components/wallet/Anchors';

function Wallet() {
  const user = useAppSelector((s) => s.auth.user);
  const st = useChainStatusQuery(undefined, { pollingInterval: 15000 });
  const status = st.data;
  const batchesQ = useChainBatchesQuery(undefined, { skip: !status?.enabled, pollingInterval: 10000 });
  const batches = useMemo(() => batchesQ.data ?? [], [batchesQ.data]);
  const holdings = useHoldingsQuery(user?.account ?? 0, { skip: !user });
  const w = useChainWallet(status);
  const bal = useOnChainBalances(w.session, w.address, batches);
  const { wallets } = useLinkedWallets();

  if (!status) return <><h1>Wallet</h1><QueryState isLoading={st.isLoading} error={st.error} /></>;
  if (!status.enabled) return <><h1>Wallet</h1><p>On-chain features are not enabled on this exchange.</p></>;
  return (
    <>
      <h1>Wallet</h1>
      <WalletStatus status={status} w={w} />
      <Balances status={status} batches={batches} bal={bal} connected={!!w.address} />
      <div className="grid">
        <section aria-labelledby="h-wd">
          <h2 id="h-wd">Withdraw to a wallet</h2>
          <WithdrawForm batches={batches} holdings={holdings.data?.items ?? []} defaultTo={w.address && wallets.includes(w.address.toLowerCase()) ? w.address : ''} />
        </section>
        <section aria-labelledby="h-dep">
          <h2 id="h-dep">Deposit to the exchange</h2>
          <DepositForm status={status} batches={batches} w={w} bal={bal} />
        </section>
      </div>
      <section aria-labelledby="h-wds">
        <h2 id="h-wds">Withdrawals</h2>
        <WithdrawalList status={status} onConfirmed={bal.refresh} />
      </section>
      <section aria-labelledby="h-deps">
        <h2 id="h-deps">Deposits</h2>
        <DepositList status={status} />
      </section>
      <section aria-labelledby="h-ret">
        <h2 id="h-ret">Retire on chain</h2>
        <RetireForm status={status} batches={batches} w={w} bal={bal} />
        <ChainRetirements status={status} />
      </section>
      <Anchors status={status} />
    </>
  );
}

export default function WalletPage() {
  return <RequireRole roles={[]} title="Wallet"><Wallet /></RequireRole>;
}
