// RTK Query endpoint for an instrument's fee schedule (admin; README "The exchange"):
// PUT /instruments/{id}/fees. Injected into the shared api.
import { api, type Instrument } from './api';

export interface FeesChange { id: number; maker_fee_bp: number; taker_fee_bp: number }

const feesApi = api.injectEndpoints({
  endpoints: (b) => ({
    setFees: b.mutation<Instrument, FeesChange>({
      query: ({ id, ...body }) => ({ url: `/instruments/${id}/fees`, method: 'PUT', body }),
      invalidatesTags: ['Instrument'],
    }),
  }),
});

export const { useSetFeesMutation } = feesApi;
