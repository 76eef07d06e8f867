import type { Plugin } from 'graphql-yoga';

/**
 * A subscription refused when opened (no or a bad token, a limit) is an error result with no
 * `data`. graphql-sse takes only a result with `data` for one (a result without it is read as
 * arguments, and answered with a 400 "Unable to detect operation AST"), so the refusal carries
 * `data: null`, on every transport alike.
 */
export function useSubscriptionRefusals(): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          if (!('data' in result)) setResult({ ...result, data: null });
        },
      };
    },
  };
}
