// RTK Query endpoints for API keys (README "API keys for bots"): list, create (the answer
// holds the secret, once), revoke. Injected into the shared api (cache, token refresh).
import { api } from './api';

export type ApiKeyScope = 'read' | 'trade' | 'withdraw';
export interface ApiKey {
  id: string; label: string; scopes: ApiKeyScope[]; allow_ips: string[]; expires_at: string; expires_at_ms: number;
  created_at: string; created_us: number; revoked_at: string | null; status: 'active' | 'revoked' | 'expired'; user: number;
}
export interface ApiKeyWithSecret extends ApiKey { secret: string; secret_shown_once: true }
export interface ApiKeyCreate {
  label: string; scopes: ApiKeyScope[]; expires_at?: string | number; allow_ips?: string[]; otp?: string; recovery_code?: string;
}

const keysApi = api.enhanceEndpoints({ addTagTypes: ['ApiKey'] }).injectEndpoints({
  endpoints: (b) => ({
    apiKeys: b.query<{ items: ApiKey[]; max_live: number }, void>({ query: () => '/auth/api-keys', providesTags: ['ApiKey'] }),
    createApiKey: b.mutation<ApiKeyWithSecret, ApiKeyCreate>({
      query: (body) => ({ url: '/auth/api-keys', method: 'POST', body }),
      invalidatesTags: ['ApiKey', 'Mfa'],
    }),
    revokeApiKey: b.mutation<ApiKey, string>({
      query: (id) => ({ url: `/auth/api-keys/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: ['ApiKey'],
    }),
  }),
});

export const { useApiKeysQuery, useCreateApiKeyMutation, useRevokeApiKeyMutation } = keysApi;
