import { GraphQLError, Kind } from 'graphql';
import { type Plugin, processRegularResult } from 'graphql-yoga';
import { AUTH_ERRORS, ERROR_CODES } from '../errors.js';
import { refusal } from './refusal.js';

/**
 * Makes every answer of the GraphQL endpoint say why with a registry code, where yoga and
 * graphql-js leave it out, and keeps internal detail out of it:
 * - a POST body no request parser reads gets 415 BAD_REQUEST / UNSUPPORTED_MEDIA_TYPE, not
 *   yoga's empty 415;
 * - an `Accept` header that allows none of the media types yoga answers with gets JSON anyway,
 *   not an empty 406 (RFC 9110 §12.5.1 and GraphQL over HTTP let a server disregard `Accept`);
 * - a variable whose value does not fit its declared type, or a required one not sent, gets
 *   BAD_USER_INPUT (graphql-js reports these with no code);
 * - a subscription asked for with an `Accept` that allows no event stream gets 400
 *   BAD_REQUEST / STREAM_REQUIRED (the stream it opened is closed at once), not a hang;
 * - outside development, `extensions.originalError` is left out of the answer: yoga puts the
 *   JSON parser's own error there (its class and message, quoting the body) when a body is not
 *   JSON. It stays on the error, where yoga reads it to choose the status.
 *
 * Registered after the request parsers and result processors yoga installs, so it sees
 * whether one of them took the request.
 */
export function useCodedAnswers({ isDevelopment }: { isDevelopment: boolean }): Plugin {
  return {
    onRequestParse({ request, requestParser, endResponse, fetchAPI }) {
      // Other methods are yoga's to refuse, with 405, in a hook that runs after this one.
      if (requestParser === undefined && request.method === 'POST') {
        endResponse(refusal(fetchAPI.Response, 415, 'UNSUPPORTED_MEDIA_TYPE'));
      }
    },
    onResultProcess({ result, setResult, resultProcessor, setResultProcessor }) {
      if (resultProcessor === undefined) {
        setResultProcessor(processRegularResult, 'application/json');
        // A stream asked for with an Accept that allows no streaming type: close it, and say how.
        if (!Array.isArray(result) && Symbol.asyncIterator in result) {
          void result[Symbol.asyncIterator]().return?.();
          setResult({ data: null, errors: [streamRequired()] });
          return;
        }
      }
      setResult(codedResult(result, isDevelopment));
    },
  };
}

function streamRequired(): GraphQLError {
  return new GraphQLError(AUTH_ERRORS.STREAM_REQUIRED.message, {
    extensions: {
      code: ERROR_CODES.BAD_REQUEST,
      reason: 'STREAM_REQUIRED',
      http: { status: 400 },
    },
  });
}

/** What yoga hands to a result processor (the type is not exported by name). */
type ResultProcessorInput = Parameters<NonNullable<Plugin['onResultProcess']>>[0]['result'];

function codedResult(result: ResultProcessorInput, isDevelopment: boolean): ResultProcessorInput {
  if (Array.isArray(result)) return result.map((single) => codedSingle(single, isDevelopment));
  if (Symbol.asyncIterator in result) return result; // a stream's events are the schema's own
  return codedSingle(result, isDevelopment);
}

type SingleResult = Exclude<ResultProcessorInput, readonly unknown[] | AsyncIterable<unknown>>;

function codedSingle(result: SingleResult, isDevelopment: boolean): SingleResult {
  const { errors } = result;
  if (errors === undefined || errors.length === 0) return result;
  const coded: SingleResult = { ...result, errors: errors.map(codeVariableError) };
  if (isDevelopment || !errors.some((error) => 'originalError' in error.extensions)) return coded;
  // Removed only when the answer is written: yoga chooses the status from it first.
  const stringify = result.stringify ?? JSON.stringify;
  return { ...coded, stringify: (written) => stringify(withoutOriginalErrors(written)) };
}

function codeVariableError(error: GraphQLError): GraphQLError {
  if (error.extensions.code !== undefined) return error;
  if (error.nodes?.[0]?.kind !== Kind.VARIABLE_DEFINITION) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: ERROR_CODES.BAD_USER_INPUT },
  });
}

function withoutOriginalErrors(result: SingleResult): SingleResult {
  return {
    ...result,
    errors: result.errors?.map((error) => {
      const { originalError: _hidden, ...extensions } = error.extensions;
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions,
      });
    }),
  };
}
