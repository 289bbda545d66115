// Signs a fresh Sign-In with Ethereum message with the injected wallet: fetches a single-use
// nonce from the server, builds the EIP-4361 text for this page's origin and asks the wallet
// (EIP-1193) for personal_sign. Wallet refusals become plain Errors with a message for people.
import { useSiweNonceMutation } from '../../services/api';
import { injectedWallet, walletErrorMessage, walletSign, type SignedSiwe } from '../../utils/siwe';

export function useWalletSignature(): () => Promise<SignedSiwe> {
  const [getNonce] = useSiweNonceMutation();
  return async () => {
    const wallet = injectedWallet();
    if (!wallet) throw new Error('No Ethereum wallet found in this browser.');
    const nonce = await getNonce().unwrap();
    try {
      return await walletSign(wallet, nonce, window.location.origin);
    } catch (e) {
      throw new Error(walletErrorMessage(e));
    }
  };
}
