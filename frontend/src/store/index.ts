// The Redux store: auth slice, live market data (fed by services/ws.ts) and the RTK Query
// API cache.
import { configureStore } from '@reduxjs/toolkit';
import { api } from '../services/api';
import auth from './authSlice';
import market from './marketSlice';
import notifications from './notificationsSlice';

export function makeStore() {
  return configureStore({
    reducer: { auth, market, notifications, [api.reducerPath]: api.reducer },
    middleware: (gdm) => gdm().concat(api.middleware),
  });
}

export type AppStore = ReturnType<typeof makeStore>;
export type RootState = ReturnType<AppStore['getState']>;
export type AppDispatch = AppStore['dispatch'];
