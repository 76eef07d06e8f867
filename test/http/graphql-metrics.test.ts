import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { readEvents } from '../helpers/sse.js';

let app: TestApp;
afterEach(() => app.close());

async function post(body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const response = await app.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

/** Every sample of `name` in a scrape, `{labels} value`, in the order printed. */
async function samples(name: string): Promise<string[]> {
  const text = await (await app.yoga.fetch('http://yoga/metrics')).text();
  const prefix = `${name}{`;
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix) || line.startsWith(`${name} `))
    .map((line) => line.slice(name.length));
}

describe('the GraphQL series of /metrics', () => {
  it('count operations by the name the client asked for, else the first definition', async () => {
    app = await createTestApp();
    await post({ query: 'query Probe { __typename }' });
    await post({ query: '{ __typename }' });
    await post({ query: 'query A { __typename } query B { __typename }', operationName: 'B' });
    await post({ query: 'mutation Out { logout }' });
    expect(await samples('graphql_envelop_request')).toEqual([
      '{operationName="Probe",operationType="query"} 1',
      '{operationName="Anonymous",operationType="query"} 1',
      '{operationName="B",operationType="query"} 1',
      '{operationName="Out",operationType="mutation"} 1',
    ]);
    // Execute and the whole operation are timed once per executed operation.
    for (const name of ['graphql_envelop_phase_execute', 'graphql_envelop_request_duration']) {
      expect(await samples(`${name}_count`)).toEqual([
        '{operationName="Probe",operationType="query"} 1',
        '{operationName="Anonymous",operationType="query"} 1',
        '{operationName="B",operationType="query"} 1',
        '{operationName="Out",operationType="mutation"} 1',
      ]);
    }
    expect(await samples('graphql_envelop_schema_change')).toEqual([' 1']);
  });

  it('count errors by phase, and execution errors by path', async () => {
    app = await createTestApp();
    await post({ query: '{' });
    await post({ query: 'query Nope { nope }' });
    await post({ query: 'query Mine { me { id } }' });
    await post({ query: 'query Mine { me { id } }' });
    expect(await samples('graphql_envelop_error_result')).toEqual([
      '{operationName="undefined",operationType="undefined",phase="parse"} 1',
      '{operationName="Nope",operationType="query",phase="validate"} 1',
      '{operationName="Mine",operationType="query",phase="execute",path="me"} 2',
    ]);
    // Neither the unparsable nor the invalid document was executed.
    expect(await samples('graphql_envelop_request')).toEqual([
      '{operationName="Mine",operationType="query"} 2',
    ]);
  });

  it('time each HTTP request whose document parsed, by method, status and selected operation', async () => {
    app = await createTestApp();
    await post({ query: 'query Probe { __typename }' });
    await post({ query: 'query A { __typename } query B { __typename }', operationName: 'B' });
    // No operation of that name: yoga answers 400, and the series says which operation is unknown.
    expect(await post({ query: 'query A { __typename }', operationName: 'Zed' })).toBe(400);
    await post({ query: '{' });
    const get = await app.yoga.fetch(
      `http://yoga/graphql?query=${encodeURIComponent('{ __typename }')}`,
      { headers: { 'apollo-require-preflight': 'true' } },
    );
    expect(get.status).toBe(200);
    await app.yoga.fetch('http://yoga/health');
    expect(await samples('graphql_yoga_http_duration_count')).toEqual([
      '{method="POST",statusCode="200",operationType="query",operationName="Probe"} 1',
      '{method="POST",statusCode="200",operationType="query",operationName="B"} 1',
      '{method="POST",statusCode="400",operationType="unknown",operationName="Anonymous"} 1',
      '{method="GET",statusCode="200",operationType="query",operationName="Anonymous"} 1',
    ]);
  });

  it('time a subscription from subscribe to its end, and count it once', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    const body = JSON.stringify({ query: 'subscription Ends { sessionEnded { reason } }' });
    const response = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${accessToken}`,
      },
      body,
    });
    if (response.body === null) throw new Error('no body');
    const events = readEvents(response.body);
    await app.graphql('mutation { logout }', { token: accessToken });
    expect((await events.next()).event).toBe('next');
    expect((await events.next()).event).toBe('complete');
    await events.ended;
    const ends = '{operationName="Ends",operationType="subscription"} 1';
    expect(await samples('graphql_envelop_phase_subscribe_count')).toEqual([ends]);
    expect(await samples('graphql_envelop_request_duration_count')).toContain(ends);
    expect(await samples('graphql_envelop_request')).toContain(ends);
    expect(await samples('graphql_envelop_phase_execute_count')).not.toContain(ends);
  });

  it('keep counting correctly past the bound of cached label sets', async () => {
    app = await createTestApp();
    for (let i = 0; i < 1005; i++) await post({ query: `query Op${i} { __typename }` });
    await post({ query: 'query Op0 { __typename }' });
    const counted = await samples('graphql_envelop_request');
    expect(counted).toHaveLength(1005);
    expect(counted[0]).toBe('{operationName="Op0",operationType="query"} 2');
    expect(counted.at(-1)).toBe('{operationName="Op1004",operationType="query"} 1');
  });
});
