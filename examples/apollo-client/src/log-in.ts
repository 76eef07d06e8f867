import { type ApolloClient, gql, type TypedDocumentNode } from '@apollo/client';
import type { StoredTokens, TokenStore } from './token-store.js';

interface LoginResult {
  readonly login: StoredTokens;
}

interface LoginVariables {
  readonly input: { readonly email: string; readonly password: string };
}

const LOGIN: TypedDocumentNode<LoginResult, LoginVariables> = gql`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      refreshToken
    }
  }
`;

/** Logs in and keeps the pair. Rejects with Apollo's error on wrong credentials. */
export async function logIn(
  client: ApolloClient,
  tokens: TokenStore,
  input: LoginVariables['input'],
): Promise<void> {
  // no-cache: the pair lives in the token store only, not in Apollo's cache as well.
  const { data } = await client.mutate({
    mutation: LOGIN,
    variables: { input },
    fetchPolicy: 'no-cache',
  });
  if (!data) throw new Error('login returned no data');
  tokens.save({ accessToken: data.login.accessToken, refreshToken: data.login.refreshToken });
}
