// Transfer credits of one batch from the signed-in account to another account.
import type { Holding } from '../../services/api';
import { useTransferMutation } from '../../services/api';
import { formatTonnes, parseTonnes } from '../../utils/format';
import { Field } from './Field';
import { FormStatus } from './FormStatus';
import { clientError, useFormAction } from './useFormAction';

const FIELDS = ['to_account', 'batch', 'quantity'];

export function TransferForm({ holdings }: { holdings: Holding[] }) {
  const [transfer] = useTransferMutation();
  const f = useFormAction(async (v, form) => {
    if (!/^\d+$/.test(v.to_account)) throw clientError('to_account', 'Enter the receiving account number');
    const q = parseTonnes(v.quantity);
    if (!q.ok) throw clientError('quantity', q.message);
    const r = await transfer({ to_account: Number(v.to_account), batch: Number(v.batch), quantity: v.quantity.replace(/,/g, '') }).unwrap();
    form.reset();
    return r as { quantity?: string };
  });
  if (holdings.length === 0) return <p>You hold no credits to transfer.</p>;
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Transfer credits">
      <Field label="To account" name="to_account" required error={f.error} inputMode="numeric" hint="The receiving account number (shown on its owner's portfolio)." />
      <Field label="Batch" name="batch" error={f.error} options={holdings.map((h) => ({ value: String(h.batch), label: `#${h.batch} ${h.project_name} ${h.vintage} (${formatTonnes(h.tradable)} tradable)` }))} />
      <Field label="Quantity (tonnes)" name="quantity" required error={f.error} inputMode="decimal" placeholder="10.250" />
      <FormStatus error={f.error} fields={FIELDS} busy={f.busy} success={f.result ? <p>Transferred {formatTonnes(f.result.quantity)}.</p> : null} />
      <button type="submit" disabled={f.busy}>Transfer</button>
    </form>
  );
}
