import { type DocumentNode, getOperationAST, Kind } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';

// The series behind useGraphQLMetrics (graphql-metrics.ts): their definitions, the labels of a
// document, and the cache of label children.

/** The labels of an operation that is not known, as the previous plugin printed them. */
export const UNPARSED = { operationName: 'undefined', operationType: 'undefined' } as const;

/** An operation's name and type, as a series labels them. */
export interface OperationLabels {
  readonly operationName: string;
  readonly operationType: string;
}

export interface DocumentLabels {
  readonly requested: string | null | undefined;
  readonly operation: OperationLabels;
  /** The same, for the HTTP series: the operation the request selects (yoga's rule). */
  readonly http: OperationLabels;
}

export type Observer = ReturnType<Histogram['labels']>;

export interface OperationSeries {
  readonly execute: Observer;
  readonly subscribe: Observer;
  readonly duration: Observer;
  readonly requests: ReturnType<Counter['labels']>;
}

export interface HttpSeries {
  readonly http: Observer;
}

/** The envelop labels: the operation name the client asked for, else the first definition's. */
export function operationLabels(document: DocumentNode, requested: string | null | undefined) {
  const [first] = document.definitions;
  const operation = first?.kind === Kind.OPERATION_DEFINITION ? first : undefined;
  return {
    operationName: requested || operation?.name?.value || 'Anonymous',
    operationType: String(operation?.operation),
  };
}

/** The HTTP labels: the operation that the request's name selects, as yoga's plugin had them. */
export function httpLabels(
  document: DocumentNode,
  requested: string | null | undefined,
): OperationLabels {
  const operation = getOperationAST(document, requested);
  return {
    operationName: operation?.name?.value || 'Anonymous',
    operationType: operation?.operation || 'unknown',
  };
}

export function createSeries(registry: Registry) {
  const registers = [registry];
  const operation = ['operationName', 'operationType'] as const;
  const histogram = (name: string, help: string) =>
    new Histogram({ name, help, labelNames: operation, registers });
  // In the order the previous plugin registered them, so a scrape reads the same.
  return {
    http: new Histogram({
      name: 'graphql_yoga_http_duration',
      help: 'Time spent on HTTP connection',
      labelNames: ['method', 'statusCode', 'operationType', 'operationName'],
      registers,
    }),
    execute: histogram(
      'graphql_envelop_phase_execute',
      'Time spent on running the GraphQL "execute" function',
    ),
    subscribe: histogram(
      'graphql_envelop_phase_subscribe',
      'Time spent on running the GraphQL "subscribe" function',
    ),
    duration: histogram(
      'graphql_envelop_request_duration',
      'Time spent on running the GraphQL operation from parse to execute',
    ),
    errors: new Counter({
      name: 'graphql_envelop_error_result',
      help: 'Counts the amount of errors reported from all phases',
      labelNames: ['operationName', 'operationType', 'phase', 'path'],
      registers,
    }),
    requests: new Counter({
      name: 'graphql_envelop_request',
      help: 'Counts the amount of GraphQL requests executed through Envelop',
      labelNames: operation,
      registers,
    }),
    schemaChanges: new Counter({
      name: 'graphql_envelop_schema_change',
      help: 'Counts the amount of schema changes',
      registers,
    }),
  };
}

export function childrenFor(
  series: ReturnType<typeof createSeries>,
  labels: OperationLabels,
): OperationSeries {
  const own = { operationName: labels.operationName, operationType: labels.operationType };
  return {
    execute: series.execute.labels(own),
    subscribe: series.subscribe.labels(own),
    duration: series.duration.labels(own),
    requests: series.requests.labels(own),
  };
}

/**
 * Label children by their label values. Operation names come from clients, so the map is
 * bounded: past its size it starts again (the series themselves stay in the registry).
 */
export class BoundedCache<T> {
  readonly #entries = new Map<string, T>();
  constructor(readonly limit = 1000) {}

  get(key: string): T | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: T): T {
    if (this.#entries.size >= this.limit) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }
}
