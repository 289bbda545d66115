import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { makeStore } from './store';
import { startMarketSocket } from './services/ws';
import './styles.css';

const store = makeStore();
// One WebSocket for live market data; channels are subscribed by the pages that show them.
startMarketSocket(store);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider store={store}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </Provider>
  </StrictMode>,
);
