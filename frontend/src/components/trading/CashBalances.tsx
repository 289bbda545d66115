// Cash balances of an account per currency: available, locked by open orders, and their
// sum, computed on integer minor units (BigInt), never floats.
import { useCashQuery } from '../../services/api';
import { QueryState } from '../common/Loading';
import { formatMoney, fromScaled } from '../../utils/decimal';
import { TableWrap } from './common';

export function CashBalances({ account, caption = 'Cash balances', compact = false }: { account: number; caption?: string; compact?: boolean }) {
  const q = useCashQuery(account);
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <TableWrap label="Cash balances (scrollable)">
          <table data-testid="cash">
            <caption>{caption}</caption>
            <thead><tr><th scope="col">Currency</th><th scope="col" className="num">Available</th><th scope="col" className="num">{compact ? 'Locked' : 'Locked (orders, withdrawals)'}</th>{compact ? null : <th scope="col" className="num">Total</th>}</tr></thead>
            <tbody>
              {q.data.balances.map((b) => (
                <tr key={b.currency}>
                  <th scope="row">{b.currency}</th>
                  <td className="num" data-testid={`cash-available-${b.currency}`}>{formatMoney(b.available)}</td>
                  <td className="num">{formatMoney(b.locked)}</td>
                  {compact ? null : <td className="num">{formatMoney(fromScaled(BigInt(b.available_minor) + BigInt(b.locked_minor), 2))}</td>}
                </tr>
              ))}
              {q.data.balances.length === 0 ? <tr><td colSpan={4}>No cash yet: an administrator books deposits.</td></tr> : null}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
