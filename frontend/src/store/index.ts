// The Redux store: auth slice + the RTK Query API cache. Trading slices (order book, market
// data fed by the WebSocket service) join here when the exchange exists.
import { configureStore } from '@reduxjs/toolkit';
import { api } from '../services/api';
import auth from './authSlice';

export function makeStore() {
  return configureStore({
    reducer: { auth, [api.reducerPath]: api.reducer },
    middleware: (gdm) => gdm().concat(api.middleware),
  });
}

export type AppStore = ReturnType<typeof makeStore>;
export type RootState = ReturnType<AppStore['getState']>;
export type AppDispatch = AppStore['dispatch'];
